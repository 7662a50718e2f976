import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getDevice } from '../../../shared/db/devices';
import { TestApi } from '../../fixtures/api';
import { ensureRelease, readyTenant } from '../../fixtures/session';

/*
 * Fleets above PUSH_INLINE_LIMIT are pushed by the SQS push worker, not inside
 * the admin's request (issue: design for 10,000 devices per customer). The
 * local stack's SQS endpoint delivers to the same worker module as Lambda.
 */
const FROM = '94.00.00_001';
const TO = '94.00.00_002';

let api: TestApi;
beforeAll(async () => {
  api = await TestApi.start();
  process.env.PUSH_INLINE_LIMIT = '2';
});
afterAll(async () => {
  delete process.env.PUSH_INLINE_LIMIT;
  await api.close();
});

describe('queued fan-out for large fleets', () => {
  it('hands START UPDATE for a fleet above the inline limit to the push worker, which reaches every device once', async () => {
    await ensureRelease(FROM);
    const { tenant, admin } = await readyTenant(api, FROM, TO, 5);
    // Devices report their push tokens at check-in (SNS endpoints are created then).
    for (const [i, d] of tenant.devices.entries()) {
      const res = await api.call('POST', '/v1/device/check-in', {
        auth: `Device ${d.credential}`,
        body: { installedVersion: FROM, pushToken: `fcm-queued-${tenant.customerId}-${i}` },
      });
      expect(res.status).toBe(200);
    }
    const res = await api.call('POST', '/v1/desktop/update/start-update-push', { auth: admin });
    expect(res.status).toBe(200);
    expect(res.body.summary).toMatchObject({ complete: false, queued: { devices: 5, jobs: 1 } });
    const commandId = `${res.body.session.sessionId}:START_UPDATE:1`;

    // The worker runs asynchronously: wait until every device has its outcome.
    const deadline = Date.now() + 20_000;
    let outcomes: (string | undefined)[] = [];
    while (Date.now() < deadline) {
      outcomes = await Promise.all(
        tenant.devices.map(async (d) => (await getDevice(tenant.customerId, d.serial))?.pushOutcomes?.[commandId]?.status),
      );
      if (outcomes.every((o) => o !== undefined)) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(outcomes).toEqual(['sent', 'sent', 'sent', 'sent', 'sent']);
    // Each device received exactly one START UPDATE for this command.
    const deliveries = (await (await fetch(`${process.env.AWS_ENDPOINT_URL_SNS}/_local/deliveries`)).json()) as { message: string }[];
    const forCommand = deliveries.filter((d) => d.message.includes(commandId));
    expect(forCommand).toHaveLength(5);
  });
});
