import middy from '@middy/core';
import { describe, expect, it } from 'vitest';
import { AppError, conflict } from '../../shared/errors';
import { httpErrors, type HttpEvent, type HttpResult } from '../../shared/http/handler';
import { lambdaContext } from '../../local/lambda-context';

const run = (fail: () => never) =>
  middy<HttpEvent, HttpResult>(async () => fail()).use(httpErrors())({} as HttpEvent, lambdaContext('test'));

describe('error rendering', () => {
  it('hides unexpected errors behind a generic 500 without internals', async () => {
    const result = await run(() => {
      throw new Error('connect ECONNREFUSED 10.0.0.1 secret-table-name');
    });
    expect(result.statusCode).toBe(500);
    const body = JSON.parse(result.body!);
    expect(body).toEqual({ code: 'INTERNAL_ERROR', message: expect.any(String) });
    expect(result.body).not.toMatch(/ECONNREFUSED|secret-table|stack|at /);
  });

  it('renders a typed conflict with its code, message, current state and both languages', async () => {
    const result = await run(() => {
      throw conflict('WRONG_PHASE', 'Not allowed now.', { phase: 'updating' }, 'Non consentito ora.');
    });
    expect(result.statusCode).toBe(409);
    expect(JSON.parse(result.body!)).toEqual({
      code: 'WRONG_PHASE',
      message: 'Not allowed now.',
      phase: 'updating',
      messages: { en: 'Not allowed now.', it: 'Non consentito ora.' },
    });
  });

  it('never lets details override code or message', async () => {
    const result = await run(() => {
      throw new AppError(400, 'REAL', 'real message', { code: 'FAKE', message: 'fake' });
    });
    expect(JSON.parse(result.body!)).toMatchObject({ code: 'REAL', message: 'real message' });
  });
});
