import { randomUUID } from 'node:crypto';
import { GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ddb } from '../../../shared/aws/clients';
import { tableName } from '../../../shared/config';
import { deviceKey } from '../../../shared/db/devices';
import { auditKeys, credentialKeys } from '../../../shared/db/keys';
import { TestApi } from '../../fixtures/api';
import { createTenant, type Tenant } from '../../fixtures/tenant';

const DESKTOP = '03.01.00_030';

let api: TestApi;
let tenant: Tenant;
let licenceCode: string;

const get = async (key: { pk: string; sk: string }) => (await ddb.send(new GetCommand({ TableName: tableName(), Key: key }))).Item;
const deviceRow = (serial: string, customerId = tenant.customerId) => get(deviceKey(customerId, serial));
const newSerial = () => `35${String(Math.floor(Math.random() * 1e13)).padStart(13, '0')}`;
const credentialId = (token: string) => /^dev_([^.]+)\./.exec(token)![1]!;

/** A licence code of a customer, as Alturas issues them (DEV-1). */
async function licenceFor(customerId: string): Promise<string> {
  const code = `LIC-${randomUUID().slice(0, 8)}`;
  await ddb.send(new PutCommand({ TableName: tableName(), Item: { ...credentialKeys.licence(code), type: 'licence', customerId } }));
  return code;
}

const register = (body: Record<string, unknown>, headers?: Record<string, string>) =>
  api.call('POST', '/v1/device/register', { body, headers });
const checkIn = (credential: string, body: Record<string, unknown> = { installedVersion: DESKTOP }) =>
  api.call('POST', '/v1/device/check-in', { auth: `Device ${credential}`, body });

beforeAll(async () => {
  api = await TestApi.start();
  tenant = await createTenant({ desktopVersion: DESKTOP });
  licenceCode = await licenceFor(tenant.customerId);
});
afterAll(() => api.close());

describe('device registration (DEV-1, DEV-5)', () => {
  it('registers a new serial: one row (enabled, not blocked, no notes), its credential and lock secret, an audit entry', async () => {
    const serial = newSerial();
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
      model: 'Galaxy Tab A8',
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

    const audit = await ddb.send(
      new QueryCommand({
        TableName: tableName(),
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': auditKeys.partition(tenant.customerId) },
      }),
    );
    expect(audit.Items!.filter((a) => a.action === 'device.registered' && a.details.serial === serial)).toHaveLength(1);
  });

  it('re-registering a known serial keeps the one row and its flags, issues a new credential and lock secret, and revokes the old credential', async () => {
    const serial = newSerial();
    const first = await register({ serial, licenceCode, model: 'Tab', installedVersion: DESKTOP });
    expect(first.status).toBe(201);
    // The office filled in the operator; the device was locked in a session.
    await ddb.send(
      new UpdateCommand({
        TableName: tableName(),
        Key: deviceKey(tenant.customerId, serial),
        UpdateExpression: 'SET #op = :op, blocked = :t, awaitingSessionId = :s',
        ExpressionAttributeNames: { '#op': 'operator' },
        ExpressionAttributeValues: { ':op': { code: 'OP7', name: 'Mario', surname: 'Rossi' }, ':t': true, ':s': 'S-old' },
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
      operator: { code: 'OP7', name: 'Mario', surname: 'Rossi' },
      model: 'Tab',
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

  it('refuses a disabled device with 403 DEVICE_DISABLED in Italian and English, and keeps its credential unchanged', async () => {
    const serial = newSerial();
    const first = await register({ serial, licenceCode, installedVersion: DESKTOP });
    await ddb.send(
      new UpdateCommand({
        TableName: tableName(),
        Key: deviceKey(tenant.customerId, serial),
        UpdateExpression: 'SET enabled = :f',
        ExpressionAttributeValues: { ':f': false },
      }),
    );
    const res = await register({ serial, licenceCode, installedVersion: DESKTOP });
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('DEVICE_DISABLED');
    expect(res.body.messages.it).toMatch(/Gestione autorizzazioni tablet/);
    expect(res.body.messages.en).toMatch(/tablet authorisation management/);
    expect((await deviceRow(serial))!.credentialId).toBe(credentialId(first.body.credential));
  });

  it('sends a device registered on a newer version than the desktop to the desktop version (DEV-6 downgrade)', async () => {
    const res = await register({ serial: newSerial(), licenceCode, installedVersion: '03.01.00_032' });
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

  it('limits re-registration attempts of one device to 10 an hour (429 with retry time)', async () => {
    const serial = newSerial();
    let credential = '';
    for (let i = 0; i < 10; i++) {
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
  });

  it('refuses to take over a registered tablet with the licence code alone; the office re-opens its registration', async () => {
    const serial = newSerial();
    const first = await register({ serial, licenceCode, installedVersion: DESKTOP });
    // A colleague knows the licence code and the IMEI, not the tablet's credential.
    const takeover = await register({ serial, licenceCode, installedVersion: DESKTOP });
    expect(takeover.status).toBe(403);
    expect(takeover.body.code).toBe('REGISTRATION_LOCKED');
    expect(takeover.body.messages.it).toMatch(/Gestione Autorizzazioni Tablet/);
    const other = await register({ serial: newSerial(), licenceCode, installedVersion: DESKTOP });
    expect(
      (await register({ serial, licenceCode, installedVersion: DESKTOP }, { authorization: `Device ${other.body.credential}` })).status,
    ).toBe(403);
    // The real tablet still works with its credential.
    expect(
      (await api.call('POST', '/v1/device/check-in', { auth: `Device ${first.body.credential}`, body: { installedVersion: DESKTOP } }))
        .status,
    ).toBe(200);
    // App data wiped: the office re-authorises the tablet, which may then register once without a credential.
    const admin = await api.login(tenant, 'admin');
    const reopened = await api.call('POST', `/v1/desktop/devices/${serial}/enable`, { auth: admin });
    expect(reopened.body).toMatchObject({ registrationOpen: true });
    const fresh = await register({ serial, licenceCode, installedVersion: DESKTOP });
    expect(fresh.status).toBe(200);
    expect(
      (await api.call('POST', '/v1/device/check-in', { auth: `Device ${first.body.credential}`, body: { installedVersion: DESKTOP } }))
        .status,
    ).toBe(401);
    expect((await register({ serial, licenceCode, installedVersion: DESKTOP })).status).toBe(403);
  });

  it('registers the same IMEI under two customers as two separate devices', async () => {
    const other = await createTenant({ desktopVersion: DESKTOP });
    const otherLicence = await licenceFor(other.customerId);
    const serial = newSerial();
    const a = await register({ serial, licenceCode, installedVersion: DESKTOP });
    const b = await register({ serial, licenceCode: otherLicence, installedVersion: DESKTOP });
    expect([a.status, b.status]).toEqual([201, 201]);
    expect((await deviceRow(serial))!.credentialId).toBe(credentialId(a.body.credential));
    expect((await deviceRow(serial, other.customerId))!.credentialId).toBe(credentialId(b.body.credential));
  });
});
