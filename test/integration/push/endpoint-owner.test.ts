import { describe, expect, it } from 'vitest';
import { getDevice } from '../../../shared/db/devices';
import { ensureEndpoint } from '../../../shared/push/endpoints';
import { setDeviceFields } from '../../fixtures/session';
import { createTenant } from '../../fixtures/tenant';

describe('SNS endpoint ownership', () => {
  it('never lets one push endpoint serve two device rows: the tablet that now reports the token takes it over', async () => {
    const [x, y] = [await createTenant({ devices: 1 }), await createTenant({ devices: 1 })];
    const token = `fcm-moved-${Date.now()}`;
    const [dx, dy] = [x.devices[0]!.serial, y.devices[0]!.serial];
    await setDeviceFields(x.customerId, dx, { pushToken: token });
    const first = await ensureEndpoint({ customerId: x.customerId, serial: dx, pushToken: token });
    expect(first.status).toBe('ready');
    expect((await getDevice(x.customerId, dx))?.endpointArn).toBeDefined();

    // The same app (token) now reports from a device row of another customer.
    await setDeviceFields(y.customerId, dy, { pushToken: token });
    const second = await ensureEndpoint({ customerId: y.customerId, serial: dy, pushToken: token });
    expect(second.status).toBe('ready');
    expect(second.status === 'ready' && first.status === 'ready' && second.endpointArn).toBe(first.status === 'ready' && first.endpointArn);
    const attributes = await (await import('../../../shared/aws/sns')).sns.send(
      new (await import('@aws-sdk/client-sns')).GetEndpointAttributesCommand({
        EndpointArn: (second as { endpointArn: string }).endpointArn,
      }),
    );
    expect(attributes.Attributes?.CustomUserData).toBe(`${y.customerId}/${dy}`);
    // The previous row no longer points at it: X's pushes cannot reach Y's tablet.
    expect((await getDevice(x.customerId, dx))?.endpointArn).toBeUndefined();
    expect((await getDevice(y.customerId, dy))?.endpointArn).toBe((second as { endpointArn: string }).endpointArn);
  });
});
