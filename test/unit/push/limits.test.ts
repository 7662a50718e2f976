import { describe, expect, it } from 'vitest';
import { isTransientError, reasonCodeFor, TokenBucket } from '../../../shared/push/limits';
import { ConfigError } from '../../../shared/errors';

const err = (name: string, httpStatusCode?: number, extra: Record<string, unknown> = {}) =>
  Object.assign(new Error(name), { name, $metadata: { httpStatusCode }, ...extra });

describe('retry classification', () => {
  it.each([
    ['ThrottledException', 400],
    ['Throttling', 400],
    ['ThrottlingException', 400],
    ['SomethingNew', 429],
    ['InternalErrorException', 500],
    ['ServiceUnavailable', 503],
    ['TimeoutError', undefined],
  ])('retries %s (HTTP %s)', (name, status) => {
    expect(isTransientError(err(name, status))).toBe(true);
  });

  it('retries network errors', () => {
    expect(isTransientError(Object.assign(new Error('reset'), { code: 'ECONNRESET' }))).toBe(true);
  });

  it.each([
    'EndpointDisabledException',
    'InvalidParameterException',
    'NotFoundException',
    'PlatformApplicationDisabledException',
    'AuthorizationErrorException',
  ])('never retries %s', (name) => {
    expect(isTransientError(err(name, 400))).toBe(false);
  });

  it('never retries a configuration error', () => {
    expect(isTransientError(new ConfigError('Missing required environment variable X'))).toBe(false);
  });

  it('maps final errors to stable reason codes', () => {
    expect(reasonCodeFor(err('EndpointDisabledException', 400))).toBe('ENDPOINT_DISABLED');
    expect(reasonCodeFor(err('ThrottledException', 400))).toBe('THROTTLED');
    expect(reasonCodeFor(err('Whatever', 429))).toBe('THROTTLED');
    expect(reasonCodeFor(err('InternalErrorException', 500))).toBe('PUSH_SERVICE_UNAVAILABLE');
    expect(reasonCodeFor(err('KMSAccessDeniedException', 400))).toBe('AUTHORIZATION_ERROR');
    expect(reasonCodeFor(err('Weird', 400))).toBe('PUSH_ERROR');
  });
});

describe('token bucket', () => {
  it('holds calls to the configured rate after the burst', async () => {
    const bucket = new TokenBucket(200, 1);
    const start = performance.now();
    await Promise.all(Array.from({ length: 21 }, () => bucket.take()));
    // 1 from the burst, 20 more at 200/s ≈ 100 ms.
    expect(performance.now() - start).toBeGreaterThanOrEqual(90);
  });

  it('lets a burst through at once', async () => {
    const bucket = new TokenBucket(10, 20);
    const start = performance.now();
    await Promise.all(Array.from({ length: 20 }, () => bucket.take()));
    expect(performance.now() - start).toBeLessThan(50);
  });

  it('refuses a rate that is not positive', () => {
    expect(() => new TokenBucket(0)).toThrow();
  });
});
