import { ApiError, CliError } from './errors';

/** A JSON client for the support routes of the mOphas API (`Authorization: Support <key>`). */
export class SupportApi {
  constructor(
    readonly baseUrl: string,
    private readonly supportKey: string,
  ) {}

  /** Sends a request; a non-2xx answer becomes an ApiError, an unreachable API a CliError saying so. */
  async call<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
    let res: Response;
    try {
      res = await fetch(`${this.baseUrl}${path}`, {
        method,
        headers: {
          authorization: `Support ${this.supportKey}`,
          accept: 'application/json',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      throw new CliError(
        `cannot reach the API at ${this.baseUrl} (${cause?.code ?? cause?.message ?? (error as Error).message}): start the local stack (npm start) or pass --api / set MOPHAS_API_URL.`,
        1,
        { cause: error },
      );
    }
    const text = await res.text();
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      throw new CliError(
        `the API at ${this.baseUrl} answered HTTP ${res.status} with something that is not JSON: is --api the mOphas API?`,
      );
    }
    if (!res.ok) {
      const err = (parsed ?? {}) as Record<string, unknown>;
      throw new ApiError(res.status, String(err.code ?? 'HTTP_ERROR'), String(err.message ?? `HTTP ${res.status}`), err);
    }
    return parsed as T;
  }
}
