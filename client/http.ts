/**
 * The mOphas Update Cloud HTTP client every SDK module builds on: base URL,
 * `Authorization` header, JSON in and out, a timeout on every request
 * (AbortSignal), and one typed error per way a call can fail:
 *
 * - {@link ApiError}: the API answered with an error status; `code`, `message`
 *   and (for texts shown to end users) `messages.{en,it}` come from the error body
 *   (README "API": every error body is JSON with a stable `code` and a `message`);
 * - {@link ApiUnreachableError}: no answer at all (connection refused, DNS, reset,
 *   or no answer within the timeout);
 * - {@link MophasClientError}: the base class, also used for client-side problems
 *   (not logged in, a body that is not JSON, …).
 *
 * Requests and answers are typed by the route contracts ({@link HttpClient.call},
 * types only: client/api.ts). No AWS SDK, no server modules: only `fetch` (Node ≥ 20).
 */
import type { Answer, CallInput, RouteKey } from './api';

/** Base class of every error the SDK throws on purpose; `code` is stable and machine-readable. */
export class MophasClientError extends Error {
  constructor(
    message: string,
    readonly code: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'MophasClientError';
  }
}

/** Texts meant for an end user, in the manual's language and in English. */
export interface LocalizedMessages {
  readonly en: string;
  readonly it: string;
}

/** An error answer of the API (status ≥ 400, or an unexpected status such as 304 where none was asked for). */
export class ApiError extends MophasClientError {
  constructor(
    readonly status: number,
    code: string,
    message: string,
    /** Present when the API gave the text shown to end users (`messages.{en,it}`). */
    readonly messages: LocalizedMessages | undefined,
    /** The whole error body: extra fields such as `session`, `allowedActions`, `issues`, `attemptsLeft`. */
    readonly body: Readonly<Record<string, unknown>>,
    readonly request: { readonly method: string; readonly url: string },
  ) {
    super(message, code);
    this.name = 'ApiError';
  }
}

/** The API could not be reached, or did not answer within the timeout. */
export class ApiUnreachableError extends MophasClientError {
  constructor(
    readonly url: string,
    /** `timeout`: no complete answer within the time allowed; `network`: refused, reset, DNS… */
    readonly reason: 'timeout' | 'network',
    /** The system's error code or message, e.g. `ECONNREFUSED`. */
    readonly detail: string,
    options?: { cause?: unknown },
  ) {
    super(
      reason === 'timeout' ? `no answer from ${url} within the time allowed (${detail})` : `cannot reach ${url} (${detail})`,
      reason === 'timeout' ? 'TIMEOUT' : 'UNREACHABLE',
      options,
    );
    this.name = 'ApiUnreachableError';
  }
}

/** Default time a request may take, answer body included. */
export const DEFAULT_TIMEOUT_MS = 30_000;

export interface HttpClientOptions {
  /** API base URL, e.g. `http://127.0.0.1:3000` (a trailing slash is ignored). */
  readonly baseUrl: string;
  /** `Authorization` header value, or a function giving it at each request (a session token may change). */
  readonly authorization?: string | (() => string | undefined);
  /** Per-request timeout in milliseconds. @default 30000 */
  readonly timeoutMs?: number;
  /**
   * Headers that authenticate each request, computed from it just before it is
   * sent: a fresh access token (people on the Alturas side), or a SigV4
   * signature over method, URL and body (the build pipeline). Used when the
   * request has no `authorization` of its own.
   */
  readonly authenticate?: (request: { method: string; url: string; body?: string }) => Promise<Record<string, string>>;
  /** Extra headers sent with every request. */
  readonly headers?: Readonly<Record<string, string>>;
  /** A fetch implementation (tests). @default globalThis.fetch */
  readonly fetch?: typeof fetch;
}

export interface RequestOptions {
  /** JSON body; `undefined` sends none. */
  readonly body?: unknown;
  /** Query string parameters; `undefined` values are left out. */
  readonly query?: Readonly<Record<string, string | number | boolean | undefined>>;
  readonly headers?: Readonly<Record<string, string>>;
  /** Overrides the client's timeout for this request. */
  readonly timeoutMs?: number;
  /** Aborts the request (in addition to the timeout). */
  readonly signal?: AbortSignal;
  /** Overrides the client's `Authorization`; `null` sends none. */
  readonly authorization?: string | null;
  /** Non-2xx statuses returned as they are instead of thrown (e.g. `[304]` for an ETag poll). */
  readonly accept?: readonly number[];
}

export interface HttpResponse<T> {
  readonly status: number;
  readonly headers: Headers;
  /** Parsed JSON, or `undefined` for an empty body (304, 204). */
  readonly body: T;
}

/** Why a fetch failed, as a short code for messages (`ECONNREFUSED`, `TimeoutError`…). */
export function networkDetail(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error as Error)?.name ?? String(error);
}

const isTimeout = (error: unknown) => (error as { name?: string })?.name === 'TimeoutError';

/** A small JSON-over-HTTP client with typed errors and timeouts. */
export class HttpClient {
  readonly baseUrl: string;
  private readonly timeoutMs: number;
  private readonly fetchImpl: typeof fetch;

  constructor(private readonly options: HttpClientOptions) {
    let url: URL;
    try {
      url = new URL(options.baseUrl);
    } catch {
      throw new MophasClientError(`"${options.baseUrl}" is not a URL: pass the API base URL, e.g. http://127.0.0.1:3000`, 'BAD_URL');
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new MophasClientError(`"${options.baseUrl}" must be an http(s) URL`, 'BAD_URL');
    }
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    // Called as a plain function: browsers refuse fetch invoked on another object ("Illegal invocation").
    this.fetchImpl = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  }

  /** Full URL of a path with its query string. */
  url(path: string, query?: RequestOptions['query']): string {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) params.set(k, String(v));
    const qs = params.toString();
    return `${this.baseUrl}${path}${qs ? `?${qs}` : ''}`;
  }

  /**
   * Sends a request and returns status, headers and parsed body. Statuses ≥ 300
   * not listed in `options.accept` throw an {@link ApiError}; no answer in time
   * or no connection throws an {@link ApiUnreachableError}.
   */
  async send<T>(method: string, path: string, options: RequestOptions = {}): Promise<HttpResponse<T>> {
    const url = this.url(path, options.query);
    const timeoutMs = options.timeoutMs ?? this.timeoutMs;
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = options.signal ? AbortSignal.any([timeout, options.signal]) : timeout;
    const auth = options.authorization === null ? undefined : (options.authorization ?? this.authorization());
    const body = options.body === undefined ? undefined : JSON.stringify(options.body);
    const headers: Record<string, string> = {
      accept: 'application/json',
      ...this.options.headers,
      ...options.headers,
      ...(auth ? { authorization: auth } : {}),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    };
    if (!auth && options.authorization !== null && this.options.authenticate) {
      Object.assign(headers, await this.options.authenticate({ method, url, body }));
    }
    let res: Response;
    let text: string;
    try {
      res = await this.fetchImpl(url, { method, headers, body, signal });
      text = await res.text();
    } catch (error) {
      if (options.signal?.aborted && !timeout.aborted) throw error;
      if (isTimeout(error) || timeout.aborted) throw new ApiUnreachableError(url, 'timeout', `${timeoutMs} ms`, { cause: error });
      throw new ApiUnreachableError(url, 'network', networkDetail(error), { cause: error });
    }
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      if (res.status < 300) {
        throw new MophasClientError(
          `${method} ${url} answered HTTP ${res.status} with something that is not JSON: is this the mOphas API?`,
          'NOT_JSON',
        );
      }
      parsed = undefined;
    }
    if (res.status >= 300 && !options.accept?.includes(res.status)) throw toApiError(res.status, parsed, { method, url });
    return { status: res.status, headers: res.headers, body: parsed as T };
  }

  /**
   * Calls a route of the contract table by its key (`"POST /v1/device/check-in"`),
   * filling the path parameters in, and returns status, headers and the answer,
   * typed by the route's contract.
   */
  async exchange<K extends RouteKey>(
    key: K,
    input: CallInput<K>,
    options: Omit<RequestOptions, 'body' | 'query'> = {},
  ): Promise<HttpResponse<Answer<K>>> {
    const space = key.indexOf(' ');
    const { params, query, body } = input as { params?: Record<string, string>; query?: RequestOptions['query']; body?: unknown };
    const path = key.slice(space + 1).replace(/\{(\w+)\}/g, (_, name: string) => seg(String(params?.[name] ?? '')));
    return this.send<Answer<K>>(key.slice(0, space), path, { ...options, query, body });
  }

  /** Like {@link exchange}, returning the answer's body only. */
  async call<K extends RouteKey>(key: K, input: CallInput<K>, options?: Omit<RequestOptions, 'body' | 'query'>): Promise<Answer<K>> {
    return (await this.exchange(key, input, options)).body;
  }

  private authorization(): string | undefined {
    const a = this.options.authorization;
    return typeof a === 'function' ? a() : a;
  }
}

/** Builds the ApiError for an error answer, from the body when it is the API's JSON error shape. */
function toApiError(status: number, body: unknown, request: { method: string; url: string }): ApiError {
  const b = body !== null && typeof body === 'object' ? (body as Record<string, unknown>) : {};
  // API Gateway's own refusals (its JWT and IAM authorizers) carry only a message.
  const gateway = status === 401 ? 'UNAUTHORIZED' : status === 403 ? 'FORBIDDEN' : `HTTP_${status}`;
  const code = typeof b.code === 'string' ? b.code : typeof b.error === 'string' ? b.error : gateway;
  const message = typeof b.message === 'string' ? b.message : `${request.method} ${request.url} answered HTTP ${status}`;
  const m = b.messages as Partial<LocalizedMessages> | undefined;
  const messages = m && typeof m.en === 'string' && typeof m.it === 'string' ? { en: m.en, it: m.it } : undefined;
  return new ApiError(status, code, message, messages, b, request);
}

/** Path segment encoding for ids in URLs (serials, versions, customer ids, user names). */
export const seg = (value: string) => encodeURIComponent(value);
