import { PublishCommand } from '@aws-sdk/client-sns';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { processPushJobs } from '../../../functions/push/handler';
import { lambdaContext } from '../../../local/lambda-context';
import { ddb } from '../../../shared/aws/dynamodb';
import { snsPublisher } from '../../../shared/aws/sns';
import { parseFanOutRequest } from '../../../shared/push/request';
import { splitIntoJobs } from '../../../shared/push/queue';
import { getDevice, newCustomerId, putDevices, request, serials } from './fixtures';

const snsMock = mockClient(snsPublisher);
beforeEach(() => snsMock.reset());

const record = (messageId: string, body: string) => ({ messageId, body }) as SQSRecord;
const event = (...records: SQSRecord[]) => ({ Records: records }) as SQSEvent;

describe('push worker (SQS)', () => {
  it('runs each job and returns only the records that failed', async () => {
    const customerId = newCustomerId();
    await putDevices(
      customerId,
      serials(4).map((serial) => ({ serial })),
    );
    snsMock.on(PublishCommand).resolves({ MessageId: 'm' });
    const jobs = splitIntoJobs(parseFanOutRequest(request(customerId)), serials(4), 2);

    const out = await processPushJobs(
      event(record('job-1', JSON.stringify(jobs[0])), record('bad', '{"v":1}'), record('job-2', JSON.stringify(jobs[1]))),
      lambdaContext('push', 60_000),
    );

    expect(out.batchItemFailures).toEqual([{ itemIdentifier: 'bad' }]);
    expect(snsMock.commandCalls(PublishCommand)).toHaveLength(4);
    expect((await getDevice(customerId, 'SN0004')).pushOutcomes['S1:START_UPDATE:1'].status).toBe('sent');
  });

  it('hands every job back to SQS when too little time is left to start', async () => {
    const customerId = newCustomerId();
    await putDevices(customerId, [{ serial: 'A' }]);
    const [job] = splitIntoJobs(parseFanOutRequest(request(customerId)), ['A']);

    const out = await processPushJobs(event(record('job-1', JSON.stringify(job))), lambdaContext('push', 1_000));

    expect(out.batchItemFailures).toEqual([{ itemIdentifier: 'job-1' }]);
    expect(snsMock.calls()).toHaveLength(0);
  });

  it('hands back a job that throws (DynamoDB unavailable) so SQS delivers it again', async () => {
    const [job] = splitIntoJobs(parseFanOutRequest(request(newCustomerId())), ['A']);
    const ddbMock = mockClient(ddb);
    ddbMock.onAnyCommand().rejects(Object.assign(new Error('DynamoDB unavailable'), { name: 'ServiceUnavailable' }));
    try {
      const out = await processPushJobs(event(record('job-1', JSON.stringify(job))), lambdaContext('push', 60_000));
      expect(out.batchItemFailures).toEqual([{ itemIdentifier: 'job-1' }]);
      expect(snsMock.calls()).toHaveLength(0);
    } finally {
      ddbMock.restore();
    }
  });
});
