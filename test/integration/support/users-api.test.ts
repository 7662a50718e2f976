import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_PEOPLE } from '../../../local/stack';
import { getUser } from '../../../shared/db/users';
import { TestApi } from '../../fixtures/api';
import { createTenant, type Tenant } from '../../fixtures/tenant';
import { agent, staff } from './helpers';

let api: TestApi;
let tenant: Tenant;
beforeAll(async () => {
  api = await TestApi.start();
  tenant = await createTenant();
});
afterAll(() => api.close());

const usersPath = (customerId = tenant.customerId) => `/v1/support/customers/${customerId}/users`;
const create = (body: unknown, customerId = tenant.customerId, options = staff()) =>
  api.call('POST', usersPath(customerId), { ...options, body });
const patch = (username: string, body: unknown, customerId = tenant.customerId, options = staff()) =>
  api.call('PATCH', `${usersPath(customerId)}/${encodeURIComponent(username)}`, { ...options, body });
const login = (username: string, password: string, t = tenant) =>
  api.call('POST', '/v1/desktop/login', { auth: `Desktop ${t.desktopCredential}`, body: { username, password, workstation: 'server' } });
/** An admin-only route (FEED-6); an unknown release gets past authorisation to 404. */
const adminRoute = (auth: string) => api.call('POST', '/v1/desktop/releases/97.00.00_000/challenge', { auth: `Bearer ${auth}` });
let seq = 0;
const uniqueName = (prefix: string) => `${prefix}.${Date.now().toString(36)}${seq++}`;

describe('desktop users managed by support (manual: "inviare la richiesta al servizio assistenza")', () => {
  it('creates a user who can log in but must change the password before anything else', async () => {
    const username = uniqueName('mario.rossi');
    const res = await create({ username, password: 'Primo-Accesso-2024', role: 'admin' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ username, role: 'admin', mustChangePassword: true });
    expect(res.body).not.toHaveProperty('password');
    expect(res.body).not.toHaveProperty('passwordHash');

    const first = await login(username, 'Primo-Accesso-2024');
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ role: 'admin', mustChangePassword: true });
    const blocked = await adminRoute(first.body.token);
    expect(blocked.status).toBe(403);
    expect(blocked.body.code).toBe('PASSWORD_CHANGE_REQUIRED');

    const changed = await api.call('POST', '/v1/desktop/password', {
      auth: `Bearer ${first.body.token}`,
      body: { currentPassword: 'Primo-Accesso-2024', newPassword: 'Scelta-Dal-Utente-9' },
    });
    expect(changed.status).toBe(200);
    const again = await login(username, 'Scelta-Dal-Utente-9');
    expect(again.body.mustChangePassword).toBe(false);
    expect((await adminRoute(again.body.token)).status).toBe(404);
  });

  it('refuses a duplicate user name with 409 USER_EXISTS, ignoring case, and keeps the first', async () => {
    const username = uniqueName('Dup');
    expect((await create({ username, password: 'first-password-1', role: 'user' })).status).toBe(201);
    for (const name of [username, username.toLowerCase()]) {
      const res = await create({ username: name, password: 'second-password-2', role: 'admin' });
      expect(res.status).toBe(409);
      expect(res.body.code).toBe('USER_EXISTS');
    }
    expect((await getUser(tenant.customerId, username))?.role).toBe('user');
  });

  it('lists the users with role and password state, never a password hash', async () => {
    const res = await api.call('GET', usersPath(), staff());
    expect(res.status).toBe(200);
    const names = res.body.users.map((u: { username: string }) => u.username);
    expect(names).toEqual(expect.arrayContaining(['admin', 'clerk']));
    expect(res.body.users.find((u: { username: string }) => u.username === 'clerk')).toMatchObject({
      role: 'user',
      mustChangePassword: false,
    });
    expect(JSON.stringify(res.body)).not.toMatch(/scrypt|passwordHash|password"/);
  });

  it('promotes a user to admin: sessions issued before the change end, the next login has the new role', async () => {
    const t = await createTenant();
    const before = await api.login(t, 'clerk');
    const refused = await api.call('POST', '/v1/desktop/releases/97.00.00_000/challenge', { auth: before });
    expect(refused.body.code).toBe('ADMIN_REQUIRED');

    const res = await patch('clerk', { role: 'admin' }, t.customerId);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ username: 'clerk', role: 'admin', mustChangePassword: false });
    expect((await api.call('POST', '/v1/desktop/releases/97.00.00_000/challenge', { auth: before })).status).toBe(401);

    const after = await login('clerk', 'clerk-password-1', t);
    expect(after.body.role).toBe('admin');
    expect((await adminRoute(after.body.token)).status).toBe(404);
  });

  it('resets a password: the old one stops working and the new one must be changed at the next login', async () => {
    const t = await createTenant();
    // A session opened before the reset (e.g. by someone who knew the old password) ends with it.
    const stolen = await login('admin', 'admin-password-1', t);
    const res = await patch('admin', { password: 'Reset-By-Support-1' }, t.customerId);
    expect(res.status).toBe(200);
    expect((await adminRoute(stolen.body.token)).status).toBe(401);
    expect(res.body).toMatchObject({ username: 'admin', role: 'admin', mustChangePassword: true });
    expect((await login('admin', 'admin-password-1', t)).status).toBe(401);
    const fresh = await login('admin', 'Reset-By-Support-1', t);
    expect(fresh.body.mustChangePassword).toBe(true);
    expect((await adminRoute(fresh.body.token)).body.code).toBe('PASSWORD_CHANGE_REQUIRED');
  });

  it('answers 404 for an unknown user or customer', async () => {
    const res = await patch('nobody.here', { role: 'admin' });
    expect(res.status).toBe(404);
    expect((await api.call('GET', usersPath('t-unknown0'), staff())).status).toBe(404);
    expect((await create({ username: 'someone', password: 'long-enough-1', role: 'user' }, 't-unknown0')).status).toBe(404);
  });

  it('answers 400 naming the field for bad input', async () => {
    const cases: [unknown, string][] = [
      [{ username: 'has space', password: 'long-enough-1', role: 'user' }, 'username'],
      [{ username: 'x'.repeat(65), password: 'long-enough-1', role: 'user' }, 'username'],
      [{ username: '', password: 'long-enough-1', role: 'user' }, 'username'],
      [{ username: 'short.pw', password: 'short', role: 'user' }, 'password'],
      [{ username: 'no.role', password: 'long-enough-1' }, 'role'],
      [{ username: 'bad.role', password: 'long-enough-1', role: 'root' }, 'role'],
      [{ username: 'same.as.name', password: 'Same.As.Name', role: 'user' }, 'password'],
      [{ username: 'extra', password: 'long-enough-1', role: 'user', mustChangePassword: false }, '(body)'],
    ];
    for (const [body, field] of cases) {
      const res = await create(body);
      expect(res.status, JSON.stringify(body).slice(0, 60)).toBe(400);
      expect(res.body.issues[0].field, JSON.stringify(body).slice(0, 60)).toBe(field);
    }
    for (const [body, field] of [
      [{}, '(body)'],
      [{ role: 'owner' }, 'role'],
      [{ password: 'short' }, 'password'],
      [{ passwordHash: 'scrypt$1' }, '(body)'],
    ] as [unknown, string][]) {
      const res = await patch('clerk', body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.issues[0].field).toBe(field);
    }
    const badName = await patch('bad name', { role: 'admin' });
    expect(badName.status).toBe(400);
    expect(badName.body.issues[0].field).toBe('username');
  });

  it('lets an agent manage users only for its own customers (403 otherwise)', async () => {
    const other = await createTenant();
    const asAgent = await agent(api, [other.customerId]);
    expect((await api.call('GET', usersPath(), asAgent)).status).toBe(403);
    expect((await create({ username: 'by.agent', password: 'long-enough-1', role: 'user' }, tenant.customerId, asAgent)).status).toBe(403);
    expect((await patch('clerk', { role: 'admin' }, tenant.customerId, asAgent)).status).toBe(403);
    expect(await getUser(tenant.customerId, 'by.agent')).toBeUndefined();
    expect((await create({ username: 'by.agent', password: 'long-enough-1', role: 'user' }, other.customerId, asAgent)).status).toBe(201);
  });

  it('audits every change as user.created / user.updated by the support id, never with the password', async () => {
    const t = await createTenant();
    const username = uniqueName('audited');
    await create({ username, password: 'Audit-Secret-Pw-1', role: 'user' }, t.customerId);
    await patch(username, { role: 'admin', password: 'Audit-Secret-Pw-2' }, t.customerId);

    const audit = await api.call('GET', `/v1/support/customers/${t.customerId}/audit?action=user.`, staff());
    expect(audit.status).toBe(200);
    const created = audit.body.entries.find((e: { action: string }) => e.action === 'user.created');
    const updated = audit.body.entries.find((e: { action: string }) => e.action === 'user.updated');
    expect(created).toMatchObject({
      actor: { kind: 'support', id: LOCAL_PEOPLE.staff.username },
      outcome: 'ok',
      details: { username, role: 'user', mustChangePassword: true },
    });
    expect(updated).toMatchObject({
      actor: { kind: 'support', id: LOCAL_PEOPLE.staff.username },
      details: { username, role: { from: 'user', to: 'admin' }, passwordReset: true },
    });
    const everything = JSON.stringify(audit.body);
    expect(everything).not.toContain('Audit-Secret-Pw');
    expect(everything).not.toContain('scrypt');
  });
});
