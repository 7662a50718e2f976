import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveRoute, routeKey } from '../../../shared/api';
import { checkResponse } from '../../../shared/api/check-response';
import { makeCode1, makeCode3, verifyCode2 } from '../../../shared/codes/lock-exchange';
import { TestApi } from '../../fixtures/api';
import { staffAuth } from '../../fixtures/sign-in';
import { ensureRelease, readyTenant } from '../../fixtures/session';
import type { Tenant, TestDevice } from '../../fixtures/tenant';

/*
 * The manual's three paths, end to end through the public API only: the admin's
 * window (SERVER workstation), the devices' own calls, the feed and support.
 */
const FROM = '95.00.00_001';
const TO = '95.00.00_002';

let api: TestApi;
/** Every answer of the paths, checked against its route's contract (errors included). */
const answers: { route: string; status: number; problems: string[] }[] = [];
beforeAll(async () => {
  api = await TestApi.start();
  const call = api.call.bind(api);
  api.call = async (method, path, options) => {
    const res = await call(method, path, options);
    const resolved = resolveRoute(method, new URL(path, 'http://api').pathname);
    answers.push({
      route: resolved.route ? routeKey(resolved.route) : `$default ${method} ${path}`,
      status: res.status,
      problems: checkResponse(resolved.route, res.status, res.body),
    });
    return res;
  };
});
afterAll(() => api.close());

const admin = (ctx: { admin: string }) => ({
  post: (path: string, body?: unknown) => api.call('POST', `/v1/desktop/update${path}`, { auth: ctx.admin, body }),
  grid: async (filter = 'all') => (await api.call('GET', `/v1/desktop/update?filter=${filter}`, { auth: ctx.admin })).body,
});

/** A simulated operator's device, using only the device API. */
const operator = (device: TestDevice) => {
  const auth = `Device ${device.credential}`;
  const call = (path: string, body: unknown) => api.call('POST', `/v1/device/${path}`, { auth, body });
  return {
    device,
    checkIn: async (installedVersion: string) => (await call('check-in', { installedVersion, lastSyncAt: new Date().toISOString() })).body,
    ack: (sessionId: string, command = 'START_UPDATE') => call('ack', { sessionId, command }),
    lock: (sessionId: string) => call('locked', { sessionId }),
    sendUnsentData: (sessionId: string) => call('unsent-data-sent', { sessionId }),
    installed: (version: string) => call('installed', { version }),
    package: () => api.call('GET', '/v1/device/package', { auth }),
  };
};

/** What a device does on START UPDATE (push or check-in): confirm, lock, send unsent data (DEV-2). */
async function obeyStartUpdate(op: ReturnType<typeof operator>, version: string) {
  const owed = await op.checkIn(version);
  expect(owed.command.command).toBe('LOCK');
  const sessionId = owed.command.sessionId as string;
  expect((await op.ack(sessionId)).status).toBe(200);
  expect((await op.lock(sessionId)).status).toBe(200);
  expect((await op.sendUnsentData(sessionId)).status).toBe(200);
  expect((await op.checkIn(version)).command.command).toBe('AWAIT');
}

/** After END UPDATE: download the mobile package of the desktop's version, check it, install, report (DEV-5). */
async function updateDevice(op: ReturnType<typeof operator>, from: string) {
  const owed = await op.checkIn(from);
  expect(owed.command).toMatchObject({ command: 'UPDATE', version: TO });
  const pkg = await op.package();
  expect(pkg.status).toBe(200);
  const bytes = Buffer.from(await (await fetch(pkg.body.url)).arrayBuffer());
  expect(createHash('sha256').update(bytes).digest('hex')).toBe(pkg.body.sha256);
  expect((await op.installed(TO)).status).toBe(200);
}

const noticeOf = async (tenant: Tenant, installed: string) =>
  JSON.parse(
    (await api.call('GET', `/v1/desktop/feed?installed=${installed}`, { auth: `Desktop ${tenant.desktopCredential}` })).body.answer.payload,
  ).notice.kind;

describe('the manual, end to end', () => {
  it('happy path: every device locks and sends its data, the desktop updates, devices update, the update is concluded', async () => {
    await ensureRelease(FROM);
    const ctx = await readyTenant(api, FROM, TO, 3);
    const win = admin(ctx);
    const ops = ctx.tenant.devices.map(operator);
    expect(await noticeOf(ctx.tenant, FROM)).toBe('update-ready');

    const opened = await win.post('/start-update-push');
    expect(opened.body.session.state).toBe('preparing');
    expect(await noticeOf(ctx.tenant, FROM)).toBe('update-in-progress');
    for (const op of ops) await obeyStartUpdate(op, FROM);
    const ready = await win.grid();
    expect(ready.buttons).toEqual({ startUpdate: true, forceUpdate: false });
    expect(
      ready.rows.every(
        (r: { notificationSent: boolean; blocked: boolean; awaitingUpdate: boolean }) =>
          r.notificationSent && r.blocked && r.awaitingUpdate,
      ),
    ).toBe(true);

    expect((await win.post('/start')).body.session.state).toBe('updating');
    // A device asking for the update too early is told to wait (DEV-4).
    expect((await ops[0]!.package()).body.code).toBe('UPDATE_IN_PREPARATION');
    expect((await win.post('/outcome', { result: 'success', version: TO })).body.session.state).toBe('mobile-update');
    expect(await noticeOf(ctx.tenant, TO)).toBe('desktop-updated');

    expect((await win.post('/end-update-push')).status).toBe(200);
    for (const op of ops) await updateDevice(op, FROM);
    const phase3 = await win.grid('not-updated');
    expect(phase3.rows).toHaveLength(0);
    // Updated devices wait for the conclusion, then resume normal work.
    expect((await ops[0]!.checkIn(TO)).command.command).toBe('AWAIT');
    const concluded = await win.post('/conclude');
    expect(concluded.body.session.state).toBe('concluded');
    expect((await ops[0]!.checkIn(TO)).command.command).toBe('NONE');
    // Nothing stays Blocked into the next session.
    const { listDevices } = await import('../../../shared/db/devices');
    expect((await listDevices(ctx.tenant.customerId)).some((d) => d.blocked)).toBe(false);
  });

  it('forced path: one device silent, one locked by phone; the silent one’s late data is refused, then it updates after the conclusion', async () => {
    const ctx = await readyTenant(api, FROM, TO, 3);
    const win = admin(ctx);
    const [normal, silent, phoned] = ctx.tenant.devices.map(operator) as [
      ReturnType<typeof operator>,
      ReturnType<typeof operator>,
      ReturnType<typeof operator>,
    ];
    const opened = await win.post('/start-update-push');
    const sessionId = opened.body.session.sessionId as string;
    await obeyStartUpdate(normal, FROM);

    // The push never reached this device: HQ and the operator lock it by phone (LOCK-1).
    const code1 = makeCode1('lock');
    const genera = await api.call('POST', `/v1/desktop/devices/${phoned.device.serial}/lock-exchange`, {
      auth: ctx.admin,
      body: { action: 'lock', code1: code1.formatted },
    });
    expect(verifyCode2(phoned.device.lockSecret, phoned.device.serial, code1.data, genera.body.code2).ok).toBe(true);
    const code3 = makeCode3(phoned.device.lockSecret, phoned.device.serial, code1.data, genera.body.code2);
    expect(
      (await api.call('POST', `/v1/desktop/devices/${phoned.device.serial}/lock-exchange/verify`, { auth: ctx.admin, body: { code3 } }))
        .body.blocked,
    ).toBe(true);
    expect((await phoned.sendUnsentData(sessionId)).status).toBe(200);

    const grid = await win.grid();
    expect(grid.buttons).toEqual({ startUpdate: false, forceUpdate: true });
    const step1 = await win.post('/force');
    expect(step1.body.notAwaiting.map((d: { serial: string }) => d.serial)).toEqual([silent.device.serial]);
    expect((await win.post('/force', { confirmToken: step1.body.confirmToken })).body.session).toMatchObject({
      state: 'updating',
      forced: true,
    });

    // The silent device wakes up late: its unsent data is refused — the versions differ (DEV-3).
    const late = await silent.sendUnsentData(sessionId);
    expect(late.status).toBe(409);
    expect(late.body.code).toBe('VERSION_MISMATCH');
    expect(late.body.messages.it).toMatch(/versioni/);

    await win.post('/outcome', { result: 'success', version: TO });
    await win.post('/end-update-push');
    await updateDevice(normal, FROM);
    await updateDevice(phoned, FROM);
    const step2 = await win.post('/conclude');
    expect(step2.body.notUpdated.map((d: { serial: string }) => d.serial)).toEqual([silent.device.serial]);
    expect((await win.post('/conclude', { confirmToken: step2.body.confirmToken })).body.session.state).toBe('concluded');
    // Outside the session the silent device is sent to the desktop's version at its next start (DEV-6).
    expect((await silent.checkIn(FROM)).command).toEqual({ command: 'UPDATE', version: TO });
  });

  it('abnormal termination: red notice, devices reactivated, report to support, support resolves, the update can be retried', async () => {
    const ctx = await readyTenant(api, FROM, TO, 2);
    const win = admin(ctx);
    const ops = ctx.tenant.devices.map(operator);
    await win.post('/start-update-push');
    for (const op of ops) await obeyStartUpdate(op, FROM);
    await win.post('/start');
    expect(
      (await win.post('/outcome', { result: 'failed', log: 'TERMINATA IN MODO ANOMALO', message: 'setup exit 3' })).body.session.state,
    ).toBe('failed');
    expect(await noticeOf(ctx.tenant, FROM)).toBe('update-failed');
    expect((await ops[0]!.checkIn(FROM)).command.command).toBe('AWAIT');

    expect((await win.post('/reactivate')).body.session.state).toBe('reactivated');
    const reactivated = await ops[0]!.checkIn(FROM);
    expect(reactivated.command.command).toBe('REACTIVATE');
    // The device that checked in got REACTIVATE and unlocked; the other is still to be unlocked (SES-10).
    const rows = (await win.grid()).rows as { serial: string; blocked: boolean }[];
    expect(rows.find((r) => r.serial === ops[0]!.device.serial)?.blocked).toBe(false);
    expect(rows.find((r) => r.serial === ops[1]!.device.serial)?.blocked).toBe(true);
    const report = await win.post('/report', { message: 'Installer stopped' });
    expect(report.body.caseId).toBeDefined();
    expect(await noticeOf(ctx.tenant, FROM)).toBe('update-failed');
    expect((await win.post('/start-update-push')).body.code).toBe('ACTION_NOT_ALLOWED');

    const resolved = await api.call('POST', `/v1/support/customers/${ctx.tenant.customerId}/session/resolve`, {
      auth: await staffAuth(),
      body: { resolution: 'Antivirus blocked the installer; disabled it.' },
    });
    expect(resolved.status).toBe(200);
    expect(await noticeOf(ctx.tenant, FROM)).toBe('update-ready');
    expect((await ops[0]!.checkIn(FROM)).command.command).toBe('NONE');
    const retry = await win.post('/start-update-push');
    expect(retry.body.session.state).toBe('preparing');
    expect(retry.body.session.sessionId).not.toBe(report.body.session.sessionId);
  });

  it('answered every call of the three paths, errors included, with a body its contract declares', () => {
    expect(answers.filter((a) => a.problems.length > 0)).toEqual([]);
    // The paths really went through the desktop, device and support routes, refusals included.
    expect(new Set(answers.map((a) => a.route)).size).toBeGreaterThan(20);
    expect(answers.filter((a) => a.status >= 400).length).toBeGreaterThanOrEqual(3);
  });
});
