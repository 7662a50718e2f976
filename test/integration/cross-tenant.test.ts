import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeCode1 } from '../../shared/codes/lock-exchange';
import { getChallenge } from '../../shared/db/codes';
import { getRollout } from '../../shared/db/rollout';
import { ROUTES, routeKey } from '../../shared/api';
import { TestApi, type ApiResponse } from '../fixtures/api';
import { createAgent, staffAuth } from '../fixtures/sign-in';
import { readyTenant, ensureRelease } from '../fixtures/session';
import { licenceCodeFor, type Tenant } from '../fixtures/tenant';

/*
 * AUTH-2: no principal ever reads or changes another customer's data. Tenant A
 * (the caller) tries every route against tenant B (the victim). Each route has an
 * entry; a route added without one fails the coverage test below.
 */
const FROM = '96.00.00_001';
const TO = '96.00.00_002';
const CODE_RELEASE = '96.00.00_003';

let api: TestApi;
let a: { tenant: Tenant; admin: string };
let b: { tenant: Tenant; admin: string };
let agentOfA: { username: string; auth: string };

beforeAll(async () => {
  api = await TestApi.start();
  a = await readyTenant(api, FROM, TO, 2);
  b = await readyTenant(api, FROM, TO, 2);
  const { publishTestRelease } = await import('../fixtures/tenant');
  await publishTestRelease(CODE_RELEASE, { requiresConfirmationCode: true }).catch(() => undefined);
  await ensureRelease(FROM);
  agentOfA = await createAgent(api, [a.tenant.customerId]);
});
afterAll(() => api.close());

const asAgentOfA = () => ({ auth: agentOfA.auth });
const desktopA = () => `Desktop ${a.tenant.desktopCredential}`;
const deviceA = () => `Device ${a.tenant.devices[0]!.credential}`;
const bSerial = () => b.tenant.devices[0]!.serial;
const bCredentialId = () => /^dsk_([^.]+)\./.exec(b.tenant.desktopCredential)![1]!;
const aPath = (rest: string) => `/v1/support/customers/${a.tenant.customerId}${rest}`;
const bPath = (rest: string) => `/v1/support/customers/${b.tenant.customerId}${rest}`;
const TABLET = { model: 'Intruder Tab', operator: { code: 'X1', name: 'Mallory', surname: 'Intruder' }, phone: '+39 000 1' };
const refused = (res: ApiResponse) => expect([401, 403, 404]).toContain(res.status);
const noTraceOfB = (res: ApiResponse) => {
  const text = JSON.stringify(res.body ?? '');
  expect(text).not.toContain(b.tenant.customerId);
  for (const d of b.tenant.devices) expect(text).not.toContain(d.serial);
};

type Attempt = () => Promise<void>;

const ATTEMPTS: Record<string, Attempt> = {
  'GET /v1/health': async () => noTraceOfB(await api.call('GET', '/v1/health')),
  'GET /v1/catalog': async () => noTraceOfB(await api.call('GET', '/v1/catalog')),
  'GET /v1/feed/keys': async () => noTraceOfB(await api.call('GET', '/v1/feed/keys')),
  'POST /v1/codes/check': async () => noTraceOfB(await api.call('POST', '/v1/codes/check', { body: { code: '00000-00000-00000' } })),
  'GET /v1/desktop/feed': async () => {
    const res = await api.call('GET', `/v1/desktop/feed?installed=${FROM}`, { auth: desktopA() });
    expect(JSON.parse(res.body.answer.payload).customerId).toBe(a.tenant.customerId);
    noTraceOfB(res);
  },
  'POST /v1/desktop/releases/{version}/downloaded': async () => {
    // Scoped by the caller's credential: there is no way to name customer B.
    const res = await api.call('POST', `/v1/desktop/releases/${TO}/downloaded`, { auth: desktopA(), body: { sha256: '0'.repeat(64) } });
    expect(res.status).toBe(400);
  },
  'GET /v1/device/package': async () => noTraceOfB(await api.call('GET', '/v1/device/package', { auth: deviceA() })),
  'POST /v1/desktop/releases/{version}/challenge': async () => {
    // A opening its window never voids B's challenge.
    await api.call('POST', `/v1/desktop/releases/${CODE_RELEASE}/challenge`, { auth: b.admin });
    const before = await getChallenge(b.tenant.customerId, CODE_RELEASE);
    await api.call('POST', `/v1/desktop/releases/${CODE_RELEASE}/challenge`, { auth: a.admin });
    expect((await getChallenge(b.tenant.customerId, CODE_RELEASE))?.challenge).toBe(before?.challenge);
  },
  'POST /v1/desktop/releases/{version}/confirmation': async () => {
    const before = await getChallenge(b.tenant.customerId, CODE_RELEASE);
    await api.call('POST', `/v1/desktop/releases/${CODE_RELEASE}/confirmation`, { auth: a.admin, body: { response: '00000-00000-00000' } });
    expect((await getChallenge(b.tenant.customerId, CODE_RELEASE))?.attempts ?? 0).toBe(before?.attempts ?? 0);
  },
  'POST /v1/support/confirmation-responses': async () => {
    refused(
      await api.call('POST', '/v1/support/confirmation-responses', {
        auth: a.admin,
        body: { customerId: b.tenant.customerId, version: CODE_RELEASE, challenge: '00000-00000-00000' },
      }),
    );
    refused(
      await api.call('POST', '/v1/support/confirmation-responses', {
        ...asAgentOfA(),
        body: { customerId: b.tenant.customerId, version: CODE_RELEASE, challenge: '00000-00000-00000' },
      }),
    );
  },
  'POST /v1/desktop/devices/{serial}/lock-exchange': async () =>
    refused(
      await api.call('POST', `/v1/desktop/devices/${bSerial()}/lock-exchange`, {
        auth: a.admin,
        body: { action: 'lock', code1: makeCode1('lock').formatted },
      }),
    ),
  'POST /v1/desktop/devices/{serial}/lock-exchange/verify': async () =>
    refused(
      await api.call('POST', `/v1/desktop/devices/${bSerial()}/lock-exchange/verify`, {
        auth: a.admin,
        body: { code3: '00000-00000-00000' },
      }),
    ),
  'GET /v1/support/customers/{customerId}/audit': async () => {
    refused(await api.call('GET', `/v1/support/customers/${b.tenant.customerId}/audit`, { auth: a.admin }));
    refused(await api.call('GET', `/v1/support/customers/${b.tenant.customerId}/audit`, asAgentOfA()));
  },
  'POST /v1/desktop/login': async () => {
    // B's admin credentials do not work on A's installation.
    const res = await api.call('POST', '/v1/desktop/login', {
      auth: desktopA(),
      body: { username: 'admin', password: `${b.tenant.users.admin!.password}x`, workstation: 'server' },
    });
    expect(res.status).toBe(401);
  },
  'POST /v1/desktop/password': async () => {
    const res = await api.call('POST', '/v1/desktop/password', {
      auth: a.admin,
      body: { currentPassword: `${b.tenant.users.admin!.password}x`, newPassword: 'whatever-long-1' },
    });
    expect(res.status).toBe(400);
  },
  'POST /v1/desktop/logout': async () =>
    noTraceOfB(await api.call('POST', '/v1/desktop/logout', { auth: await api.login(a.tenant, 'clerk') })),
  'POST /v1/support/releases/{version}/uploads': async () =>
    refused(
      await api.call('POST', '/v1/support/releases/96.09.00_000/uploads', {
        auth: a.admin,
        body: { kind: 'desktop', filename: 'x.exe', size: 1, sha256: '0'.repeat(64) },
      }),
    ),
  'POST /v1/support/releases': async () => refused(await api.call('POST', '/v1/support/releases', { auth: a.admin, body: {} })),
  // Publishing from the console is for staff: neither a customer's admin nor an agent.
  'POST /v1/support/console/releases/{version}/uploads': async () => {
    const body = { kind: 'desktop', filename: 'x.exe', size: 1, sha256: '0'.repeat(64) };
    refused(await api.call('POST', '/v1/support/console/releases/96.09.00_000/uploads', { auth: a.admin, body }));
    refused(await api.call('POST', '/v1/support/console/releases/96.09.00_000/uploads', { ...asAgentOfA(), body }));
  },
  'POST /v1/support/console/releases': async () => {
    refused(await api.call('POST', '/v1/support/console/releases', { auth: a.admin, body: {} }));
    refused(await api.call('POST', '/v1/support/console/releases', { ...asAgentOfA(), body: {} }));
  },
  'GET /v1/support/releases': async () => {
    refused(await api.call('GET', '/v1/support/releases', { auth: a.admin }));
    refused(await api.call('GET', '/v1/support/releases', asAgentOfA()));
  },
  // Rollouts are staff-only: a plan names customers and its counters cover all of them.
  'GET /v1/support/releases/{version}/rollout': async () => {
    refused(await api.call('GET', `/v1/support/releases/${TO}/rollout`, { auth: a.admin }));
    refused(await api.call('GET', `/v1/support/releases/${TO}/rollout`, asAgentOfA()));
  },
  'PUT /v1/support/releases/{version}/rollout': async () => {
    const plan = {
      pilot: { customers: [a.tenant.customerId], soak: 'PT1H', minConcluded: 0 },
      waves: [{ percent: 100 }],
      errorThreshold: { percent: 50, minStarted: 1 },
    };
    refused(await api.call('PUT', `/v1/support/releases/${TO}/rollout`, { auth: a.admin, body: { revision: 0, plan } }));
    refused(await api.call('PUT', `/v1/support/releases/${TO}/rollout`, { ...asAgentOfA(), body: { revision: 0, plan } }));
  },
  'POST /v1/support/releases/{version}/rollout/pause': async () => {
    refused(await api.call('POST', `/v1/support/releases/${TO}/rollout/pause`, { auth: a.admin, body: { revision: 0 } }));
    refused(await api.call('POST', `/v1/support/releases/${TO}/rollout/pause`, { ...asAgentOfA(), body: { revision: 0 } }));
  },
  'POST /v1/support/releases/{version}/rollout/resume': async () => {
    refused(await api.call('POST', `/v1/support/releases/${TO}/rollout/resume`, { auth: a.admin, body: { revision: 0 } }));
    refused(await api.call('POST', `/v1/support/releases/${TO}/rollout/resume`, { ...asAgentOfA(), body: { revision: 0 } }));
  },
  'POST /v1/support/releases/{version}/rollout/advance': async () => {
    refused(await api.call('POST', `/v1/support/releases/${TO}/rollout/advance`, { auth: a.admin, body: { revision: 0 } }));
    refused(await api.call('POST', `/v1/support/releases/${TO}/rollout/advance`, { ...asAgentOfA(), body: { revision: 0 } }));
  },
  'POST /v1/support/releases/{version}/withdraw': async () => {
    // Withdrawing would stop B's update too: neither A's admin nor A's agent may.
    refused(await api.call('POST', `/v1/support/releases/${TO}/withdraw`, { auth: a.admin, body: { revision: 0 } }));
    refused(await api.call('POST', `/v1/support/releases/${TO}/withdraw`, { ...asAgentOfA(), body: { revision: 0 } }));
  },
  'GET /v1/desktop/update': async () => noTraceOfB(await api.call('GET', '/v1/desktop/update', { auth: a.admin })),
  'POST /v1/desktop/update/start-update-push': async () =>
    refused(await api.call('POST', '/v1/desktop/update/start-update-push', { auth: a.admin, body: { serial: bSerial() } })),
  'POST /v1/desktop/update/start': async () => noTraceOfB(await api.call('POST', '/v1/desktop/update/start', { auth: a.admin })),
  'POST /v1/desktop/update/force': async () => noTraceOfB(await api.call('POST', '/v1/desktop/update/force', { auth: a.admin })),
  'POST /v1/desktop/update/outcome': async () =>
    noTraceOfB(await api.call('POST', '/v1/desktop/update/outcome', { auth: a.admin, body: { result: 'success', version: TO } })),
  'POST /v1/desktop/update/end-update-push': async () => {
    // A's session is not in phase 3, so the phase check answers first (409); either way B's device is not reached.
    const res = await api.call('POST', '/v1/desktop/update/end-update-push', { auth: a.admin, body: { serial: bSerial() } });
    expect([404, 409]).toContain(res.status);
    noTraceOfB(res);
  },
  'POST /v1/desktop/update/conclude': async () => noTraceOfB(await api.call('POST', '/v1/desktop/update/conclude', { auth: a.admin })),
  'POST /v1/desktop/update/reactivate': async () => noTraceOfB(await api.call('POST', '/v1/desktop/update/reactivate', { auth: a.admin })),
  'POST /v1/desktop/update/close': async () => noTraceOfB(await api.call('POST', '/v1/desktop/update/close', { auth: a.admin })),
  'POST /v1/desktop/update/report': async () =>
    noTraceOfB(await api.call('POST', '/v1/desktop/update/report', { auth: a.admin, body: {} })),
  'POST /v1/desktop/devices/{serial}/disable': async () =>
    refused(await api.call('POST', `/v1/desktop/devices/${bSerial()}/disable`, { auth: a.admin })),
  'POST /v1/desktop/devices/{serial}/enable': async () =>
    refused(await api.call('POST', `/v1/desktop/devices/${bSerial()}/enable`, { auth: a.admin })),
  'GET /v1/desktop/devices': async () => noTraceOfB(await api.call('GET', '/v1/desktop/devices', { auth: a.admin })),
  'GET /v1/desktop/notice': async () => noTraceOfB(await api.call('GET', '/v1/desktop/notice', { auth: a.admin })),
  'POST /v1/desktop/window-tickets': async () => {
    // The ticket carries nothing that names a customer; its session is A's, whatever the page asks for.
    const res = await api.call('POST', '/v1/desktop/window-tickets', { auth: a.admin, body: {} });
    noTraceOfB(res);
    const session = await api.call('POST', '/v1/desktop/window-session', { body: { ticket: res.body.ticket } });
    noTraceOfB(await api.call('GET', '/v1/desktop/update', { auth: `Bearer ${session.body.token}` }));
  },
  'POST /v1/desktop/window-session': async () =>
    refused(await api.call('POST', '/v1/desktop/window-session', { body: { ticket: `wtk_${'B'.repeat(43)}` } })),
  'POST /v1/device/register': async () => {
    // A licence code is the customer's: registering B's serial with a made-up licence is refused.
    refused(
      await api.call('POST', '/v1/device/register', { body: { serial: bSerial(), licenceCode: 'LIC-NOT-B', installedVersion: FROM } }),
    );
    // With A's licence, B's serial is not authorised for A: refused, and B's tablet keeps its credential.
    const res = await api.call('POST', '/v1/device/register', {
      body: { serial: b.tenant.devices[1]!.serial, licenceCode: a.tenant.licenceCode, installedVersion: FROM },
    });
    expect(res.body.code).toBe('DEVICE_NOT_AUTHORISED');
    // Only the serial the caller sent is echoed: nothing of B's.
    expect(res.body).toEqual({
      code: 'DEVICE_NOT_AUTHORISED',
      serial: b.tenant.devices[1]!.serial,
      message: expect.any(String),
      messages: expect.any(Object),
    });
  },
  'POST /v1/device/check-in': async () =>
    refused(await api.call('POST', '/v1/device/check-in', { auth: deviceA(), body: { serial: bSerial(), installedVersion: FROM } })),
  'POST /v1/device/ack': async () =>
    refused(
      await api.call('POST', '/v1/device/ack', { auth: deviceA(), body: { serial: bSerial(), sessionId: 'x', command: 'START_UPDATE' } }),
    ),
  'POST /v1/device/locked': async () =>
    refused(await api.call('POST', '/v1/device/locked', { auth: deviceA(), body: { serial: bSerial(), sessionId: 'x' } })),
  'POST /v1/device/unsent-data-sent': async () =>
    refused(await api.call('POST', '/v1/device/unsent-data-sent', { auth: deviceA(), body: { serial: bSerial(), sessionId: 'x' } })),
  'POST /v1/device/installed': async () =>
    refused(await api.call('POST', '/v1/device/installed', { auth: deviceA(), body: { serial: bSerial(), version: FROM } })),
  'GET /v1/support/failed-updates': async () => {
    refused(await api.call('GET', '/v1/support/failed-updates', { auth: a.admin }));
    noTraceOfB(await api.call('GET', '/v1/support/failed-updates', asAgentOfA()));
  },
  'GET /v1/support/cases': async () => {
    refused(await api.call('GET', '/v1/support/cases', { auth: a.admin }));
    noTraceOfB(await api.call('GET', '/v1/support/cases', asAgentOfA()));
  },
  'POST /v1/support/customers/{customerId}/session/resolve': async () => {
    refused(
      await api.call('POST', `/v1/support/customers/${b.tenant.customerId}/session/resolve`, { auth: a.admin, body: { resolution: 'x' } }),
    );
    refused(
      await api.call('POST', `/v1/support/customers/${b.tenant.customerId}/session/resolve`, {
        ...asAgentOfA(),
        body: { resolution: 'x' },
      }),
    );
  },
  'GET /v1/support/customer-search': async () => {
    refused(await api.call('GET', `/v1/support/customer-search?q=${b.tenant.customerId}`, { auth: a.admin }));
    // An agent of A finds nothing of B: not by its id, nor by its licence.
    for (const q of [b.tenant.customerId, await licenceCodeFor(b.tenant.customerId)]) {
      const res = await api.call('GET', `/v1/support/customer-search?q=${encodeURIComponent(q)}`, asAgentOfA());
      expect(res.status).toBe(200);
      expect(res.body.customers).toEqual([]);
      noTraceOfB(res);
    }
  },
  'GET /v1/support/customer-overview': async () => {
    refused(await api.call('GET', '/v1/support/customer-overview', { auth: a.admin }));
    // An agent of A sees A's row and nothing of B.
    const res = await api.call('GET', '/v1/support/customer-overview', asAgentOfA());
    expect(res.status).toBe(200);
    expect(res.body.customers.map((c: { customerId: string }) => c.customerId)).toEqual([a.tenant.customerId]);
    noTraceOfB(res);
  },
  'GET /v1/support/customers/{customerId}/update': async () => {
    refused(await api.call('GET', `/v1/support/customers/${b.tenant.customerId}/update`, { auth: a.admin }));
    refused(await api.call('GET', `/v1/support/customers/${b.tenant.customerId}/update`, asAgentOfA()));
  },
  'GET /v1/support/customers/{customerId}/session/log': async () => {
    refused(await api.call('GET', `/v1/support/customers/${b.tenant.customerId}/session/log`, { auth: a.admin }));
    refused(await api.call('GET', `/v1/support/customers/${b.tenant.customerId}/session/log`, asAgentOfA()));
  },
  'GET /v1/support/customers/{customerId}/users': async () => {
    refused(await api.call('GET', `/v1/support/customers/${b.tenant.customerId}/users`, { auth: a.admin }));
    refused(await api.call('GET', `/v1/support/customers/${b.tenant.customerId}/users`, asAgentOfA()));
  },
  'POST /v1/support/customers/{customerId}/users': async () => {
    refused(
      await api.call('POST', `/v1/support/customers/${b.tenant.customerId}/users`, {
        auth: a.admin,
        body: { username: 'intruder', password: 'a-long-password', role: 'admin' },
      }),
    );
    refused(
      await api.call('POST', `/v1/support/customers/${b.tenant.customerId}/users`, {
        ...asAgentOfA(),
        body: { username: 'intruder', password: 'a-long-password', role: 'admin' },
      }),
    );
  },
  'GET /v1/support/sign-in': async () => noTraceOfB(await api.call('GET', '/v1/support/sign-in')),
  'GET /v1/support/me': async () => {
    refused(await api.call('GET', '/v1/support/me', { auth: a.admin }));
    const me = await api.call('GET', '/v1/support/me', asAgentOfA());
    expect(me.body.customers).toEqual([a.tenant.customerId]);
    noTraceOfB(me);
  },
  'GET /v1/support/agents': async () => {
    refused(await api.call('GET', '/v1/support/agents', { auth: a.admin }));
    refused(await api.call('GET', '/v1/support/agents', asAgentOfA()));
  },
  'GET /v1/support/agents/{username}': async () => {
    refused(await api.call('GET', `/v1/support/agents/${agentOfA.username}`, { auth: a.admin }));
    refused(await api.call('GET', `/v1/support/agents/${agentOfA.username}`, asAgentOfA()));
  },
  'PUT /v1/support/agents/{username}/customers/{customerId}': async () => {
    // Neither A's admin nor A's agent can extend the agent to customer B.
    const path = `/v1/support/agents/${agentOfA.username}/customers/${b.tenant.customerId}`;
    refused(await api.call('PUT', path, { auth: a.admin }));
    refused(await api.call('PUT', path, asAgentOfA()));
    expect((await api.call('GET', '/v1/support/me', asAgentOfA())).body.customers).toEqual([a.tenant.customerId]);
  },
  'DELETE /v1/support/agents/{username}/customers/{customerId}': async () => {
    const path = `/v1/support/agents/${agentOfA.username}/customers/${a.tenant.customerId}`;
    refused(await api.call('DELETE', path, { auth: a.admin }));
    refused(await api.call('DELETE', path, asAgentOfA()));
  },
  'PATCH /v1/support/customers/{customerId}/users/{username}': async () => {
    refused(await api.call('PATCH', `/v1/support/customers/${b.tenant.customerId}/users/admin`, { auth: a.admin, body: { role: 'user' } }));
    refused(
      await api.call('PATCH', `/v1/support/customers/${b.tenant.customerId}/users/admin`, { ...asAgentOfA(), body: { role: 'user' } }),
    );
  },

  // Tablet authorisation management, admin side: everything is the caller's customer's (the list: above, Gestione Mobile).
  'POST /v1/desktop/devices': async () => {
    // The same IMEI may be authorised by two customers: A's row is A's own, B's row is untouched.
    const serial = b.tenant.devices[1]!.serial;
    const res = await api.call('POST', '/v1/desktop/devices', { auth: a.admin, body: { serial, ...TABLET } });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ serial, registered: false, model: 'Intruder Tab' });
    expect((await api.call('POST', '/v1/desktop/devices/x/enable', { auth: a.admin })).status).toBe(404);
  },
  'PATCH /v1/desktop/devices/{serial}': async () => {
    const res = await api.call('PATCH', `/v1/desktop/devices/${bSerial()}`, { auth: a.admin, body: { model: 'Hijacked' } });
    expect(res.status).toBe(404);
    expect(JSON.stringify(res.body)).not.toContain(b.tenant.customerId);
  },
  // Onboarding by support: A's admin never passes; an agent of A never reaches B.
  'POST /v1/support/customers': async () => {
    const body = { customerId: b.tenant.customerId, name: 'Takeover', desktopVersion: FROM };
    refused(await api.call('POST', '/v1/support/customers', { auth: a.admin, body }));
    refused(await api.call('POST', '/v1/support/customers', { ...asAgentOfA(), body }));
    // Staff get the existing customer back as a conflict, nothing overwritten.
    const staff = await api.call('POST', '/v1/support/customers', { auth: await staffAuth(), body });
    expect(staff.status).toBe(409);
    expect(staff.body.customer.name).toBe(`Test ${b.tenant.customerId}`);
  },
  'GET /v1/support/customers': async () => {
    refused(await api.call('GET', '/v1/support/customers', { auth: a.admin }));
    // Every page an agent of A can read (other test files add customers meanwhile).
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await api.call('GET', `/v1/support/customers?limit=100${cursor ? `&cursor=${cursor}` : ''}`, asAgentOfA());
      expect(page.status).toBe(200);
      noTraceOfB(page);
      seen.push(...page.body.customers.map((c: { customerId: string }) => c.customerId));
      cursor = page.body.cursor;
    } while (cursor);
    expect(seen).toEqual([a.tenant.customerId]);
  },
  'GET /v1/support/customers/{customerId}': async () => {
    refused(await api.call('GET', bPath(''), { auth: a.admin }));
    refused(await api.call('GET', bPath(''), asAgentOfA()));
  },
  'PATCH /v1/support/customers/{customerId}': async () => {
    refused(await api.call('PATCH', bPath(''), { auth: a.admin, body: { name: 'Hijacked' } }));
    refused(await api.call('PATCH', bPath(''), { ...asAgentOfA(), body: { name: 'Hijacked' } }));
  },
  'POST /v1/support/customers/{customerId}/licences': async () => {
    refused(await api.call('POST', bPath('/licences'), { auth: a.admin, body: {} }));
    refused(await api.call('POST', bPath('/licences'), { ...asAgentOfA(), body: {} }));
    // Licences are staff-only: even on its own customer an agent is refused.
    expect((await api.call('POST', aPath('/licences'), { ...asAgentOfA(), body: {} })).body.code).toBe('STAFF_REQUIRED');
    // Claiming B's code for A is refused without saying whose it is.
    const res = await api.call('POST', aPath('/licences'), { auth: await staffAuth(), body: { licenceCode: b.tenant.licenceCode } });
    expect(res.status).toBe(409);
    noTraceOfB(res);
  },
  'GET /v1/support/customers/{customerId}/licences': async () => {
    refused(await api.call('GET', bPath('/licences'), { auth: a.admin }));
    refused(await api.call('GET', bPath('/licences'), asAgentOfA()));
    const mine = await api.call('GET', aPath('/licences'), asAgentOfA());
    expect(JSON.stringify(mine.body)).not.toContain(b.tenant.licenceCode);
  },
  'POST /v1/support/customers/{customerId}/licences/revoke': async () => {
    const body = { licenceCode: b.tenant.licenceCode };
    refused(await api.call('POST', bPath('/licences/revoke'), { auth: a.admin, body }));
    refused(await api.call('POST', bPath('/licences/revoke'), { ...asAgentOfA(), body }));
    expect((await api.call('POST', aPath('/licences/revoke'), { ...asAgentOfA(), body })).body.code).toBe('STAFF_REQUIRED');
    // B's code named under A's path: not A's licence.
    expect((await api.call('POST', aPath('/licences/revoke'), { auth: await staffAuth(), body })).status).toBe(404);
  },
  'POST /v1/support/customers/{customerId}/workstations': async () => {
    const body = { workstation: 'server', label: 'Rogue' };
    refused(await api.call('POST', bPath('/workstations'), { auth: a.admin, body }));
    refused(await api.call('POST', bPath('/workstations'), { ...asAgentOfA(), body }));
    // Workstation credentials are staff-only: even on its own customer an agent is refused.
    expect((await api.call('POST', aPath('/workstations'), { ...asAgentOfA(), body })).body.code).toBe('STAFF_REQUIRED');
  },
  'GET /v1/support/customers/{customerId}/workstations': async () => {
    refused(await api.call('GET', bPath('/workstations'), { auth: a.admin }));
    refused(await api.call('GET', bPath('/workstations'), asAgentOfA()));
    const mine = await api.call('GET', aPath('/workstations'), asAgentOfA());
    expect(JSON.stringify(mine.body)).not.toContain(bCredentialId());
  },
  'POST /v1/support/customers/{customerId}/workstations/{credentialId}/revoke': async () => {
    refused(await api.call('POST', bPath(`/workstations/${bCredentialId()}/revoke`), { auth: a.admin }));
    refused(await api.call('POST', bPath(`/workstations/${bCredentialId()}/revoke`), asAgentOfA()));
    expect((await api.call('POST', aPath(`/workstations/${bCredentialId()}/revoke`), { auth: await staffAuth() })).status).toBe(404);
  },
  'POST /v1/support/customers/{customerId}/workstations/{credentialId}/rotate': async () => {
    refused(await api.call('POST', bPath(`/workstations/${bCredentialId()}/rotate`), { auth: a.admin }));
    refused(await api.call('POST', bPath(`/workstations/${bCredentialId()}/rotate`), asAgentOfA()));
    const res = await api.call('POST', aPath(`/workstations/${bCredentialId()}/rotate`), { auth: await staffAuth() });
    expect(res.status).toBe(404);
    expect(res.body.credential).toBeUndefined();
  },
  'GET /v1/support/customers/{customerId}/devices': async () => {
    refused(await api.call('GET', bPath('/devices'), { auth: a.admin }));
    refused(await api.call('GET', bPath('/devices'), asAgentOfA()));
  },
  'POST /v1/support/customers/{customerId}/devices': async () => {
    const body = { serial: '350000000000001', ...TABLET };
    refused(await api.call('POST', bPath('/devices'), { auth: a.admin, body }));
    refused(await api.call('POST', bPath('/devices'), { ...asAgentOfA(), body }));
  },
  'PATCH /v1/support/customers/{customerId}/devices/{serial}': async () => {
    refused(await api.call('PATCH', bPath(`/devices/${bSerial()}`), { auth: a.admin, body: { model: 'Hijacked' } }));
    refused(await api.call('PATCH', bPath(`/devices/${bSerial()}`), { ...asAgentOfA(), body: { model: 'Hijacked' } }));
    expect((await api.call('PATCH', aPath(`/devices/${bSerial()}`), { ...asAgentOfA(), body: { model: 'Hijacked' } })).status).toBe(404);
  },
  'POST /v1/support/customers/{customerId}/devices/{serial}/disable': async () => {
    refused(await api.call('POST', bPath(`/devices/${bSerial()}/disable`), { auth: a.admin }));
    refused(await api.call('POST', bPath(`/devices/${bSerial()}/disable`), asAgentOfA()));
    expect((await api.call('POST', aPath(`/devices/${bSerial()}/disable`), asAgentOfA())).status).toBe(404);
  },
  'POST /v1/support/customers/{customerId}/devices/{serial}/enable': async () => {
    refused(await api.call('POST', bPath(`/devices/${bSerial()}/enable`), { auth: a.admin }));
    refused(await api.call('POST', bPath(`/devices/${bSerial()}/enable`), asAgentOfA()));
    expect((await api.call('POST', aPath(`/devices/${bSerial()}/enable`), asAgentOfA())).status).toBe(404);
  },
};

describe('tenant isolation on every route (AUTH-2)', () => {
  it('has a cross-tenant attempt for every route in the route table', () => {
    expect(Object.keys(ATTEMPTS).sort()).toEqual(ROUTES.map(routeKey).sort());
  });

  for (const [key, attempt] of Object.entries(ATTEMPTS)) {
    it(`refuses customer A reaching customer B through ${key}`, attempt);
  }

  it("leaves customer B's grid, devices and users untouched after all attempts", async () => {
    const grid = await api.call('GET', '/v1/desktop/update', { auth: b.admin });
    expect(grid.body.session.state).toBe('available');
    expect(grid.body.rows.map((r: { serial: string }) => r.serial).sort()).toEqual(b.tenant.devices.map((d) => d.serial).sort());
    expect(grid.body.rows.every((r: { blocked: boolean }) => !r.blocked)).toBe(true);
    expect((await api.login(b.tenant, 'admin')).startsWith('Bearer ')).toBe(true);
    // Every rollout attempt was refused: the release B installs has no rollout written.
    expect(await getRollout(TO)).toBeUndefined();
  });

  it("leaves customer B's profile, licence, workstation credentials and tablets as they were", async () => {
    const profile = await api.call('GET', bPath(''), { auth: await staffAuth() });
    expect(profile.body).toMatchObject({
      name: `Test ${b.tenant.customerId}`,
      licenceCode: b.tenant.licenceCode,
      serverCredentialId: bCredentialId(),
    });
    const licences = await api.call('GET', bPath('/licences'), { auth: await staffAuth() });
    expect(licences.body.licences).toEqual([expect.objectContaining({ licenceCode: b.tenant.licenceCode, revoked: false })]);
    const workstations = await api.call('GET', bPath('/workstations'), { auth: await staffAuth() });
    expect(workstations.body.workstations.every((w: { revoked: boolean }) => !w.revoked)).toBe(true);
    expect((await api.call('GET', `/v1/desktop/feed?installed=${FROM}`, { auth: `Desktop ${b.tenant.desktopCredential}` })).status).toBe(
      200,
    );
    const tablets = await api.call('GET', '/v1/desktop/devices', { auth: b.admin });
    expect(tablets.body.devices).toHaveLength(b.tenant.devices.length);
    for (const t of tablets.body.devices) expect(t).toMatchObject({ enabled: true, registered: true, model: 'Test Tab' });
    for (const d of b.tenant.devices) {
      const checkIn = await api.call('POST', '/v1/device/check-in', { auth: `Device ${d.credential}`, body: { installedVersion: FROM } });
      expect(checkIn.status).toBe(200);
    }
  });
});
