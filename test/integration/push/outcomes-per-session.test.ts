import { describe, expect, it } from 'vitest';
import { getDevice } from '../../../shared/db/devices';
import { fanOut } from '../../../shared/push/fanout';
import { createTenant } from '../../fixtures/tenant';

describe('push outcomes kept per device', () => {
  it('keeps only the current session’s outcomes, so a device row does not grow with every update', async () => {
    const tenant = await createTenant({ devices: 2 });
    const push = (sessionId: string, attempt: number) =>
      fanOut({
        customerId: tenant.customerId,
        sessionId,
        sessionVersion: 1,
        command: 'START_UPDATE',
        commandId: `${sessionId}:START_UPDATE:${attempt}`,
      });
    await push('session-one', 1);
    await push('session-one', 2);
    const first = await getDevice(tenant.customerId, tenant.devices[0]!.serial);
    expect(Object.keys(first!.pushOutcomes ?? {}).sort()).toEqual(['session-one:START_UPDATE:1', 'session-one:START_UPDATE:2']);
    await push('session-two', 1);
    for (const d of tenant.devices) {
      const row = await getDevice(tenant.customerId, d.serial);
      expect(Object.keys(row!.pushOutcomes ?? {})).toEqual(['session-two:START_UPDATE:1']);
    }
  });
});
