import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_PEOPLE } from '../../../local/stack';
import { listCustomerCases, newCaseId } from '../../../shared/db/cases';
import { getSession } from '../../../shared/db/session';
import { ALLOWED_ACTIONS } from '../../../shared/session/state-machine';
import { TestApi } from '../../fixtures/api';
import { createTenant, setSessionState, type Tenant } from '../../fixtures/tenant';
import { agent, collect, putSessionInState, reportToSupport, staff } from './helpers';

let api: TestApi;
beforeAll(async () => {
  api = await TestApi.start();
});
afterAll(() => api.close());

const failedList = (options = staff()) => collect(api, '/v1/support/failed-updates', 'failedUpdates', options);
const openCases = (options = staff()) => collect(api, '/v1/support/cases', 'cases', options);
const resolve = (customerId: string, body: unknown = { resolution: 'Antivirus disabled, installer re-downloaded' }, options = staff()) =>
  api.call('POST', `/v1/support/customers/${customerId}/session/resolve`, { ...options, body });
const notice = async (tenant: Tenant) => {
  const feed = await api.call('GET', '/v1/desktop/feed?installed=03.01.00_030', { auth: `Desktop ${tenant.desktopCredential}` });
  expect(feed.status).toBe(200);
  return JSON.parse(feed.body.answer.payload).notice.kind as string;
};

describe('failed updates list (SES-10)', () => {
  it('lists a failed customer with its session details, and not a customer whose session is available', async () => {
    const failed = await createTenant();
    const fine = await createTenant();
    const sessionId = await putSessionInState(failed.customerId, 'failed', '03.02.00_007');
    await setSessionState(fine.customerId, 'available');

    const rows = await failedList();
    const row = rows.find((r) => r.customerId === failed.customerId);
    expect(row).toMatchObject({
      customerId: failed.customerId,
      sessionId,
      state: 'failed',
      targetVersion: '03.02.00_007',
      fromVersion: '03.01.00_030',
    });
    expect(Date.parse(row.since)).toBeGreaterThan(Date.now() - 60_000);
    expect(row.supportCaseId).toBeUndefined();
    expect(rows.some((r) => r.customerId === fine.customerId)).toBe(false);
  });

  it('lists reactivated sessions too, newest first, across pages', async () => {
    const older = await createTenant();
    const newer = await createTenant();
    await putSessionInState(older.customerId, 'failed');
    await putSessionInState(newer.customerId, 'failed');
    await putSessionInState(newer.customerId, 'reactivated');
    const rows = await failedList();
    const ids = rows.map((r) => r.customerId);
    expect(ids.indexOf(newer.customerId)).toBeGreaterThanOrEqual(0);
    expect(ids.indexOf(newer.customerId)).toBeLessThan(ids.indexOf(older.customerId));
    expect(rows.find((r) => r.customerId === newer.customerId).state).toBe('reactivated');
    const times = rows.map((r) => r.since as string);
    expect([...times].sort().reverse()).toEqual(times);
  });

  it('shows an agent only the failed updates of its own customers', async () => {
    const mine = await createTenant();
    const theirs = await createTenant();
    await putSessionInState(mine.customerId, 'failed');
    await putSessionInState(theirs.customerId, 'failed');
    const asAgent = await agent(api, [mine.customerId]);

    const rows = await failedList(asAgent);
    expect(rows.map((r) => r.customerId)).toEqual([mine.customerId]);
    // Support staff see both.
    const all = (await failedList()).map((r) => r.customerId);
    expect(all).toEqual(expect.arrayContaining([mine.customerId, theirs.customerId]));
    // An agent with no customers sees an empty list.
    const nobody = await agent(api, []);
    const empty = await api.call('GET', '/v1/support/failed-updates', nobody);
    expect(empty.body).toEqual({ failedUpdates: [] });
  });

  it('refuses a forged cursor, a cursor of another list and a bad limit with 400 naming the field', async () => {
    const forged = Buffer.from(JSON.stringify({ pk: 'AUDIT#x', sk: 'y', gsi1pk: 'FAILED_SESSIONS', gsi1sk: 'z' })).toString('base64url');
    const res = await api.call('GET', `/v1/support/failed-updates?cursor=${forged}`, staff());
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 'INVALID_CURSOR', issues: [{ field: 'cursor' }] });

    const a = await createTenant();
    const b = await createTenant();
    await putSessionInState(a.customerId, 'failed');
    await putSessionInState(b.customerId, 'failed');
    const page = await api.call('GET', '/v1/support/failed-updates?limit=1', staff());
    expect(page.body.cursor).toEqual(expect.any(String));
    const crossed = await api.call('GET', `/v1/support/cases?cursor=${page.body.cursor}`, staff());
    expect(crossed.status).toBe(400);
    expect(crossed.body.code).toBe('INVALID_CURSOR');

    for (const query of ['limit=0', 'limit=101', 'limit=ten', 'cursor=not%20base64']) {
      const bad = await api.call('GET', `/v1/support/failed-updates?${query}`, staff());
      expect(bad.status, query).toBe(400);
      expect(bad.body.issues[0].field, query).toBe(query.split('=')[0]);
    }
  });
});

describe('resolving a failed update (SES-10/11)', () => {
  it('moves failed → available: the red notice disappears, the audit shows session.resolve from failed', async () => {
    const tenant = await createTenant();
    const sessionId = await putSessionInState(tenant.customerId, 'failed');
    expect(await notice(tenant)).toBe('update-failed');

    const res = await resolve(tenant.customerId);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      customerId: tenant.customerId,
      fromState: 'failed',
      session: { sessionId, state: 'available' },
      resolvedBy: LOCAL_PEOPLE.staff.username,
    });

    expect(await notice(tenant)).not.toBe('update-failed');
    const session = await getSession(tenant.customerId);
    expect(session.state).toBe('available');
    expect(session.failureMessage).toBeUndefined();
    expect((await failedList()).some((r) => r.customerId === tenant.customerId)).toBe(false);

    const audit = await api.call('GET', `/v1/support/customers/${tenant.customerId}/audit?action=session.resolve`, staff());
    expect(audit.status).toBe(200);
    expect(audit.body.entries).toHaveLength(1);
    expect(audit.body.entries[0]).toMatchObject({
      action: 'session.resolve',
      fromState: 'failed',
      toState: 'available',
      actor: { kind: 'support', id: LOCAL_PEOPLE.staff.username },
      details: { sessionId, resolution: 'Antivirus disabled, installer re-downloaded' },
    });
  });

  it('lets the admin start a new update after the resolve (send-start-update is allowed again)', async () => {
    const tenant = await createTenant();
    await putSessionInState(tenant.customerId, 'reactivated');
    expect((await resolve(tenant.customerId)).status).toBe(200);
    const session = await getSession(tenant.customerId);
    expect(ALLOWED_ACTIONS[session.state]).toContain('send-start-update');
  });

  it('refuses a repeated resolve with 409 and the current state, and applies concurrent resolves once', async () => {
    const tenant = await createTenant();
    await putSessionInState(tenant.customerId, 'failed');
    const [a, b] = await Promise.all([resolve(tenant.customerId), resolve(tenant.customerId)]);
    expect([a.status, b.status].sort()).toEqual([200, 409]);
    const again = await resolve(tenant.customerId);
    expect(again.status).toBe(409);
    expect(again.body.session.state).toBe('available');
    expect(again.body.allowedActions).toEqual(ALLOWED_ACTIONS.available);
    const audit = await api.call('GET', `/v1/support/customers/${tenant.customerId}/audit?action=session.resolve`, staff());
    expect(audit.body.entries).toHaveLength(1);
  });

  it('refuses to resolve a session that has not failed with 409, its state and the allowed actions', async () => {
    const tenant = await createTenant();
    await setSessionState(tenant.customerId, 'updating', '03.02.00_001');
    const res = await resolve(tenant.customerId);
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ code: 'NOT_FAILED', session: { state: 'updating' }, allowedActions: ALLOWED_ACTIONS.updating });
    expect((await getSession(tenant.customerId)).state).toBe('updating');
    // A customer that never opened a session has nothing to resolve either.
    const fresh = await createTenant();
    expect((await resolve(fresh.customerId)).body).toMatchObject({ code: 'NOT_FAILED', session: { state: 'available' } });
  });

  it("refuses an agent resolving another customer's update (403) and leaves it failed", async () => {
    const tenant = await createTenant();
    const other = await createTenant();
    await putSessionInState(tenant.customerId, 'failed');
    const asAgent = await agent(api, [other.customerId]);
    const res = await resolve(tenant.customerId, { resolution: 'done' }, asAgent);
    expect(res.status).toBe(403);
    expect((await getSession(tenant.customerId)).state).toBe('failed');
    // For its own customer the agent may resolve.
    await putSessionInState(other.customerId, 'failed');
    expect((await resolve(other.customerId, { resolution: 'done' }, asAgent)).status).toBe(200);
  });

  it('answers 400 naming the field for a bad resolution or customer id, and 404 for an unknown customer', async () => {
    const tenant = await createTenant();
    await putSessionInState(tenant.customerId, 'failed');
    const cases: [unknown, string][] = [
      [{}, 'resolution'],
      [{ resolution: '   ' }, 'resolution'],
      [{ resolution: 'x'.repeat(2001) }, 'resolution'],
      [{ resolution: 'ok', extra: true }, '(body)'],
    ];
    for (const [body, field] of cases) {
      const res = await resolve(tenant.customerId, body);
      expect(res.status, JSON.stringify(body).slice(0, 40)).toBe(400);
      expect(res.body.issues[0].field).toBe(field);
    }
    const badId = await resolve('bad%20id');
    expect(badId.status).toBe(400);
    expect(badId.body.issues[0].field).toBe('customerId');
    expect((await resolve('t-unknown0')).status).toBe(404);
    expect((await getSession(tenant.customerId)).state).toBe('failed');
  });
});

describe('support cases', () => {
  it('lists the case filed with "Send report to support" and closes it when the update is resolved', async () => {
    const tenant = await createTenant();
    const sessionId = await putSessionInState(tenant.customerId, 'failed', '03.02.00_009');
    const filed = await reportToSupport(tenant.customerId, 'Please call me back');

    const listed = (await openCases()).find((c) => c.caseId === filed.caseId);
    expect(listed).toMatchObject({
      caseId: filed.caseId,
      customerId: tenant.customerId,
      sessionId,
      status: 'open',
      targetVersion: '03.02.00_009',
      failureMessage: 'Installer exited with code 5',
      failureLogKey: `logs/${tenant.customerId}/${sessionId}.log`,
      reportedBy: 'admin',
      message: 'Please call me back',
    });
    expect(listed).not.toHaveProperty('gsi1pk');
    expect((await failedList()).find((r) => r.customerId === tenant.customerId).supportCaseId).toBe(filed.caseId);

    const res = await resolve(tenant.customerId, { resolution: 'Fixed the installer path' });
    expect(res.status).toBe(200);
    expect(res.body.closedCaseIds).toEqual([filed.caseId]);
    expect((await openCases()).some((c) => c.caseId === filed.caseId)).toBe(false);
    const [closed] = await listCustomerCases(tenant.customerId);
    expect(closed).toMatchObject({
      caseId: filed.caseId,
      status: 'resolved',
      resolvedBy: LOCAL_PEOPLE.staff.username,
      resolution: 'Fixed the installer path',
    });
    expect((await getSession(tenant.customerId)).supportCaseId).toBeUndefined();
  });

  it("shows an agent only its customers' open cases", async () => {
    const mine = await createTenant();
    const theirs = await createTenant();
    await putSessionInState(mine.customerId, 'failed');
    await putSessionInState(theirs.customerId, 'failed');
    const myCase = await reportToSupport(mine.customerId);
    const theirCase = await reportToSupport(theirs.customerId);
    const asAgent = await agent(api, [mine.customerId]);
    const seen = (await openCases(asAgent)).map((c) => c.caseId);
    expect(seen).toEqual([myCase.caseId]);
    expect((await openCases()).map((c) => c.caseId)).toEqual(expect.arrayContaining([myCase.caseId, theirCase.caseId]));
  });

  it('gives cases ids that sort by creation time', () => {
    const ids = [0, 1, 1000, Date.UTC(2030, 0, 1)].map((t) => newCaseId(Date.UTC(2025, 0, 1) + t));
    expect(ids.every((id) => /^[0-9A-HJKMNP-TV-Z]{26}$/.test(id))).toBe(true);
    expect([...ids].sort()).toEqual(ids);
  });
});
