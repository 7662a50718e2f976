import { readFileSync } from 'node:fs';
import { Validator } from '@seriousme/openapi-schema-validator';
import { describe, expect, it } from 'vitest';
import { ROUTES } from '../../../shared/api';
import { ERROR_CATALOGUE } from '../../../shared/api/error-catalogue';
import { buildOpenApi } from '../../../shared/api/openapi';

const doc = buildOpenApi();
type Schema = Record<string, any>;
type Operation = {
  requestBody?: { required: boolean; content: { 'application/json': { schema: Schema } } };
  parameters: { name: string; in: string; schema: Schema }[];
  security: unknown[];
  responses: Record<string, { content?: { 'application/json': { schema: Schema } } }>;
};
const op = (method: string, path: string) => (doc.paths[path] as Record<string, Operation> | undefined)?.[method.toLowerCase()];
const operations = () => ROUTES.map((route) => ({ route, operation: op(route.method, route.path)! }));

/** Every property schema (with its name) anywhere in the document, following no references. */
function properties(node: unknown, out: [string, Schema][] = []): [string, Schema][] {
  if (Array.isArray(node)) for (const item of node) properties(item, out);
  else if (node && typeof node === 'object') {
    const props = (node as Schema).properties;
    if (props && typeof props === 'object') for (const [name, schema] of Object.entries(props)) out.push([name, schema as Schema]);
    for (const value of Object.values(node)) properties(value, out);
  }
  return out;
}
const resolve = (schema: Schema): Schema =>
  schema.$ref ? resolve(doc.components.schemas[(schema.$ref as string).split('/').pop()!] as Schema) : schema;

describe('OpenAPI document of the contract table', () => {
  it('is accepted by an independent OpenAPI 3.1 validator', async () => {
    const result = await new Validator().validate(JSON.parse(JSON.stringify(doc)));
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it('documents every route of the contract table, and nothing else', () => {
    for (const route of ROUTES) expect(op(route.method, route.path), `${route.method} ${route.path}`).toBeDefined();
    const documented = Object.values(doc.paths).reduce((n, methods) => n + Object.keys(methods).length, 0);
    expect(documented).toBe(ROUTES.length);
  });

  it('declares a body schema for every route that takes one, every path parameter, and security on every non-public route', () => {
    for (const { route, operation } of operations()) {
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

  it('declares every success answer with a schema that has properties, items or a reference', () => {
    for (const { route, operation } of operations()) {
      const success = Object.entries(operation.responses).filter(([status]) => status.startsWith('2'));
      expect(success.length, `${route.method} ${route.path}`).toBeGreaterThan(0);
      for (const [status, response] of success) {
        const schema = response.content?.['application/json'].schema;
        expect(schema, `${route.method} ${route.path} ${status}`).toBeDefined();
        expect(Boolean(schema!.properties || schema!.items || schema!.$ref), `${route.method} ${route.path} ${status}`).toBe(true);
      }
    }
  });

  it('declares 201 where something is created and the grid’s 304', () => {
    const statuses = (method: string, path: string) => Object.keys(op(method, path)!.responses);
    expect(statuses('POST', '/v1/desktop/releases/{version}/challenge')).toContain('201');
    expect(statuses('POST', '/v1/support/releases/{version}/uploads')).toContain('201');
    expect(statuses('POST', '/v1/support/releases')).toContain('201');
    expect(statuses('POST', '/v1/support/customers/{customerId}/users')).toContain('201');
    expect(statuses('POST', '/v1/device/register')).toEqual(expect.arrayContaining(['200', '201']));
    expect(statuses('GET', '/v1/desktop/update')).toEqual(expect.arrayContaining(['200', '304']));
    expect(op('GET', '/v1/desktop/update')!.responses['304']!.content).toBeUndefined();
  });

  it('lists the error codes of every error status, each in the error catalogue', () => {
    for (const { route, operation } of operations()) {
      const errors = Object.entries(operation.responses).filter(([status]) => Number(status) >= 400);
      expect(
        errors.map(([s]) => s),
        `${route.method} ${route.path}`,
      ).toContain('500');
      for (const [status, response] of errors) {
        const schema = response.content!['application/json'].schema;
        expect(schema.allOf[0]).toEqual({ $ref: '#/components/schemas/Error' });
        const codes = schema.allOf[1].properties.code.enum as string[];
        expect(codes.length, `${route.method} ${route.path} ${status}`).toBeGreaterThan(0);
        for (const code of codes) expect(Object.keys(ERROR_CATALOGUE)).toContain(code);
      }
    }
    const verify = op('POST', '/v1/desktop/devices/{serial}/lock-exchange/verify')!.responses;
    expect(verify['409']!.content!['application/json'].schema.allOf[1].properties.code.enum).toContain('EXCHANGE_STALE');
    expect(verify['422']!.content!['application/json'].schema.allOf[1].properties.code.enum).toEqual(['CODE_MISMATCH']);
  });

  it('names the shapes integrators reuse', () => {
    for (const name of [
      'FeedAnswer',
      'SignedFeedAnswer',
      'FeedAnswerPayload',
      'Notice',
      'SessionView',
      'GridRow',
      'PushSummary',
      'OwedCommand',
      'Error',
    ]) {
      expect(Object.keys(doc.components.schemas)).toContain(name);
    }
    expect(op('GET', '/v1/desktop/feed')!.responses['200']!.content!['application/json'].schema).toEqual({
      $ref: '#/components/schemas/FeedAnswer',
    });
    expect(resolve({ $ref: '#/components/schemas/Error' }).required).toEqual(['code', 'message', 'messages']);
  });

  it('writes digit patterns as [0-9], never \\d', () => {
    expect(JSON.stringify(doc)).not.toContain('\\\\d');
    expect(properties(doc).filter(([, s]) => typeof s.pattern === 'string').length).toBeGreaterThan(20);
  });

  it('gives code fields their real pattern and URL fields format uri', () => {
    const all = properties(doc);
    const codes = all.filter(([name]) => ['challenge', 'response', 'code2', 'formatted'].includes(name));
    expect(codes.length).toBeGreaterThan(4);
    for (const [name, schema] of codes) {
      const patterns = [schema, ...((schema.anyOf as Schema[]) ?? [])].map((s) => s.pattern ?? s.items?.pattern).filter(Boolean);
      expect(patterns.length, name).toBeGreaterThan(0);
    }
    const urls = all.filter(([name]) => /(^url$|Url$)/.test(name));
    expect(urls.length).toBeGreaterThan(3);
    for (const [name, schema] of urls) expect(schema.format, name).toBe('uri');
  });

  it('requires at least one field in every PATCH body', () => {
    const patches = operations().filter(({ route }) => route.method === 'PATCH');
    expect(patches.length).toBeGreaterThan(0);
    for (const { operation } of patches) expect(operation.requestBody!.content['application/json'].schema.minProperties).toBe(1);
  });

  it('is the committed docs/openapi.json (run `npm run openapi` after changing a contract)', () => {
    const committed = JSON.parse(readFileSync(new URL('../../../docs/openapi.json', import.meta.url), 'utf8'));
    expect(committed).toEqual(JSON.parse(JSON.stringify(doc)));
  });
});
