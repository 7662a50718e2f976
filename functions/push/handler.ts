import middy from '@middy/core';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { fanOut } from '../../shared/push/fanout';
import { DEFAULT_PUSH_CONFIG, TokenBucket } from '../../shared/push/limits';
import { jobToRequest, parsePushJob } from '../../shared/push/queue';
import { countPushOutcome, logger, observability } from '../../shared/observability';

/**
 * One bucket per execution environment, shared by every job of every batch it
 * runs, so the Publish rate of this instance never exceeds the configured rate
 * (the queue's maxConcurrency bounds the number of instances).
 */
const limiter = new TokenBucket(DEFAULT_PUSH_CONFIG.ratePerSecond, DEFAULT_PUSH_CONFIG.burst);

/**
 * Push fan-out worker (SQS, partial batch responses). Each record is one push job
 * (shared/push/queue.ts): a slice of one customer's devices for one command. Jobs
 * run one after the other, each with up to DEFAULT_PUSH_CONFIG.concurrency publishes in flight; a job that
 * fails, or is cut short by the Lambda deadline, is returned in
 * `batchItemFailures` so SQS delivers it again, and the next run pushes only the
 * devices not yet `sent` for that commandId. A malformed job is returned too, so
 * it ends in the dead-letter queue where support can see it.
 */
export const processPushJobs = async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
  const deadline = Date.now() + context.getRemainingTimeInMillis();
  const batchItemFailures: SQSBatchResponse['batchItemFailures'] = [];
  for (const record of event.Records) {
    if (Date.now() >= deadline - DEFAULT_PUSH_CONFIG.deadlineMarginMs) {
      batchItemFailures.push({ itemIdentifier: record.messageId });
      continue;
    }
    try {
      const job = parsePushJob(record.body);
      const result = await fanOut(jobToRequest(job), { deadline, limiter });
      countPushOutcome(result.counts);
      if (!result.complete) batchItemFailures.push({ itemIdentifier: record.messageId });
    } catch (error) {
      logger.error('push job failed; SQS will deliver it again', { messageId: record.messageId, error: error as Error });
      batchItemFailures.push({ itemIdentifier: record.messageId });
    }
  }
  return { batchItemFailures };
};

/** The same logger, metrics and tracer middleware as the HTTP functions (shared/observability.ts). */
export const handler = middy<SQSEvent, SQSBatchResponse>(processPushJobs).use(observability());
