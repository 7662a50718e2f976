import * as z from 'zod';
import { describe, expect, it } from 'vitest';
import { checkResponse } from '../../../shared/api/check-response';
import { declaredErrors, defineRoute, type ResponseBody } from '../../../shared/api/contract';
import { session } from '../../../shared/api/routes/session';
import type { versionFeed } from '../../../shared/api/routes/version-feed';
import { created, implement, notModified, ok } from '../../../shared/http/handler';

const example = defineRoute({
  method: 'POST',
  path: '/v1/example/{id}',
  fn: 'health',
  auth: 'admin',
  summary: 'An example',
  params: z.object({ id: z.string() }),
  body: z.object({ name: z.string() }),
  responses: { 201: z.object({ id: z.string(), names: z.array(z.string()) }) },
  errors: { 409: ['SESSION_CONFLICT'] },
});

describe('a handler typed against its contract', () => {
  it('compiles only with a body its success schema accepts (checked by tsc)', () => {
    implement(example, async ({ params, body, principal }) => created({ id: params.id, names: [body.name, principal.username] }));
    // A readonly domain value is accepted where the schema's type is mutable.
    const names: readonly string[] = ['a'];
    implement(example, async () => created({ id: 'x', names }));
    // @ts-expect-error a field of the wrong type
    implement(example, async () => created({ id: 1, names: [] }));
    // @ts-expect-error a missing field
    implement(example, async () => created({ id: 'x' }));
    // @ts-expect-error a status the contract does not declare
    implement(example, async () => ok({ id: 'x', names: [] }));
    // @ts-expect-error 304 needs no body, but the grid's 200 needs the grid
    implement(session.grid, async () => ok({ rows: [] }));
    implement(session.grid, async () => notModified({ etag: '"x"' }));
    expect(true).toBe(true);
  });

  it('gives a client the response type of the contract', () => {
    const sample: ResponseBody<typeof versionFeed.feedKeys> = {
      keys: [{ keyId: '0123456789abcdef', algorithm: 'Ed25519', publicKey: 'k' }],
    };
    // @ts-expect-error the algorithm is a literal in the contract
    const wrong: ResponseBody<typeof versionFeed.feedKeys> = { keys: [{ keyId: 'x', algorithm: 'RSA', publicKey: 'k' }] };
    expect([sample, wrong]).toHaveLength(2);
  });
});

describe('errors a route declares', () => {
  it('adds the errors of its kind to its own: input, credentials, admin on the SERVER, body size, 500', () => {
    expect(Object.fromEntries(declaredErrors(example))).toEqual({
      400: ['VALIDATION_FAILED', 'INVALID_JSON', 'MISSING_BODY'],
      401: ['UNAUTHORIZED'],
      403: ['FORBIDDEN', 'PASSWORD_CHANGE_REQUIRED', 'ADMIN_REQUIRED', 'SERVER_WORKSTATION_REQUIRED'],
      409: ['SESSION_CONFLICT'],
      413: ['PAYLOAD_TOO_LARGE'],
      500: ['INTERNAL_ERROR'],
    });
  });
});

describe('run-time check of an answer against its contract', () => {
  const messages = { en: 'x', it: 'y' };

  it('accepts a body that matches its success schema', () => {
    expect(checkResponse(example, 201, { id: 'a', names: ['b'] })).toEqual([]);
  });

  it('refuses a wrong field, a missing one and one the contract does not declare', () => {
    expect(checkResponse(example, 201, { id: 1, names: [] })).toEqual([expect.stringMatching(/^body\.id: /)]);
    expect(checkResponse(example, 201, { id: 'a' })).toEqual([expect.stringMatching(/^body\.names: /)]);
    expect(checkResponse(example, 201, { id: 'a', names: [], secret: 's' })).toEqual(['body.secret: not declared in the contract']);
  });

  it('refuses a success status the contract does not declare, and a body on a 304', () => {
    expect(checkResponse(example, 200, { id: 'a', names: [] })).toEqual([expect.stringMatching(/status 200 is not declared/)]);
    expect(checkResponse(session.grid, 304, undefined)).toEqual([]);
    expect(checkResponse(session.grid, 304, {})).toEqual([expect.stringMatching(/without a body/)]);
  });

  it('accepts a declared error code with both texts, and refuses an undeclared code or missing texts', () => {
    expect(checkResponse(example, 409, { code: 'SESSION_CONFLICT', message: 'm', messages, session: {} })).toEqual([]);
    expect(checkResponse(example, 409, { code: 'UP_TO_DATE', message: 'm', messages })).toEqual([
      expect.stringMatching(/409 UP_TO_DATE is not declared/),
    ]);
    expect(checkResponse(example, 409, { code: 'SESSION_CONFLICT', message: 'm' })).toEqual([expect.stringMatching(/^body\.messages: /)]);
  });

  it('checks what the $default route answers', () => {
    expect(checkResponse(undefined, 404, { code: 'NOT_FOUND', message: 'm', messages })).toEqual([]);
    expect(checkResponse(undefined, 404, { code: 'FORBIDDEN', message: 'm', messages })).toHaveLength(1);
  });
});
