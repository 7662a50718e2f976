import { randomUUID } from 'node:crypto';
import { createTenant } from '../test/fixtures/tenant';
import { percentile, round, type Benchmark } from './benchmarks';
import { dynamoCalls, invoke, loadHandler } from './invoke';

const CHECK_INS = 1000;
/** Warm-up check-ins: the Lambda's first calls and DynamoDB Local's JIT compilation are not what a warm function sees. */
const WARMUP = 300;
const DEVICES = 20;
/** Devices checking in once each, to a function that has not seen their credential yet. */
const FIRST_CHECK_INS = 500;

/**
 * `device_checkin_p99_ms`: server-side time of the devices handler answering a
 * check-in (device credential, the write of what the device reports, session +
 * profile read, owed command), warm, 1,000 check-ins of 20 devices with a push
 * token already registered, during an open session, against DynamoDB Local —
 * devices this function instance has seen, as in the calls of an update, so
 * their credential lookup is remembered (shared/auth/authenticate.ts).
 * `device_checkin_first_p99_ms`: the same for 500 devices checking in once each,
 * whose credential the function reads from the table first.
 * `device_checkin_ddb_calls`: DynamoDB requests per warm check-in (counted on the SDK client).
 */
export const devicesBenchmark: Benchmark = {
  name: 'devices',
  needsStack: true,
  async run() {
    const { ddb } = await import('../shared/aws/dynamodb');
    const { PutCommand } = await import('@aws-sdk/lib-dynamodb');
    const { tableName } = await import('../shared/config');
    const { customerKeys } = await import('../shared/db/keys');
    const calls = await dynamoCalls();
    const handler = await loadHandler('devices');
    const desktopVersion = '03.01.00_030';
    /**
     * A tenant whose session is open (preparing), as during an update. Written
     * here, not with test/fixtures/session.ts, so the item stays the one every
     * earlier tree's bench wrote (`npm run bench:against` compares like for like).
     */
    const tenantInSession = async (devices: number) => {
      const tenant = await createTenant({ devices, desktopVersion });
      await ddb.send(
        new PutCommand({
          TableName: tableName(),
          Item: {
            ...customerKeys.session(tenant.customerId),
            type: 'session',
            customerId: tenant.customerId,
            sessionId: `S-${randomUUID()}`,
            state: 'preparing',
            version: 1,
            updatedAt: new Date().toISOString(),
          },
        }),
      );
      return tenant;
    };
    const tenant = await tenantInSession(DEVICES);
    const tokens = tenant.devices.map(() => `fcm-bench-${randomUUID()}`);

    const times: number[] = [];
    let warmCalls = 0;
    for (let i = 0; i < CHECK_INS + WARMUP; i++) {
      const d = i % DEVICES;
      const before = calls();
      const res = await invoke(handler, {
        method: 'POST',
        url: '/v1/device/check-in',
        auth: `Device ${tenant.devices[d]!.credential}`,
        body: { installedVersion: desktopVersion, pushToken: tokens[d], lastSyncAt: new Date().toISOString() },
      });
      if (res.status !== 200) throw new Error(`check-in failed: ${JSON.stringify(res.body)}`);
      // The first check-in of each device creates its SNS endpoint: part of the warm-up.
      if (i >= WARMUP) {
        times.push(res.ms);
        warmCalls += calls() - before;
      }
    }

    const firsts: number[] = [];
    for (const device of (await tenantInSession(FIRST_CHECK_INS)).devices) {
      const res = await invoke(handler, {
        method: 'POST',
        url: '/v1/device/check-in',
        auth: `Device ${device.credential}`,
        body: { installedVersion: desktopVersion, lastSyncAt: new Date().toISOString() },
      });
      if (res.status !== 200) throw new Error(`check-in failed: ${JSON.stringify(res.body)}`);
      firsts.push(res.ms);
    }
    return [
      {
        name: 'device_checkin_p99_ms',
        value: round(percentile(times, 99)),
        unit: `ms p99 of ${CHECK_INS} (p50 ${round(percentile(times, 50))})`,
        target: '≤ 15',
        max: 15,
      },
      {
        name: 'device_checkin_first_p99_ms',
        value: round(percentile(firsts, 99)),
        unit: `ms p99 of ${FIRST_CHECK_INS} first check-ins, credential read (p50 ${round(percentile(firsts, 50))})`,
        target: '≤ 15',
        max: 15,
      },
      {
        name: 'device_checkin_ddb_calls',
        value: round(warmCalls / CHECK_INS, 2),
        unit: 'DynamoDB calls per warm check-in',
        target: '≤ 2',
        max: 2,
      },
    ];
  },
};
