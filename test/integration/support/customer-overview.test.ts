import type { FinalizeHandlerArguments, HandlerExecutionContext } from '@smithy/types';
import { DeleteCommand, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ddb, dynamo } from '../../../shared/aws/dynamodb';
import { tableName } from '../../../shared/config';
import { rebuildSummary, summaryKey, type RebuildOutcome } from '../../../shared/db/customer-summary';
import { deviceKey } from '../../../shared/db/devices';
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

/*
 * A hook into the DynamoDB client below the SDK's retry middleware: `onTransact`
 * sees every attempt of every TransactWriteItems (its input as sent), may act
 * before it is sent, and may answer "lost" after it committed, as a dropped
 * connection or a 500 after the write would: the SDK then retries that request.
 */
type TransactHook = { before?: (input: string) => Promise<void>; loseResponse?: (input: string) => boolean };
let onTransact: TransactHook | undefined;
dynamo.middlewareStack.add(
  (next, context: HandlerExecutionContext) => async (args: FinalizeHandlerArguments<any>) => {
    const hook = context.commandName === 'TransactWriteItemsCommand' ? onTransact : undefined;
    const input = hook ? JSON.stringify(args.input) : '';
    await hook?.before?.(input);
    const result = await next(args);
    if (hook?.loseResponse?.(input)) {
      throw Object.assign(new Error('We encountered an internal error. Please try again.'), {
        name: 'InternalServerError',
        $fault: 'server',
        $metadata: { httpStatusCode: 500 },
      });
    }
    return result;
  },
  { step: 'deserialize', name: 'customerOverviewTestTransactHook' },
);

/** The backfill's loop (scripts/backfill-customer-summaries.ts): again while a device write raced it. */
async function rebuildUntilWritten(customerId: string): Promise<RebuildOutcome[]> {
  const outcomes: RebuildOutcome[] = [];
  for (let i = 0; i < 50 && outcomes.at(-1) !== 'written'; i++) outcomes.push(await rebuildSummary(customerId));
  return outcomes;
}

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

  it('counts exactly when 40 tablets report at once while support authorises and disables others', async () => {
    const { tenant, admin } = await readyTenant(api, FROM, TO, 40);
    const { customerId } = tenant;
    expect((await api.call('PATCH', `/v1/support/customers/${customerId}`, { ...staff(), body: { desktopVersion: TO } })).status).toBe(200);
    const reporting = tenant.devices.slice(0, 38);
    const disabled = tenant.devices.slice(38);
    const calls = [
      ...reporting.map((d, i) =>
        i % 2
          ? api.call('POST', '/v1/device/installed', { auth: `Device ${d.credential}`, body: { version: TO } })
          : api.call('POST', '/v1/device/check-in', { auth: `Device ${d.credential}`, body: { installedVersion: TO } }),
      ),
      ...disabled.map((d) => api.call('POST', `/v1/support/customers/${customerId}/devices/${d.serial}/disable`, staff())),
      ...[1, 2].map(() =>
        api.call('POST', '/v1/desktop/devices', {
          auth: admin,
          body: { serial: newSerial(), model: 'Tab', operator: { code: 'OP1', name: 'Uno', surname: 'Operatore' }, phone: '+39 1' },
        }),
      ),
    ];
    const statuses = (await Promise.all(calls)).map((r) => r.status);
    expect(statuses).toEqual([...new Array(40).fill(200), 201, 201]);
    expect(await rowOf(customerId)).toMatchObject({ devicesTotal: 42, devicesEnabled: 40, devicesOnDesktopVersion: 38 });
    // The recount from the rows finds nothing to correct.
    expect(await rebuildSummary(customerId, { recount: true })).toBe('written');
    expect(await rowOf(customerId)).toMatchObject({ devicesTotal: 42, devicesEnabled: 40, devicesOnDesktopVersion: 38 });
  });

  it('counts a change once when the SDK retries a write whose answer was lost after it committed', async () => {
    const { tenant, admin } = await readyTenant(api, FROM, TO, 2);
    const { customerId } = tenant;
    const [reporter, checker] = tenant.devices as [TestDevice, TestDevice];
    const lost: string[] = [];
    // Every device write of this customer that moves a count loses its first answer.
    onTransact = {
      loseResponse: (input) => {
        const counts = input.includes(customerId) && input.includes('countsRev');
        if (counts && !lost.includes(input)) lost.push(input);
        else return false;
        return true;
      },
    };
    try {
      const serial = newSerial();
      const added = await api.call('POST', '/v1/desktop/devices', {
        auth: admin,
        body: { serial, model: 'Tab', operator: { code: 'OP1', name: 'Uno', surname: 'Operatore' }, phone: '+39 1' },
      });
      expect(added.status).toBe(201);
      expect(
        (await api.call('POST', '/v1/device/installed', { auth: `Device ${reporter.credential}`, body: { version: TO } })).status,
      ).toBe(200);
      expect(
        (await api.call('POST', '/v1/device/check-in', { auth: `Device ${checker.credential}`, body: { installedVersion: TO } })).status,
      ).toBe(200);
      expect((await api.call('POST', `/v1/support/customers/${customerId}/devices/${serial}/disable`, staff())).status).toBe(200);
    } finally {
      onTransact = undefined;
    }
    // Four writes, each sent twice with one ClientRequestToken, each applied once. (Applied twice, the
    // authorisation would have answered 409 DEVICE_EXISTS and the disable "already disabled".)
    expect(lost).toHaveLength(4);
    expect(await rowOf(customerId)).toMatchObject({ devicesTotal: 3, devicesEnabled: 2, devicesOnDesktopVersion: 0 });
    // The same report sent again by the device (its own retry) records nothing more.
    expect(
      (await api.call('POST', '/v1/device/installed', { auth: `Device ${reporter.credential}`, body: { version: TO } })).body.recorded,
    ).toBe(false);
    const { Item } = await ddb.send(new GetCommand({ TableName: tableName(), Key: summaryKey(customerId), ConsistentRead: true }));
    expect(Item).toMatchObject({ devicesTotal: 3, devicesEnabled: 2, [`v#${FROM}`]: 0, [`v#${TO}`]: 2 });
  });

  it('is backfilled right while the tablets keep reporting (deltas before the backfill are replaced, none after it is lost)', async () => {
    const { tenant } = await readyTenant(api, FROM, TO, 24);
    const { customerId } = tenant;
    const expected = await rowOf(customerId);
    // A customer from before the summary existed: no summary; a first report writes a partial one (deltas, no marker).
    await ddb.send(new DeleteCommand({ TableName: tableName(), Key: summaryKey(customerId) }));
    const report = (d: TestDevice) => api.call('POST', '/v1/device/installed', { auth: `Device ${d.credential}`, body: { version: TO } });
    expect((await report(tenant.devices[0]!)).status).toBe(200);
    const { Item: partial } = await ddb.send(new GetCommand({ TableName: tableName(), Key: summaryKey(customerId), ConsistentRead: true }));
    expect(partial).toMatchObject({ countsRev: 1, [`v#${TO}`]: 1, [`v#${FROM}`]: -1 });
    expect(partial?.counted).toBeUndefined();

    // The backfill runs while the others report their new version.
    const [outcomes, reports] = await Promise.all([rebuildUntilWritten(customerId), Promise.all(tenant.devices.slice(1).map(report))]);
    expect(outcomes.at(-1)).toBe('written');
    expect(reports.map((r) => r.status)).toEqual(new Array(23).fill(200));
    expect(await rowOf(customerId)).toEqual({ ...expected, desktopVersion: FROM, devicesOnDesktopVersion: 0 });
    const { Item } = await ddb.send(new GetCommand({ TableName: tableName(), Key: summaryKey(customerId), ConsistentRead: true }));
    expect(Item).toMatchObject({ counted: true, devicesTotal: 24, devicesEnabled: 24, [`v#${TO}`]: 24 });
    expect(Item?.[`v#${FROM}`] ?? 0).toBe(0);
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

    // Counts gone wrong (edited by hand, or from before deltas were exactly-once) are repaired by a recount.
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

describe('disabling a tablet whose version changes meanwhile', () => {
  const disable = (customerId: string, serial: string) =>
    api.call('POST', `/v1/support/customers/${customerId}/devices/${serial}/disable`, staff());
  /** Before each disable transaction of `serial`, a version report lands on its row (as if between the read and the write). */
  const versionReportsBefore = (customerId: string, serial: string, versions: string[]) => {
    onTransact = {
      before: async (input) => {
        const version = input.includes(`DEV#${serial}`) && input.includes('device.disabled') ? versions.shift() : undefined;
        if (!version) return;
        await ddb.send(
          new UpdateCommand({
            TableName: tableName(),
            Key: deviceKey(customerId, serial),
            UpdateExpression: 'SET installedVersion = :v',
            ExpressionAttributeValues: { ':v': version },
          }),
        );
      },
    };
  };

  it('reads the tablet again and disables it, counted out at the version it has now', async () => {
    const tenant = await createTenant({ desktopVersion: FROM, devices: 2 });
    const [d] = tenant.devices as [TestDevice];
    const moved = '32.00.00_005';
    versionReportsBefore(tenant.customerId, d.serial, [moved]);
    try {
      const res = await disable(tenant.customerId, d.serial);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ serial: d.serial, enabled: false, installedVersion: moved });
    } finally {
      onTransact = undefined;
    }
    // The row was moved behind the summary's back, so only the disable's own delta is checked: from the version it read again.
    const { Item } = await ddb.send(new GetCommand({ TableName: tableName(), Key: summaryKey(tenant.customerId), ConsistentRead: true }));
    expect(Item).toMatchObject({ devicesTotal: 2, devicesEnabled: 1, [`v#${FROM}`]: 2, [`v#${moved}`]: -1 });
  });

  it('answers 409 DEVICE_CHANGED with the tablet as it is now (still enabled) when it keeps changing', async () => {
    const tenant = await createTenant({ desktopVersion: FROM, devices: 1 });
    const [d] = tenant.devices as [TestDevice];
    versionReportsBefore(tenant.customerId, d.serial, ['32.00.00_010', '32.00.00_011', '32.00.00_012', '32.00.00_013', '32.00.00_014']);
    let res: Awaited<ReturnType<typeof disable>>;
    try {
      res = await disable(tenant.customerId, d.serial);
    } finally {
      onTransact = undefined;
    }
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({
      code: 'DEVICE_CHANGED',
      device: { serial: d.serial, enabled: true, installedVersion: '32.00.00_013' },
      messages: { it: 'Il dispositivo è cambiato nel frattempo: controllare la griglia e riprovare.' },
    });
    expect(await rowOf(tenant.customerId)).toMatchObject({ devicesTotal: 1, devicesEnabled: 1 });
    // Once it holds still, the same request disables it.
    expect((await disable(tenant.customerId, d.serial)).status).toBe(200);
    expect(await rowOf(tenant.customerId)).toMatchObject({ devicesTotal: 1, devicesEnabled: 0 });
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
