import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { CATALOG_AUDIT_SCOPE, listAudit } from '../../../shared/db/audit';
import { TestApi } from '../../fixtures/api';
import { ensureRelease, readyTenant } from '../../fixtures/session';
import { createTenant } from '../../fixtures/tenant';
import { act, eventually, offer, pilotPlan, rollout, setPlan, startAndReport, support, supportTopicMessages } from './helpers';

// This file owns 82.xx (automatic advance), 83.xx (automatic halt) and 85.xx (withdraw) of the shared catalog.
// Soak times and scheduled starts are real seconds, on a machine shared with other test files.
vi.setConfig({ testTimeout: 120_000 });

let api: TestApi;
beforeAll(async () => {
  api = await TestApi.start();
});
afterAll(() => api.close());

describe('automatic advance after soak and success', () => {
  const FROM = '82.00.00_001';
  const R = '82.00.00_002';

  it('opens the next wave only once the pilot concluded an update and the soak time has passed', async () => {
    const pilot = await readyTenant(api, FROM, R, 0);
    const other = await createTenant({ desktopVersion: FROM });
    // 12 s of soak: longer than the pilot's whole update below, so success comes first and the soak decides.
    await setPlan(api, R, pilotPlan([pilot.tenant.customerId], { soak: 'PT12S', minConcluded: 1 }));
    expect((await offer(api, other, FROM)).version).not.toBe(R);

    // The pilot installs the release and concludes: the success threshold (1 session) is met.
    const post = await startAndReport(api, pilot.admin, R, 'success');
    expect((await post('/conclude')).status).toBe(200);
    const progress = await rollout(api, R);
    expect(progress.waves[0]).toMatchObject({ customers: 1, downloaded: 0, started: 1, concluded: 1, failed: 0 });
    expect(progress.waveSucceededAt).not.toBeNull();
    expect(progress.nextWaveAt).toBe(new Date(Date.parse(progress.waveOpenedAt) + 12_000).toISOString());
    // Threshold met, still soaking: wave 1 is not open yet.
    const before = await offer(api, other, FROM);
    expect(before.version).not.toBe(R);

    await eventually(async () => (await offer(api, other, FROM)).version === R, 30_000);
    expect((await offer(api, other, FROM)).catalogVersion).toBeGreaterThan(before.catalogVersion);
    expect(await rollout(api, R)).toMatchObject({ phase: 'complete', openWave: 1 });
    const audit = await listAudit(CATALOG_AUDIT_SCOPE, { action: 'rollout.wave-succeeded', limit: 500 });
    expect(audit.entries.find((e) => e.details?.version === R)).toMatchObject({
      actor: { kind: 'system' },
      details: { wave: 0, concluded: 1 },
    });
  });

  it('keeps the next wave closed when the soak time passed but no pilot concluded', async () => {
    const V = '82.00.00_003';
    await ensureRelease(V);
    const pilot = await createTenant({ desktopVersion: '82.00.00_002' });
    const other = await createTenant({ desktopVersion: '82.00.00_002' });
    await setPlan(api, V, pilotPlan([pilot.customerId], { soak: 'PT1S', minConcluded: 1 }));
    await new Promise((r) => setTimeout(r, 1_500));
    expect((await offer(api, pilot, '82.00.00_002')).version).toBe(V);
    expect((await offer(api, other, '82.00.00_002')).version).not.toBe(V);
    expect(await rollout(api, V)).toMatchObject({ phase: 'running', openWave: 0, waveSucceededAt: null, nextWaveAt: null });
  });
});

describe('automatic halt on the error threshold', () => {
  const FROM = '83.00.00_001';
  const R = '83.00.00_002';

  it('halts when failed ÷ started reaches the threshold, tells support, offers the release to nobody new, and resumes', async () => {
    const [ok, failing, waiting] = [
      await readyTenant(api, FROM, R, 0),
      await readyTenant(api, FROM, R, 0),
      await readyTenant(api, FROM, R, 0),
    ];
    const pilots = [ok, failing, waiting].map((p) => p.tenant.customerId);
    // Halt at 50 % failed with at least 2 started.
    await setPlan(api, R, pilotPlan(pilots, { minConcluded: 3 }));
    expect((await offer(api, waiting.tenant, FROM)).version).toBe(R);

    const okPost = await startAndReport(api, ok.admin, R, 'success');
    expect((await rollout(api, R)).phase).toBe('running'); // 0 failed of 1 started
    await startAndReport(api, failing.admin, R, 'failed');

    const halted = await rollout(api, R);
    expect(halted).toMatchObject({
      phase: 'halted',
      halt: { started: 2, failed: 1, failedPercent: 50 },
      allowedActions: ['set-plan', 'resume', 'withdraw'],
      totals: { started: 2, failed: 1, failedPercent: 50 },
    });
    expect(halted.phaseText.it).toMatch(/fermato/);
    const messages = (await supportTopicMessages()).filter((m) => m.includes(`versione ${R}`));
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatch(/fermata automaticamente/);
    expect(messages[0]).toMatch(/1 of 2 started updates failed \(50%\)/);

    // Nobody new: the pilot that had not started is no longer offered it; the open session goes on.
    expect((await offer(api, waiting.tenant, FROM)).version).not.toBe(R);
    expect((await okPost('/conclude')).status).toBe(200);
    expect((await rollout(api, R)).waves[0]).toMatchObject({ started: 2, failed: 1, concluded: 1 });

    const resumed = await act(api, R, 'resume');
    expect(resumed.body).toMatchObject({ phase: 'running', halt: null });
    expect((await offer(api, waiting.tenant, FROM)).version).toBe(R);
    const audit = await listAudit(CATALOG_AUDIT_SCOPE, { action: 'rollout.halted', limit: 500 });
    expect(audit.entries.filter((e) => e.details?.version === R)).toHaveLength(1);
  });
});

describe('withdraw', () => {
  const A = '85.00.00_001';
  const B = '85.00.00_002';
  const C = '85.00.00_003';

  it('skips a withdrawn release in the one-step rule, leaves customers already on it alone, and lets an open session close', async () => {
    await ensureRelease(A);
    await ensureRelease(C);
    const onA = await createTenant({ desktopVersion: A });
    const onB = await createTenant({ desktopVersion: B });
    const preparing = await readyTenant(api, A, B, 0);
    const post = (path: string, body?: unknown) => api.call('POST', `/v1/desktop/update${path}`, { auth: preparing.admin, body });
    expect((await post('/start-update-push')).body.session).toMatchObject({ state: 'preparing', targetVersion: B });
    const notWithdrawn = await post('/close');
    expect(notWithdrawn.status).toBe(409);
    expect(notWithdrawn.body.code).toBe('ACTION_NOT_ALLOWED');

    const before = await offer(api, onA, A);
    expect(before.version).toBe(B);
    // B never had a plan: withdrawing it works all the same (revision 0).
    const withdrawn = await api.call('POST', `/v1/support/releases/${B}/withdraw`, {
      ...support,
      body: { revision: 0, reason: 'installer breaks the fiscal module' },
    });
    expect(withdrawn.status).toBe(200);
    expect(withdrawn.body).toMatchObject({ phase: 'withdrawn', withdrawReason: 'installer breaks the fiscal module', allowedActions: [] });

    const after = await offer(api, onA, A);
    expect(after.version).toBe(C);
    expect(after.catalogVersion).toBeGreaterThan(before.catalogVersion);
    expect((await offer(api, onB, B)).version).toBe(C);

    // The admin of the open session: Avvia and Forza explain, Chiudi aggiornamento closes.
    for (const path of ['/start', '/force', '/start-update-push']) {
      const refused = await post(path);
      expect(refused.status).toBe(409);
      expect(refused.body).toMatchObject({ code: 'RELEASE_WITHDRAWN', allowedActions: ['close-update', 'disable-device'] });
      expect(refused.body.messages.it).toMatch(/Alturas ha ritirato la versione 85\.00\.00_002/);
      expect(refused.body.messages.en).toMatch(/Alturas has withdrawn release 85\.00\.00_002/);
    }
    const grid = await api.call('GET', '/v1/desktop/update', { auth: preparing.admin });
    expect(grid.body.allowedActions).toEqual(['close-update', 'disable-device']);
    expect(grid.body.buttons).toEqual({ startUpdate: false, forceUpdate: false });
    expect(grid.body.releaseWithdrawn.message.it).toMatch(/Chiudi aggiornamento/);
    const closed = await post('/close');
    expect(closed.status).toBe(200);
    expect(closed.body.session.state).toBe('available');
    expect((await offer(api, preparing.tenant, A)).version).toBe(C);

    const again = await api.call('POST', `/v1/support/releases/${B}/withdraw`, { ...support, body: { revision: withdrawn.body.revision } });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('RELEASE_WITHDRAWN');
    const plan = await api.call('PUT', `/v1/support/releases/${B}/rollout`, {
      ...support,
      body: { revision: withdrawn.body.revision, plan: pilotPlan([onA.customerId]) },
    });
    expect(plan.status).toBe(409);
    const audit = await listAudit(CATALOG_AUDIT_SCOPE, { action: 'release.withdrawn', limit: 500 });
    expect(audit.entries.find((e) => e.details?.version === B)).toMatchObject({ actor: { kind: 'support' } });
  });
});
