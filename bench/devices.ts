import { randomUUID } from 'node:crypto';
import { toEvent } from '../local/gateway';
import { lambdaContext } from '../local/lambda-context';
import { createTenant } from '../test/fixtures/tenant';
import { percentile, round, type Benchmark } from './benchmarks';

type Handler = (event: unknown, context: unknown) => Promise<{ statusCode: number; body?: string }>;

const CHECK_INS = 1000;
/** Warm-up check-ins: the Lambda's first calls and DynamoDB Local's JIT compilation are not what a warm function sees. */
const WARMUP = 300;
const DEVICES = 20;

/**
 * `device_checkin_p99_ms`: server-side time of the devices handler answering a
 * check-in (device credential, the write of what the device reports, session +
 * profile read, owed command), warm, 1,000 check-ins of 20 devices with a push
 * token already registered, during an open session, against DynamoDB Local.
 * `device_checkin_ddb_calls`: DynamoDB requests per warm check-in (counted on the SDK client).
 */
export const devicesBenchmark: Benchmark = {
  name: 'devices',
  needsStack: true,
  async run() {
    const { dynamo, ddb } = await import('../shared/aws/clients');
    const { PutCommand } = await import('@aws-sdk/lib-dynamodb');
    const { tableName } = await import('../shared/config');
    const { customerKeys } = await import('../shared/db/keys');
    let calls = 0;
    dynamo.middlewareStack.remove('devicesBenchCallCounter');
    dynamo.middlewareStack.add(
      (next) => async (args) => {
        calls++;
        return next(args);
      },
      { step: 'initialize', name: 'devicesBenchCallCounter' },
    );
    const { handler } = (await import('../functions/devices/handler')) as unknown as { handler: Handler };
    const desktopVersion = '03.01.00_030';
    const tenant = await createTenant({ devices: DEVICES, desktopVersion });
    await ddb.send(
      new PutCommand({
        TableName: tableName(),
        Item: { ...customerKeys.session(tenant.customerId), type: 'session', customerId: tenant.customerId, sessionId: `S-${randomUUID()}`, state: 'preparing', version: 1, updatedAt: new Date().toISOString() },
      }),
    );
    const tokens = tenant.devices.map(() => `fcm-bench-${randomUUID()}`);

    const times: number[] = [];
    let warmCalls = 0;
    for (let i = 0; i < CHECK_INS + WARMUP; i++) {
      const d = i % DEVICES;
      const { event } = toEvent({
        method: 'POST',
        url: '/v1/device/check-in',
        headers: { authorization: `Device ${tenant.devices[d]!.credential}`, 'content-type': 'application/json' },
        body: Buffer.from(JSON.stringify({ installedVersion: desktopVersion, pushToken: tokens[d], lastSyncAt: new Date().toISOString() })),
      });
      const before = calls;
      const started = performance.now();
      const result = await handler(event, lambdaContext('devices'));
      const ms = performance.now() - started;
      if (result.statusCode !== 200) throw new Error(`check-in failed: ${result.body}`);
      // The first check-in of each device creates its SNS endpoint: part of the warm-up.
      if (i >= WARMUP) {
        times.push(ms);
        warmCalls += calls - before;
      }
    }
    return [
      {
        name: 'device_checkin_p99_ms',
        value: round(percentile(times, 99)),
        unit: `ms p99 of ${CHECK_INS} (p50 ${round(percentile(times, 50))})`,
        target: '≤ 15',
        max: 15,
      },
      { name: 'device_checkin_ddb_calls', value: round(warmCalls / CHECK_INS, 2), unit: 'DynamoDB calls per warm check-in', target: '≤ 3', max: 3 },
    ];
  },
};
