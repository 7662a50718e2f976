import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type Gateway } from '../../local/gateway';
import { formatCode } from '../../shared/codes/code-format';

let gateway: Gateway;
beforeAll(async () => {
  gateway = await startGateway({ port: 0 });
});
afterAll(() => gateway.close());

const call = async (method: string, path: string, init: { body?: string | Buffer; headers?: Record<string, string> } = {}) => {
  const res = await fetch(`${gateway.url}${path}`, { method, body: init.body, headers: init.headers });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, body: text ? JSON.parse(text) : undefined };
};

describe('local HTTP gateway over the deployed handler modules', () => {
  it('answers the health route after reading the table', async () => {
    const res = await call('GET', '/v1/health');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'ok', catalogVersion: expect.any(Number) });
    expect(res.headers.get('content-type')).toMatch(/application\/json/);
  });

  it('lists the catalog with sizes and hashes but no storage keys', async () => {
    const res = await call('GET', '/v1/catalog');
    expect(res.status).toBe(200);
    expect(Array.isArray(res.body.releases)).toBe(true);
    expect(res.text).not.toContain('packages/');
  });

  it('returns a JSON 404 with code, message and the texts in both languages for an unknown route', async () => {
    const res = await call('GET', '/v1/nothing-here');
    expect(res.status).toBe(404);
    expect(res.body).toEqual({
      code: 'NOT_FOUND',
      message: 'No route for GET /v1/nothing-here.',
      messages: { en: 'Not found.', it: 'Elemento non trovato.' },
    });
  });

  it('returns 405 with Allow for a known path and the wrong method', async () => {
    const res = await call('DELETE', '/v1/health');
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET');
    expect(res.body).toMatchObject({ code: 'METHOD_NOT_ALLOWED', allowed: ['GET'] });
  });

  it('returns 400 saying what was wrong for malformed JSON', async () => {
    const res = await call('POST', '/v1/codes/check', { body: '{"code": ', headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('INVALID_JSON');
    expect(res.body.message).toMatch(/not valid JSON/);
  });

  it('returns 400 naming the field for a body that fails validation', async () => {
    const res = await call('POST', '/v1/codes/check', {
      body: JSON.stringify({ code: 42 }),
      headers: { 'content-type': 'application/json' },
    });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('VALIDATION_FAILED');
    expect(res.body.issues[0].field).toBe('code');
  });

  it('returns 413 for a body over the route limit, before parsing it', async () => {
    const res = await call('POST', '/v1/codes/check', {
      body: JSON.stringify({ code: 'x'.repeat(5000) }),
      headers: { 'content-type': 'application/json' },
    });
    expect(res.status).toBe(413);
    expect(res.body).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', message: expect.stringContaining('1024') });
  });

  it('returns 413 for a body over the gateway limit', async () => {
    const res = await call('POST', '/v1/codes/check', { body: Buffer.alloc(10 * 1024 * 1024 + 1, 0x20) });
    expect(res.status).toBe(413);
    expect(res.body.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('reports which group of a typed code has a typo, in English and Italian', async () => {
    const valid = formatCode('123456789012');
    const ok = await call('POST', '/v1/codes/check', {
      body: JSON.stringify({ code: valid.split('-') }),
      headers: { 'content-type': 'application/json' },
    });
    expect(ok.body).toEqual({ ok: true, formatted: valid });
    // One digit of group 2 misheard.
    const typed = valid.slice(0, 6) + String((Number(valid[6]) + 1) % 10) + valid.slice(7);
    const res = await call('POST', '/v1/codes/check', {
      body: JSON.stringify({ code: typed }),
      headers: { 'content-type': 'application/json' },
    });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('CODE_TYPO');
    expect(res.body.typoGroups).toEqual([2]);
    expect(res.body.message).toMatch(/group 2/i);
    expect(res.body.messages.it).toMatch(/gruppo 2/i);
  });

  it('never includes a stack trace in an error body', async () => {
    for (const [method, path, body] of [
      ['GET', '/x', undefined],
      ['POST', '/v1/codes/check', '{'],
      ['POST', '/v1/codes/check', '[]'],
    ] as const) {
      const res = await call(method, path, { body });
      expect(res.text).not.toMatch(/\n\s+at |\.ts:\d+/);
      expect(Object.keys(res.body)).toEqual(expect.arrayContaining(['code', 'message']));
    }
  });
});
