import { DeleteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ddb } from '../../../shared/aws/dynamodb';
import { tableName } from '../../../shared/config';
import { rebuildSummary, summaryKey } from '../../../shared/db/customer-summary';
import { TestApi } from '../../fixtures/api';
import { ensureRelease, readyTenant } from '../../fixtures/session';
import { createTenant, newSerial, type TestDevice } from '../../fixtures/tenant';
import { agent, putSessionInState, staff } from './helpers';

/*
 * The customers overview (issue 13 item 2): the per-customer summary stays right
 * through a customer's life — tablets authorised, registered, updated, disabled
 * and re-enabled, a session from the first push to Aggiornamento concluso, a
 * failure and its resolution, a rename, the licence — and the route shows staff
 * every customer and an agent only its own. This file owns the 32.xx range.
 */
const FROM = '32.00.00_001';
const TO = '32.00.00_002';

let api: TestApi;
beforeAll(async () => {
  api = await TestApi.start();
});
afterAll(() => api.close());

const overview = async (options: { auth: string } = staff()) => {
  const res = await api.call('GET', '/v1/support/customer-overview', options);
  expect(res.status).toBe(200);
  return res.body as { customers: Record<string, any>[]; latestVersion: string | null };
};
const rowOf = async (customerId: string) => (await overview()).customers.find((c) => c.customerId === customerId);

describe('the customer summary', () => {
  it('follows tablets, a whole update session, installed reports, a rename and the licence', async () => {
    const { tenant, admin } = await readyTenant(api, FROM, TO, 3);
    const { customerId } = tenant;
    expect(await rowOf(customerId)).toEqual({
      customerId,
      name: `Test ${customerId}`,
      licenceCode: tenant.licenceCode,
      desktopVersion: FROM,
      sessionState: 'available',
      targetVersion: null,
      sessionUpdatedAt: null,
      failedSince: null,
      devicesTotal: 3,
      devicesEnabled: 3,
      devicesOnDesktopVersion: 3,
      lastCheckAt: null,
    });

    // A fourth tablet authorised by the admin, then disabled by support: counted, then not enabled.
    const serial = newSerial();
    const added = await api.call('POST', '/v1/desktop/devices', {
      auth: admin,
      body: { serial, model: 'Tab', operator: { code: 'OP9', name: 'Nove', surname: 'Operatore' }, phone: '+39 1' },
    });
    expect(added.status).toBe(201);
    expect(await rowOf(customerId)).toMatchObject({ devicesTotal: 4, devicesEnabled: 4, devicesOnDesktopVersion: 3 });
    const disabled = await api.call('POST', `/v1/support/customers/${customerId}/devices/${serial}/disable`, staff());
    expect(disabled.status).toBe(200);
    expect(await rowOf(customerId)).toMatchObject({ devicesTotal: 4, devicesEnabled: 3, devicesOnDesktopVersion: 3 });

    // The update session, step by step.
    const window = (path: string, body?: unknown) => api.call('POST', `/v1/desktop/update${path}`, { auth: admin, body });
    const device = (d: TestDevice, path: string, body: unknown) =>
      api.call('POST', `/v1/device/${path}`, { auth: `Device ${d.credential}`, body });
    const sessionId = (await window('/start-update-push')).body.session.sessionId as string;
    expect(await rowOf(customerId)).toMatchObject({ sessionState: 'preparing', targetVersion: TO, failedSince: null });
    for (const d of tenant.devices) expect((await device(d, 'unsent-data-sent', { sessionId })).status).toBe(200);
    expect((await window('/start')).body.session.state).toBe('updating');
    expect(await rowOf(customerId)).toMatchObject({ sessionState: 'updating' });
    expect((await window('/outcome', { result: 'success', version: TO })).body.session.state).toBe('mobile-update');
    // The desktop moved on: no tablet is on its version yet.
    expect(await rowOf(customerId)).toMatchObject({ sessionState: 'mobile-update', desktopVersion: TO, devicesOnDesktopVersion: 0 });

    const [first, second, third] = tenant.devices as [TestDevice, TestDevice, TestDevice];
    expect((await device(first, 'installed', { version: TO })).status).toBe(200);
    expect((await device(second, 'installed', { version: TO })).status).toBe(200);
    // Reported twice: counted once.
    expect((await device(second, 'installed', { version: TO })).body.recorded).toBe(false);
    expect(await rowOf(customerId)).toMatchObject({ devicesOnDesktopVersion: 2 });
    // A check-in carrying the new version counts too.
    expect((await device(third, 'check-in', { installedVersion: TO })).status).toBe(200);
    expect(await rowOf(customerId)).toMatchObject({ devicesEnabled: 3, devicesOnDesktopVersion: 3 });
    expect((await window('/conclude')).body.session.state).toBe('concluded');
    expect(await rowOf(customerId)).toMatchObject({ sessionState: 'concluded', targetVersion: TO, failedSince: null });

    // Re-enabled (its version unknown: it never registered), renamed, licence revoked.
    expect((await api.call('POST', `/v1/support/customers/${customerId}/devices/${serial}/enable`, staff())).status).toBe(200);
    const renamed = await api.call('PATCH', `/v1/support/customers/${customerId}`, { ...staff(), body: { name: 'Vending Rossi' } });
    expect(renamed.status).toBe(200);
    const revoked = await api.call('POST', `/v1/support/customers/${customerId}/licences/revoke`, {
      ...staff(),
      body: { licenceCode: tenant.licenceCode },
    });
    expect(revoked.status).toBe(200);
    expect(await rowOf(customerId)).toMatchObject({
      name: 'Vending Rossi',
      licenceCode: null,
      devicesTotal: 4,
      devicesEnabled: 4,
      devicesOnDesktopVersion: 3,
    });
  });

  it('records the last startup check at most once per 10 minutes', async () => {
    await ensureRelease(FROM);
    const tenant = await createTenant({ desktopVersion: FROM });
    const check = () => api.call('GET', `/v1/desktop/feed?installed=${FROM}`, { auth: `Desktop ${tenant.desktopCredential}` });
    const before = Date.now();
    expect((await check()).status).toBe(200);
    const first = (await rowOf(tenant.customerId))?.lastCheckAt as string;
    expect(Date.parse(first)).toBeGreaterThanOrEqual(before - 1000);
    // A check a moment later (another workstation, a restart) writes nothing.
    expect((await check()).status).toBe(200);
    expect((await rowOf(tenant.customerId))?.lastCheckAt).toBe(first);
    // Once the stored time is older than the interval, the next check moves it.
    const old = new Date(Date.now() - 11 * 60_000).toISOString();
    await ddb.send(
      new UpdateCommand({
        TableName: tableName(),
        Key: summaryKey(tenant.customerId),
        UpdateExpression: 'SET lastCheckAt = :old',
        ExpressionAttributeValues: { ':old': old },
      }),
    );
    expect((await check()).status).toBe(200);
    expect(Date.parse((await rowOf(tenant.customerId))?.lastCheckAt)).toBeGreaterThan(Date.parse(old) + 10 * 60_000);
  });

  it('shows a failure from the moment it happens until support resolves it (reactivation keeps its start)', async () => {
    const tenant = await createTenant({ desktopVersion: FROM });
    await putSessionInState(tenant.customerId, 'failed', TO);
    const failed = await rowOf(tenant.customerId);
    expect(failed).toMatchObject({ sessionState: 'failed', targetVersion: TO });
    expect(failed?.failedSince).toBe(failed?.sessionUpdatedAt);
    await putSessionInState(tenant.customerId, 'reactivated', TO);
    expect(await rowOf(tenant.customerId)).toMatchObject({ sessionState: 'reactivated', failedSince: failed?.failedSince });
    const resolved = await api.call('POST', `/v1/support/customers/${tenant.customerId}/session/resolve`, {
      ...staff(),
      body: { resolution: 'Installer re-downloaded' },
    });
    expect(resolved.status).toBe(200);
    expect(await rowOf(tenant.customerId)).toMatchObject({ sessionState: 'available', failedSince: null });
  });

  it('counts exactly when many tablets report their new version at once', async () => {
    const { tenant } = await readyTenant(api, FROM, TO, 8);
    // Support moves the desktop's version (no session open): nobody is on it yet.
    const moved = await api.call('PATCH', `/v1/support/customers/${tenant.customerId}`, { ...staff(), body: { desktopVersion: TO } });
    expect(moved.status).toBe(200);
    expect(await rowOf(tenant.customerId)).toMatchObject({ desktopVersion: TO, devicesOnDesktopVersion: 0 });
    const reports = await Promise.all(
      tenant.devices.map((d, i) =>
        i % 2
          ? api.call('POST', '/v1/device/installed', { auth: `Device ${d.credential}`, body: { version: TO } })
          : api.call('POST', '/v1/device/check-in', { auth: `Device ${d.credential}`, body: { installedVersion: TO } }),
      ),
    );
    expect(reports.map((r) => r.status)).toEqual(new Array(8).fill(200));
    expect(await rowOf(tenant.customerId)).toMatchObject({ devicesTotal: 8, devicesEnabled: 8, devicesOnDesktopVersion: 8 });
  });

  it('is rebuilt from the source items for a customer created before it existed, and recounted on request', async () => {
    const { tenant } = await readyTenant(api, FROM, TO, 2);
    await putSessionInState(tenant.customerId, 'failed', TO);
    const expected = await rowOf(tenant.customerId);
    await ddb.send(new DeleteCommand({ TableName: tableName(), Key: summaryKey(tenant.customerId) }));
    expect(await rowOf(tenant.customerId)).toBeUndefined();

    expect(await rebuildSummary(tenant.customerId)).toBe('written');
    expect(await rowOf(tenant.customerId)).toEqual(expected);
    // Idempotent: a complete summary is kept as it is.
    expect(await rebuildSummary(tenant.customerId)).toBe('kept');

    // Counts gone wrong (a lost delta) are repaired by a recount.
    await ddb.send(
      new UpdateCommand({
        TableName: tableName(),
        Key: summaryKey(tenant.customerId),
        UpdateExpression: 'SET devicesTotal = :wrong, devicesEnabled = :wrong',
        ExpressionAttributeValues: { ':wrong': 7 },
      }),
    );
    expect(await rebuildSummary(tenant.customerId, { recount: true })).toBe('written');
    expect(await rowOf(tenant.customerId)).toEqual(expected);
    expect(await rebuildSummary('no-such-customer')).toBe('no-customer');
  });
});

describe('GET /v1/support/customer-overview', () => {
  it('shows staff every customer, an agent only its assigned ones, and nothing to a caller not signed in', async () => {
    const mine = await createTenant({ desktopVersion: FROM });
    const other = await createTenant({ desktopVersion: FROM });
    const all = (await overview()).customers.map((c) => c.customerId);
    expect(all).toEqual(expect.arrayContaining([mine.customerId, other.customerId]));
    // By id, as the summary partition is sorted.
    expect([...all].sort()).toEqual(all);

    const theAgent = await agent(api, [mine.customerId]);
    const seen = await overview({ auth: theAgent.auth });
    expect(seen.customers.map((c) => c.customerId)).toEqual([mine.customerId]);
    // Another customer's page stays closed to it.
    expect((await api.call('GET', `/v1/support/customers/${other.customerId}/update`, { auth: theAgent.auth })).status).toBe(403);

    const nobody = await agent(api, []);
    expect((await overview({ auth: nobody.auth })).customers).toEqual([]);
    expect((await api.call('GET', '/v1/support/customer-overview')).status).toBe(401);
  });
});
