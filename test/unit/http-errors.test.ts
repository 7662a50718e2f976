import middy from '@middy/core';
import { describe, expect, it } from 'vitest';
import { ERROR_CATALOGUE } from '../../shared/api/error-catalogue';
import { AppError, conflict } from '../../shared/errors';
import { httpErrors, type HttpEvent, type HttpResult } from '../../shared/http/handler';
import { lambdaContext } from '../../local/lambda-context';

const run = (fail: () => never) =>
  middy<HttpEvent, HttpResult>(async () => fail()).use(httpErrors())({} as HttpEvent, lambdaContext('test'));

describe('error rendering', () => {
  it('hides unexpected errors behind a generic 500 without internals, still in both languages', async () => {
    const result = await run(() => {
      throw new Error('connect ECONNREFUSED 10.0.0.1 secret-table-name');
    });
    expect(result.statusCode).toBe(500);
    const body = JSON.parse(result.body!);
    expect(body).toEqual({ code: 'INTERNAL_ERROR', message: expect.any(String), messages: ERROR_CATALOGUE.INTERNAL_ERROR });
    expect(result.body).not.toMatch(/ECONNREFUSED|secret-table|stack|at /);
  });

  it('renders a typed conflict with its code, message, current state and the case’s own texts in both languages', async () => {
    const result = await run(() => {
      throw conflict('ACTION_NOT_ALLOWED', 'Not allowed now.', { phase: 'updating' }, 'Non consentito ora.');
    });
    expect(result.statusCode).toBe(409);
    expect(JSON.parse(result.body!)).toEqual({
      code: 'ACTION_NOT_ALLOWED',
      message: 'Not allowed now.',
      phase: 'updating',
      messages: { en: 'Not allowed now.', it: 'Non consentito ora.' },
    });
  });

  it('adds the catalogue’s English and Italian texts to an error thrown without its own', async () => {
    const result = await run(() => {
      throw new AppError(409, 'ALREADY_REPORTED', 'This failed update was already reported to support.');
    });
    expect(JSON.parse(result.body!).messages).toEqual({
      en: ERROR_CATALOGUE.ALREADY_REPORTED.en,
      it: "Questo aggiornamento non riuscito è già stato segnalato all'assistenza.",
    });
  });

  it('never lets details override code, message or messages', async () => {
    const result = await run(() => {
      throw new AppError(400, 'VALIDATION_FAILED', 'real message', { code: 'FAKE', message: 'fake', messages: { en: 'x', it: 'y' } });
    });
    expect(JSON.parse(result.body!)).toMatchObject({
      code: 'VALIDATION_FAILED',
      message: 'real message',
      messages: ERROR_CATALOGUE.VALIDATION_FAILED,
    });
  });
});
