import { randomUUID } from 'node:crypto';
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { ddb } from '../../../shared/aws/dynamodb';
import { sns } from '../../../shared/aws/sns';
import { tableName } from '../../../shared/config';
import { deviceKey } from '../../../shared/db/devices';
import { customerKeys } from '../../../shared/db/keys';
import type { SessionState } from '../../../shared/session/state-machine';
import { TestApi } from '../../fixtures/api';
import { putSession as putSessionItem } from '../../fixtures/session';
import { createTenant, type Tenant, type TestDevice } from '../../fixtures/tenant';

const DESKTOP = '03.01.00_030';
const OLDER = '03.00.00_012';
const NEWER = '03.01.00_032';

let api: TestApi;

const rowKey = (tenant: Tenant, device: TestDevice) => deviceKey(tenant.customerId, device.serial);
const deviceRow = async (tenant: Tenant, device: TestDevice) =>
  (await ddb.send(new GetCommand({ TableName: tableName(), Key: rowKey(tenant, device) }))).Item!;

/** The customer's session item in `state`, written directly. */
const putSession = (tenant: Tenant, state: SessionState, fields: Record<string, unknown> = {}) =>
  putSessionItem(tenant.customerId, state, fields);

/** Sets fields of a device row directly (what other functions write). */
async function patchDevice(tenant: Tenant, device: TestDevice, fields: Record<string, unknown>) {
  const entries = Object.entries(fields);
  await ddb.send(
    new UpdateCommand({
      TableName: tableName(),
      Key: rowKey(tenant, device),
      UpdateExpression: `SET ${entries.map((_, i) => `#f${i} = :f${i}`).join(', ')}`,
      ExpressionAttributeNames: Object.fromEntries(entries.map(([k], i) => [`#f${i}`, k])),
      ExpressionAttributeValues: Object.fromEntries(entries.map(([, v], i) => [`:f${i}`, v])),
    }),
  );
}

const call = (device: TestDevice, path: string, body: Record<string, unknown>) =>
  api.call('POST', path, { auth: `Device ${device.credential}`, body });
const checkIn = (device: TestDevice, body: Record<string, unknown> = { installedVersion: DESKTOP }) =>
  call(device, '/v1/device/check-in', body);

beforeAll(async () => {
  api = await TestApi.start();
});
afterAll(() => api.close());
afterEach(() => vi.restoreAllMocks());

describe('check-in returns the command the device owes (DEV-7)', () => {
  type Case = {
    name: string;
    state?: SessionState;
    installed: string;
    device?: (sessionId: string) => Record<string, unknown>;
    expected: (sessionId: string) => Record<string, unknown>;
  };
  const cases: Case[] = [
    {
      name: 'LOCK while preparing and the device has not sent its unsent data',
      state: 'preparing',
      installed: DESKTOP,
      expected: (s) => ({ command: 'LOCK', sessionId: s }),
    },
    {
      name: 'AWAIT while preparing once the device awaits the update',
      state: 'preparing',
      installed: DESKTOP,
      device: (s) => ({ awaitingSessionId: s, blocked: true }),
      expected: (s) => ({ command: 'AWAIT', sessionId: s, reason: 'awaiting-desktop' }),
    },
    {
      name: 'AWAIT while the desktop updates',
      state: 'updating',
      installed: OLDER,
      expected: (s) => ({ command: 'AWAIT', sessionId: s, reason: 'awaiting-desktop' }),
    },
    {
      name: 'UPDATE to the desktop version in the mobile phase',
      state: 'mobile-update',
      installed: OLDER,
      expected: (s) => ({ command: 'UPDATE', version: DESKTOP, sessionId: s }),
    },
    {
      name: 'AWAIT conclusion once updated in the mobile phase',
      state: 'mobile-update',
      installed: DESKTOP,
      expected: (s) => ({ command: 'AWAIT', sessionId: s, reason: 'awaiting-conclusion' }),
    },
    {
      name: 'AWAIT after a failed desktop update',
      state: 'failed',
      installed: OLDER,
      expected: (s) => ({ command: 'AWAIT', sessionId: s, reason: 'update-failed' }),
    },
    {
      name: 'REACTIVATE once the admin reactivated the devices',
      state: 'reactivated',
      installed: OLDER,
      expected: (s) => ({ command: 'REACTIVATE', sessionId: s }),
    },
    { name: 'NONE outside a session on the desktop version', installed: DESKTOP, expected: () => ({ command: 'NONE' }) },
    {
      name: 'UPDATE outside a session on an older version (DEV-6)',
      installed: OLDER,
      expected: () => ({ command: 'UPDATE', version: DESKTOP }),
    },
    {
      name: 'UPDATE (a downgrade) outside a session on a newer version (DEV-6)',
      installed: NEWER,
      expected: () => ({ command: 'UPDATE', version: DESKTOP }),
    },
    {
      name: 'UPDATE after a concluded session when the device was left behind',
      state: 'concluded',
      installed: OLDER,
      expected: () => ({ command: 'UPDATE', version: DESKTOP }),
    },
  ];

  it.each(cases)('$name', async ({ state, installed, device: fields, expected }) => {
    const tenant = await createTenant({ devices: 1, desktopVersion: DESKTOP });
    const device = tenant.devices[0]!;
    const sessionId = state ? await putSession(tenant, state) : '';
    if (fields) await patchDevice(tenant, device, fields(sessionId));
    const res = await checkIn(device, { installedVersion: installed });
    expect(res.status).toBe(200);
    expect(res.body.command).toEqual(expected(sessionId));
    expect(res.body.desktopVersion).toBe(DESKTOP);
    expect(res.body.session).toEqual(state && state !== 'concluded' ? { sessionId, state } : null);
  });

  it('a lost START UPDATE push changes nothing: every check-in still says LOCK until the device reports its unsent data', async () => {
    const tenant = await createTenant({ devices: 1, desktopVersion: DESKTOP });
    const device = tenant.devices[0]!;
    // The admin sent START UPDATE; FCM never delivered it (no ack, Notification sent ✗).
    const sessionId = await putSession(tenant, 'preparing');
    for (let i = 0; i < 3; i++) {
      const res = await checkIn(device);
      expect(res.body.command).toEqual({ command: 'LOCK', sessionId });
    }
    expect((await deviceRow(tenant, device)).startAckSessionId).toBeUndefined();

    // Found at check-in, the device confirms, locks and sends its data like after a push.
    expect((await call(device, '/v1/device/ack', { sessionId, command: 'START_UPDATE' })).status).toBe(200);
    expect((await call(device, '/v1/device/locked', { sessionId })).status).toBe(200);
    expect((await checkIn(device)).body.command).toEqual({ command: 'LOCK', sessionId });
    expect((await call(device, '/v1/device/unsent-data-sent', { sessionId })).status).toBe(200);
    expect((await checkIn(device)).body.command).toEqual({ command: 'AWAIT', sessionId, reason: 'awaiting-desktop' });
  });
});

describe('check-in records what the device reports (DEV-1, SES-1)', () => {
  it('records last check-in, installed version, last sync and push token, and creates the SNS endpoint only for a new token', async () => {
    const tenant = await createTenant({ devices: 1, desktopVersion: DESKTOP });
    const device = tenant.devices[0]!;
    const send = vi.spyOn(sns, 'send');
    const token = `fcm-${randomUUID()}`;
    const before = Date.now();

    const first = await checkIn(device, { installedVersion: OLDER, pushToken: token, lastSyncAt: '2025-05-01T08:30:00Z' });
    expect(first.status).toBe(200);
    const row = await deviceRow(tenant, device);
    expect(row).toMatchObject({
      installedVersion: OLDER,
      lastSyncAt: '2025-05-01T08:30:00Z',
      pushToken: token,
      notificationsEnabled: true,
      endpointToken: token,
    });
    expect(Date.parse(row.lastCheckInAt)).toBeGreaterThanOrEqual(before - 1000);
    expect(row.endpointArn).toMatch(/^arn:aws:sns:.*:endpoint\//);
    expect(send.mock.calls.length).toBeGreaterThan(0);

    // Same token, endpoint known: no SNS call at all.
    send.mockClear();
    expect((await checkIn(device, { installedVersion: OLDER, pushToken: token })).status).toBe(200);
    expect(send).not.toHaveBeenCalled();
    expect((await deviceRow(tenant, device)).lastSyncAt).toBe('2025-05-01T08:30:00Z');

    // A new token (app reinstalled, token rotated): the same endpoint is repaired to carry it.
    const rotated = `fcm-${randomUUID()}`;
    expect((await checkIn(device, { installedVersion: OLDER, pushToken: rotated })).status).toBe(200);
    expect(send).toHaveBeenCalled();
    expect(await deviceRow(tenant, device)).toMatchObject({ pushToken: rotated, endpointToken: rotated, endpointArn: row.endpointArn });

    // No token any more (notifications not allowed): Notifications enabled ✗.
    const none = await checkIn(device, { installedVersion: OLDER, pushToken: null });
    expect(none.status).toBe(200);
    const after = await deviceRow(tenant, device);
    expect(after.notificationsEnabled).toBe(false);
    expect(after.pushToken).toBeUndefined();
  });

  it('keeps Notifications enabled and the token when a check-in leaves pushToken out; only an explicit null turns them off', async () => {
    const tenant = await createTenant({ devices: 1, desktopVersion: DESKTOP });
    const device = tenant.devices[0]!;
    const token = `fcm-${randomUUID()}`;
    expect((await checkIn(device, { installedVersion: DESKTOP, pushToken: token })).status).toBe(200);
    const registered = await deviceRow(tenant, device);

    // The optional field left out: the device said nothing about its token this time.
    expect((await checkIn(device, { installedVersion: DESKTOP, lastSyncAt: '2025-05-01T08:30:00Z' })).status).toBe(200);
    expect(await deviceRow(tenant, device)).toMatchObject({
      pushToken: token,
      notificationsEnabled: true,
      endpointArn: registered.endpointArn,
      lastSyncAt: '2025-05-01T08:30:00Z',
    });
    const grid = await api.call('GET', '/v1/desktop/update', { auth: await api.login(tenant, 'admin') });
    expect(grid.body.rows[0].notificationsEnabled).toBe(true);

    // Explicitly none: Notifications enabled ✗ and the token forgotten.
    expect((await checkIn(device, { installedVersion: DESKTOP, pushToken: null })).status).toBe(200);
    const off = await deviceRow(tenant, device);
    expect(off.notificationsEnabled).toBe(false);
    expect(off.pushToken).toBeUndefined();
  });

  it('never fails a check-in for SNS trouble: it notes the problem once and retries at the next check-in', async () => {
    const tenant = await createTenant({ devices: 1, desktopVersion: DESKTOP });
    const device = tenant.devices[0]!;
    const outage = Object.assign(new Error('Service Unavailable'), { name: 'InternalErrorException' });
    const send = vi.spyOn(sns, 'send').mockRejectedValue(outage as never);
    const token = `fcm-${randomUUID()}`;

    for (let i = 0; i < 2; i++) {
      const res = await checkIn(device, { installedVersion: DESKTOP, pushToken: token });
      expect(res.status).toBe(200);
      expect(res.body.command).toEqual({ command: 'NONE' });
    }
    const failed = await deviceRow(tenant, device);
    expect(failed.pushToken).toBe(token);
    expect(failed.endpointArn).toBeUndefined();
    expect(failed.notes).toHaveLength(1);
    expect(failed.notes[0]).toMatch(/notifiche push non riuscita \(InternalError\).*Push notification registration failed/);

    send.mockRestore();
    expect((await checkIn(device, { installedVersion: DESKTOP, pushToken: token })).status).toBe(200);
    expect((await deviceRow(tenant, device)).endpointArn).toMatch(/:endpoint\//);
  });

  it('rejects bad input with 400 naming the field', async () => {
    const tenant = await createTenant({ devices: 1, desktopVersion: DESKTOP });
    const device = tenant.devices[0]!;
    const res = await checkIn(device, { installedVersion: DESKTOP, lastSyncAt: 'yesterday' });
    expect(res.status).toBe(400);
    expect(res.body.issues.map((i: { field: string }) => i.field)).toEqual(['lastSyncAt']);
    const missing = await checkIn(device, { pushToken: 'x' });
    expect(missing.status).toBe(400);
    expect(missing.body.issues[0].field).toBe('installedVersion');
  });
});
