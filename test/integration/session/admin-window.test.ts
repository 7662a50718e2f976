import { GetObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { s3 } from '../../../shared/aws/s3';
import { bucketName } from '../../../shared/config';
import { TestApi } from '../../fixtures/api';
import { staffAuth } from '../../fixtures/sign-in';
import { readyTenant, setDeviceFields } from '../../fixtures/session';

// This file owns the 97.xx range of the shared test catalog.
const FROM = '97.00.00_001';
const TO = '97.00.00_002';

let api: TestApi;
beforeAll(async () => {
  api = await TestApi.start();
});
afterAll(() => api.close());

const post = (auth: string, path: string, body?: unknown) => api.call('POST', `/v1/desktop/update${path}`, { auth, body });
const gridOf = (auth: string, query = '') => api.call('GET', `/v1/desktop/update${query}`, { auth });

async function openSession(devices = 3) {
  const ctx = await readyTenant(api, FROM, TO, devices);
  const opened = await post(ctx.admin, '/start-update-push');
  expect(opened.status).toBe(200);
  return { ...ctx, sessionId: opened.body.session.sessionId as string, opened };
}

async function markAllAwaiting(customerId: string, serials: string[], sessionId: string) {
  for (const serial of serials)
    await setDeviceFields(customerId, serial, { awaitingSessionId: sessionId, blocked: true, startAckSessionId: sessionId });
}

describe('admin window: phase 1 (SES-1…5)', () => {
  it('opens the session with the first START UPDATE and answers a per-device summary', async () => {
    const { opened, tenant } = await openSession();
    expect(opened.body.session).toMatchObject({ state: 'preparing', targetVersion: TO, forced: false });
    expect(opened.body.summary.devices).toHaveLength(3);
    // Test devices have no push token yet: the summary says what to do, the batch does not fail.
    expect(opened.body.summary.devices[0]).toMatchObject({ outcome: 'no-token' });
    expect(opened.body.summary.devices[0].message.it).toMatch(/mOphas mobile/);
    // Every workstation now sees the yellow "update in progress" notice (SES-4).
    const feed = await api.call('GET', `/v1/desktop/feed?installed=${FROM}`, { auth: `Desktop ${tenant.desktopCredential}` });
    expect(JSON.parse(feed.body.answer.payload).notice.kind).toBe('update-in-progress');
  });

  it('refuses to open a session before the installer is downloaded and verified', async () => {
    const { createTenant } = await import('../../fixtures/tenant');
    const tenant = await createTenant({ devices: 1, desktopVersion: FROM });
    const admin = await api.login(tenant, 'admin');
    const res = await post(admin, '/start-update-push');
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('DOWNLOAD_NOT_VERIFIED');
  });

  it('shows every SES-1 column, hides Installed version before phase 3, and answers 304 to an unchanged poll', async () => {
    const { admin } = await openSession();
    const first = await gridOf(admin);
    expect(first.status).toBe(200);
    expect(Object.keys(first.body.rows[0]).sort()).toEqual(
      [
        'serial',
        'device',
        'operator',
        'phone',
        'lastSync',
        'notificationsEnabled',
        'notificationSent',
        'blocked',
        'awaitingUpdate',
        'notes',
        'notOnDesktopVersion',
      ].sort(),
    );
    expect(first.body.buttons).toEqual({ startUpdate: false, forceUpdate: true });
    const etag = first.headers.get('etag')!;
    const again = await api.call('GET', '/v1/desktop/update', { auth: admin, headers: { 'if-none-match': etag } });
    expect(again.status).toBe(304);
  });

  it('refuses Start update while a device is not awaiting, then starts when all are', async () => {
    const { admin, tenant, sessionId } = await openSession();
    const refused = await post(admin, '/start');
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ code: 'DEVICES_NOT_AWAITING', session: { state: 'preparing' } });
    expect(refused.body.allowedActions).toContain('force-update');
    await markAllAwaiting(
      tenant.customerId,
      tenant.devices.map((d) => d.serial),
      sessionId,
    );
    const grid = await gridOf(admin);
    expect(grid.body.buttons).toEqual({ startUpdate: true, forceUpdate: false });
    expect(
      grid.body.rows.every((r: { awaitingUpdate: boolean; notificationSent: boolean }) => r.awaitingUpdate && r.notificationSent),
    ).toBe(true);
    const started = await post(admin, '/start');
    expect(started.status).toBe(200);
    expect(started.body.session.state).toBe('updating');
  });

  it('forces with double authorisation; a confirmation made stale by another action is refused', async () => {
    const { admin, tenant, sessionId } = await openSession();
    await setDeviceFields(tenant.customerId, tenant.devices[0]!.serial, { awaitingSessionId: sessionId });
    const step1 = await post(admin, '/force');
    expect(step1.body).toMatchObject({ confirmationRequired: true });
    expect(step1.body.notAwaiting.map((d: { serial: string }) => d.serial).sort()).toEqual(
      tenant.devices
        .slice(1)
        .map((d) => d.serial)
        .sort(),
    );
    expect(step1.body.warning.it).toMatch(/perdere i dati/);
    // Another START UPDATE resend moves the session on: the first confirmation is stale.
    await post(admin, '/start-update-push', { serial: tenant.devices[1]!.serial });
    const stale = await post(admin, '/force', { confirmToken: step1.body.confirmToken });
    expect(stale.status).toBe(409);
    expect(stale.body.code).toBe('STALE_CONFIRMATION');
    const fresh = await post(admin, '/force');
    const forced = await post(admin, '/force', { confirmToken: fresh.body.confirmToken });
    expect(forced.status).toBe(200);
    expect(forced.body.session).toMatchObject({ state: 'updating', forced: true });
    const { getDevice } = await import('../../../shared/db/devices');
    const silent = await getDevice(tenant.customerId, tenant.devices[2]!.serial);
    expect(silent!.notes!.at(-1)).toMatch(/forzato.*forced/i);
  });

  it('answers 409 with the phase and allowed actions for an action the phase does not allow', async () => {
    const { admin } = await openSession();
    const res = await post(admin, '/conclude');
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ code: 'ACTION_NOT_ALLOWED', session: { state: 'preparing' } });
    expect(res.body.allowedActions).toEqual(['send-start-update', 'start-update', 'force-update', 'disable-device']);
  });
});

describe('admin window: phases 2 and 3, and failure (SES-6…10)', () => {
  async function updating(devices = 2) {
    const ctx = await openSession(devices);
    await markAllAwaiting(
      ctx.tenant.customerId,
      ctx.tenant.devices.map((d) => d.serial),
      ctx.sessionId,
    );
    expect((await post(ctx.admin, '/start')).status).toBe(200);
    return ctx;
  }

  it('moves to phase 3 on the desktop success, shows Installed version and red rows, filters, and concludes with a second confirmation', async () => {
    const { admin, tenant } = await updating(2);
    const wrong = await post(admin, '/outcome', { result: 'success', version: FROM });
    expect(wrong.status).toBe(409);
    const ok = await post(admin, '/outcome', { result: 'success', version: TO });
    expect(ok.body.session.state).toBe('mobile-update');
    await setDeviceFields(tenant.customerId, tenant.devices[0]!.serial, { installedVersion: TO });
    const all = await gridOf(admin);
    expect(all.body.desktopVersion).toBe(TO);
    expect(
      all.body.rows
        .map((r: { installedVersion: string; notOnDesktopVersion: boolean }) => [r.installedVersion, r.notOnDesktopVersion])
        .sort(),
    ).toEqual(
      [
        [FROM, true],
        [TO, false],
      ].sort(),
    );
    expect((await gridOf(admin, '?filter=updated')).body.rows).toHaveLength(1);
    expect((await gridOf(admin, '?filter=not-updated')).body.rows[0].serial).toBe(tenant.devices[1]!.serial);
    const end = await post(admin, '/end-update-push');
    expect(end.body.summary.devices).toHaveLength(2);
    const step1 = await post(admin, '/conclude');
    expect(step1.body).toMatchObject({ confirmationRequired: true, notUpdated: [{ serial: tenant.devices[1]!.serial }] });
    const done = await post(admin, '/conclude', { confirmToken: step1.body.confirmToken });
    expect(done.body.session.state).toBe('concluded');
    // The window is closed: its actions are refused, and the feed looks for the next version.
    expect((await post(admin, '/end-update-push')).status).toBe(409);
    const feed = await api.call('GET', `/v1/desktop/feed?installed=${TO}`, { auth: `Desktop ${tenant.desktopCredential}` });
    expect(JSON.parse(feed.body.answer.payload).notice.kind).not.toBe('desktop-updated');
  });

  it('records an abnormal termination with its log, shows red, sends ERROR UPDATE and refuses a retry', async () => {
    const { admin, tenant } = await updating(2);
    const failed = await post(admin, '/outcome', {
      result: 'failed',
      log: 'UPGRADE PROGRAM: TERMINATA IN MODO ANOMALO\nstep 7/9',
      message: 'installer exit code 3',
    });
    expect(failed.body.session.state).toBe('failed');
    const feed = await api.call('GET', `/v1/desktop/feed?installed=${FROM}`, { auth: `Desktop ${tenant.desktopCredential}` });
    expect(JSON.parse(feed.body.answer.payload).notice.kind).toBe('update-failed');
    const { getSession } = await import('../../../shared/db/session');
    const session = await getSession(tenant.customerId);
    const log = await s3.send(new GetObjectCommand({ Bucket: bucketName(), Key: session.failureLogKey! }));
    expect(await log.Body!.transformToString()).toContain('TERMINATA IN MODO ANOMALO');
    expect((await post(admin, '/start-update-push')).status).toBe(409);
    const reactivated = await post(admin, '/reactivate');
    expect(reactivated.body.session.state).toBe('reactivated');
    // These devices have no push token: nothing reached them, so they stay Blocked until unlocked (SES-10).
    expect((await gridOf(admin)).body.rows.every((r: { blocked: boolean }) => r.blocked)).toBe(true);
    // Send report to support: a case with the session's details, once; support sees the failed update and the case.
    const report = await post(admin, '/report', { message: 'The installer stopped at step 7.' });
    expect(report.status).toBe(200);
    expect((await post(admin, '/report')).body.code).toBe('ALREADY_REPORTED');
    const list = await api.call('GET', '/v1/support/failed-updates', { auth: await staffAuth() });
    expect(JSON.stringify(list.body)).toContain(tenant.customerId);
    const cases = await api.call('GET', '/v1/support/cases?limit=100', { auth: await staffAuth() });
    const filed = cases.body.cases.find((c: { caseId: string }) => c.caseId === report.body.caseId);
    expect(filed).toMatchObject({ customerId: tenant.customerId, targetVersion: TO, failureLogKey: session.failureLogKey });
  });

  it('disables a device with a double confirmation: it leaves the grid and can be re-enabled', async () => {
    const { admin, tenant } = await updating(2);
    const serial = tenant.devices[0]!.serial;
    const step1 = await api.call('POST', `/v1/desktop/devices/${serial}/disable`, { auth: admin });
    expect(step1.body.confirmationRequired).toBe(true);
    const done = await api.call('POST', `/v1/desktop/devices/${serial}/disable`, {
      auth: admin,
      body: { confirmToken: step1.body.confirmToken },
    });
    expect(done.body).toEqual({ serial, enabled: false });
    expect((await gridOf(admin)).body.rows.map((r: { serial: string }) => r.serial)).not.toContain(serial);
    // Its credential is revoked with the Enabled flag: it stops on every device route.
    expect((await api.call('GET', '/v1/device/package', { auth: `Device ${tenant.devices[0]!.credential}` })).status).toBe(401);
    await api.call('POST', `/v1/desktop/devices/${serial}/enable`, { auth: admin });
    expect((await gridOf(admin)).body.rows.map((r: { serial: string }) => r.serial)).toContain(serial);
  });
});

describe('race-free transitions (SES-11)', () => {
  it('applies exactly one of 50 concurrent Start update requests and audits exactly that one', async () => {
    const { admin, tenant, sessionId } = await openSession(2);
    await markAllAwaiting(
      tenant.customerId,
      tenant.devices.map((d) => d.serial),
      sessionId,
    );
    const results = await Promise.all(Array.from({ length: 50 }, () => post(admin, '/start')));
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(49);
    for (const r of results.filter((x) => x.status === 409)) expect(r.body.session.state).toMatch(/preparing|updating/);
    const audit = await api.call('GET', `/v1/support/customers/${tenant.customerId}/audit?action=session.start-update&limit=500`, {
      auth: await staffAuth(),
    });
    expect(audit.body.entries).toHaveLength(1);
    expect(audit.body.entries[0]).toMatchObject({ fromState: 'preparing', toState: 'updating', actor: { kind: 'user', id: 'admin' } });
  });

  it('opens exactly one session from 20 concurrent first START UPDATE pushes', async () => {
    const { admin, tenant } = await readyTenant(api, FROM, TO, 1);
    const results = await Promise.all(Array.from({ length: 20 }, () => post(admin, '/start-update-push')));
    const opened = new Set(results.filter((r) => r.status === 200).map((r) => r.body.session.sessionId));
    expect(opened.size).toBe(1);
    const audit = await api.call('GET', `/v1/support/customers/${tenant.customerId}/audit?action=session.send-start-update&limit=500`, {
      auth: await staffAuth(),
    });
    const fromAvailable = audit.body.entries.filter((e: { fromState: string }) => e.fromState === 'available');
    expect(fromAvailable).toHaveLength(1);
    expect(audit.body.entries).toHaveLength(results.filter((r) => r.status === 200).length);
  });
});
