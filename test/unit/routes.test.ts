import { describe, expect, it } from 'vitest';
import { HTTP_FUNCTIONS, ROUTES, matchPath, resolveRoute, routeKey } from '../../shared/http/routes';
import { existsSync } from 'node:fs';

describe('route table', () => {
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
});
