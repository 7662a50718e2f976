/**
 * Push jobs for fleets larger than one invocation can push (designed for 10,000
 * devices per customer). A fan-out request is split into jobs of at most
 * `jobSize` serials, each sent as one message to the push queue (env
 * PUSH_QUEUE_URL, infra/constructs/push-fan-out.ts); the `push` worker runs
 * `fanOut` for each job with the Lambda deadline and hands unfinished jobs back to
 * SQS, and the per-device `pushOutcomes[commandId]` make every redelivery resume
 * without pushing a device twice. docs/push.md describes the whole design.
 *
 * The queue itself is a port, `(jobs) => Promise<void>`; `shared/push/sqs.ts` is
 * its SQS implementation (SendMessageBatch, 10 messages a call, failed entries
 * retried), used by the admin window for fleets above PUSH_INLINE_LIMIT.
 */
import * as z from 'zod';
import { listEnabledSerials } from '../db/devices';
import { badRequest } from '../errors';
import { PUSH_COMMANDS } from './commands';
import { FanOutRequestSchema, MAX_SERIALS_PER_REQUEST, parseFanOutRequest, type FanOutRequest, type FanOutRequestInput } from './request';

/**
 * Serials per job. At the default 1,000 publishes/s a job takes about half a
 * second of publishing, so a batch of 10 jobs (5,000 devices) fits a 60 s worker
 * comfortably, and a message stays around 10 KB (SQS allows 256 KB).
 */
export const DEFAULT_JOB_SIZE = 500;

/** One SQS message body. `v` lets a later format coexist with messages still queued. */
export const PushJobSchema = FanOutRequestSchema.extend({
  v: z.literal(1),
  command: z.enum(PUSH_COMMANDS),
  serials: FanOutRequestSchema.shape.serials.unwrap(),
});
export type PushJob = z.infer<typeof PushJobSchema>;

/** Sends jobs to the push queue; resolves once every job is accepted, rejects otherwise (the caller may retry: jobs are idempotent). */
export type PushQueuePort = (jobs: PushJob[]) => Promise<void>;

/** Parses one SQS message body; throws a 400 AppError saying what is wrong. */
export function parsePushJob(body: string): PushJob {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch (error) {
    throw badRequest('INVALID_PUSH_JOB', `Push job is not valid JSON: ${(error as Error).message}`);
  }
  const parsed = PushJobSchema.safeParse(value);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => ({ field: i.path.join('.') || '(job)', problem: i.message }));
    throw badRequest('INVALID_PUSH_JOB', `Invalid push job: ${issues.map((i) => `${i.field}: ${i.problem}`).join('; ')}`, { issues });
  }
  return parsed.data;
}

/** The fan-out request a job stands for. */
export function jobToRequest(job: PushJob): FanOutRequest {
  const { v: _version, ...request } = job;
  return request;
}

/**
 * Splits the devices of one request into jobs of at most `jobSize` serials
 * (duplicates dropped, order kept). Every job carries the same commandId: the
 * idempotency key is per device, so jobs may run in any order, concurrently or
 * more than once.
 */
export function splitIntoJobs(request: FanOutRequest, serials: readonly string[], jobSize = DEFAULT_JOB_SIZE): PushJob[] {
  if (!Number.isInteger(jobSize) || jobSize < 1 || jobSize > MAX_SERIALS_PER_REQUEST) {
    throw new RangeError(`jobSize must be an integer from 1 to ${MAX_SERIALS_PER_REQUEST}`);
  }
  const unique = [...new Set(serials)];
  const { serials: _all, ...common } = request;
  const jobs: PushJob[] = [];
  for (let i = 0; i < unique.length; i += jobSize) {
    jobs.push({ v: 1, ...common, serials: unique.slice(i, i + jobSize) });
  }
  return jobs;
}

/**
 * Queues a fan-out: the named serials, or every enabled device of the customer,
 * as jobs of `jobSize`. Returns how many jobs and devices were queued. Callers
 * that need the summary in the HTTP answer (one row, a small fleet) call `fanOut`
 * directly instead; large fleets read the outcomes from the device grid.
 */
export async function enqueueFanOut(
  input: FanOutRequestInput | FanOutRequest,
  send: PushQueuePort,
  options: { jobSize?: number } = {},
): Promise<{ jobs: number; devices: number }> {
  const request = parseFanOutRequest(input);
  const serials = request.serials ?? (await listEnabledSerials(request.customerId));
  const jobs = splitIntoJobs(request, serials, options.jobSize);
  if (jobs.length > 0) await send(jobs);
  return { jobs: jobs.length, devices: jobs.reduce((n, j) => n + j.serials.length, 0) };
}
