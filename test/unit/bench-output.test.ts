import { afterEach, describe, expect, it, vi } from 'vitest';
import { QUIET_FUNCTIONS_ENV } from '../../bench/quiet';
import { toEvent } from '../../local/gateway';
import { lambdaContext } from '../../local/lambda-context';

/*
 * `npm run bench` prints its table only: the functions it drives must not print
 * their logs or CloudWatch embedded metrics (one JSON line per invocation) around it.
 */

afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
  vi.resetModules();
});

type Handler = (event: unknown, context: unknown) => Promise<unknown>;

/**
 * Loads two functions fresh under `env` (as the bench loads them) and invokes them:
 * not-found answers a 404 (it counts a client error: one EMF line), the push
 * worker gets a malformed job (it logs an error). Returns what they printed.
 */
async function outputUnder(env: Record<string, string>): Promise<string> {
  for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
  vi.resetModules();
  const notFound = ((await import('../../functions/not-found/handler')) as { handler: Handler }).handler;
  const push = ((await import('../../functions/push/handler')) as { handler: Handler }).handler;
  let printed = '';
  const capture = (chunk: string | Uint8Array) => {
    printed += chunk.toString();
    return true;
  };
  const stdout = vi.spyOn(process.stdout, 'write').mockImplementation(capture);
  const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(capture);
  try {
    await notFound(toEvent({ method: 'GET', url: '/v1/no-such-route', headers: {} }).event, lambdaContext('not-found'));
    await push({ Records: [{ messageId: 'm-1', body: 'not a push job' }] }, lambdaContext('push'));
  } finally {
    stdout.mockRestore();
    stderr.mockRestore();
  }
  return printed;
}

describe('bench output', () => {
  it('keeps the functions silent under the environment the bench sets before loading them', async () => {
    expect(await outputUnder({ ...QUIET_FUNCTIONS_ENV })).toBe('');
  });

  it('(control) the same invocations print a log line and EMF metrics otherwise', async () => {
    const printed = await outputUnder({ POWERTOOLS_LOG_LEVEL: 'INFO', POWERTOOLS_METRICS_DISABLED: 'false' });
    expect(printed).toContain('"_aws"');
    expect(printed).toContain('push job failed');
  });
});
