import { type HttpMethod, type RouteContract, routeKey } from './contract';
import { confirmCode } from './routes/confirm-code';
import { devices } from './routes/devices';
import { health } from './routes/health';
import { releases } from './routes/releases';
import { session } from './routes/session';
import { support } from './routes/support';
import { users } from './routes/users';
import { versionFeed } from './routes/version-feed';

/**
 * The contract table: every route of the HTTP API, grouped by the function that
 * serves it. The CDK stack (infra/), the local gateway (local/), the catch-all
 * `$default` handler and the OpenAPI generator read this table, so a route
 * cannot exist in one place and be missing in another. A Lambda imports only its
 * own group (shared/api/routes/<function>.ts), never this whole table.
 */
export const API = { health, versionFeed, confirmCode, users, support, releases, session, devices } as const;

/** Every route, in a stable order (by function, then as declared). */
export const ROUTES: readonly RouteContract[] = Object.values(API).flatMap((group) => Object.values(group) as RouteContract[]);

export * from './contract';

/** Finds the contract of a route key (`"GET /v1/health"`), if any. */
export const findRoute = (key: string): RouteContract | undefined => ROUTES.find((r) => routeKey(r) === key);

/** Matches a path template: the path parameters on match, undefined otherwise. */
export function matchPath(template: string, path: string): Record<string, string> | undefined {
  const names: string[] = [];
  const pattern = template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{(\w+)\}/g, (_, name: string) => {
    names.push(name);
    return '([^/]+)';
  });
  const match = new RegExp(`^${pattern}$`).exec(path);
  if (!match) return undefined;
  const params: Record<string, string> = {};
  for (const [i, name] of names.entries()) {
    try {
      params[name] = decodeURIComponent(match[i + 1] ?? '');
    } catch {
      // A malformed escape (e.g. `%ZZ`) matches no route: 404, never a 500.
      return undefined;
    }
  }
  return params;
}

/** Resolves a request to its route (and path parameters), or lists the methods the path allows. */
export function resolveRoute(
  method: string,
  path: string,
): { route: RouteContract; pathParameters: Record<string, string> } | { route: undefined; allowed: HttpMethod[] } {
  const allowed: HttpMethod[] = [];
  for (const route of ROUTES) {
    const params = matchPath(route.path, path);
    if (!params) continue;
    if (route.method === method) return { route, pathParameters: params };
    allowed.push(route.method);
  }
  return { route: undefined, allowed };
}
