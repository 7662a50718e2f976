import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openApiDocument } from '../../local/openapi';
import { ROUTES } from '../../shared/http/routes';
import { TestApi } from '../fixtures/api';

let api: TestApi;
let doc: Awaited<ReturnType<typeof openApiDocument>>;
beforeAll(async () => {
  api = await TestApi.start();
  doc = await openApiDocument();
});
afterAll(() => api.close());

type Operation = { requestBody?: { required: boolean }; parameters: { name: string; in: string }[]; security: unknown[] };
const op = (method: string, path: string) => (doc.paths[path] as Record<string, Operation> | undefined)?.[method.toLowerCase()];

describe('OpenAPI document generated from the handlers’ schemas', () => {
  it('documents every route of the route table, and nothing else', () => {
    for (const route of ROUTES) expect(op(route.method, route.path), `${route.method} ${route.path}`).toBeDefined();
    const documented = Object.values(doc.paths).reduce((n, methods) => n + Object.keys(methods).length, 0);
    expect(documented).toBe(ROUTES.length);
  });

  it('declares a body schema for every route that takes one, and every path parameter', () => {
    for (const route of ROUTES) {
      const operation = op(route.method, route.path)!;
      if (route.method !== 'GET') expect(operation.requestBody, `${route.method} ${route.path} has no body contract`).toBeDefined();
      for (const [, name] of route.path.matchAll(/\{(\w+)\}/g)) {
        expect(
          operation.parameters.some((p) => p.in === 'path' && p.name === name),
          `${route.path} parameter ${name}`,
        ).toBe(true);
      }
      expect(operation.security.length > 0).toBe(route.auth !== 'public');
    }
  });

  it('is the committed docs/openapi.json (run `npm run openapi` after changing a route or schema)', () => {
    const committed = JSON.parse(readFileSync(new URL('../../docs/openapi.json', import.meta.url), 'utf8'));
    expect(committed).toEqual(JSON.parse(JSON.stringify(doc)));
  });

  it('is served by the local stack', async () => {
    const res = await fetch(`${api.gateway.url}/openapi.json`);
    expect(res.status).toBe(200);
    const served = (await res.json()) as { paths: Record<string, Record<string, { requestBody: { required: boolean } }>> };
    expect(served.paths['/v1/device/check-in']!.post!.requestBody.required).toBe(true);
  });
});
