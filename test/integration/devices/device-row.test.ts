import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeCode1, makeCode3 } from '../../../shared/codes/lock-exchange';
import { appendDeviceNote, DEVICE_ATTRIBUTES, getDevice, listDevices, MAX_DEVICE_NOTES } from '../../../shared/db/devices';
import { TestApi } from '../../fixtures/api';
import { readyTenant, setDeviceFields } from '../../fixtures/session';
import { authoriseTestTablet, licenceCodeFor, type Tenant, type TestDevice } from '../../fixtures/tenant';

/*
 * The device row has one owner (shared/db/devices.ts): every attribute any route
 * stores is declared there, and grid notes are trimmed in the call that appends them.
 */
// This file owns the 62.xx range of the shared test catalog.
const FROM = '62.00.00_001';
const TO = '62.00.00_002';

let api: TestApi;
beforeAll(async () => {
  api = await TestApi.start();
});
afterAll(() => api.close());

const desk = (admin: string) => ({
  post: (path: string, body?: unknown) => api.call('POST', `/v1/desktop/update${path}`, { auth: admin, body }),
  device: (serial: string, path: string, body?: unknown) =>
    api.call('POST', `/v1/desktop/devices/${serial}/${path}`, { auth: admin, body }),
});
const device = (credential: string) => (path: string, body: unknown) =>
  api.call('POST', `/v1/device/${path}`, { auth: `Device ${credential}`, body });

/** GENERA + VERIFICA for `action`, playing the operator's side with the device's secret (LOCK-1). */
async function phoneExchange(admin: string, d: TestDevice, action: 'lock' | 'unlock') {
  const code1 = makeCode1(action);
  const code2 = await desk(admin).device(d.serial, 'lock-exchange', { action, code1: code1.formatted });
  expect(code2.status).toBe(200);
  const code3 = makeCode3(d.lockSecret, d.serial, code1.data, code2.body.code2);
  const verified = await desk(admin).device(d.serial, 'lock-exchange/verify', { code3 });
  expect(verified.status).toBe(200);
}

/** Forces the update past a device that is not awaiting (two calls, SES-5). */
async function force(admin: string) {
  const step1 = await desk(admin).post('/force');
  expect(step1.body.confirmationRequired).toBe(true);
  expect((await desk(admin).post('/force', { confirmToken: step1.body.confirmToken })).status).toBe(200);
}

const attributesOf = async (tenant: Tenant) =>
  new Set((await listDevices(tenant.customerId)).flatMap((row) => Object.keys(row).filter((k) => !['pk', 'sk', 'type'].includes(k))));

describe('the device row (one owner)', () => {
  it('stores on a device row only the attributes its owner declares, whichever route writes it', async () => {
    // Phase 1 → 3: registration with a token, check-in, START UPDATE, reports, a phone lock, force, END UPDATE.
    const happy = await readyTenant(api, FROM, TO, 2);
    const licenceCode = await licenceCodeFor(happy.tenant.customerId);
    // Authorised by the office first (tablet authorisation management), then registered.
    const serial = await authoriseTestTablet(happy.tenant.customerId);
    const registered = await api.call('POST', '/v1/device/register', {
      body: { serial, licenceCode, model: 'Zebra TC52', installedVersion: FROM, pushToken: `fcm-row-${randomUUID().slice(0, 8)}` },
    });
    expect(registered.status).toBe(201);
    const mine = device(registered.body.credential);
    expect((await mine('check-in', { installedVersion: FROM, lastSyncAt: new Date().toISOString() })).status).toBe(200);
    const opened = await desk(happy.admin).post('/start-update-push');
    const sessionId = opened.body.session.sessionId as string;
    for (const report of ['ack', 'locked', 'unsent-data-sent']) {
      expect((await mine(report, { sessionId, command: report === 'ack' ? 'START_UPDATE' : undefined })).status).toBe(200);
    }
    await phoneExchange(happy.admin, happy.tenant.devices[0]!, 'lock');
    await force(happy.admin);
    expect((await desk(happy.admin).post('/outcome', { result: 'success', version: TO })).status).toBe(200);
    expect((await desk(happy.admin).post('/end-update-push')).status).toBe(200);
    expect((await mine('ack', { sessionId, command: 'END_UPDATE' })).status).toBe(200);
    expect((await mine('installed', { version: TO })).status).toBe(200);
    const other = happy.tenant.devices[1]!.serial;
    const disable = await desk(happy.admin).device(other, 'disable');
    expect((await desk(happy.admin).device(other, 'disable', { confirmToken: disable.body.confirmToken })).status).toBe(200);
    expect((await desk(happy.admin).device(other, 'enable')).status).toBe(200);

    // An abnormal termination: reactivation and its acknowledgement.
    const failed = await readyTenant(api, FROM, TO, 1);
    const failedSession = (await desk(failed.admin).post('/start-update-push')).body.session.sessionId as string;
    await force(failed.admin);
    expect((await desk(failed.admin).post('/outcome', { result: 'failed', log: 'TERMINATA IN MODO ANOMALO' })).status).toBe(200);
    expect((await desk(failed.admin).post('/reactivate')).status).toBe(200);
    const reactivated = device(failed.tenant.devices[0]!.credential);
    expect((await reactivated('ack', { sessionId: failedSession, command: 'ERROR_UPDATE' })).status).toBe(200);

    const stored = new Set([...(await attributesOf(happy.tenant)), ...(await attributesOf(failed.tenant))]);
    // The attributes that used to be written without being declared are among them.
    for (const attribute of ['endpointToken', 'pushSessionId', 'endAckSessionId', 'errorAckSessionId']) expect(stored).toContain(attribute);
    expect([...stored].filter((a) => !(DEVICE_ATTRIBUTES as readonly string[]).includes(a))).toEqual([]);
  });

  it('keeps the last 10 notes in the same call that appends one, on every path that writes a note', async () => {
    const { tenant, admin } = await readyTenant(api, FROM, TO, 3);
    const old = Array.from({ length: MAX_DEVICE_NOTES }, (_, i) => `2020-01-01 00:0${i} UTC vecchia nota ${i} / old note ${i}`);
    for (const d of tenant.devices) await setDeviceFields(tenant.customerId, d.serial, { notes: old });
    const [pushed, reporting, phoned] = tenant.devices as [TestDevice, TestDevice, TestDevice];

    // START UPDATE: the test devices have no push token, so each outcome write appends a note.
    const sessionId = (await desk(admin).post('/start-update-push')).body.session.sessionId as string;
    // A device report (a transaction with the session check and the audit entry).
    expect((await device(reporting.credential)('locked', { sessionId })).status).toBe(200);
    // The phone lock (a transaction with the exchange and the audit entry).
    await phoneExchange(admin, phoned, 'lock');

    const notes = async (d: TestDevice) => (await getDevice(tenant.customerId, d.serial, { consistent: true }))!.notes!;
    expect(await notes(pushed)).toHaveLength(MAX_DEVICE_NOTES);
    expect((await notes(pushed)).at(-1)).toMatch(/START UPDATE: Nessun token push/);
    expect(await notes(reporting)).toHaveLength(MAX_DEVICE_NOTES);
    expect((await notes(reporting)).slice(0, -2)).toEqual(old.slice(2));
    expect((await notes(reporting)).at(-1)).toMatch(/Dispositivo bloccato \(START UPDATE\)/);
    expect(await notes(phoned)).toHaveLength(MAX_DEVICE_NOTES);
    expect((await notes(phoned)).at(-1)).toMatch(/Bloccato manualmente/);
  });

  it('never keeps more than 10 notes when several writers append at the same moment', async () => {
    const { tenant } = await readyTenant(api, FROM, TO, 1);
    const serial = tenant.devices[0]!.serial;
    const old = Array.from({ length: MAX_DEVICE_NOTES }, (_, i) => `old note ${i}`);
    await setDeviceFields(tenant.customerId, serial, { notes: old });
    const fresh = Array.from({ length: 8 }, (_, i) => ({ it: `nota ${i}`, en: `note ${i}` }));

    await Promise.all(fresh.map((note) => appendDeviceNote(tenant.customerId, serial, note)));

    const notes = (await getDevice(tenant.customerId, serial, { consistent: true }))!.notes!;
    expect(notes).toHaveLength(MAX_DEVICE_NOTES);
    expect(notes.slice(0, 2)).toEqual(old.slice(8));
    for (const note of fresh) expect(notes.some((n) => n.endsWith(`${note.it} / ${note.en}`))).toBe(true);
  });

  it('writes every grid note in one form: the time of the event, then Italian / English', async () => {
    const { tenant, admin } = await readyTenant(api, FROM, TO, 3);
    const [pushed, reporting, phoned] = tenant.devices as [TestDevice, TestDevice, TestDevice];
    const before = new Date();
    // A push outcome, device reports, the phone lock, a forced update, a phone unlock, re-opened registration.
    const sessionId = (await desk(admin).post('/start-update-push')).body.session.sessionId as string;
    expect((await device(reporting.credential)('locked', { sessionId })).status).toBe(200);
    expect((await device(reporting.credential)('unsent-data-sent', { sessionId })).status).toBe(200);
    await phoneExchange(admin, phoned, 'lock');
    await force(admin);
    await phoneExchange(admin, phoned, 'unlock');
    expect((await desk(admin).device(pushed.serial, 'enable')).status).toBe(200);
    const after = new Date();

    const notes = (await listDevices(tenant.customerId)).flatMap((d) => d.notes ?? []);
    expect(notes.length).toBeGreaterThanOrEqual(9);
    const minute = (d: Date) => d.toISOString().slice(0, 16).replace('T', ' ');
    for (const note of notes) {
      const form = /^(\d{4}-\d{2}-\d{2} \d{2}:\d{2}) UTC (.+) \/ (.+)$/.exec(note);
      expect(form, note).not.toBeNull();
      expect(form![1]! >= minute(before) && form![1]! <= minute(after), note).toBe(true);
      // Italian first, then English.
      expect(form![2], note).not.toBe(form![3]);
    }
    expect(notes).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/ UTC START UPDATE: Nessun token push.* \/ START UPDATE: No push token/),
        expect.stringMatching(/ UTC Bloccato manualmente \(procedura telefonica\) \/ Blocked manually \(phone procedure\)$/),
        expect.stringMatching(/ UTC Sbloccato manualmente \(procedura telefonica\) \/ Unblocked manually \(phone procedure\)$/),
        expect.stringMatching(/ UTC Aggiornamento forzato .* \/ Update forced /),
      ]),
    );
  });
});
