import { randomUUID } from 'node:crypto';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ddb } from '../../../shared/aws/dynamodb';
import { tableName } from '../../../shared/config';
import { credentialKeys } from '../../../shared/db/keys';
import { LOCAL_PEOPLE } from '../../../local/stack';
import { TestApi } from '../../fixtures/api';
import { staffAuth } from '../../fixtures/sign-in';
import { createTenant, newSerial } from '../../fixtures/tenant';
import { agent, putSessionInState } from '../support/helpers';

/*
 * The onboarding routes (issue 11 items 1 and 2), one behaviour per test:
 * customers, licences, workstation credentials and tablet authorisation, each
 * validated, audited, retry-safe and in both languages where a person reads it.
 */
let api: TestApi;
beforeAll(async () => {
  api = await TestApi.start();
});
afterAll(() => api.close());

// The stack's first staff user, signed in once for this file.
const STAFF = await staffAuth();

const sup = (method: string, path: string, body?: unknown, headers?: Record<string, string>) =>
  api.call(method, `/v1/support${path}`, { auth: STAFF, body, headers });
const newId = () => `c-${randomUUID().slice(0, 8)}`;
const newCustomer = async (desktopVersion = '03.01.00_030') => {
  const customerId = newId();
  const res = await sup('POST', '/customers', { customerId, name: `Cliente ${customerId}`, desktopVersion });
  expect(res.status).toBe(201);
  return customerId;
};
const auditActions = async (customerId: string) =>
  (await sup('GET', `/customers/${customerId}/audit?limit=500`)).body.entries.map((e: { action: string }) => e.action) as string[];
const TABLET = { model: 'Lenovo Tab M10', operator: { code: 'OP7', name: 'Sara', surname: 'Conti' }, phone: '+39 333 777 0007' };

describe('customers', () => {
  it('creates a customer with the manual’s first-login admin, audited; the same id again is 409 with the existing one', async () => {
    const customerId = newId();
    const res = await sup('POST', '/customers', { customerId, name: 'Bar Centrale', desktopVersion: '03.01.00_030' });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      customer: expect.objectContaining({
        customerId,
        name: 'Bar Centrale',
        desktopVersion: '03.01.00_030',
        createdBy: LOCAL_PEOPLE.staff.username,
      }),
      firstLogin: { username: 'ammin', password: 'ammin', mustChangePassword: true },
    });
    const users = await sup('GET', `/customers/${customerId}/users`);
    expect(users.body.users).toEqual([expect.objectContaining({ username: 'ammin', role: 'admin', mustChangePassword: true })]);
    expect(await auditActions(customerId)).toEqual(['customer.created']);

    const again = await sup('POST', '/customers', { customerId, name: 'Other name', desktopVersion: '03.02.00_001' });
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ code: 'CUSTOMER_EXISTS', customer: { name: 'Bar Centrale' }, messages: { it: expect.any(String) } });
    expect((await sup('GET', `/customers/${customerId}`)).body.name).toBe('Bar Centrale');
  });

  it('validates the body and names the field', async () => {
    const res = await sup('POST', '/customers', { customerId: 'has space', name: '', desktopVersion: '3.1' });
    expect(res.status).toBe(400);
    expect(res.body.issues.map((i: { field: string }) => i.field).sort()).toEqual(['customerId', 'desktopVersion', 'name']);
    expect((await sup('POST', '/customers', { customerId: newId(), name: 'X', desktopVersion: '03.01.00_030', extra: 1 })).status).toBe(
      400,
    );
  });

  it('lets only staff create customers; an agent lists and reads only its own', async () => {
    const mine = await newCustomer();
    const other = await newCustomer();
    const a = await agent(api, [mine]);
    const created = await api.call('POST', '/v1/support/customers', {
      ...a,
      body: { customerId: newId(), name: 'By an agent', desktopVersion: '03.01.00_030' },
    });
    expect(created.status).toBe(403);
    expect(created.body.messages.it).toMatch(/personale di assistenza/);
    expect((await api.call('GET', `/v1/support/customers/${mine}`, a)).status).toBe(200);
    expect((await api.call('GET', `/v1/support/customers/${other}`, a)).status).toBe(403);
  });

  it('lists customers by id, page by page', async () => {
    const first = await newCustomer();
    const second = await newCustomer();
    const page = await sup('GET', '/customers?limit=2');
    expect(page.body.customers).toHaveLength(2);
    expect(page.body.cursor).toEqual(expect.any(String));
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const res = await sup('GET', `/customers?limit=50${cursor ? `&cursor=${cursor}` : ''}`);
      seen.push(...res.body.customers.map((c: { customerId: string }) => c.customerId));
      cursor = res.body.cursor;
    } while (cursor);
    expect(seen.indexOf(first)).toBeGreaterThanOrEqual(0);
    expect(seen.indexOf(second)).toBeGreaterThanOrEqual(0);
    expect(seen).toEqual([...seen].sort());
  });

  it('updates the name and desktop version, audited with before and after; not the version during an update', async () => {
    const tenant = await createTenant();
    const res = await sup('PATCH', `/customers/${tenant.customerId}`, { name: 'Nuovo nome', desktopVersion: '03.01.00_032' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ name: 'Nuovo nome', desktopVersion: '03.01.00_032', updatedBy: LOCAL_PEOPLE.staff.username });
    const { entries } = (await sup('GET', `/customers/${tenant.customerId}/audit?action=customer.updated`)).body;
    expect(entries[0].details).toEqual({
      name: { from: `Test ${tenant.customerId}`, to: 'Nuovo nome' },
      desktopVersion: { from: '03.01.00_030', to: '03.01.00_032' },
    });
    expect((await sup('PATCH', `/customers/${tenant.customerId}`, {})).status).toBe(400);
    expect((await sup('PATCH', `/customers/${newId()}`, { name: 'x' })).status).toBe(404);

    await putSessionInState(tenant.customerId, 'updating');
    const during = await sup('PATCH', `/customers/${tenant.customerId}`, { desktopVersion: '03.02.00_001' });
    expect(during.status).toBe(409);
    expect(during.body).toMatchObject({ code: 'SESSION_IN_PROGRESS', session: { state: 'updating' } });
    expect(during.body.messages.it).toMatch(/aggiornamento/);
    // The name is not tied to the session.
    expect((await sup('PATCH', `/customers/${tenant.customerId}`, { name: 'Ancora' })).status).toBe(200);
  });
});

describe('licences', () => {
  it('issues one generated licence per customer; a retry is 409 with the live one; revoke, then a new one', async () => {
    const customerId = await newCustomer();
    const issued = await sup('POST', `/customers/${customerId}/licences`, {});
    expect(issued.status).toBe(201);
    const code = issued.body.licenceCode as string;
    expect(code).toMatch(/^LIC-[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}$/);
    const retry = await sup('POST', `/customers/${customerId}/licences`, {});
    expect(retry.status).toBe(409);
    expect(retry.body).toMatchObject({ code: 'LICENCE_EXISTS', licenceCode: code });

    expect((await sup('POST', `/customers/${customerId}/licences/revoke`, { licenceCode: code })).body).toMatchObject({ revoked: true });
    const twice = await sup('POST', `/customers/${customerId}/licences/revoke`, { licenceCode: code });
    expect(twice.status).toBe(409);
    expect(twice.body.code).toBe('ALREADY_REVOKED');
    const next = await sup('POST', `/customers/${customerId}/licences`);
    expect(next.status).toBe(201);
    const list = await sup('GET', `/customers/${customerId}/licences`);
    expect(list.body.licences.map((l: { licenceCode: string; revoked: boolean }) => [l.licenceCode, l.revoked])).toEqual([
      [code, true],
      [next.body.licenceCode, false],
    ]);
    expect((await sup('GET', `/customers/${customerId}`)).body.licenceCode).toBe(next.body.licenceCode);
    const actions = await auditActions(customerId);
    expect(actions.filter((a) => a.startsWith('licence.'))).toEqual(['licence.issued', 'licence.revoked', 'licence.issued']);
    // The code is a credential: never in the audit trail.
    expect(JSON.stringify((await sup('GET', `/customers/${customerId}/audit`)).body)).not.toContain(code);
  });

  it('takes an existing mOphas licence code, unless another customer holds it', async () => {
    const a = await newCustomer();
    const b = await newCustomer();
    const code = `LIC-${randomUUID().slice(0, 8)}`;
    expect((await sup('POST', `/customers/${a}/licences`, { licenceCode: code })).status).toBe(201);
    const taken = await sup('POST', `/customers/${b}/licences`, { licenceCode: code });
    expect(taken.status).toBe(409);
    expect(taken.body.code).toBe('LICENCE_EXISTS');
    expect(JSON.stringify(taken.body)).not.toContain(a);
    expect((await sup('GET', `/customers/${b}`)).body.licenceCode).toBeNull();
    expect((await sup('POST', `/customers/${b}/licences/revoke`, { licenceCode: code })).status).toBe(404);
  });
});

describe('workstation credentials', () => {
  it('issues a SERVER credential that logs in as the SERVER, shown once and stored hashed; a second SERVER is 409', async () => {
    const customerId = await newCustomer();
    const res = await sup('POST', `/customers/${customerId}/workstations`, { workstation: 'server', label: 'SERVER' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ workstation: 'server', label: 'SERVER', revoked: false, revokedCredentialsStopWithinSeconds: 300 });
    const { credential, credentialId } = res.body as { credential: string; credentialId: string };
    const stored = (await ddb.send(new GetCommand({ TableName: tableName(), Key: credentialKeys.desktop(credentialId) }))).Item!;
    expect(stored.secretHash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(stored)).not.toContain(credential.split('.')[1]);

    const login = await api.call('POST', '/v1/desktop/login', {
      auth: `Desktop ${credential}`,
      body: { username: 'ammin', password: 'ammin' },
    });
    expect(login.body).toMatchObject({ workstation: 'server', mustChangePassword: true });

    const second = await sup('POST', `/customers/${customerId}/workstations`, { workstation: 'server', label: 'SERVER 2' });
    expect(second.status).toBe(409);
    expect(second.body).toMatchObject({ code: 'SERVER_CREDENTIAL_EXISTS', serverCredentialId: credentialId });
    const list = await sup('GET', `/customers/${customerId}/workstations`);
    expect(list.body.workstations).toHaveLength(1);
    expect(JSON.stringify(list.body)).not.toMatch(/secretHash|dsk_/);
  });

  it('issues client credentials with unique labels (a retry is 409), which log in as a client workstation', async () => {
    const customerId = await newCustomer();
    const body = { workstation: 'client', label: 'Ufficio 2' };
    const res = await sup('POST', `/customers/${customerId}/workstations`, body);
    expect(res.status).toBe(201);
    const retry = await sup('POST', `/customers/${customerId}/workstations`, { ...body, label: 'ufficio 2' });
    expect(retry.status).toBe(409);
    expect(retry.body.code).toBe('WORKSTATION_EXISTS');
    const login = await api.call('POST', '/v1/desktop/login', {
      auth: `Desktop ${res.body.credential}`,
      body: { username: 'ammin', password: 'ammin' },
    });
    expect(login.body.workstation).toBe('client');
    expect((await sup('POST', `/customers/${customerId}/workstations`, { workstation: 'kiosk', label: 'x' })).status).toBe(400);
  });

  it('rotates a credential: the new secret works, the old one is refused, a retry is 409 and issues nothing', async () => {
    const customerId = await newCustomer();
    const issued = (await sup('POST', `/customers/${customerId}/workstations`, { workstation: 'server', label: 'SERVER' })).body;
    const rotated = await sup('POST', `/customers/${customerId}/workstations/${issued.credentialId}/rotate`);
    expect(rotated.status).toBe(201);
    expect(rotated.body).toMatchObject({ workstation: 'server', label: 'SERVER', credential: expect.stringMatching(/^dsk_/) });
    const feed = (credential: string) => api.call('GET', '/v1/desktop/feed?installed=03.01.00_030', { auth: `Desktop ${credential}` });
    expect((await feed(rotated.body.credential)).status).toBe(200);
    // Never used before the rotation, so no function kept it: refused at once.
    expect((await feed(issued.credential)).status).toBe(401);
    const retry = await sup('POST', `/customers/${customerId}/workstations/${issued.credentialId}/rotate`);
    expect(retry.status).toBe(409);
    expect(retry.body.credential).toBeUndefined();
    const list = (await sup('GET', `/customers/${customerId}/workstations`)).body.workstations;
    expect(
      list.map((w: { credentialId: string; revoked: boolean; replacedBy: string | null }) => [w.credentialId, w.revoked, w.replacedBy]),
    ).toEqual([
      [issued.credentialId, true, rotated.body.credentialId],
      [rotated.body.credentialId, false, null],
    ]);
    expect((await sup('GET', `/customers/${customerId}`)).body.serverCredentialId).toBe(rotated.body.credentialId);
  });

  it('revokes a credential (audited); the SERVER can then be issued again; another customer’s id is 404', async () => {
    const customerId = await newCustomer();
    const issued = (await sup('POST', `/customers/${customerId}/workstations`, { workstation: 'server', label: 'SERVER' })).body;
    const other = await newCustomer();
    expect((await sup('POST', `/customers/${other}/workstations/${issued.credentialId}/revoke`)).status).toBe(404);
    const revoked = await sup('POST', `/customers/${customerId}/workstations/${issued.credentialId}/revoke`);
    expect(revoked.body).toMatchObject({ credentialId: issued.credentialId, revoked: true, revokedBy: LOCAL_PEOPLE.staff.username });
    expect((await api.call('GET', '/v1/desktop/feed?installed=03.01.00_030', { auth: `Desktop ${issued.credential}` })).status).toBe(401);
    expect((await sup('POST', `/customers/${customerId}/workstations`, { workstation: 'server', label: 'SERVER' })).status).toBe(201);
    expect((await auditActions(customerId)).filter((a) => a.startsWith('workstation.'))).toEqual([
      'workstation.issued',
      'workstation.revoked',
      'workstation.issued',
    ]);
  });
});

describe('tablet authorisation management (Gestione Autorizzazioni Tablet)', () => {
  it('lets the admin on the SERVER add, edit and list tablets; a plain user and a client workstation cannot', async () => {
    const tenant = await createTenant({ devices: 1 });
    const admin = await api.login(tenant, 'admin');
    const serial = newSerial();
    const added = await api.call('POST', '/v1/desktop/devices', { auth: admin, body: { serial, ...TABLET } });
    expect(added.status).toBe(201);
    expect(added.body).toEqual({
      serial,
      ...TABLET,
      enabled: true,
      registered: false,
      registrationOpen: false,
      blocked: false,
      installedVersion: null,
      lastSync: null,
      authorisedAt: expect.any(String),
      registeredAt: null,
    });
    const again = await api.call('POST', '/v1/desktop/devices', { auth: admin, body: { serial, ...TABLET, model: 'Other' } });
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ code: 'DEVICE_EXISTS', device: { serial, model: TABLET.model } });
    expect(again.body.messages.it).toMatch(/Gestione Autorizzazioni Tablet/);

    const edited = await api.call('PATCH', `/v1/desktop/devices/${serial}`, {
      auth: admin,
      body: { operator: { code: 'OP8', name: 'Marco', surname: 'Ricci' } },
    });
    expect(edited.body).toMatchObject({
      operator: { code: 'OP8', name: 'Marco', surname: 'Ricci' },
      model: TABLET.model,
      phone: TABLET.phone,
    });

    const list = await api.call('GET', '/v1/desktop/devices', { auth: admin });
    const registered = list.body.devices.find((d: { serial: string }) => d.serial === tenant.devices[0]!.serial);
    // Gestione Mobile: the same rows, with the desktop's version to compare against.
    expect(registered).toMatchObject({ registered: true, installedVersion: '03.01.00_030', enabled: true, notOnDesktopVersion: false });
    expect(list.body.desktopVersion).toBe('03.01.00_030');
    expect(list.body.devices.map((d: { serial: string }) => d.serial).sort()).toEqual([serial, tenant.devices[0]!.serial].sort());
    expect(JSON.stringify(list.body)).not.toMatch(/lockSecret|credentialId/);

    const clerk = await api.login(tenant, 'clerk');
    expect((await api.call('GET', '/v1/desktop/devices', { auth: clerk })).body.code).toBe('ADMIN_REQUIRED');
    const onClient = await api.login(tenant, 'admin', 'client');
    expect((await api.call('POST', '/v1/desktop/devices', { auth: onClient, body: { serial: newSerial(), ...TABLET } })).body.code).toBe(
      'SERVER_WORKSTATION_REQUIRED',
    );
    const actions = await auditActions(tenant.customerId);
    expect(actions).toEqual(expect.arrayContaining(['device.authorised', 'device.edited']));
  });

  it('validates the fields and names them', async () => {
    const tenant = await createTenant();
    const admin = await api.login(tenant, 'admin');
    const bad = await api.call('POST', '/v1/desktop/devices', {
      auth: admin,
      body: { serial: 'no spaces allowed', model: '', operator: { code: 'OP1', name: 'A' }, phone: 'call me' },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.issues.map((i: { field: string }) => i.field).sort()).toEqual(['model', 'operator.surname', 'phone', 'serial']);
    expect((await api.call('PATCH', `/v1/desktop/devices/${newSerial()}`, { auth: admin, body: {} })).status).toBe(400);
    const missing = await api.call('PATCH', `/v1/desktop/devices/${newSerial()}`, { auth: admin, body: { phone: '+39 1' } });
    expect(missing.status).toBe(404);
    expect(missing.body.messages.it).toMatch(/non è presente in Gestione Autorizzazioni Tablet/);
  });

  it('lets support manage the same table for a customer it names, which must exist', async () => {
    const tenant = await createTenant();
    const serial = newSerial();
    const added = await sup('POST', `/customers/${tenant.customerId}/devices`, { serial, ...TABLET });
    expect(added.status).toBe(201);
    expect((await sup('POST', `/customers/${newId()}/devices`, { serial, ...TABLET })).status).toBe(404);
    expect((await sup('GET', `/customers/${tenant.customerId}/devices`)).body.devices.map((d: { serial: string }) => d.serial)).toEqual([
      serial,
    ]);
    expect((await sup('POST', `/customers/${tenant.customerId}/devices/${serial}/disable`)).body).toMatchObject({ enabled: false });
    const again = await sup('POST', `/customers/${tenant.customerId}/devices/${serial}/disable`);
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ code: 'DEVICE_CHANGED', enabled: false });
    // Disabled tablets leave the grid; they stay in the authorisation table.
    const admin = await api.login(tenant, 'admin');
    const grid = await api.call('GET', '/v1/desktop/update', { auth: admin });
    expect(grid.body.rows.map((r: { serial: string }) => r.serial)).not.toContain(serial);
    expect((await api.call('GET', '/v1/desktop/devices', { auth: admin })).body.devices).toEqual([
      expect.objectContaining({ serial, enabled: false }),
    ]);
    expect((await sup('POST', `/customers/${tenant.customerId}/devices/${serial}/enable`)).body).toMatchObject({
      enabled: true,
      registrationOpen: true,
    });
    const actions = await auditActions(tenant.customerId);
    expect(actions).toEqual(expect.arrayContaining(['device.authorised', 'device.disabled', 'device.enabled']));
  });
});
