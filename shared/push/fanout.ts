/**
 * Device push fan-out (SPEC SES-3 START UPDATE, SES-7 END UPDATE, SES-10 ERROR
 * UPDATE): one SNS Publish per device endpoint, so each device gets its own
 * outcome, recorded on the device row under `pushOutcomes[commandId]`.
 *
 * This module is the orchestration only; its parts live beside it:
 * `request.ts` (what is asked and answered), `limits.ts` (concurrency, token
 * bucket, retry policy), `endpoints.ts` (SNS endpoint lifecycle), and the device
 * row's owner `shared/db/devices.ts` (reading the devices, recording outcomes).
 *
 * - Exactly-once per device and `commandId`: a device whose outcome for this
 *   commandId is `sent` is never published again, so a re-run (SQS redelivery, a
 *   run resumed after the Lambda deadline, a double click) only pushes the devices
 *   still owed. (A crash between Publish and the outcome write can repeat one
 *   push; the app ignores a commandId it already handled — pushes are only
 *   wake-ups, DEV-7.)
 * - At most `maxAttempts` Publish calls per device and run, each through the token
 *   bucket; the Publish client makes no retries of its own (docs/push.md, N).
 * - With a `deadline`, the run stops taking new devices when the Lambda is about
 *   to time out and returns `complete: false`; everything already published is
 *   recorded first, so the next run resumes exactly where this one stopped.
 *
 * The "Notification sent ✓" grid flag is *not* set here: it means the device
 * acknowledged the command (device check-in code). docs/push.md has the details.
 */
import { PublishCommand } from '@aws-sdk/client-sns';
import { snsPublisher } from '../aws/sns';
import {
  getPushTargets,
  queryPushTargets,
  recordPushOutcome,
  type NoteText,
  type OutcomeMapHint,
  type PushOutcomeRecord,
  type PushTarget,
} from '../db/devices';
import { ConfigError } from '../errors';
import { logger } from '../observability';
import { buildPushMessage, commandLabel, outcomeTexts, type DeviceOutcome, type PushReasonCode, type Texts } from './commands';
import { ensureEndpoint } from './endpoints';
import {
  backoffMs,
  DEFAULT_PUSH_CONFIG,
  isTransientError,
  reasonCodeFor,
  Semaphore,
  sleep,
  snsErrorName,
  TokenBucket,
  type PushConfig,
  type RateLimiter,
} from './limits';
import { parseFanOutRequest, type DeviceSummary, type FanOutRequest, type FanOutRequestInput, type FanOutResult } from './request';

export interface FanOutOptions {
  /** Epoch ms when the caller must have returned (Lambda: now + getRemainingTimeInMillis()). */
  deadline?: number;
  config?: Partial<PushConfig>;
  /** Share one bucket between the fan-outs of one process (the SQS worker does), so their sum respects the rate. */
  limiter?: RateLimiter;
}

type Attempt =
  | { outcome: 'sent'; messageId?: string }
  | { outcome: 'failed'; reasonCode: PushReasonCode; reason: string }
  | { outcome: 'no-token' }
  | { outcome: 'interrupted' };

const describeError = (error: unknown) => `${snsErrorName(error)}: ${String((error as Error)?.message ?? error).slice(0, 200)}`;

/** The grid note of a failed push: the command as the manual names it, then the summary line. */
const failureNote = (label: string, message: Texts): NoteText => ({ it: `${label}: ${message.it}`, en: `${label}: ${message.en}` });

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
    ? getPushTargets(request.customerId, commandId, request.serials, missing)
    : queryPushTargets(request.customerId, commandId);
  const hint: OutcomeMapHint = { missing: false };
  // Outcome writes run beside the next publishes, at most writeConcurrency at once.
  const writeSlots = new Semaphore(config.writeConcurrency);
  let writeErrors = 0;

  /**
   * Publishes to one device: at most `maxAttempts` Publish calls, each after a
   * token from the bucket. Throttling, 5xx and network errors are retried with
   * backoff; a missing or disabled endpoint is repaired once (ensureEndpoint)
   * and published to again; anything else is final.
   */
  const attempt = async (device: PushTarget): Promise<Attempt> => {
    if (!device.pushToken) return { outcome: 'no-token' };
    try {
      let endpointArn = device.endpointArn;
      if (!endpointArn) {
        const ensured = await ensureEndpoint(device);
        if (ensured.status !== 'ready') return { outcome: 'no-token' };
        endpointArn = ensured.endpointArn;
      }
      let repaired = false;
      for (let call = 1; ; call++) {
        await limiter.take();
        result.publishCalls++;
        try {
          const out = await snsPublisher.send(new PublishCommand({ TargetArn: endpointArn, Message, MessageStructure }));
          return { outcome: 'sent', messageId: out?.MessageId };
        } catch (error) {
          if (call >= config.maxAttempts) throw error;
          const name = snsErrorName(error);
          if (!repaired && (name === 'NotFound' || name === 'EndpointDisabled')) {
            // NotFound → the endpoint was deleted: re-create it. EndpointDisabled → re-enable only if the
            // device has reported a newer token since (a stale token stays disabled: see ensureEndpoint).
            const ensured = await ensureEndpoint({ ...device, endpointArn }, { reenableSameToken: false });
            if (ensured.status !== 'ready') throw error;
            endpointArn = ensured.endpointArn;
            repaired = true;
            continue;
          }
          if (!isTransientError(error)) throw error;
          if (stopping()) return { outcome: 'interrupted' };
          await sleep(backoffMs(config, call));
        }
      }
    } catch (error) {
      if (error instanceof ConfigError) throw error;
      const reasonCode = reasonCodeFor(error);
      if (reasonCode === 'PUSH_ERROR') logger.warn('unexpected push error', { serial: device.serial, error: error as Error });
      return { outcome: 'failed', reasonCode, reason: describeError(error) };
    }
  };

  const count = (line: DeviceSummary) => {
    if (line.outcome === 'sent') result.counts.sent++;
    else if (line.outcome === 'failed') result.counts.failed++;
    else if (line.outcome === 'no-token') result.counts.noToken++;
    else result.counts.skippedAlreadySent++;
  };

  const handle = async (device: PushTarget) => {
    const summary = (outcome: DeviceOutcome, extra: Partial<DeviceSummary> = {}): DeviceSummary => ({
      serial: device.serial,
      operator: device.operator,
      outcome,
      ...extra,
      message: outcomeTexts(command, outcome, extra.reasonCode),
    });
    const previous = device.pushOutcomes?.[commandId];
    if (previous?.status === 'sent') {
      result.counts.skippedAlreadySent++;
      result.devices.push(summary('skipped-already-sent', { messageId: previous.messageId }));
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
    const note = record.status === 'failed' ? failureNote(commandLabel(command), line.message) : undefined;
    await writeSlots.acquire();
    // A publish made must be recorded, deadline or not; the DynamoDB client retries throttled writes itself.
    void recordPushOutcome(device, request.sessionId, commandId, record, note, hint)
      .then(
        (recorded) => {
          if (recorded === 'gone') return;
          // A concurrent run sent it meanwhile: report what the device actually has.
          if (recorded === 'already-sent' && line.outcome !== 'sent') line = summary('skipped-already-sent');
          count(line);
          result.devices.push(line);
        },
        (error: unknown) => {
          writeErrors++;
          logger.error('could not record a push outcome', { serial: device.serial, commandId, error: error as Error });
        },
      )
      .finally(() => writeSlots.release());
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
