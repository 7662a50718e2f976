import { randomUUID } from 'node:crypto';
import { DeleteCommand, GetCommand, PutCommand, QueryCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { ddb } from '../../../shared/aws/dynamodb';
import { tableName } from '../../../shared/config';
import { deviceKey } from '../../../shared/db/devices';
import { auditKeys, customerKeys } from '../../../shared/db/keys';
import type { SessionState } from '../../../shared/session/state-machine';
import { TestApi } from '../../fixtures/api';
import { putSession as putSessionItem } from '../../fixtures/session';
import { createTenant, type Tenant, type TestDevice } from '../../fixtures/tenant';

const DESKTOP = '03.01.00_030';

let api: TestApi;

const get = async (key: { pk: string; sk: string }) => (await ddb.send(new GetCommand({ TableName: tableName(), Key: key }))).Item;
const deviceRow = async (tenant: Tenant, device: TestDevice) => (await get(deviceKey(tenant.customerId, device.serial)))!;
const sessionItem = async (tenant: Tenant) => (await get(customerKeys.session(tenant.customerId)))!;

/** The customer's session item in `state`, written directly. */
const putSession = (tenant: Tenant, state: SessionState, fields: Record<string, unknown> = {}) =>
  putSessionItem(tenant.customerId, state, { updatedAt: '2025-05-01T08:00:00.000Z', ...fields });

/** The admin forced the update (SES-5/6): the session goes straight to updating. */
async function forceUpdate(tenant: Tenant) {
  await ddb.send(
    new UpdateCommand({
      TableName: tableName(),
      Key: customerKeys.session(tenant.customerId),
      UpdateExpression: 'SET #state = :updating, forced = :t, version = version + :one',
      ExpressionAttributeNames: { '#state': 'state' },
      ExpressionAttributeValues: { ':updating': 'updating', ':t': true, ':one': 1 },
    }),
  );
}

async function setDevice(tenant: Tenant, device: TestDevice, fields: Record<string, unknown>) {
  const entries = Object.entries(fields);
  await ddb.send(
    new UpdateCommand({
      TableName: tableName(),
      Key: deviceKey(tenant.customerId, device.serial),
      UpdateExpression: `SET ${entries.map((_, i) => `#f${i} = :f${i}`).join(', ')}`,
      ExpressionAttributeNames: Object.fromEntries(entries.map(([k], i) => [`#f${i}`, k])),
      ExpressionAttributeValues: Object.fromEntries(entries.map(([, v], i) => [`:f${i}`, v])),
    }),
  );
}

async function auditOf(tenant: Tenant, action: string) {
  const out = await ddb.send(
    new QueryCommand({
      TableName: tableName(),
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': auditKeys.partition(tenant.customerId) },
    }),
  );
  return (out.Items ?? []).filter((a) => a.action === action);
}

const call = (device: TestDevice, path: string, body: Record<string, unknown>, auth = `Device ${device.credential}`) =>
  api.call('POST', path, { auth, body });

beforeAll(async () => {
  api = await TestApi.start();
});
afterAll(() => api.close());
afterEach(() => vi.restoreAllMocks());

/** Runs `before` right before the next TransactWriteItems reaches DynamoDB (the real one, unchanged). */
function beforeNextTransaction(before: () => Promise<void>) {
  const send = ddb.send.bind(ddb);
  let armed = true;
  return vi.spyOn(ddb, 'send').mockImplementation((async (command: unknown) => {
    if (armed && command instanceof TransactWriteCommand) {
      armed = false;
      await before();
    }
    return send(command as never);
  }) as never);
}

describe('acknowledging pushed commands (SES-3/7/10)', () => {
  it('sets Notification sent for the current session only; a stale session gets 409 with the current one and the owed command', async () => {
    const tenant = await createTenant({ devices: 1, desktopVersion: DESKTOP });
    const device = tenant.devices[0]!;
    const old = await putSession(tenant, 'preparing');
    const current = await putSession(tenant, 'preparing');

    const stale = await call(device, '/v1/device/ack', { sessionId: old, command: 'START_UPDATE' });
    expect(stale.status).toBe(409);
    expect(stale.body).toMatchObject({
      code: 'STALE_SESSION',
      session: { sessionId: current, state: 'preparing' },
      command: { command: 'LOCK', sessionId: current },
    });
    expect((await deviceRow(tenant, device)).startAckSessionId).toBeUndefined();

    const ok = await call(device, '/v1/device/ack', { sessionId: current, command: 'START_UPDATE' });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ acknowledged: 'START_UPDATE', recorded: true, command: { command: 'LOCK', sessionId: current } });
    expect((await deviceRow(tenant, device)).startAckSessionId).toBe(current);

    // A duplicate delivery answers the same and writes nothing more.
    const dup = await call(device, '/v1/device/ack', { sessionId: current, command: 'START_UPDATE' });
    expect(dup.status).toBe(200);
    expect(dup.body.recorded).toBe(false);
    expect(await auditOf(tenant, 'device.ack.start-update')).toHaveLength(1);
  });

  it('records END UPDATE and ERROR UPDATE acknowledgements on their own marks', async () => {
    const tenant = await createTenant({ devices: 1, desktopVersion: DESKTOP });
    const device = tenant.devices[0]!;
    const sessionId = await putSession(tenant, 'mobile-update');
    expect((await call(device, '/v1/device/ack', { sessionId, command: 'END_UPDATE' })).status).toBe(200);
    await putSession(tenant, 'reactivated', { sessionId });
    expect((await call(device, '/v1/device/ack', { sessionId, command: 'ERROR_UPDATE' })).status).toBe(200);
    expect(await deviceRow(tenant, device)).toMatchObject({ endAckSessionId: sessionId, errorAckSessionId: sessionId });
    expect((await deviceRow(tenant, device)).startAckSessionId).toBeUndefined();
  });

  it('refuses an ack when no session was ever opened', async () => {
    const tenant = await createTenant({ devices: 1, desktopVersion: DESKTOP });
    const res = await call(tenant.devices[0]!, '/v1/device/ack', { sessionId: 'S-none', command: 'START_UPDATE' });
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ code: 'STALE_SESSION', session: null, command: { command: 'NONE' } });
  });
});

describe('device locked (DEV-2)', () => {
  it('marks the row Blocked with a note, once, for the current session', async () => {
    const tenant = await createTenant({ devices: 1, desktopVersion: DESKTOP });
    const device = tenant.devices[0]!;
    const sessionId = await putSession(tenant, 'preparing');
    expect((await call(device, '/v1/device/locked', { sessionId: 'S-other' })).status).toBe(409);
    const res = await call(device, '/v1/device/locked', { sessionId });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ blocked: true, recorded: true });
    expect((await call(device, '/v1/device/locked', { sessionId })).body.recorded).toBe(false);
    const row = await deviceRow(tenant, device);
    expect(row.blocked).toBe(true);
    expect(row.notes).toHaveLength(1);
    expect(row.notes[0]).toMatch(/Dispositivo bloccato.*Device locked/);
  });
});

describe('unsent data sent (DEV-2, DEV-3)', () => {
  it('is accepted while preparing: Awaiting update and Blocked, one note, the session item untouched; a repeat changes nothing', async () => {
    const tenant = await createTenant({ devices: 1, desktopVersion: DESKTOP });
    const device = tenant.devices[0]!;
    const sessionId = await putSession(tenant, 'preparing');
    const before = await sessionItem(tenant);

    const res = await call(device, '/v1/device/unsent-data-sent', { sessionId });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      awaitingUpdate: true,
      blocked: true,
      recorded: true,
      command: { command: 'AWAIT', sessionId, reason: 'awaiting-desktop' },
    });
    const row = await deviceRow(tenant, device);
    expect(row).toMatchObject({ awaitingSessionId: sessionId, blocked: true });
    expect(row.notes).toHaveLength(1);
    expect(row.notes[0]).toMatch(/Dati non trasmessi inviati.*Unsent data sent/);
    expect(await sessionItem(tenant)).toEqual(before);

    const again = await call(device, '/v1/device/unsent-data-sent', { sessionId });
    expect(again.status).toBe(200);
    expect(again.body.recorded).toBe(false);
    expect((await deviceRow(tenant, device)).notes).toHaveLength(1);
    expect(await auditOf(tenant, 'device.unsent-data-sent')).toHaveLength(1);
  });

  it('is refused after a forced update with VERSION_MISMATCH and the manual message, and the refusal is audited', async () => {
    const tenant = await createTenant({ devices: 2, desktopVersion: DESKTOP });
    const [sent, late] = tenant.devices as [TestDevice, TestDevice];
    const sessionId = await putSession(tenant, 'preparing');
    expect((await call(sent, '/v1/device/unsent-data-sent', { sessionId })).status).toBe(200);
    await forceUpdate(tenant);

    const res = await call(late, '/v1/device/unsent-data-sent', { sessionId });
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({
      code: 'VERSION_MISMATCH',
      forced: true,
      session: { sessionId, state: 'updating' },
      command: { command: 'AWAIT', reason: 'awaiting-desktop' },
    });
    expect(res.body.messages.it).toBe(
      'Impossibile inviare i dati non trasmessi: le versioni di mOphas installate su mobile e su desktop risultano differenti. Contattare la sede.',
    );
    expect(res.body.messages.en).toMatch(/versions installed on the mobile device and on the desktop differ/);
    expect((await deviceRow(tenant, late)).awaitingSessionId).toBeUndefined();
    expect((await auditOf(tenant, 'device.unsent-data-sent')).filter((a) => a.outcome === 'refused')).toEqual([
      expect.objectContaining({ details: expect.objectContaining({ serial: late.serial, forced: true, reason: 'VERSION_MISMATCH' }) }),
    ]);

    // The device whose data made it before the force may repeat its report safely.
    const repeat = await call(sent, '/v1/device/unsent-data-sent', { sessionId });
    expect(repeat.status).toBe(200);
    expect(repeat.body.recorded).toBe(false);
  });

  it.each(['mobile-update', 'failed', 'concluded'] as const)(
    'is refused with VERSION_MISMATCH once the session is past phase 1 (%s)',
    async (state) => {
      const tenant = await createTenant({ devices: 1, desktopVersion: DESKTOP });
      const sessionId = await putSession(tenant, state);
      const res = await call(tenant.devices[0]!, '/v1/device/unsent-data-sent', { sessionId });
      expect(res.status).toBe(409);
      expect(res.body.code).toBe('VERSION_MISMATCH');
    },
  );

  it('is refused when no update session exists', async () => {
    const tenant = await createTenant({ devices: 1, desktopVersion: DESKTOP });
    const res = await call(tenant.devices[0]!, '/v1/device/unsent-data-sent', { sessionId: 'S-none' });
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ code: 'NO_UPDATE_SESSION', session: null, command: { command: 'NONE' } });
    expect(res.body.messages.it).toMatch(/Nessun aggiornamento in preparazione/);
  });

  it('is refused for another session than the one being prepared (409 STALE_SESSION)', async () => {
    const tenant = await createTenant({ devices: 1, desktopVersion: DESKTOP });
    const current = await putSession(tenant, 'preparing');
    const res = await call(tenant.devices[0]!, '/v1/device/unsent-data-sent', { sessionId: 'S-old' });
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({
      code: 'STALE_SESSION',
      session: { sessionId: current },
      command: { command: 'LOCK', sessionId: current },
    });
  });

  it('records 200 devices reporting at the same moment, each exactly once', async () => {
    const tenant = await createTenant({ devices: 200, desktopVersion: DESKTOP });
    const sessionId = await putSession(tenant, 'preparing');
    const before = await sessionItem(tenant);
    const results = await Promise.all(tenant.devices.map((d) => call(d, '/v1/device/unsent-data-sent', { sessionId })));
    expect(results.map((r) => r.status)).toEqual(Array(200).fill(200));
    const rows = await ddb.send(
      new QueryCommand({
        TableName: tableName(),
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :dev)',
        ExpressionAttributeValues: { ':pk': `CUST#${tenant.customerId}`, ':dev': 'DEV#' },
      }),
    );
    expect(rows.Items).toHaveLength(200);
    expect(rows.Items!.filter((r) => r.awaitingSessionId === sessionId && r.blocked === true && r.notes.length === 1)).toHaveLength(200);
    expect(await sessionItem(tenant)).toEqual(before);
  }, 120_000);
});

describe('races with the admin and with concurrent transactions', () => {
  it('cannot land after the admin forced the update between the device read and its write', async () => {
    const tenant = await createTenant({ devices: 1, desktopVersion: DESKTOP });
    const device = tenant.devices[0]!;
    const sessionId = await putSession(tenant, 'preparing');
    beforeNextTransaction(() => forceUpdate(tenant));
    const res = await call(device, '/v1/device/unsent-data-sent', { sessionId });
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ code: 'VERSION_MISMATCH', forced: true });
    const row = await deviceRow(tenant, device);
    expect(row.awaitingSessionId).toBeUndefined();
    expect(row.notes).toEqual([]);
  });

  it('retries a transaction DynamoDB cancelled only for a conflict with a concurrent one', async () => {
    const tenant = await createTenant({ devices: 1, desktopVersion: DESKTOP });
    const device = tenant.devices[0]!;
    const sessionId = await putSession(tenant, 'preparing');
    const send = ddb.send.bind(ddb);
    let conflicts = 0;
    vi.spyOn(ddb, 'send').mockImplementation((async (command: unknown) => {
      if (command instanceof TransactWriteCommand && conflicts < 2) {
        conflicts++;
        throw Object.assign(new Error('Transaction cancelled'), {
          name: 'TransactionCanceledException',
          CancellationReasons: [{ Code: 'TransactionConflict' }, { Code: 'None' }, { Code: 'None' }],
        });
      }
      return send(command as never);
    }) as never);
    const res = await call(device, '/v1/device/unsent-data-sent', { sessionId });
    expect(res.status).toBe(200);
    expect(conflicts).toBe(2);
    expect((await deviceRow(tenant, device)).awaitingSessionId).toBe(sessionId);
  });
});

describe('installed version (DEV-5)', () => {
  it('records the version, with an "updated to" note only when it is the desktop version', async () => {
    const tenant = await createTenant({ devices: 1, desktopVersion: DESKTOP });
    const device = tenant.devices[0]!;
    await setDevice(tenant, device, { installedVersion: '03.00.00_012' });
    const sessionId = await putSession(tenant, 'mobile-update');

    const partial = await call(device, '/v1/device/installed', { version: '03.01.00_001' });
    expect(partial.status).toBe(200);
    expect(partial.body).toMatchObject({
      installedVersion: '03.01.00_001',
      updated: false,
      command: { command: 'UPDATE', version: DESKTOP, sessionId },
    });
    expect((await deviceRow(tenant, device)).notes).toEqual([]);

    const done = await call(device, '/v1/device/installed', { version: DESKTOP });
    expect(done.body).toMatchObject({ updated: true, recorded: true, command: { command: 'AWAIT', reason: 'awaiting-conclusion' } });
    const row = await deviceRow(tenant, device);
    expect(row.installedVersion).toBe(DESKTOP);
    expect(row.notes).toHaveLength(1);
    expect(row.notes[0]).toMatch(/Aggiornato alla versione 03\.01\.00_030.*Updated to 03\.01\.00_030/);
    expect((await call(device, '/v1/device/installed', { version: DESKTOP })).body.recorded).toBe(false);
    expect((await deviceRow(tenant, device)).notes).toHaveLength(1);
  });
});

describe('a device only acts on itself, and only while enabled (AUTH-2, SES-8)', () => {
  const routes: { path: string; body: (sessionId: string) => Record<string, unknown> }[] = [
    { path: '/v1/device/check-in', body: () => ({ installedVersion: DESKTOP }) },
    { path: '/v1/device/ack', body: (s) => ({ sessionId: s, command: 'START_UPDATE' }) },
    { path: '/v1/device/locked', body: (s) => ({ sessionId: s }) },
    { path: '/v1/device/unsent-data-sent', body: (s) => ({ sessionId: s }) },
    { path: '/v1/device/installed', body: () => ({ version: DESKTOP }) },
  ];
  let tenant: Tenant;
  let sessionId: string;
  beforeAll(async () => {
    tenant = await createTenant({ devices: 3, desktopVersion: DESKTOP });
    sessionId = await putSession(tenant, 'preparing');
    await setDevice(tenant, tenant.devices[0]!, { enabled: false });
  });

  it.each(routes)('refuses a disabled device on $path (403 DEVICE_DISABLED, nothing written)', async ({ path, body }) => {
    const disabled = tenant.devices[0]!;
    const before = await deviceRow(tenant, disabled);
    const res = await call(disabled, path, body(sessionId));
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('DEVICE_DISABLED');
    expect(res.body.messages).toEqual({ en: expect.any(String), it: expect.stringMatching(/riabilitato/) });
    expect(await deviceRow(tenant, disabled)).toEqual(before);
  });

  it.each(routes)('refuses a body naming another device on $path (403 FORBIDDEN)', async ({ path, body }) => {
    const [, me, other] = tenant.devices as [TestDevice, TestDevice, TestDevice];
    const before = await deviceRow(tenant, other);
    const res = await call(me, path, { ...body(sessionId), serial: other.serial });
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('FORBIDDEN');
    expect(await deviceRow(tenant, other)).toEqual(before);
    // Naming itself is fine.
    expect((await call(me, path, { ...body(sessionId), serial: me.serial })).status).toBe(200);
  });

  it.each(routes)('refuses a desktop credential on $path (403)', async ({ path, body }) => {
    const res = await call(tenant.devices[1]!, path, body(sessionId), `Desktop ${tenant.desktopCredential}`);
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('FORBIDDEN');
  });

  it('answers 404 to a credential whose device row was removed, and 401 without a credential', async () => {
    const gone = await createTenant({ devices: 1, desktopVersion: DESKTOP });
    const device = gone.devices[0]!;
    await ddb.send(new DeleteCommand({ TableName: tableName(), Key: deviceKey(gone.customerId, device.serial) }));
    for (const { path, body } of routes) {
      const res = await call(device, path, body('S-x'));
      expect(res.status, path).toBe(404);
      expect(res.body.code).toBe('DEVICE_NOT_FOUND');
    }
    expect((await api.call('POST', '/v1/device/check-in', { body: { installedVersion: DESKTOP } })).status).toBe(401);
  });
});
