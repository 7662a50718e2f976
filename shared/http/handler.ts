import middy from '@middy/core';
import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { AppError } from '../errors';
import { METRIC } from '../metric-names';
import { countMetric, logger, observability } from '../observability';
import { bodyBytes, jsonBody, optionalJsonBody, pathParams, queryParams } from './request';
import { errorBody, json } from './response';
import { authenticate, authorize } from '../auth/authenticate';
import type { Principal } from '../auth/principals';
import {
  DEFAULT_MAX_BODY_BYTES,
  routeKey,
  type BodyOf,
  type HttpFunctionName,
  type ParamsOf,
  type PrincipalFor,
  type QueryOf,
  type Reply,
  type RouteContract,
} from '../api/contract';

export type HttpEvent = APIGatewayProxyEventV2;
export type HttpResult = APIGatewayProxyStructuredResultV2;

// ---------------------------------------------------------------------------
// Routes implemented against their contract (shared/api)

/** What a handler receives: the validated input of its contract, the principal its `auth` guarantees, the raw event. */
export interface ContractRequest<C extends RouteContract> {
  readonly event: HttpEvent;
  readonly lambda: Context;
  readonly principal: PrincipalFor<C['auth']>;
  readonly params: ParamsOf<C>;
  readonly query: QueryOf<C>;
  readonly body: BodyOf<C>;
}

/** A route contract and the handler that serves it. */
export interface RouteHandler<C extends RouteContract = RouteContract> {
  readonly contract: C;
  readonly handle: (request: ContractRequest<C>) => Promise<Reply<C>>;
}

/**
 * Implements a route contract: the handler gets the validated input and must
 * return one of the contract's success statuses with a body its schema accepts
 * (`ok(body)`, `created(body)`, `notModified(headers)`); anything else does not
 * compile. Errors are thrown as AppError.
 */
export function implement<C extends RouteContract>(
  contract: C,
  handle: (request: ContractRequest<C>) => Promise<Reply<C>>,
): RouteHandler<C> {
  return { contract, handle };
}

/** 200 with a JSON body. */
export const ok = <B>(body: B, headers?: Record<string, string>) => ({ status: 200 as const, body, headers });
/** 201 with a JSON body: something was created. */
export const created = <B>(body: B, headers?: Record<string, string>) => ({ status: 201 as const, body, headers });
/** 304 without body: unchanged since the ETag the caller holds. */
export const notModified = (headers?: Record<string, string>) => ({ status: 304 as const, body: undefined, headers });

/** The Lambda result of a reply: JSON with the house headers, or no body at all (304). */
function render(reply: { status: number; body?: unknown; headers?: Readonly<Record<string, string>> }): HttpResult {
  if (reply.body === undefined) return { statusCode: reply.status, headers: { ...reply.headers } };
  return json(reply.status, reply.body, { ...reply.headers });
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

/** Rejects a body over the route's limit before any parsing happens (413). */
function assertBodyLimit(event: HttpEvent, limit = DEFAULT_MAX_BODY_BYTES) {
  const size = bodyBytes(event);
  if (size > limit) {
    throw new AppError(413, 'PAYLOAD_TOO_LARGE', `Request body is ${size} bytes; this route accepts at most ${limit}.`);
  }
}

/** Validates path, query and body with the contract's schemas (400 naming each field). */
function validatedInput(event: HttpEvent, c: Pick<RouteContract, 'params' | 'query' | 'body' | 'bodyOptional'>) {
  return {
    params: c.params ? pathParams(event, c.params) : undefined,
    query: c.query ? queryParams(event, c.query) : undefined,
    body: c.body ? (c.bodyOptional ? optionalJsonBody(event, c.body) : jsonBody(event, c.body)) : undefined,
  };
}

/**
 * Builds a function's Lambda handler from the routes it implements: dispatches on
 * `event.routeKey` (as API Gateway v2 sets it), refuses an oversized body,
 * authorises the caller from the contract's `auth` (the one authorisation layer),
 * validates path, query and body with the contract's schemas, calls the handler
 * and renders its reply — or the error it threw. Every route must belong to this
 * function (checked at module load); `handler.routeKeys` lists them so a test can
 * check each function implements all its routes. Responses are not validated
 * here (that costs nothing in Lambda): the local gateway does it
 * (shared/api/check-response.ts).
 */
export function httpHandler(fn: HttpFunctionName, routes: readonly RouteHandler<any>[]) {
  const byKey = new Map<
    string,
    { contract: RouteContract; run: (event: HttpEvent, principal: Principal, lambda: Context) => Promise<HttpResult> }
  >();
  for (const route of routes) {
    if (route.contract.fn !== fn) throw new Error(`Route ${routeKey(route.contract)} belongs to function ${route.contract.fn}, not ${fn}`);
    byKey.set(routeKey(route.contract), {
      contract: route.contract,
      run: async (event, principal, lambda) => {
        const { params, query, body } = validatedInput(event, route.contract);
        // `authorize` guarantees the principal kind the contract's `auth` names.
        return render(await route.handle({ event, lambda, principal, params, query, body } as never));
      },
    });
  }
  const dispatch = async (event: HttpEvent, context: Context): Promise<HttpResult> => {
    const route = byKey.get(event.routeKey);
    if (!route) throw new AppError(404, 'NOT_FOUND', `No route for ${event.routeKey}.`);
    assertBodyLimit(event, route.contract.maxBodyBytes);
    countMetric(METRIC.requests);
    // The one authorisation layer: every route is decided by its contract's `auth`.
    const principal: Principal = route.contract.auth === 'public' ? { kind: 'public' } : await authenticate(event, route.contract.auth);
    authorize(principal, route.contract.auth);
    return route.run(event, principal, context);
  };
  const handler = middy<HttpEvent, HttpResult>(dispatch).use(observability()).use(httpErrors());
  return Object.assign(handler, { routeKeys: [...byKey.keys()] });
}
