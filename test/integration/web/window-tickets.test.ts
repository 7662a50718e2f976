import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestApi } from '../../fixtures/api';
import { readyTenant } from '../../fixtures/session';
import type { Tenant } from '../../fixtures/tenant';

/*
 * The hand-off from the desktop to the hosted window (issue 12 item 2): a
 * single-use, short-lived ticket exchanged for the page's own session. Releases
 * 44.xx belong to this file.
 */
const FROM = '44.00.00_001';
const TO = '44.00.00_002';

let api: TestApi;
let ready: { tenant: Tenant; admin: string };

beforeAll(async () => {
  api = await TestApi.start();
  ready = await readyTenant(api, FROM, TO, 2);
});
afterAll(() => api.close());

const ticketFor = async (auth: string) => api.call('POST', '/v1/desktop/window-tickets', { auth });
const exchange = (ticket: string) => api.call('POST', '/v1/desktop/window-session', { body: { ticket } });

describe('window tickets', () => {
  it('gives a logged-in admin on the SERVER workstation a one-minute ticket and the page path carrying it in the fragment', async () => {
    const res = await ticketFor(ready.admin);
    expect(res.status).toBe(201);
    expect(res.body.ticket).toMatch(/^wtk_[A-Za-z0-9_-]{43}$/);
    expect(res.body.path).toBe(`/desktop/#ticket=${res.body.ticket}`);
    const ttl = Date.parse(res.body.expiresAt) - Date.now();
    expect(ttl).toBeGreaterThan(50_000);
    expect(ttl).toBeLessThanOrEqual(60_000);
  });

  it('refuses a ticket to a user who is not an administrator, or to an admin on a client workstation', async () => {
    const clerk = await ticketFor(await api.login(ready.tenant, 'clerk'));
    expect(clerk.status).toBe(403);
    expect(clerk.body.code).toBe('ADMIN_REQUIRED');
    const client = await ticketFor(await api.login(ready.tenant, 'admin', 'client'));
    expect(client.status).toBe(403);
    expect(client.body.code).toBe('SERVER_WORKSTATION_REQUIRED');
    const desktopOnly = await ticketFor(`Desktop ${ready.tenant.desktopCredential}`);
    expect(desktopOnly.status).toBe(403);
  });

  it('exchanges a ticket once for a session of the same user and workstation that opens the admin window', async () => {
    const { body } = await ticketFor(ready.admin);
    const session = await exchange(body.ticket);
    expect(session.status).toBe(200);
    expect(session.body).toMatchObject({ username: 'admin', role: 'admin', workstation: 'server', mustChangePassword: false });
    const grid = await api.call('GET', '/v1/desktop/update', { auth: `Bearer ${session.body.token}` });
    expect(grid.status).toBe(200);
    expect(grid.body.rows).toHaveLength(2);
    const notice = await api.call('GET', '/v1/desktop/notice', { auth: `Bearer ${session.body.token}` });
    expect(notice.status).toBe(200);
    expect(notice.body).toMatchObject({ desktopVersion: FROM, notice: { kind: 'update-ready', colour: 'green', version: TO } });
  });

  it('refuses the same ticket a second time, saying it was already used, in Italian and English', async () => {
    const { body } = await ticketFor(ready.admin);
    expect((await exchange(body.ticket)).status).toBe(200);
    const again = await exchange(body.ticket);
    expect(again.status).toBe(401);
    expect(again.body.code).toBe('WINDOW_TICKET_USED');
    expect(again.body.messages.it).toMatch(/già stato usato.*riaprire la finestra da mOphas Desktop/);
    expect(again.body.token).toBeUndefined();
  });

  it('gives exactly one session when two pages present the same ticket at the same moment', async () => {
    const { body } = await ticketFor(ready.admin);
    const answers = await Promise.all(Array.from({ length: 8 }, () => exchange(body.ticket)));
    expect(answers.filter((a) => a.status === 200)).toHaveLength(1);
    expect(answers.filter((a) => a.status === 401 && a.body.code === 'WINDOW_TICKET_USED')).toHaveLength(7);
  });

  it('refuses an expired ticket and one never issued with the same answer', async () => {
    process.env.WINDOW_TICKET_TTL_MS = '300';
    const { body } = await ticketFor(ready.admin).finally(() => delete process.env.WINDOW_TICKET_TTL_MS);
    await new Promise((r) => setTimeout(r, 400));
    const expired = await exchange(body.ticket);
    const unknown = await exchange(`wtk_${'A'.repeat(43)}`);
    for (const res of [expired, unknown]) {
      expect(res.status).toBe(401);
      expect(res.body.code).toBe('WINDOW_TICKET_INVALID');
      expect(res.body.messages.it).toMatch(/scaduto o non è valido/);
    }
  });

  it('validates the ticket shape before any lookup', async () => {
    const res = await exchange('not-a-ticket');
    expect(res.status).toBe(400);
    expect(res.body.issues[0].field).toBe('ticket');
  });

  it("never lets the window's session outlive the desktop session that asked for it", async () => {
    const { body } = await ticketFor(ready.admin);
    const session = await exchange(body.ticket);
    const login = await api.call('POST', '/v1/desktop/login', {
      auth: `Desktop ${ready.tenant.desktopCredential}`,
      body: { username: 'admin', password: ready.tenant.users.admin!.password },
    });
    // The admin logged in before the ticket was issued: the window's session ends no later than that login's.
    expect(Date.parse(session.body.expiresAt)).toBeLessThanOrEqual(Date.parse(login.body.expiresAt));
  });

  it('voids a ticket when the password changes before it is used', async () => {
    const fresh = await readyTenant(api, FROM, TO, 1);
    const { body } = await ticketFor(fresh.admin);
    const changed = await api.call('POST', '/v1/desktop/password', {
      auth: fresh.admin,
      body: { currentPassword: fresh.tenant.users.admin!.password, newPassword: 'another-password-9' },
    });
    expect(changed.status).toBe(200);
    const res = await exchange(body.ticket);
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('WINDOW_TICKET_INVALID');
  });
});

describe('Gestione Mobile list', () => {
  it('lists every tablet of the customer, disabled ones too, with version and last sync and no secrets', async () => {
    const fresh = await readyTenant(api, FROM, TO, 2);
    const serial = fresh.tenant.devices[1]!.serial;
    const first = await api.call('POST', `/v1/desktop/devices/${serial}/disable`, { auth: fresh.admin });
    await api.call('POST', `/v1/desktop/devices/${serial}/disable`, { auth: fresh.admin, body: { confirmToken: first.body.confirmToken } });
    const res = await api.call('GET', '/v1/desktop/devices', { auth: fresh.admin });
    expect(res.status).toBe(200);
    expect(res.body.desktopVersion).toBe(FROM);
    expect(res.body.devices).toHaveLength(2);
    expect(res.body.devices.find((d: { serial: string }) => d.serial === serial)).toMatchObject({ enabled: false, installedVersion: FROM });
    expect(JSON.stringify(res.body)).not.toMatch(/lockSecret|credential|pushToken/);
  });
});
