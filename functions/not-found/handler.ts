import middy from '@middy/core';
import { AppError } from '../../shared/errors';
import { httpErrors, type HttpEvent, type HttpResult } from '../../shared/http/handler';
import { json, errorBody } from '../../shared/http/response';
import { resolveRoute } from '../../shared/api';
import { METRIC } from '../../shared/metric-names';
import { countMetric, observability } from '../../shared/observability';

/**
 * The `$default` route: every request no route matched lands here.
 * A known path with another method → 405 with `Allow`; anything else → 404.
 */
export const notFound = async (event: HttpEvent): Promise<HttpResult> => {
  const method = event.requestContext.http.method;
  const path = event.rawPath;
  const resolved = resolveRoute(method, path);
  if (resolved.route) {
    // The gateway routes matched requests elsewhere; reaching here means a misconfigured stage.
    throw new AppError(500, 'ROUTE_NOT_WIRED', 'This route is not available right now.');
  }
  countMetric(METRIC.clientErrors);
  if (resolved.allowed.length > 0) {
    return json(
      405,
      errorBody('METHOD_NOT_ALLOWED', `${method} is not allowed on ${path}; use ${resolved.allowed.join(', ')}.`, {
        allowed: resolved.allowed,
      }),
      { allow: resolved.allowed.join(', ') },
    );
  }
  return json(404, errorBody('NOT_FOUND', `No route for ${method} ${path}.`));
};

export const handler = middy<HttpEvent, HttpResult>(notFound).use(observability()).use(httpErrors());
