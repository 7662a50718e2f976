/**
 * Transitional: the route table is now the contract table (shared/api). Kept
 * while the functions move to their contracts one by one; removed afterwards.
 */
export {
  DEFAULT_MAX_BODY_BYTES,
  findRoute,
  HTTP_FUNCTIONS,
  matchPath,
  resolveRoute,
  ROUTES,
  routeKey,
  type HttpFunctionName,
  type HttpMethod,
  type RouteContract as RouteSpec,
} from '../api';
export type { RouteAuth } from '../auth/principals';
