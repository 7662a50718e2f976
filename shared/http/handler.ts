import middy from '@middy/core';
import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { AppError } from '../errors';
import { logger } from '../observability';
import { assertBodySize } from './request';
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
export type RouteHandler = (request: HttpRequest) => Promise<HttpResult>;

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
      request.response = json(err.statusCode, errorBody(err.code, err.message, err.details, err.messageIt));
      return;
    }
    logger.error('unhandled error', { error: err as Error });
    request.response = json(500, errorBody('INTERNAL_ERROR', 'Something went wrong on our side. Please retry later.'));
  },
});

/** Rejects bodies over the route's limit before any parsing happens. */
const bodyLimit = (): MiddlewareObj<HttpEvent, HttpResult> => ({
  before: async (request) => assertBodySize(request.event),
});

/**
 * Builds a function's Lambda handler from its routes: dispatches on
 * `event.routeKey` (as API Gateway v2 sets it), with error rendering and body
 * limits applied to every route. Each route key must be declared for this
 * function in shared/http/routes.ts, which is checked at module load.
 */
export function httpHandler(fn: HttpFunctionName, routes: Record<string, RouteHandler>) {
  for (const key of Object.keys(routes)) {
    const spec = findRoute(key);
    if (!spec || spec.fn !== fn) throw new Error(`Route ${key} is not declared for function ${fn} in shared/http/routes.ts`);
  }
  const dispatch = async (event: HttpEvent, context: Context): Promise<HttpResult> => {
    const route = routes[event.routeKey];
    const spec = findRoute(event.routeKey);
    if (!route || !spec) throw new AppError(404, 'NOT_FOUND', `No route for ${event.routeKey}.`);
    // The one authorisation layer: every route is decided by its declared `auth`.
    const principal: Principal = spec.auth === 'public' ? { kind: 'public' } : await authenticate(event);
    authorize(principal, spec.auth);
    return route({ event, principal, lambda: context });
  };
  return middy<HttpEvent, HttpResult>(dispatch).use(httpErrors()).use(bodyLimit());
}
