import { ApiError, CliError } from './errors';

/** Headers authenticating one request (SigV4 for the pipeline routes: client/sigv4.ts). */
export type Authenticate = (request: { method: string; url: string; body?: string }) => Promise<Record<string, string>>;

/** A JSON client for the pipeline routes of the mOphas API (release publishing), signing every request. */
export class SupportApi {
  constructor(
    readonly baseUrl: string,
    private readonly authenticate: Authenticate,
  ) {}

  /** Sends a request; a non-2xx answer becomes an ApiError, an unreachable API a CliError saying so. */
  async call<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
    const url = `${this.baseUrl}${path}`;
    const text = body === undefined ? undefined : JSON.stringify(body);
    let res: Response;
    try {
      const signed = await this.authenticate({ method, url, body: text });
      res = await fetch(url, {
        method,
        headers: { accept: 'application/json', ...(text === undefined ? {} : { 'content-type': 'application/json' }), ...signed },
        body: text,
      });
    } catch (error) {
      if (error instanceof Error && (error as { code?: string }).code === 'NO_AWS_CREDENTIALS')
        throw new CliError(error.message, 1, { cause: error });
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      throw new CliError(
        `cannot reach the API at ${this.baseUrl} (${cause?.code ?? cause?.message ?? (error as Error).message}): start the local stack (npm start) or pass --api / set MOPHAS_API_URL.`,
        1,
        { cause: error },
      );
    }
    const answer = await res.text();
    let parsed: unknown;
    try {
      parsed = answer ? JSON.parse(answer) : undefined;
    } catch {
      throw new CliError(
        `the API at ${this.baseUrl} answered HTTP ${res.status} with something that is not JSON: is --api the mOphas API?`,
      );
    }
    if (!res.ok) {
      const err = (parsed ?? {}) as Record<string, unknown>;
      // API Gateway's IAM authorizer refuses with only a message.
      const code = err.code ?? (res.status === 403 ? 'FORBIDDEN' : res.status === 401 ? 'UNAUTHORIZED' : 'HTTP_ERROR');
      throw new ApiError(res.status, String(code), String(err.message ?? `HTTP ${res.status}`), err);
    }
    return parsed as T;
  }
}
