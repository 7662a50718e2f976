import type { z } from 'zod';
import type {
  DesktopPrincipal,
  DevicePrincipal,
  PipelinePrincipal,
  PublicPrincipal,
  RouteAuth,
  SupportPrincipal,
  UserPrincipal,
} from '../auth/principals';
import type { ErrorCode } from './error-catalogue';

/**
 * A route contract: the one declaration of an HTTP route — method, path, the
 * function serving it, who may call it, its input schemas, its response schema
 * per success status and the error codes it can answer. The contract table
 * (shared/api/index.ts) is read by the CDK stack, the local gateway, the handlers
 * (typed against it, shared/http/handler.ts), the OpenAPI generator
 * (shared/api/openapi.ts) and the client SDK (client/, type-only). docs/api.md
 * explains how to declare one.
 */

/** Lambda functions behind the HTTP API; each has a folder `functions/<name>/handler.ts`. */
export const HTTP_FUNCTIONS = [
  'health',
  'not-found',
  'version-feed',
  'confirm-code',
  'users',
  'support',
  'releases',
  'session',
  'devices',
] as const;
export type HttpFunctionName = (typeof HTTP_FUNCTIONS)[number];

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** Statuses a route answers on success. A `null` schema means no body (304). */
export type SuccessStatus = 200 | 201 | 304;

/** Statuses of error answers; each carries the Error body. */
export type ErrorStatus = 400 | 401 | 403 | 404 | 405 | 409 | 413 | 422 | 429 | 500 | 503;

/** Default body limit for JSON routes. */
export const DEFAULT_MAX_BODY_BYTES = 64 * 1024;

export interface RouteContract {
  readonly method: HttpMethod;
  /** Path template with `{name}` parameters, as API Gateway writes it. */
  readonly path: string;
  readonly fn: HttpFunctionName;
  readonly auth: RouteAuth;
  /** One line for the route table and the OpenAPI summary. */
  readonly summary: string;
  /** More for the OpenAPI description (behaviour, idempotency, headers). */
  readonly description?: string;
  /** Largest accepted request body in bytes (413 above it). @default DEFAULT_MAX_BODY_BYTES */
  readonly maxBodyBytes?: number;
  /** Path parameters, one property per `{name}` of the path. */
  readonly params?: z.ZodType;
  /** Query-string parameters. */
  readonly query?: z.ZodType;
  /** JSON body. */
  readonly body?: z.ZodType;
  /** The body may be left out entirely (validated as `{}`). @default false */
  readonly bodyOptional?: boolean;
  /** The body of each success status; `null` for a status without body (304). */
  readonly responses: { readonly [S in SuccessStatus]?: z.ZodType | null };
  /** Response headers worth documenting (e.g. `ETag`), name → description. */
  readonly responseHeaders?: Readonly<Record<string, string>>;
  /**
   * The error codes this route itself can answer, by status. Errors every route of
   * its kind can answer (bad input, credentials, body too large, 500) are added by
   * {@link declaredErrors}: list only the route's own.
   */
  readonly errors?: { readonly [S in ErrorStatus]?: readonly ErrorCode[] };
}

/** Declares a route contract, keeping its literal types (method, path, schemas) for handlers and clients. */
export function defineRoute<const C extends RouteContract>(contract: C): C {
  return contract;
}

/** `"GET /v1/health"`: the form API Gateway puts in `event.routeKey`. */
export const routeKey = (r: Pick<RouteContract, 'method' | 'path'>) => `${r.method} ${r.path}`;

// ---------------------------------------------------------------------------
// Errors a route can answer

const add = (into: Map<ErrorStatus, Set<ErrorCode>>, status: ErrorStatus, ...codes: ErrorCode[]) => {
  const set = into.get(status) ?? new Set<ErrorCode>();
  for (const code of codes) set.add(code);
  into.set(status, set);
};

/**
 * Every error a route can answer, by status: its own (`contract.errors`) and the
 * ones its kind implies — 400 for invalid input, 401/403 from its `auth`, 413 for
 * an oversized body, 500 always. Sorted by status, codes in a stable order.
 */
export function declaredErrors(contract: RouteContract): [ErrorStatus, ErrorCode[]][] {
  const errors = new Map<ErrorStatus, Set<ErrorCode>>();
  if (contract.params || contract.query || contract.body) add(errors, 400, 'VALIDATION_FAILED');
  if (contract.body) add(errors, 400, 'INVALID_JSON');
  if (contract.body && !contract.bodyOptional) add(errors, 400, 'MISSING_BODY');
  if (contract.auth !== 'public') {
    add(errors, 401, 'UNAUTHORIZED');
    add(errors, 403, 'FORBIDDEN');
  }
  if (contract.auth === 'user' || contract.auth === 'admin') add(errors, 403, 'PASSWORD_CHANGE_REQUIRED');
  if (contract.auth === 'admin') add(errors, 403, 'ADMIN_REQUIRED', 'SERVER_WORKSTATION_REQUIRED');
  if (contract.auth === 'staff') add(errors, 403, 'STAFF_REQUIRED');
  for (const [status, codes] of Object.entries(contract.errors ?? {})) add(errors, Number(status) as ErrorStatus, ...(codes ?? []));
  add(errors, 413, 'PAYLOAD_TOO_LARGE');
  add(errors, 500, 'INTERNAL_ERROR');
  return [...errors.entries()].sort(([a], [b]) => a - b).map(([status, codes]) => [status, [...codes]]);
}

// ---------------------------------------------------------------------------
// Types derived from a contract (handlers and the client SDK)

type Output<S> = S extends z.ZodType ? z.output<S> : undefined;
type Input<S> = S extends z.ZodType ? z.input<S> : undefined;

/** Accepts readonly values where the schema's type is mutable: a handler may return its domain's readonly objects. */
export type DeepReadonly<T> = T extends (infer U)[]
  ? readonly DeepReadonly<U>[]
  : T extends object
    ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
    : T;

/** The principal a route's `auth` guarantees to its handler. */
export type PrincipalFor<A extends RouteAuth> = A extends 'public'
  ? PublicPrincipal
  : A extends 'desktop'
    ? DesktopPrincipal
    : A extends 'device'
      ? DevicePrincipal
      : A extends 'support' | 'staff'
        ? SupportPrincipal
        : A extends 'pipeline'
          ? PipelinePrincipal
          : UserPrincipal;

/** Validated path parameters, query and body, as the handler gets them. */
export type ParamsOf<C extends RouteContract> = C extends { params: infer S } ? Output<S> : undefined;
export type QueryOf<C extends RouteContract> = C extends { query: infer S } ? Output<S> : undefined;
export type BodyOf<C extends RouteContract> = C extends { body: infer S } ? Output<S> : undefined;

/** What a client sends: path parameters, query and body as the schemas accept them. */
export type RequestParams<C extends RouteContract> = C extends { params: infer S } ? Input<S> : undefined;
export type RequestQuery<C extends RouteContract> = C extends { query: infer S } ? Input<S> : undefined;
export type RequestBody<C extends RouteContract> = C extends { body: infer S } ? Input<S> : undefined;

/** The success statuses a route declares. */
export type SuccessStatusOf<C extends RouteContract> = Extract<keyof C['responses'], SuccessStatus>;

/**
 * What a handler returns: one of the route's success statuses with a body its
 * schema accepts. A body that does not match is a compile error.
 */
export type Reply<C extends RouteContract> = {
  [S in SuccessStatusOf<C>]: {
    readonly status: S;
    readonly body: DeepReadonly<Input<C['responses'][S]>>;
    readonly headers?: Readonly<Record<string, string>>;
  };
}[SuccessStatusOf<C>];

/** The body of a success status, as a client reads it. */
export type ResponseBodyOf<C extends RouteContract, S extends SuccessStatusOf<C>> = Output<C['responses'][S]>;

/** The body of any success answer with a body, as a client reads it. */
export type ResponseBody<C extends RouteContract> = Exclude<
  { [S in SuccessStatusOf<C>]: Output<C['responses'][S]> }[SuccessStatusOf<C>],
  undefined
>;
