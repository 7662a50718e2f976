import { request } from 'node:http';
import { GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REGISTER_LIMITS } from '../../../functions/devices/registration';
import { ddb } from '../../../shared/aws/dynamodb';
import { tableName } from '../../../shared/config';
import { deviceKey } from '../../../shared/db/devices';
import { auditKeys, credentialKeys } from '../../../shared/db/keys';
import { TestApi } from '../../fixtures/api';
import { staffAuth } from '../../fixtures/sign-in';
import { authoriseTestTablet, createTenant, newSerial, type Tenant } from '../../fixtures/tenant';

const DESKTOP = '03.01.00_030';

let api: TestApi;
let tenant: Tenant;
let licenceCode: string;

const get = async (key: { pk: string; sk: string }) => (await ddb.send(new GetCommand({ TableName: tableName(), Key: key }))).Item;
const deviceRow = (serial: string, customerId = tenant.customerId) => get(deviceKey(customerId, serial));
const credentialId = (token: string) => /^dev_([^.]+)\./.exec(token)![1]!;
const auditOf = async (customerId: string) =>
  (
    await ddb.send(
      new QueryCommand({
        TableName: tableName(),
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': auditKeys.partition(customerId) },
      }),
    )
  ).Items ?? [];

const register = (body: Record<string, unknown>, headers?: Record<string, string>) =>
  api.call('POST', '/v1/device/register', { body, headers });
const checkIn = (credential: string, body: Record<string, unknown> = { installedVersion: DESKTOP }) =>
  api.call('POST', '/v1/device/check-in', { auth: `Device ${credential}`, body });
const support = async (method: string, path: string, body?: unknown) =>
  api.call(method, `/v1/support/customers/${tenant.customerId}${path}`, { auth: await staffAuth(), body });

/**
 * POST /v1/device/register from a given loopback address, so the source address
 * the limits see is this test's own (every test file shares the one emulator).
 */
function registerFrom(localAddress: string, body: Record<string, unknown>): Promise<{ status: number; body: any }> {
  const url = new URL('/v1/device/register', api.gateway.url);
  const payload = JSON.stringify(body);
  return new Promise((ok, fail) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: 'POST',
        localAddress,
        headers: { 'content-type': 'application/json' },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          text += chunk;
        });
        res.on('end', () => ok({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
      },
    );
    req.on('error', fail);
    req.end(payload);
  });
}
const loopbackAddress = () =>
  `127.${1 + Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}.${1 + Math.floor(Math.random() * 250)}`;

beforeAll(async () => {
  api = await TestApi.start();
  tenant = await createTenant({ desktopVersion: DESKTOP });
  licenceCode = tenant.licenceCode;
});
afterAll(() => api.close());

describe('device registration of authorised tablets (DEV-1, DEV-5)', () => {
  it("registers an authorised serial: the office's row is kept, a credential and lock secret are issued, an audit entry written", async () => {
    const serial = await authoriseTestTablet(tenant.customerId);
    const res = await register({ serial, licenceCode, model: 'Galaxy Tab A8', installedVersion: DESKTOP });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      serial,
      registration: 'new',
      credential: expect.stringMatching(/^dev_[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/),
      lockSecret: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      command: { command: 'NONE' },
      session: null,
      desktopVersion: DESKTOP,
    });

    const row = await deviceRow(serial);
    expect(row).toMatchObject({
      serial,
      customerId: tenant.customerId,
      // The Device column comes from tablet authorisation management, not from the tablet.
      model: 'Test Tab',
      operator: { code: 'OPX', name: 'Test', surname: 'Operator' },
      enabled: true,
      blocked: false,
      notes: [],
      installedVersion: DESKTOP,
    });
    expect(row!.lockSecret).toBe(res.body.lockSecret);
    expect(row!.credentialId).toBe(credentialId(res.body.credential));
    const cred = await get(credentialKeys.device(credentialId(res.body.credential)));
    expect(cred).toMatchObject({ customerId: tenant.customerId, serial });
    expect(cred!.secretHash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(cred)).not.toContain(res.body.credential.split('.')[1]);

    // The credential works at once.
    expect((await checkIn(res.body.credential)).status).toBe(200);
    const audit = await auditOf(tenant.customerId);
    expect(audit.filter((a) => a.action === 'device.registered' && a.details.serial === serial)).toEqual([
      expect.objectContaining({ details: expect.objectContaining({ registration: 'new' }) }),
    ]);
  });

  it('refuses a serial nobody authorised, in Italian and English, and writes no row', async () => {
    const serial = newSerial();
    const res = await register({ serial, licenceCode, installedVersion: DESKTOP });
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('DEVICE_NOT_AUTHORISED');
    expect(res.body.messages.it).toMatch(/^Dispositivo non autorizzato: chiedere all'ufficio di abilitarlo/);
    expect(res.body.messages.en).toMatch(/^Device not authorised: ask the office to enable it/);
    expect(await deviceRow(serial)).toBeUndefined();
    const refused = (await auditOf(tenant.customerId)).filter(
      (a) => a.action === 'device.registration.refused' && a.details.serial === serial,
    );
    expect(refused).toEqual([expect.objectContaining({ outcome: 'refused', details: { serial, reason: 'not-authorised' } })]);
    // The licence code is a credential: it is not written in the audit trail.
    expect(JSON.stringify(refused)).not.toContain(licenceCode);
  });

  it('re-registering with its own credential keeps the one row and its flags, issues a new credential and revokes the old one', async () => {
    const serial = await authoriseTestTablet(tenant.customerId);
    const first = await register({ serial, licenceCode, installedVersion: DESKTOP });
    expect(first.status).toBe(201);
    // The device was locked in a session.
    await ddb.send(
      new UpdateCommand({
        TableName: tableName(),
        Key: deviceKey(tenant.customerId, serial),
        UpdateExpression: 'SET blocked = :t, awaitingSessionId = :s',
        ExpressionAttributeValues: { ':t': true, ':s': 'S-old' },
      }),
    );

    const again = await register(
      { serial, licenceCode, installedVersion: '03.02.00_001' },
      { authorization: `Device ${first.body.credential}` },
    );
    expect(again.status).toBe(200);
    expect(again.body.registration).toBe('renewed');
    expect(again.body.credential).not.toBe(first.body.credential);
    expect(again.body.lockSecret).not.toBe(first.body.lockSecret);

    const rows = await ddb.send(
      new QueryCommand({
        TableName: tableName(),
        KeyConditionExpression: 'pk = :pk AND sk = :sk',
        ExpressionAttributeValues: { ':pk': `CUST#${tenant.customerId}`, ':sk': `DEV#${serial}` },
      }),
    );
    expect(rows.Items).toHaveLength(1);
    const row = rows.Items![0]!;
    expect(row).toMatchObject({
      operator: { code: 'OPX', name: 'Test', surname: 'Operator' },
      model: 'Test Tab',
      blocked: true,
      awaitingSessionId: 'S-old',
      enabled: true,
      installedVersion: '03.02.00_001',
      lockSecret: again.body.lockSecret,
      credentialId: credentialId(again.body.credential),
    });
    expect(row.notes.at(-1)).toMatch(/registrato di nuovo.*registered again/i);

    expect(await get(credentialKeys.device(credentialId(first.body.credential)))).toMatchObject({ revoked: true });
    expect((await checkIn(first.body.credential)).status).toBe(401);
    expect((await checkIn(again.body.credential)).status).toBe(200);
  });

  it('refuses an unknown licence code with 401 and no hint of what was wrong', async () => {
    const res = await register({ serial: newSerial(), licenceCode: 'LIC-NOPE-0000', installedVersion: DESKTOP });
    expect(res.status).toBe(401);
    expect(res.body).toEqual({
      code: 'UNAUTHORIZED',
      message: 'Missing or invalid credentials.',
      messages: { en: 'Missing or invalid credentials.', it: 'Credenziali mancanti o non valide.' },
    });
  });

  it('refuses a revoked licence like an unknown one; registered tablets keep working', async () => {
    const other = await createTenant({ devices: 1, desktopVersion: DESKTOP });
    const serial = await authoriseTestTablet(other.customerId);
    const revoked = await api.call('POST', `/v1/support/customers/${other.customerId}/licences/revoke`, {
      auth: await staffAuth(),
      body: { licenceCode: other.licenceCode },
    });
    expect(revoked.status).toBe(200);
    const res = await register({ serial, licenceCode: other.licenceCode, installedVersion: DESKTOP });
    expect(res.status).toBe(401);
    expect((await checkIn(other.devices[0]!.credential)).status).toBe(200);
  });

  it('refuses a disabled tablet with 403 DEVICE_DISABLED in Italian and English', async () => {
    const serial = await authoriseTestTablet(tenant.customerId);
    expect((await support('POST', `/devices/${serial}/disable`)).status).toBe(200);
    const res = await register({ serial, licenceCode, installedVersion: DESKTOP });
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('DEVICE_DISABLED');
    expect(res.body.messages.it).toMatch(/Gestione autorizzazioni tablet/);
    expect(res.body.messages.en).toMatch(/tablet authorisation management/);
    expect((await deviceRow(serial))!.credentialId).toBeUndefined();
  });

  it('stops the credential of a tablet the office disables; once re-enabled it registers again', async () => {
    const serial = await authoriseTestTablet(tenant.customerId);
    const first = await register({ serial, licenceCode, installedVersion: DESKTOP });
    expect((await checkIn(first.body.credential)).status).toBe(200);

    expect((await support('POST', `/devices/${serial}/disable`)).body).toMatchObject({ serial, enabled: false, registered: false });
    expect(await get(credentialKeys.device(credentialId(first.body.credential)))).toMatchObject({
      revoked: true,
      revokedReason: 'device-disabled',
    });
    expect((await checkIn(first.body.credential)).status).toBe(401);
    expect((await api.call('GET', '/v1/device/package', { auth: `Device ${first.body.credential}` })).status).toBe(401);

    expect((await support('POST', `/devices/${serial}/enable`)).body).toMatchObject({ serial, enabled: true, registrationOpen: true });
    // Re-enabling never brings the old credential back: the tablet registers again.
    expect((await checkIn(first.body.credential)).status).toBe(401);
    const again = await register({ serial, licenceCode, installedVersion: DESKTOP });
    expect(again.status).toBe(200);
    expect((await checkIn(again.body.credential)).status).toBe(200);
  });

  it('sends a device registered on a newer version than the desktop to the desktop version (DEV-6 downgrade)', async () => {
    const serial = await authoriseTestTablet(tenant.customerId);
    const res = await register({ serial, licenceCode, installedVersion: '03.01.00_032' });
    expect(res.status).toBe(201);
    expect(res.body.command).toEqual({ command: 'UPDATE', version: DESKTOP });
  });

  it('rejects bad input with 400 naming the field', async () => {
    const badSerial = await register({ serial: '35 12 34', licenceCode, installedVersion: DESKTOP });
    expect(badSerial.status).toBe(400);
    expect(badSerial.body.issues.map((i: { field: string }) => i.field)).toEqual(['serial']);
    const badVersion = await register({ serial: newSerial(), licenceCode, installedVersion: '3.1' });
    expect(badVersion.status).toBe(400);
    expect(badVersion.body.issues[0].field).toBe('installedVersion');
    expect(badVersion.body.message).toMatch(/installedVersion: .*03\.01\.00_030/);
  });

  it('limits the registrations of one tablet to 10 an hour (429 with retry time)', async () => {
    const serial = await authoriseTestTablet(tenant.customerId);
    let credential = '';
    for (let i = 0; i < REGISTER_LIMITS.perDevice.limit; i++) {
      const r = await register(
        { serial, licenceCode, installedVersion: DESKTOP },
        credential ? { authorization: `Device ${credential}` } : undefined,
      );
      expect(r.status).toBeLessThan(300);
      credential = r.body.credential;
    }
    const res = await register({ serial, licenceCode, installedVersion: DESKTOP }, { authorization: `Device ${credential}` });
    expect(res.status).toBe(429);
    expect(res.body.code).toBe('TOO_MANY_REGISTRATIONS');
    expect(res.body.retryAfterSeconds).toBeGreaterThan(0);
    expect(res.body.messages.it).toMatch(/Troppi tentativi di registrazione per questo dispositivo/);
  });

  it('stops a replaced or removed credential at once on every device route, though the function remembers it', async () => {
    const serial = await authoriseTestTablet(tenant.customerId);
    const sessionId = 'S-not-current';
    /** Every device route, with a body each accepts: 401 is the only refusal that is about the credential. */
    const everyRoute = (credential: string) => {
      const auth = `Device ${credential}`;
      return Promise.all([
        checkIn(credential),
        api.call('POST', '/v1/device/ack', { auth, body: { sessionId, command: 'START_UPDATE' } }),
        api.call('POST', '/v1/device/locked', { auth, body: { sessionId } }),
        api.call('POST', '/v1/device/unsent-data-sent', { auth, body: { sessionId } }),
        api.call('POST', '/v1/device/installed', { auth, body: { version: DESKTOP } }),
        api.call('GET', '/v1/device/package', { auth }),
      ]).then((answers) => answers.map((a) => a.status));
    };
    const first = await register({ serial, licenceCode, installedVersion: DESKTOP });
    // Used on every route first, so the function has looked the credential up (and keeps it for minutes):
    // the reports name no current session (409), the package is not published here (409).
    const held = [200, 409, 409, 409, 200, 409];
    expect(await everyRoute(first.body.credential)).toEqual(held);

    const again = await register({ serial, licenceCode, installedVersion: DESKTOP }, { authorization: `Device ${first.body.credential}` });
    expect(again.status).toBe(200);
    const renewed = await deviceRow(serial);
    expect(await everyRoute(first.body.credential)).toEqual([401, 401, 401, 401, 401, 401]);
    expect(await deviceRow(serial)).toEqual(renewed);
    // Nor does the replaced credential open a registration the row keeps locked.
    const takeover = await register(
      { serial, licenceCode, installedVersion: DESKTOP },
      { authorization: `Device ${first.body.credential}` },
    );
    expect(takeover.body.code).toBe('REGISTRATION_LOCKED');

    expect(await everyRoute(again.body.credential)).toEqual(held);
    expect((await support('POST', `/devices/${serial}/disable`)).status).toBe(200);
    const disabled = await deviceRow(serial);
    expect(await everyRoute(again.body.credential)).toEqual([401, 401, 401, 401, 401, 401]);
    expect(await deviceRow(serial)).toEqual(disabled);
  });

  it('refuses to take over a registered tablet with the licence code alone; the office re-opens its registration', async () => {
    const serial = await authoriseTestTablet(tenant.customerId);
    const first = await register({ serial, licenceCode, installedVersion: DESKTOP });
    // A colleague knows the licence code and the IMEI, not the tablet's credential.
    const takeover = await register({ serial, licenceCode, installedVersion: DESKTOP });
    expect(takeover.status).toBe(403);
    expect(takeover.body.code).toBe('REGISTRATION_LOCKED');
    expect(takeover.body.messages.it).toMatch(/Gestione Autorizzazioni Tablet/);
    const other = await register({ serial: await authoriseTestTablet(tenant.customerId), licenceCode, installedVersion: DESKTOP });
    expect(
      (await register({ serial, licenceCode, installedVersion: DESKTOP }, { authorization: `Device ${other.body.credential}` })).status,
    ).toBe(403);
    // The real tablet still works with its credential.
    expect((await checkIn(first.body.credential)).status).toBe(200);
    // App data wiped: the office re-authorises the tablet, which may then register once without a credential.
    const admin = await api.login(tenant, 'admin');
    const reopened = await api.call('POST', `/v1/desktop/devices/${serial}/enable`, { auth: admin });
    expect(reopened.body).toMatchObject({ registrationOpen: true });
    const fresh = await register({ serial, licenceCode, installedVersion: DESKTOP });
    expect(fresh.status).toBe(200);
    expect((await checkIn(first.body.credential)).status).toBe(401);
    expect((await register({ serial, licenceCode, installedVersion: DESKTOP })).status).toBe(403);
  });

  it('registers the same IMEI authorised by two customers as two separate devices', async () => {
    const other = await createTenant({ desktopVersion: DESKTOP });
    const serial = await authoriseTestTablet(tenant.customerId);
    await authoriseTestTablet(other.customerId, serial);
    const a = await register({ serial, licenceCode, installedVersion: DESKTOP });
    const b = await register({ serial, licenceCode: other.licenceCode, installedVersion: DESKTOP });
    expect([a.status, b.status]).toEqual([201, 201]);
    expect((await deviceRow(serial))!.credentialId).toBe(credentialId(a.body.credential));
    expect((await deviceRow(serial, other.customerId))!.credentialId).toBe(credentialId(b.body.credential));
  });
});

describe('registration limits that cannot lock out a fleet (issue 11 item 6)', () => {
  it('keeps registering good tablets from an address that sent many unknown licence codes (a site behind NAT)', async () => {
    const site = loopbackAddress();
    const { limit } = REGISTER_LIMITS.unknownLicencePerSource;
    for (let i = 0; i <= limit; i++) {
      const bad = await registerFrom(site, { serial: newSerial(), licenceCode: `LIC-TYPO-${i}`, installedVersion: DESKTOP });
      expect(bad.status).toBe(i < limit ? 401 : 429);
    }
    const guessing = await registerFrom(site, { serial: newSerial(), licenceCode: 'LIC-TYPO-X', installedVersion: DESKTOP });
    expect(guessing.status).toBe(429);
    expect(guessing.body).toMatchObject({ code: 'TOO_MANY_REGISTRATIONS', retryAfterSeconds: expect.any(Number) });
    expect(guessing.body.messages.it).toMatch(/da questo indirizzo/);

    // The same address, a real licence, authorised tablets: every one registers.
    for (let i = 0; i < 3; i++) {
      const good = await registerFrom(site, {
        serial: await authoriseTestTablet(tenant.customerId),
        licenceCode,
        installedVersion: DESKTOP,
      });
      expect(good.status).toBe(201);
    }
    // Another address is not affected at all.
    expect(
      (await registerFrom(loopbackAddress(), { serial: newSerial(), licenceCode: 'LIC-TYPO-Y', installedVersion: DESKTOP })).status,
    ).toBe(401);
  });

  it('keeps registering authorised tablets of a licence someone probes with unauthorised serials', async () => {
    const probed = await createTenant({ desktopVersion: DESKTOP });
    const { limit } = REGISTER_LIMITS.refusedPerLicence;
    for (let i = 0; i < limit; i++) {
      const r = await register({ serial: newSerial(), licenceCode: probed.licenceCode, installedVersion: DESKTOP });
      expect(r.body.code).toBe('DEVICE_NOT_AUTHORISED');
    }
    const more = await register({ serial: newSerial(), licenceCode: probed.licenceCode, installedVersion: DESKTOP });
    expect(more.status).toBe(429);
    expect(more.body.messages.it).toMatch(/per questa licenza/);

    const good = await register({
      serial: await authoriseTestTablet(probed.customerId),
      licenceCode: probed.licenceCode,
      installedVersion: DESKTOP,
    });
    expect(good.status).toBe(201);
    // Other customers' licences are not affected.
    expect((await register({ serial: newSerial(), licenceCode, installedVersion: DESKTOP })).body.code).toBe('DEVICE_NOT_AUTHORISED');
  });
});
