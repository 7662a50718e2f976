import { SendMessageBatchCommand, type SendMessageBatchRequestEntry } from '@aws-sdk/client-sqs';
import { sqs } from '../aws/sqs';
import { ENV, requireEnv } from '../config';
import type { PushJob, PushQueuePort } from './queue';

/** SQS accepts at most 10 messages per SendMessageBatch. */
const BATCH = 10;
const MAX_ROUNDS = 5;

/**
 * The push queue over SQS (PUSH_QUEUE_URL): jobs in batches of 10, entries SQS
 * refused retried with a short backoff. Jobs are idempotent (per-device
 * commandId), so a retry that duplicates a message does no harm.
 */
export const sqsPushQueue: PushQueuePort = async (jobs: PushJob[]) => {
  const queueUrl = requireEnv(ENV.pushQueueUrl);
  for (let i = 0; i < jobs.length; i += BATCH) {
    let entries: SendMessageBatchRequestEntry[] = jobs
      .slice(i, i + BATCH)
      .map((job, n) => ({ Id: String(i + n), MessageBody: JSON.stringify(job) }));
    for (let round = 0; entries.length > 0; round++) {
      if (round === MAX_ROUNDS) throw new Error(`SQS refused ${entries.length} push job(s) after ${MAX_ROUNDS} attempts`);
      if (round > 0) await new Promise((r) => setTimeout(r, 50 * 2 ** round));
      const result = await sqs.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: entries }));
      const failed = new Set((result.Failed ?? []).map((f) => f.Id));
      entries = entries.filter((e) => failed.has(e.Id));
    }
  }
};
