import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { HTTP_FUNCTIONS, ROUTES, matchPath, resolveRoute, routeKey } from '../../shared/api';

describe('contract table', () => {
  it('matches path templates and decodes parameters', () => {
    expect(matchPath('/v1/devices/{serial}/ack', '/v1/devices/3569%2038/ack')).toEqual({ serial: '3569 38' });
    expect(matchPath('/v1/devices/{serial}/ack', '/v1/devices/a/b/ack')).toBeUndefined();
    expect(matchPath('/v1/health', '/v1/healthz')).toBeUndefined();
  });

  it('resolves a known path with the wrong method to the allowed methods', () => {
    expect(resolveRoute('DELETE', '/v1/health')).toEqual({ route: undefined, allowed: ['GET'] });
    expect(resolveRoute('GET', '/v1/unknown')).toEqual({ route: undefined, allowed: [] });
  });

  it('declares each route once, for a function whose handler exists', () => {
    const keys = ROUTES.map(routeKey);
    expect(new Set(keys).size).toBe(keys.length);
    for (const route of ROUTES) {
      expect(HTTP_FUNCTIONS).toContain(route.fn);
      expect(existsSync(new URL(`../../functions/${route.fn}/handler.ts`, import.meta.url))).toBe(true);
    }
  });

  it('declares a schema for every path parameter and a success answer for every route', () => {
    for (const route of ROUTES) {
      const names = [...route.path.matchAll(/\{(\w+)\}/g)].map(([, name]) => name);
      const declared = route.params ? Object.keys((route.params as unknown as { shape: object }).shape) : [];
      expect(declared.sort(), routeKey(route)).toEqual(names.sort());
      expect(
        Object.keys(route.responses).some((s) => s.startsWith('2')),
        routeKey(route),
      ).toBe(true);
    }
  });

  it('has every route implemented by the handler of its function, and nothing else', async () => {
    for (const fn of HTTP_FUNCTIONS.filter((f) => f !== 'not-found')) {
      const { handler } = (await import(`../../functions/${fn}/handler.ts`)) as { handler: { routeKeys: string[] } };
      const declared = ROUTES.filter((r) => r.fn === fn).map(routeKey);
      expect([...handler.routeKeys].sort(), fn).toEqual(declared.sort());
    }
  });
});
