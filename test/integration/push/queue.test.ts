import { describe, expect, it } from 'vitest';
import { enqueueFanOut, jobToRequest, parsePushJob, splitIntoJobs, type PushJob } from '../../../shared/push/queue';
import { parseFanOutRequest } from '../../../shared/push/request';
import { newCustomerId, putDevices, request, serials } from './fixtures';

describe('push jobs', () => {
  it('splits a fleet into jobs of at most jobSize serials, keeping order and dropping duplicates', () => {
    const req = parseFanOutRequest(request('acme'));
    const all = serials(1201);
    const jobs = splitIntoJobs(req, [...all, 'SN0001'], 500);
    expect(jobs.map((j) => j.serials.length)).toEqual([500, 500, 201]);
    expect(jobs.flatMap((j) => j.serials)).toEqual(all);
    expect(jobs.every((j) => j.commandId === 'S1:START_UPDATE:1' && j.v === 1)).toBe(true);
  });

  it('round-trips a job through its SQS body', () => {
    const [job] = splitIntoJobs(parseFanOutRequest(request('acme', { targetVersion: '03.02.00_040' })), ['A', 'B']);
    const back = parsePushJob(JSON.stringify(job));
    expect(back).toEqual(job);
    expect(jobToRequest(back)).toEqual({ ...request('acme', { targetVersion: '03.02.00_040' }), serials: ['A', 'B'] });
  });

  it('rejects a body that is not a valid job with 400 INVALID_PUSH_JOB', () => {
    expect(() => parsePushJob('{')).toThrow(expect.objectContaining({ statusCode: 400, code: 'INVALID_PUSH_JOB' }));
    const job = { v: 1, ...request('acme'), serials: [] };
    expect(() => parsePushJob(JSON.stringify(job))).toThrow(/serials/);
    expect(() => parsePushJob(JSON.stringify({ ...job, serials: ['A'], command: 'REBOOT' }))).toThrow(/command/);
  });

  it('refuses job sizes outside 1–1000', () => {
    const req = parseFanOutRequest(request('acme'));
    expect(() => splitIntoJobs(req, ['A'], 0)).toThrow(RangeError);
    expect(() => splitIntoJobs(req, ['A'], 1001)).toThrow(RangeError);
  });

  it('queues every enabled device of the customer when no serials are named', async () => {
    const customerId = newCustomerId();
    await putDevices(customerId, [...serials(5).map((serial) => ({ serial })), { serial: 'OFF', enabled: false }]);
    const sent: PushJob[][] = [];

    const queued = await enqueueFanOut(request(customerId), async (jobs) => void sent.push(jobs), { jobSize: 2 });

    expect(queued).toEqual({ jobs: 3, devices: 5 });
    expect(sent).toHaveLength(1);
    expect(sent[0]!.flatMap((j) => j.serials).sort()).toEqual(serials(5));
  });

  it('queues nothing for a customer without enabled devices', async () => {
    let called = false;
    expect(await enqueueFanOut(request(newCustomerId()), async () => void (called = true))).toEqual({ jobs: 0, devices: 0 });
    expect(called).toBe(false);
  });
});
