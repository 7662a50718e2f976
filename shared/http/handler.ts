import middy from '@middy/core';
import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { AppError } from '../errors';
import { METRIC } from '../metric-names';
import { countMetric, logger, observability } from '../observability';
import type { z } from 'zod';
import { assertBodySize, jsonBody, optionalJsonBody, pathParams, queryParams } from './request';
import { errorBody, json } from './response';
import { findRoute, type HttpFunctionName } from './routes';
import { authenticate, authorize } from '../auth/authenticate';
import type { Principal } from '../auth/principals';

export type HttpEvent = APIGatewayProxyEventV2;
export type HttpResult = APIGatewayProxyStructuredResultV2;

/** What a route handler receives: the raw event, the authorised principal and the Lambda context. */
export interface HttpRequest<P extends Principal = Principal> {
  event: HttpEvent;
  principal: P;
  lambda: Context;
}

/**
 * A route's input schemas: the one declaration the handler validates with and
 * the OpenAPI document is generated from (shared/http/openapi.ts).
 */
export interface RouteContract {
  readonly path?: z.ZodType;
  readonly query?: z.ZodType;
  readonly body?: z.ZodType;
  /** The body may be left out entirely (validated as `{}`). @default false */
  readonly bodyOptional?: boolean;
}

type Parsed<S> = S extends z.ZodType ? z.infer<S> : undefined;

/** The request with its validated input. */
export interface ValidatedRequest<C extends RouteContract> extends HttpRequest {
  input: { path: Parsed<C['path']>; query: Parsed<C['query']>; body: Parsed<C['body']> };
}

export interface RouteDef<C extends RouteContract = RouteContract> {
  readonly contract: C;
  readonly handle: (request: ValidatedRequest<C>) => Promise<HttpResult>;
}

/** Declares a route: its input schemas and the handler that gets them parsed. */
export function route<C extends RouteContract>(contract: C, handle: (request: ValidatedRequest<C>) => Promise<HttpResult>): RouteDef<C> {
  return { contract, handle };
}

/** Narrows the principal to the kind the route's `auth` guarantees (a wiring bug otherwise). */
export function principalOf<K extends Principal['kind']>(request: HttpRequest, kind: K): Extract<Principal, { kind: K }> {
  if (request.principal.kind !== kind) throw new Error(`route expects a ${kind} principal, got ${request.principal.kind}`);
  return request.principal as Extract<Principal, { kind: K }>;
}

/**
 * Renders errors: an AppError becomes its status with `code` and `message`;
 * anything else is logged and becomes a 500 whose body says nothing internal.
 */
export const httpErrors = (): MiddlewareObj<HttpEvent, HttpResult> => ({
  onError: async (request) => {
    const err = request.error;
    if (err instanceof AppError) {
      if (err.statusCode >= 500) logger.error('request failed', { code: err.code, error: err });
      // Refusals are part of the job (typos, conflicts, wrong roles): counted, not alarmed on.
      countMetric(err.statusCode >= 500 ? METRIC.serverErrors : METRIC.clientErrors);
      request.response = json(err.statusCode, errorBody(err.code, err.message, err.details, err.messageIt));
      return;
    }
    logger.error('unhandled error', { error: err as Error });
    countMetric(METRIC.serverErrors);
    request.response = json(500, errorBody('INTERNAL_ERROR', 'Something went wrong on our side. Please retry later.'));
  },
});

/** Rejects bodies over the route's limit before any parsing happens. */
const bodyLimit = (): MiddlewareObj<HttpEvent, HttpResult> => ({
  before: async (request) => assertBodySize(request.event),
});

/**
 * Builds a function's Lambda handler from its routes: dispatches on
 * `event.routeKey` (as API Gateway v2 sets it), authorises the caller from the
 * route table, validates path, query and body with the route's contract, and
 * renders errors. Each route key must be declared for this function in
 * shared/http/routes.ts, which is checked at module load. The contracts are
 * exposed as `handler.contracts` for the OpenAPI document.
 */
export function httpHandler(fn: HttpFunctionName, routes: Record<string, RouteDef<any>>) {
  for (const key of Object.keys(routes)) {
    const spec = findRoute(key);
    if (!spec || spec.fn !== fn) throw new Error(`Route ${key} is not declared for function ${fn} in shared/http/routes.ts`);
  }
  const dispatch = async (event: HttpEvent, context: Context): Promise<HttpResult> => {
    const route = routes[event.routeKey];
    const spec = findRoute(event.routeKey);
    if (!route || !spec) throw new AppError(404, 'NOT_FOUND', `No route for ${event.routeKey}.`);
    countMetric(METRIC.requests);
    // The one authorisation layer: every route is decided by its declared `auth`.
    const principal: Principal = spec.auth === 'public' ? { kind: 'public' } : await authenticate(event, spec.auth);
    authorize(principal, spec.auth);
    const { contract } = route;
    const input = {
      path: contract.path ? pathParams(event, contract.path) : undefined,
      query: contract.query ? queryParams(event, contract.query) : undefined,
      body: contract.body ? (contract.bodyOptional ? optionalJsonBody(event, contract.body) : jsonBody(event, contract.body)) : undefined,
    };
    return route.handle({ event, principal, lambda: context, input });
  };
  const handler = middy<HttpEvent, HttpResult>(dispatch).use(observability()).use(httpErrors()).use(bodyLimit());
  return Object.assign(handler, {
    contracts: Object.fromEntries(Object.entries(routes).map(([key, r]) => [key, r.contract])) as Record<string, RouteContract>,
  });
}
