import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ddb } from '../../../shared/aws/dynamodb';
import { deviceSetUnchangedItem, getDeviceSetVersion } from '../../../shared/db/device-set';
import { TestApi } from '../../fixtures/api';
import { createTenant, licenceCodeFor } from '../../fixtures/tenant';

let api: TestApi;
beforeAll(async () => {
  api = await TestApi.start();
});
afterAll(() => api.close());

const stillSame = (customerId: string, read: number) =>
  ddb.send(new TransactWriteCommand({ TransactItems: [deviceSetUnchangedItem(customerId, read)] })).then(
    () => true,
    (error: Error) => (error.name === 'TransactionCanceledException' ? false : Promise.reject(error)),
  );

describe('Start/Force/Concluso never decide on a stale device list (SES-5, SES-11)', () => {
  it('counts every change to the enabled set (authorised, registered, disabled, re-enabled), so a transition conditioned on an older count is refused', async () => {
    const tenant = await createTenant({ devices: 1 });
    const licenceCode = await licenceCodeFor(tenant.customerId);
    const admin = await api.login(tenant, 'admin');
    const before = await getDeviceSetVersion(tenant.customerId);
    expect(await stillSame(tenant.customerId, before)).toBe(true);

    const serial = `35${Date.now()}`;
    const authorised = await api.call('POST', '/v1/desktop/devices', {
      auth: admin,
      body: { serial, model: 'Tab', operator: { code: 'OP9', name: 'Anna', surname: 'Verdi' }, phone: '+39 333 1' },
    });
    expect(authorised.status).toBe(201);
    const afterAuthorised = await getDeviceSetVersion(tenant.customerId);
    expect(afterAuthorised).toBe(before + 1);
    expect(await stillSame(tenant.customerId, before)).toBe(false);

    // Editing the operator is not a change to the set.
    await api.call('PATCH', `/v1/desktop/devices/${serial}`, { auth: admin, body: { phone: '+39 333 2' } });
    expect(await getDeviceSetVersion(tenant.customerId)).toBe(afterAuthorised);

    const registered = await api.call('POST', '/v1/device/register', { body: { serial, licenceCode, installedVersion: '03.01.00_030' } });
    expect(registered.status).toBe(201);
    const afterRegistration = await getDeviceSetVersion(tenant.customerId);
    expect(afterRegistration).toBe(afterAuthorised + 1);

    const step1 = await api.call('POST', `/v1/desktop/devices/${serial}/disable`, { auth: admin });
    await api.call('POST', `/v1/desktop/devices/${serial}/disable`, { auth: admin, body: { confirmToken: step1.body.confirmToken } });
    expect(await getDeviceSetVersion(tenant.customerId)).toBe(afterRegistration + 1);
    await api.call('POST', `/v1/desktop/devices/${serial}/enable`, { auth: admin });
    expect(await getDeviceSetVersion(tenant.customerId)).toBe(afterRegistration + 2);
    expect(await stillSame(tenant.customerId, afterRegistration)).toBe(false);
  });
});
