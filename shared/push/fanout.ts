/**
 * Device push fan-out (SPEC SES-3 START UPDATE, SES-7 END UPDATE, SES-10 ERROR
 * UPDATE): one SNS Publish per device endpoint, so each device gets its own
 * outcome, recorded on the device item under `pushOutcomes[commandId]`.
 *
 * - Exactly-once per device and `commandId`: a device whose outcome for this
 *   commandId is `sent` is never published again, so a re-run (SQS redelivery, a
 *   run resumed after the Lambda deadline, a double click) only pushes the devices
 *   still owed. Devices that failed or had no token are tried again by a re-run with
 *   the same commandId. (A crash between Publish and the outcome write can repeat
 *   one push; the app ignores a commandId it already handled — pushes are only
 *   wake-ups, DEV-7.)
 * - Bounded concurrency and a token bucket keep Publish under the SNS quota;
 *   throttling, 5xx and network errors are retried with full-jitter exponential
 *   backoff, permanent failures never.
 * - With a `deadline`, the run stops taking new devices when the Lambda is about
 *   to time out and returns `complete: false`; everything already published is
 *   recorded first, so the next run resumes exactly where this one stopped.
 *
 * The "Notification sent ✓" grid flag is *not* set here: it means the device
 * acknowledged the command (device check-in code). docs/push.md has the details.
 */
import { PublishCommand } from '@aws-sdk/client-sns';
import { BatchGetCommand, QueryCommand, UpdateCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import { ddb, sns } from '../aws/clients';
import { tableName } from '../config';
import { MAX_DEVICE_NOTES, trimNotes } from '../db/devices';
import { customerKeys } from '../db/keys';
import { isVersionCode } from '../domain/version';
import { badRequest, ConfigError } from '../errors';
import { logger } from '../observability';
import {
  buildPushMessage,
  commandLabel,
  outcomeTexts,
  parsePushCommand,
  type DeviceOutcome,
  type PushCommand,
  type PushReasonCode,
  type Texts,
} from './commands';
import { ensureEndpoint, snsErrorName, type EndpointDevice } from './endpoints';

// ---------------------------------------------------------------------------
// Request, configuration, result
// ---------------------------------------------------------------------------

/** Serials, customer ids and command ids end up in keys and map paths: keep them plain. */
const idString = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9._-]+$/, 'only letters, digits, ".", "_" and "-"');

/** One job may name at most this many devices (an SQS message stays far below 256 KB). */
export const MAX_SERIALS_PER_REQUEST = 1000;

export const FanOutRequestSchema = z.object({
  customerId: idString,
  sessionId: idString,
  sessionVersion: z.number().int().min(0),
  /** Checked separately so an unknown command is a 400 UNKNOWN_COMMAND, not a generic validation error. */
  command: z.string(),
  /** Idempotency key chosen by the caller, e.g. `${sessionId}:${command}:${attempt}`. */
  commandId: z
    .string()
    .min(1)
    .max(128)
    .regex(/^[A-Za-z0-9._:#-]+$/, 'only letters, digits and . _ : # -'),
  /** One row or a subset (SES-3 "all, or one row to retry"); omitted → every enabled device. */
  serials: z.array(idString).min(1).max(MAX_SERIALS_PER_REQUEST).optional(),
  targetVersion: z.string().refine(isVersionCode, 'must be a version code like 03.01.00_030').optional(),
});

export type FanOutRequestInput = z.input<typeof FanOutRequestSchema>;
export type FanOutRequest = Omit<z.output<typeof FanOutRequestSchema>, 'command'> & { command: PushCommand };

/** Validates a fan-out request: 400 UNKNOWN_COMMAND for a bad command, 400 VALIDATION_FAILED for anything else. */
export function parseFanOutRequest(input: unknown): FanOutRequest {
  const command = typeof input === 'object' && input !== null ? (input as { command?: unknown }).command : undefined;
  const parsed = FanOutRequestSchema.safeParse(input);
  if (!parsed.success) {
    const onlyCommand = parsed.error.issues.every((i) => i.path[0] === 'command');
    if (onlyCommand) parsePushCommand(command);
    const issues = parsed.error.issues.map((i) => ({ field: i.path.join('.') || '(request)', problem: i.message }));
    throw badRequest('VALIDATION_FAILED', `Invalid push request: ${issues.map((i) => `${i.field}: ${i.problem}`).join('; ')}`, { issues });
  }
  return { ...parsed.data, command: parsePushCommand(parsed.data.command) };
}

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
  /** Attempts per SNS call, counting the first, for throttling/5xx/network errors. @default 5 */
  maxAttempts: number;
  /** Backoff base: attempt n waits random(0, min(maxDelayMs, baseDelayMs × 2^n)). @default 100 */
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

export interface FanOutOptions {
  /** Epoch ms when the caller must have returned (Lambda: now + getRemainingTimeInMillis()). */
  deadline?: number;
  config?: Partial<PushConfig>;
  /** Share one bucket between the fan-outs of one process (the SQS worker does), so their sum respects the rate. */
  limiter?: RateLimiter;
}

export interface Operator {
  code: string;
  name: string;
  surname: string;
}

/** One line of the per-device summary (SES-3/7/10). */
export interface DeviceSummary {
  serial: string;
  operator?: Operator;
  outcome: DeviceOutcome;
  reasonCode?: PushReasonCode;
  /** Technical reason (SNS error code and message) for support; never shown as the user text. */
  reason?: string;
  messageId?: string;
  message: Texts;
}

export interface FanOutResult {
  /** False when the run stopped at the deadline or some outcomes could not be recorded: run it again (same commandId). */
  complete: boolean;
  command: PushCommand;
  commandId: string;
  devices: DeviceSummary[];
  counts: { sent: number; failed: number; skippedAlreadySent: number; noToken: number };
  /** Requested serials that are not pushed: not enabled, or no such device. */
  ignored: { serial: string; reason: 'disabled' | 'not-found' }[];
  /** Publish calls made, retries included. */
  publishCalls: number;
}

/** Stored under `pushOutcomes[commandId]` on the device item. */
export interface PushOutcomeRecord {
  command: PushCommand;
  status: 'sent' | 'failed';
  reason?: string;
  reasonCode?: PushReasonCode;
  messageId?: string;
  at: string;
}

/** The device attributes the fan-out reads (projection of the device item). */
export interface PushDevice extends EndpointDevice {
  enabled?: boolean;
  operator?: Operator;
  notificationsEnabled?: boolean;
  /** Only this command's entry is read. */
  pushOutcomes?: Record<string, PushOutcomeRecord | undefined>;
}

/** Notes kept on a device item (the admin grid shows them). */
export const MAX_NOTES = MAX_DEVICE_NOTES;

// ---------------------------------------------------------------------------
// Rate limit and retry
// ---------------------------------------------------------------------------

export interface RateLimiter {
  /** Resolves when one more call may start. */
  take(): Promise<void>;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

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

const TRANSIENT_NAMES = new Set([
  'Throttled',
  'Throttling',
  'TooManyRequests',
  'RequestLimitExceeded',
  'KMSThrottling',
  'ProvisionedThroughputExceeded',
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
  const e = error as { $metadata?: { httpStatusCode?: number }; code?: unknown; $retryable?: unknown };
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

/** Counting semaphore: `acquire` waits for a free slot (FIFO), `drain` waits until no slot is held. */
class Semaphore {
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

/** Thrown when the deadline arrives while a call is waiting to be retried. */
class Interrupted extends Error {}

/** Runs `call`, retrying transient errors with full-jitter exponential backoff (AWS Architecture Blog, "Exponential Backoff and Jitter"). */
async function withRetry<T>(call: () => Promise<T>, config: PushConfig, stopping: () => boolean): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      if (attempt >= config.maxAttempts || !isTransientError(error)) throw error;
      if (stopping()) throw new Interrupted();
      await sleep(Math.random() * Math.min(config.maxDelayMs, config.baseDelayMs * 2 ** (attempt - 1)));
    }
  }
}

// ---------------------------------------------------------------------------
// Device loading
// ---------------------------------------------------------------------------

function projection(commandId: string) {
  return {
    ProjectionExpression: 'sk, serial, customerId, enabled, #op, pushToken, endpointArn, notificationsEnabled, pushOutcomes.#cid',
    ExpressionAttributeNames: { '#op': 'operator', '#cid': commandId },
  };
}

const serialOf = (item: Record<string, unknown>) =>
  typeof item.serial === 'string' ? item.serial : String(item.sk).slice(customerKeys.devicePrefix.length);

/** Every device of the customer, page by page (Query `begins_with(sk, 'DEV#')`), so publishing starts with the first page. */
export async function* queryDevices(customerId: string, commandId: string): AsyncGenerator<PushDevice> {
  const input: QueryCommandInput = {
    TableName: tableName(),
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :dev)',
    ...projection(commandId),
    ExpressionAttributeValues: { ':pk': customerKeys.profile(customerId).pk, ':dev': customerKeys.devicePrefix },
  };
  let ExclusiveStartKey: Record<string, unknown> | undefined;
  do {
    const page = await ddb.send(new QueryCommand({ ...input, ExclusiveStartKey }));
    for (const item of page.Items ?? []) yield { ...(item as PushDevice), customerId, serial: serialOf(item) };
    ExclusiveStartKey = page.LastEvaluatedKey;
  } while (ExclusiveStartKey);
}

/** The named devices (BatchGetItem, 100 keys a call, unprocessed keys retried); missing ones are reported. */
async function* getDevices(customerId: string, commandId: string, serials: string[], missing: string[]): AsyncGenerator<PushDevice> {
  const unique = [...new Set(serials)];
  for (let i = 0; i < unique.length; i += 100) {
    const chunk = unique.slice(i, i + 100);
    let keys: Record<string, unknown>[] = chunk.map((s) => ({ ...customerKeys.device(customerId, s) }));
    const found = new Map<string, PushDevice>();
    for (let round = 0; keys.length > 0; round++) {
      if (round > 0) await sleep(Math.min(1000, 50 * 2 ** round));
      const out = await ddb.send(new BatchGetCommand({ RequestItems: { [tableName()]: { Keys: keys, ...projection(commandId) } } }));
      for (const item of out.Responses?.[tableName()] ?? [])
        found.set(serialOf(item), { ...(item as PushDevice), customerId, serial: serialOf(item) });
      keys = (out.UnprocessedKeys?.[tableName()]?.Keys as Record<string, unknown>[] | undefined) ?? [];
      if (round > 10 && keys.length > 0) throw new Error('BatchGetItem kept returning unprocessed keys');
    }
    for (const serial of chunk) {
      const device = found.get(serial);
      if (device) yield device;
      else missing.push(serial);
    }
  }
}

// ---------------------------------------------------------------------------
// Outcome writes
// ---------------------------------------------------------------------------

type RecordResult = 'recorded' | 'already-sent' | 'gone';

/** Tracks whether devices of this run tend to lack the `pushOutcomes` map, to pick the cheaper first write. */
interface MapHint {
  missing: boolean;
}

/**
 * Records one outcome with a conditional UpdateItem that never overwrites a `sent`
 * outcome of the same commandId. DynamoDB cannot SET `pushOutcomes.<id>` while the
 * map is missing, so the first outcome ever of a device creates the map instead
 * (condition `attribute_not_exists(pushOutcomes)`); which write to try first
 * follows what the previous devices of the run looked like, and a failed
 * condition (ALL_OLD returned) says which case applies. A failure note is appended
 * in the same write; the list is trimmed to the last MAX_NOTES.
 */
/*
 * Outcomes are kept for the current session only: the first outcome of a new
 * session replaces the map (`pushSessionId` says whose it is), so a device row
 * never accumulates every command it was ever sent.
 */
async function recordOutcome(
  device: PushDevice,
  sessionId: string,
  commandId: string,
  outcome: PushOutcomeRecord,
  note: string | undefined,
  hint: MapHint,
): Promise<RecordResult> {
  const Key = customerKeys.device(device.customerId, device.serial);
  const noteSet = note === undefined ? '' : ', notes = list_append(if_not_exists(notes, :empty), :note)';
  const noteValues = note === undefined ? {} : { ':empty': [], ':note': [note] };
  let tryCreateMap = hint.missing;
  for (let round = 0; round < 4; round++) {
    try {
      const out = await ddb.send(
        tryCreateMap
          ? new UpdateCommand({
              TableName: tableName(),
              Key,
              UpdateExpression: `SET pushOutcomes = :map, pushSessionId = :sid${noteSet}`,
              ConditionExpression:
                'attribute_exists(pk) AND (attribute_not_exists(pushOutcomes) OR attribute_not_exists(pushSessionId) OR pushSessionId <> :sid)',
              ExpressionAttributeValues: { ':map': { [commandId]: outcome }, ':sid': sessionId, ...noteValues },
              ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
              ReturnValues: note === undefined ? 'NONE' : 'UPDATED_NEW',
            })
          : new UpdateCommand({
              TableName: tableName(),
              Key,
              UpdateExpression: `SET pushOutcomes.#cid = :outcome${noteSet}`,
              ConditionExpression:
                'attribute_exists(pushOutcomes) AND pushSessionId = :sid AND (attribute_not_exists(pushOutcomes.#cid) OR pushOutcomes.#cid.#status <> :sent)',
              ExpressionAttributeNames: { '#cid': commandId, '#status': 'status' },
              ExpressionAttributeValues: { ':outcome': outcome, ':sent': 'sent', ':sid': sessionId, ...noteValues },
              ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
              ReturnValues: note === undefined ? 'NONE' : 'UPDATED_NEW',
            }),
      );
      hint.missing = tryCreateMap;
      const notes = out.Attributes?.notes as unknown[] | undefined;
      if (notes && notes.length > MAX_NOTES) await trimNotes(Key, notes.length);
      return 'recorded';
    } catch (error) {
      if ((error as Error).name !== 'ConditionalCheckFailedException') throw error;
      // The old item comes back in the low-level format: read just what decides the next step.
      const old = (error as { Item?: Record<string, { M?: Record<string, { M?: Record<string, { S?: string }> }> }> }).Item;
      if (!old) return 'gone';
      const map = old.pushOutcomes?.M;
      const ownerSession = (old as { pushSessionId?: { S?: string } }).pushSessionId?.S;
      if (map === undefined || ownerSession !== sessionId) {
        // No map yet, or one of an earlier session: replace it.
        tryCreateMap = true;
        continue;
      }
      if (map[commandId]?.M?.status?.S === 'sent') return 'already-sent';
      tryCreateMap = false;
    }
  }
  throw new Error(`could not record the push outcome of device ${device.serial}: the item kept changing`);
}

/** Grid note (the desktop is Italian): "<time> START UPDATE: <Italian summary>". */
function noteFor(command: PushCommand, message: Texts, at: string): string {
  return `${at.slice(0, 16).replace('T', ' ')} UTC ${commandLabel(command)}: ${message.it}`;
}

// ---------------------------------------------------------------------------
// The fan-out
// ---------------------------------------------------------------------------

type Attempt =
  | { outcome: 'sent'; messageId?: string }
  | { outcome: 'failed'; reasonCode: PushReasonCode; reason: string }
  | { outcome: 'no-token' }
  | { outcome: 'interrupted' };

const describeError = (error: unknown) => `${snsErrorName(error)}: ${String((error as Error)?.message ?? error).slice(0, 200)}`;

/**
 * Pushes `request.command` to the customer's enabled devices (or the named
 * `serials`) and returns the per-device summary. Validates the request (400
 * UNKNOWN_COMMAND / VALIDATION_FAILED). Throws only for infrastructure problems
 * (DynamoDB errors, missing configuration); every device-level problem is an
 * outcome in the summary.
 */
export async function fanOut(input: FanOutRequestInput | FanOutRequest, options: FanOutOptions = {}): Promise<FanOutResult> {
  const request = parseFanOutRequest(input);
  const config: PushConfig = { ...DEFAULT_PUSH_CONFIG, ...options.config };
  const limiter = options.limiter ?? new TokenBucket(config.ratePerSecond, config.burst);
  const stopAt = options.deadline === undefined ? Infinity : options.deadline - config.deadlineMarginMs;
  const stopping = () => Date.now() >= stopAt;
  const { command, commandId } = request;
  const { Message, MessageStructure } = buildPushMessage(request);

  const result: FanOutResult = {
    complete: true,
    command,
    commandId,
    devices: [],
    counts: { sent: 0, failed: 0, skippedAlreadySent: 0, noToken: 0 },
    ignored: [],
    publishCalls: 0,
  };
  const missing: string[] = [];
  const devices = request.serials
    ? getDevices(request.customerId, commandId, request.serials, missing)
    : queryDevices(request.customerId, commandId);
  const hint: MapHint = { missing: false };
  // Outcome writes run beside the next publishes, at most writeConcurrency at once.
  const writeSlots = new Semaphore(config.writeConcurrency);
  let writeErrors = 0;

  const publish = (endpointArn: string) =>
    withRetry(
      async () => {
        await limiter.take();
        result.publishCalls++;
        const out = await sns.send(new PublishCommand({ TargetArn: endpointArn, Message, MessageStructure }));
        return out?.MessageId;
      },
      config,
      stopping,
    );

  /** Publishes to one device, repairing its endpoint once when SNS says it is missing or disabled. */
  const attempt = async (device: PushDevice): Promise<Attempt> => {
    if (!device.pushToken) return { outcome: 'no-token' };
    try {
      let endpointArn = device.endpointArn;
      if (!endpointArn) {
        const ensured = await withRetry(() => ensureEndpoint(device), config, stopping);
        if (ensured.status === 'no-token') return { outcome: 'no-token' };
        endpointArn = ensured.endpointArn;
      }
      for (let repaired = false; ; repaired = true) {
        try {
          return { outcome: 'sent', messageId: await publish(endpointArn) };
        } catch (error) {
          const name = snsErrorName(error);
          if (repaired || (name !== 'NotFound' && name !== 'EndpointDisabled')) throw error;
          // NotFound → the endpoint was deleted: re-create it. EndpointDisabled → re-enable only if the
          // device has reported a newer token since (a stale token stays disabled: see ensureEndpoint).
          const ensured = await withRetry(() => ensureEndpoint({ ...device, endpointArn }, { reenableSameToken: false }), config, stopping);
          if (ensured.status !== 'ready') throw error;
          endpointArn = ensured.endpointArn;
        }
      }
    } catch (error) {
      if (error instanceof Interrupted) return { outcome: 'interrupted' };
      if (error instanceof ConfigError) throw error;
      const reasonCode = reasonCodeFor(error);
      if (reasonCode === 'PUSH_ERROR') logger.warn('unexpected push error', { serial: device.serial, error: error as Error });
      return { outcome: 'failed', reasonCode, reason: describeError(error) };
    }
  };

  const handle = async (device: PushDevice) => {
    const summary = (outcome: DeviceOutcome, extra: Partial<DeviceSummary> = {}): DeviceSummary => ({
      serial: device.serial,
      operator: device.operator,
      outcome,
      ...extra,
      message: outcomeTexts(command, outcome, extra.reasonCode),
    });
    if (device.pushOutcomes?.[commandId]?.status === 'sent') {
      result.counts.skippedAlreadySent++;
      result.devices.push(summary('skipped-already-sent', { messageId: device.pushOutcomes[commandId]?.messageId }));
      return;
    }
    const done = await attempt(device);
    if (done.outcome === 'interrupted') {
      result.complete = false;
      return;
    }
    const at = new Date().toISOString();
    let line: DeviceSummary;
    let record: PushOutcomeRecord;
    if (done.outcome === 'sent') {
      line = summary('sent', { messageId: done.messageId });
      record = { command, status: 'sent', messageId: done.messageId, at };
    } else if (done.outcome === 'no-token') {
      line = summary('no-token', { reasonCode: 'NO_TOKEN' });
      record = { command, status: 'failed', reasonCode: 'NO_TOKEN', reason: 'the device has not reported a push token', at };
    } else {
      line = summary('failed', { reasonCode: done.reasonCode, reason: done.reason });
      record = { command, status: 'failed', reasonCode: done.reasonCode, reason: done.reason, at };
    }
    const note = record.status === 'failed' ? noteFor(command, line.message, at) : undefined;
    await writeSlots.acquire();
    // Throttled writes are retried like publishes, but never cut short by the deadline: a publish made must be recorded.
    void withRetry(
      () => recordOutcome(device, request.sessionId, commandId, record, note, hint),
      config,
      () => false,
    )
      .then(
        (recorded) => {
          if (recorded === 'already-sent' && line.outcome !== 'sent') {
            // A concurrent run sent it meanwhile: report what the device actually has.
            line = summary('skipped-already-sent');
          }
          if (recorded === 'gone') return;
          count(line);
          result.devices.push(line);
        },
        (error: unknown) => {
          writeErrors++;
          result.complete = false;
          logger.error('could not record a push outcome', { serial: device.serial, commandId, error: error as Error });
        },
      )
      .finally(() => writeSlots.release());
  };

  const count = (line: DeviceSummary) => {
    if (line.outcome === 'sent') result.counts.sent++;
    else if (line.outcome === 'failed') result.counts.failed++;
    else if (line.outcome === 'no-token') result.counts.noToken++;
    else result.counts.skippedAlreadySent++;
  };

  // Workers share one async iterator: each takes the next device when it is free.
  let aborted = false;
  const worker = async () => {
    for (;;) {
      if (aborted) return;
      if (stopping()) {
        result.complete = false;
        return;
      }
      const next = await devices.next();
      if (next.done) return;
      const device = next.value;
      if (device.enabled !== true) {
        if (request.serials) result.ignored.push({ serial: device.serial, reason: 'disabled' });
        continue;
      }
      await handle(device);
    }
  };
  const guarded = () =>
    worker().catch((error: unknown) => {
      aborted = true;
      throw error;
    });

  const settled = await Promise.allSettled(Array.from({ length: Math.max(1, config.concurrency) }, guarded));
  // Whatever happened, outcomes of publishes already made are written before returning.
  await writeSlots.drain();
  const failure = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failure) throw failure.reason;
  if (!result.complete) await devices.return(undefined);
  result.devices.sort((a, b) => (a.serial < b.serial ? -1 : a.serial > b.serial ? 1 : 0));
  for (const serial of missing) result.ignored.push({ serial, reason: 'not-found' });
  if (writeErrors > 0) result.complete = false;
  logger.info('push fan-out finished', {
    customerId: request.customerId,
    commandId,
    complete: result.complete,
    ...result.counts,
    ignored: result.ignored.length,
    publishCalls: result.publishCalls,
  });
  return result;
}
