import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeCode1, makeCode3 } from '../../../shared/codes/lock-exchange';
import { TestApi } from '../../fixtures/api';
import { readyTenant, setDeviceFields } from '../../fixtures/session';
import type { TestDevice } from '../../fixtures/tenant';

/*
 * SES-10: after "Riattiva i terminali mobile" the grid is how the admin finds the
 * devices still to unlock by phone ("selezionare la riga corrispondente al
 * dispositivo che non risulta ancora sbloccato"), so a device stays Bloccato until
 * it confirms the reactivation or is unlocked with the phone exchange.
 */
// This file owns the 63.xx range of the shared test catalog.
const FROM = '63.00.00_001';
const TO = '63.00.00_002';

let api: TestApi;
beforeAll(async () => {
  api = await TestApi.start();
});
afterAll(() => api.close());

describe('Riattiva i terminali mobile (SES-10)', () => {
  it('keeps every device the ERROR UPDATE did not reach Blocked until it confirms the reactivation or is unlocked by phone', async () => {
    const { tenant, admin } = await readyTenant(api, FROM, TO, 4);
    const [reached, notStarted, stale, noToken] = tenant.devices as [TestDevice, TestDevice, TestDevice, TestDevice];
    const tag = randomUUID().slice(0, 8);
    // Simulated devices of the local SNS endpoint: delivered, app not started, token no longer valid; the last has none.
    await setDeviceFields(tenant.customerId, reached.serial, { pushToken: `fcm-${tag}`, notificationsEnabled: true });
    await setDeviceFields(tenant.customerId, notStarted.serial, { pushToken: `noapp-${tag}`, notificationsEnabled: true });
    await setDeviceFields(tenant.customerId, stale.serial, { pushToken: `stale-${tag}`, notificationsEnabled: true });

    const window = (path: string, body?: unknown) => api.call('POST', `/v1/desktop/update${path}`, { auth: admin, body });
    const device = (d: TestDevice) => (path: string, body: unknown) =>
      api.call('POST', `/v1/device/${path}`, { auth: `Device ${d.credential}`, body });
    const blocked = async () =>
      Object.fromEntries(
        (await api.call('GET', '/v1/desktop/update', { auth: admin })).body.rows.map((r: { serial: string; blocked: boolean }) => [
          r.serial,
          r.blocked,
        ]),
      );

    // Phase 1: every device locks and sends its data; the desktop update then ends abnormally.
    const sessionId = (await window('/start-update-push')).body.session.sessionId as string;
    for (const d of tenant.devices) expect((await device(d)('unsent-data-sent', { sessionId })).status).toBe(200);
    expect((await window('/start')).body.session.state).toBe('updating');
    expect((await window('/outcome', { result: 'failed', log: 'TERMINATA IN MODO ANOMALO' })).body.session.state).toBe('failed');
    // Before the reactivation a check-in changes nothing: the device waits, locked.
    expect((await device(noToken)('check-in', { installedVersion: FROM })).body.command.command).toBe('AWAIT');

    const reactivated = await window('/reactivate');
    expect(reactivated.body.session.state).toBe('reactivated');
    expect(
      Object.fromEntries(reactivated.body.summary.devices.map((d: { serial: string; outcome: string }) => [d.serial, d.outcome])),
    ).toEqual({
      [reached.serial]: 'sent',
      [notStarted.serial]: 'sent',
      [stale.serial]: 'failed',
      [noToken.serial]: 'no-token',
    });
    // Nobody has confirmed anything yet: every row is still Bloccato.
    expect(Object.values(await blocked())).toEqual([true, true, true, true]);

    // The device the push reached confirms ERROR UPDATE.
    expect((await device(reached)('ack', { sessionId, command: 'ERROR_UPDATE' })).status).toBe(200);
    // The operator starts the app: the check-in answers REACTIVATE, and the device unlocks.
    expect((await device(notStarted)('check-in', { installedVersion: FROM })).body.command).toEqual({ command: 'REACTIVATE', sessionId });
    // The stale token's device is unlocked by phone (SBLOCCO DEVICE, LOCK-1).
    const code1 = makeCode1('unlock');
    const genera = await api.call('POST', `/v1/desktop/devices/${stale.serial}/lock-exchange`, {
      auth: admin,
      body: { action: 'unlock', code1: code1.formatted },
    });
    const code3 = makeCode3(stale.lockSecret, stale.serial, code1.data, genera.body.code2);
    expect(
      (await api.call('POST', `/v1/desktop/devices/${stale.serial}/lock-exchange/verify`, { auth: admin, body: { code3 } })).status,
    ).toBe(200);

    // Only the device nobody reached is left for the phone unlock.
    expect(await blocked()).toEqual({ [reached.serial]: false, [notStarted.serial]: false, [stale.serial]: false, [noToken.serial]: true });
    const notes = Object.fromEntries(
      (await api.call('GET', '/v1/desktop/update', { auth: admin })).body.rows.map((r: { serial: string; notes: string[] }) => [
        r.serial,
        r.notes.at(-1),
      ]),
    );
    expect(notes[reached.serial]).toMatch(/Riattivazione confermata dal dispositivo.* \/ Reactivation confirmed by the device/);
    expect(notes[notStarted.serial]).toMatch(
      /Riattivazione ricevuta dal dispositivo al collegamento \/ Reactivation received by the device at check-in/,
    );
    expect(notes[stale.serial]).toMatch(/Sbloccato manualmente/);
  });
});
