/**
 * The push fan-out's limits: how many publishes run at once, how fast they start
 * (token bucket), how often a publish is tried and how long it waits between
 * tries, and which SNS errors are worth a retry. Pure (timers only), no AWS calls.
 */
import { ConfigError } from '../errors';
import type { PushReasonCode } from './commands';

export interface PushConfig {
  /**
   * Publishes in flight at once. Every device of a customer records its outcome
   * in the customer's partition, which sustains about 1,000 writes/s; 25 publishes
   * in flight at ~25 ms each is ~1,000 devices/s, so more would only queue.
   * @default 25
   */
  concurrency: number;
  /** Token-bucket rate for Publish, per fan-out process; keep (rate × worker concurrency) under the account's SNS quota. @default 1000 */
  ratePerSecond: number;
  /** Bucket size: how many publishes may start at once after an idle moment. @default 50 */
  burst: number;
  /**
   * N: the most Publish calls one device gets in one fan-out run, counting the
   * first and a repeat after its endpoint was repaired. Every call takes a token
   * from the bucket; the SNS client used for Publish makes one attempt per call
   * (SDK retries off), so this is the only retry level (docs/push.md).
   * @default 5
   */
  maxAttempts: number;
  /** Backoff base: retry n waits random(0, min(maxDelayMs, baseDelayMs × 2^(n-1))). @default 100 */
  baseDelayMs: number;
  /** Backoff cap. @default 5000 */
  maxDelayMs: number;
  /** Outcome writes in flight at once (they run beside the publishes). @default 64 */
  writeConcurrency: number;
  /** Stop taking new devices this long before the deadline, leaving time to finish and record the ones in flight. @default 5000 */
  deadlineMarginMs: number;
}

export const DEFAULT_PUSH_CONFIG: Readonly<PushConfig> = Object.freeze({
  concurrency: 25,
  ratePerSecond: 1000,
  burst: 50,
  maxAttempts: 5,
  baseDelayMs: 100,
  maxDelayMs: 5000,
  writeConcurrency: 64,
  deadlineMarginMs: 5000,
});

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Full-jitter exponential backoff before retry `retry` (1 = the first retry): AWS Architecture Blog, "Exponential Backoff and Jitter". */
export const backoffMs = (config: Pick<PushConfig, 'baseDelayMs' | 'maxDelayMs'>, retry: number) =>
  Math.random() * Math.min(config.maxDelayMs, config.baseDelayMs * 2 ** (retry - 1));

export interface RateLimiter {
  /** Resolves when one more call may start. */
  take(): Promise<void>;
}

/**
 * Token bucket: `ratePerSecond` tokens a second, at most `burst` saved up. Each
 * `take()` reserves a token immediately (the balance may go negative) and waits
 * until its token has accrued, so callers are served in order with no polling.
 */
export class TokenBucket implements RateLimiter {
  private tokens: number;
  private last = performance.now();

  constructor(
    readonly ratePerSecond: number,
    readonly burst = Math.max(1, Math.round(ratePerSecond / 20)),
  ) {
    if (!(ratePerSecond > 0)) throw new Error('TokenBucket: ratePerSecond must be > 0');
    this.tokens = this.burst;
  }

  async take(): Promise<void> {
    const now = performance.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) * this.ratePerSecond) / 1000);
    this.last = now;
    this.tokens -= 1;
    if (this.tokens >= 0) return;
    await sleep((-this.tokens * 1000) / this.ratePerSecond);
  }
}

/** Counting semaphore: `acquire` waits for a free slot (FIFO), `drain` waits until no slot is held. */
export class Semaphore {
  private held = 0;
  private readonly waiting: (() => void)[] = [];
  private idle: (() => void)[] = [];

  constructor(private readonly slots: number) {}

  async acquire(): Promise<void> {
    if (this.held < this.slots) {
      this.held++;
      return;
    }
    // The releasing caller hands its slot over directly, so `held` stays counted.
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  release(): void {
    const next = this.waiting.shift();
    if (next) {
      next();
      return;
    }
    this.held--;
    if (this.held === 0) for (const resolve of this.idle.splice(0)) resolve();
  }

  drain(): Promise<void> {
    return this.held === 0 ? Promise.resolve() : new Promise((resolve) => this.idle.push(resolve));
  }
}

/**
 * SNS error code without the SDK's `Exception` suffix (`EndpointDisabledException`
 * → `EndpointDisabled`), so checks work for the SDK's typed errors, raw Query
 * protocol codes and hand-made test errors alike.
 */
export function snsErrorName(error: unknown): string {
  if (typeof error !== 'object' || error === null) return 'Unknown';
  const e = error as { name?: unknown; Code?: unknown; code?: unknown };
  const raw =
    typeof e.Code === 'string'
      ? e.Code
      : typeof e.name === 'string' && e.name !== 'Error'
        ? e.name
        : typeof e.code === 'string'
          ? e.code
          : 'Unknown';
  return raw.replace(/Exception$/, '');
}

const TRANSIENT_NAMES = new Set([
  'Throttled',
  'Throttling',
  'TooManyRequests',
  'RequestLimitExceeded',
  'KMSThrottling',
  'InternalError',
  'InternalFailure',
  'InternalServerError',
  'ServiceUnavailable',
  'RequestTimeout',
  'TimeoutError',
]);
const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'ENOTFOUND',
  'ENETUNREACH',
  'UND_ERR_SOCKET',
]);
const THROTTLE_NAMES = new Set(['Throttled', 'Throttling', 'TooManyRequests', 'RequestLimitExceeded', 'KMSThrottling']);

/** Throttling (ThrottledException / Throttling / 429), 5xx and network errors may pass; everything else is permanent. */
export function isTransientError(error: unknown): boolean {
  if (error instanceof ConfigError) return false;
  const name = snsErrorName(error);
  if (TRANSIENT_NAMES.has(name)) return true;
  const e = error as { $metadata?: { httpStatusCode?: number }; code?: unknown };
  const status = e?.$metadata?.httpStatusCode;
  if (status === 429 || (status !== undefined && status >= 500)) return true;
  return typeof e?.code === 'string' && NETWORK_CODES.has(e.code);
}

/** Maps a final SNS error to the reason code recorded on the device. */
export function reasonCodeFor(error: unknown): PushReasonCode {
  const name = snsErrorName(error);
  if (isTransientError(error)) {
    const status = (error as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;
    return THROTTLE_NAMES.has(name) || status === 429 ? 'THROTTLED' : 'PUSH_SERVICE_UNAVAILABLE';
  }
  switch (name) {
    case 'EndpointDisabled':
      return 'ENDPOINT_DISABLED';
    case 'NotFound':
      return 'ENDPOINT_NOT_FOUND';
    case 'InvalidParameter':
    case 'InvalidParameterValue':
      return 'INVALID_PARAMETER';
    case 'PlatformApplicationDisabled':
      return 'PLATFORM_APPLICATION_DISABLED';
    case 'AuthorizationError':
    case 'InvalidSecurity':
    case 'KMSAccessDenied':
    case 'KMSDisabled':
    case 'KMSInvalidState':
    case 'KMSNotFound':
    case 'KMSOptInRequired':
      return 'AUTHORIZATION_ERROR';
    default:
      return 'PUSH_ERROR';
  }
}
