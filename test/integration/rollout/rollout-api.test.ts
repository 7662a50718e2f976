import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { listAudit } from '../../../shared/db/audit';
import { CATALOG_AUDIT_SCOPE } from '../../../shared/db/audit';
import { TestApi } from '../../fixtures/api';
import { ensureRelease } from '../../fixtures/session';
import { createTenant } from '../../fixtures/tenant';
import { bytesOf, publishBody, stagePackage } from '../releases/helpers';
import { agent } from '../support/helpers';
import { act, eventually, offer, pilotPlan, rollout, setPlan, support } from './helpers';

// This file owns 81.xx (pilot wave, plan input), 84.xx (pause/resume), 86.xx (scheduled start) and 87.xx (publish with a plan).
// Soak times and scheduled starts are real seconds, on a machine shared with other test files.
vi.setConfig({ testTimeout: 120_000 });

let api: TestApi;
beforeAll(async () => {
  api = await TestApi.start();
});
afterAll(() => api.close());

describe('a release with a rollout plan: the pilot wave only', () => {
  const FROM = '81.00.00_001';
  const R = '81.00.00_002';

  it('offers the release to the pilot customers and to nobody else, and counts the offer in the pilot wave', async () => {
    await ensureRelease(FROM);
    const { desktopBytes } = await ensureRelease(R);
    const pilot = await createTenant({ desktopVersion: FROM });
    const other = await createTenant({ desktopVersion: FROM });
    const before = await rollout(api, R);
    expect(before).toMatchObject({ phase: 'unrestricted', revision: 0, plan: null, waves: [] });

    const set = await setPlan(api, R, pilotPlan([pilot.customerId]));
    expect(set).toMatchObject({ phase: 'running', revision: 1, openWave: 0, allowedActions: ['set-plan', 'pause', 'advance', 'withdraw'] });
    expect(set.phaseText).toEqual({ it: 'in corso', en: 'running' });

    expect((await offer(api, pilot, FROM)).version).toBe(R);
    expect((await offer(api, pilot, FROM)).version).toBe(R); // counted once per customer
    expect((await offer(api, other, FROM)).version).not.toBe(R);
    // The installer downloaded and verified (green notice), reported twice by two workstations: counted once.
    for (let i = 0; i < 2; i++) {
      const downloaded = await api.call('POST', `/v1/desktop/releases/${R}/downloaded`, {
        auth: `Desktop ${i === 0 ? pilot.desktopCredential : pilot.clientCredential}`,
        body: { sha256: createHash('sha256').update(desktopBytes).digest('hex') },
      });
      expect(downloaded.status).toBe(200);
    }
    expect((await offer(api, pilot, FROM)).notice).toBe('update-ready');

    const progress = await rollout(api, R);
    expect(progress.waves[0]).toMatchObject({ wave: 0, kind: 'pilot', open: true, customers: 1, offered: 1, downloaded: 1, started: 0 });
    expect(progress.waves[1]).toMatchObject({ wave: 1, kind: 'percent', percent: 100, open: false, offered: 0 });
    // Every other customer of the shared test table is in the 100 % wave.
    expect(progress.waves[1].customers).toBeGreaterThanOrEqual(1);

    const list = await api.call('GET', '/v1/support/releases', support);
    expect(list.body.releases.find((r: { version: string }) => r.version === R).rolloutPhase).toBe('running');
    const audit = await listAudit(CATALOG_AUDIT_SCOPE, { action: 'rollout.plan-set', limit: 500 });
    expect(audit.entries.some((e) => e.details?.version === R && e.actor.kind === 'support')).toBe(true);
  });

  it('refuses a bad plan with 400 naming the field: unknown pilot customer, percentages that do not add up', async () => {
    const V = '81.00.00_003';
    await ensureRelease(V);
    const known = await createTenant({ desktopVersion: FROM });
    const unknown = await api.call('PUT', `/v1/support/releases/${V}/rollout`, {
      ...support,
      body: { revision: 0, plan: pilotPlan([known.customerId, 'nobody-81']) },
    });
    expect(unknown.status).toBe(400);
    expect(unknown.body.issues).toEqual([{ field: 'plan.pilot.customers.1', problem: 'no customer "nobody-81" exists' }]);

    const sum = await api.call('PUT', `/v1/support/releases/${V}/rollout`, {
      ...support,
      body: {
        revision: 0,
        plan: { ...pilotPlan([known.customerId]), waves: [{ percent: 30, soak: 'PT1H', minConcluded: 1 }, { percent: 60 }] },
      },
    });
    expect(sum.status).toBe(400);
    expect(sum.body.issues).toContainEqual({ field: 'plan.waves', problem: expect.stringMatching(/add up to 90, not 100/) });
    expect((await rollout(api, V)).revision).toBe(0); // nothing written
  });

  it('answers 404 for the rollout of an unknown release, and 403 to an agent limited to some customers', async () => {
    for (const [method, path, body] of [
      ['GET', '/v1/support/releases/81.99.00_999/rollout', undefined],
      ['POST', '/v1/support/releases/81.99.00_999/rollout/pause', { revision: 0 }],
      ['POST', '/v1/support/releases/81.99.00_999/withdraw', { revision: 0 }],
    ] as const) {
      const res = await api.call(method, path, { ...support, body });
      expect(res.status).toBe(404);
      expect(res.body.code).toBe('NOT_FOUND');
    }
    const limited = await agent(api, [(await createTenant({ desktopVersion: FROM })).customerId]);
    expect((await api.call('GET', `/v1/support/releases/${FROM}/rollout`, limited)).status).toBe(403);
  });
});

describe('a release published with its plan', () => {
  const FROM = '87.00.00_001';
  const R = '87.00.00_002';

  it('publishes the release and its plan in one step, refusing an unknown pilot before any package work', async () => {
    const pilot = await createTenant({ desktopVersion: FROM });
    const other = await createTenant({ desktopVersion: FROM });
    const desktop = await stagePackage(api, R, 'desktop', 'setup.exe', bytesOf(2048));
    const mobile = await stagePackage(api, R, 'mobile', 'mophas.apk', bytesOf(1024));
    const plan = pilotPlan([pilot.customerId]);

    // The build pipeline publishes (SigV4); staff change the plan afterwards.
    const unknown = await api.call('POST', '/v1/support/releases', {
      pipeline: true,
      body: { ...publishBody(R, desktop, mobile), rollout: { ...plan, pilot: { ...plan.pilot, customers: ['nobody-87'] } } },
    });
    expect(unknown.status).toBe(400);
    expect(unknown.body.issues).toEqual([{ field: 'rollout.pilot.customers.0', problem: 'no customer "nobody-87" exists' }]);
    expect((await api.call('GET', `/v1/support/releases/${R}/rollout`, support)).status).toBe(404);

    const published = await api.call('POST', '/v1/support/releases', {
      pipeline: true,
      body: { ...publishBody(R, desktop, mobile), rollout: plan },
    });
    expect(published.status, JSON.stringify(published.body)).toBe(201);
    expect(await rollout(api, R)).toMatchObject({
      phase: 'running',
      revision: 1,
      openWave: 0,
      plan: { pilot: { customers: [pilot.customerId] } },
      updatedBy: expect.stringMatching(/^pipeline:arn:/),
    });
    expect((await offer(api, pilot, FROM)).version).toBe(R);
    expect((await offer(api, other, FROM)).version).not.toBe(R);
  });
});

describe('pause and resume', () => {
  const FROM = '84.00.00_001';
  const R = '84.00.00_002';

  it('keeps the pilot offered while paused, opens no new wave, and soaks the open wave again from the resume', async () => {
    await ensureRelease(FROM);
    await ensureRelease(R);
    const pilot = await createTenant({ desktopVersion: FROM });
    const other = await createTenant({ desktopVersion: FROM });
    // No conclusion needed: the next wave opens 3 s after the pilot wave, unless paused.
    await setPlan(api, R, pilotPlan([pilot.customerId], { soak: 'PT3S', minConcluded: 0 }));
    const paused = await act(api, R, 'pause');
    expect(paused.status).toBe(200);
    expect(paused.body.phase).toBe('paused');
    await new Promise((r) => setTimeout(r, 3_500));
    expect((await offer(api, pilot, FROM)).version).toBe(R);
    expect((await offer(api, other, FROM)).version).not.toBe(R);

    const pauseAgain = await api.call('POST', `/v1/support/releases/${R}/rollout/pause`, {
      ...support,
      body: { revision: paused.body.revision },
    });
    expect(pauseAgain.status).toBe(409);
    expect(pauseAgain.body).toMatchObject({ code: 'ROLLOUT_ACTION_NOT_ALLOWED', rollout: { phase: 'paused' } });
    expect(pauseAgain.body.messages.it).toMatch(/non consentita/);

    const resumed = await act(api, R, 'resume');
    expect(resumed.body).toMatchObject({ phase: 'running', openWave: 0 });
    // The 3 s soak starts again at the resume: the wave has not opened yet.
    expect((await offer(api, other, FROM)).version).not.toBe(R);
    await eventually(async () => (await offer(api, other, FROM)).version === R);
    expect(await rollout(api, R)).toMatchObject({ phase: 'complete', openWave: 1 });
  });

  it('applies one of two concurrent changes of the same revision; the other gets 409 with the current plan', async () => {
    const V = '84.00.00_003';
    await ensureRelease(V);
    const pilot = await createTenant({ desktopVersion: FROM });
    const { revision } = await setPlan(api, V, pilotPlan([pilot.customerId]));
    const answers = await Promise.all(
      ['pause', 'advance'].map((action) =>
        api.call('POST', `/v1/support/releases/${V}/rollout/${action}`, { ...support, body: { revision } }),
      ),
    );
    expect(answers.map((a) => a.status).sort()).toEqual([200, 409]);
    const refused = answers.find((a) => a.status === 409)!;
    expect(refused.body.code).toBe('ROLLOUT_CONFLICT');
    expect(refused.body.rollout).toMatchObject({ revision: revision + 1, plan: { pilot: { customers: [pilot.customerId] } } });
    expect(refused.body.messages).toEqual({
      en: expect.stringMatching(/changed since you read it/),
      it: expect.stringMatching(/cambiata/),
    });
    // Only the applied change is audited.
    const audit = await listAudit(CATALOG_AUDIT_SCOPE, { limit: 500 });
    const changes = audit.entries.filter((e) => e.details?.version === V && ['rollout.paused', 'rollout.advanced'].includes(e.action));
    expect(changes).toHaveLength(1);
  });
});

describe('scheduled start', () => {
  const FROM = '86.00.00_001';
  const R = '86.00.00_002';

  it('offers nothing before the start time, then the pilot wave, and the signed catalog version moves on by itself', async () => {
    await ensureRelease(FROM);
    await ensureRelease(R);
    const pilot = await createTenant({ desktopVersion: FROM });
    const startAt = new Date(Date.now() + 3_000).toISOString();
    const set = await setPlan(api, R, pilotPlan([pilot.customerId], {}, { startAt }));
    expect(set).toMatchObject({ phase: 'scheduled', openWave: null, startsAt: startAt, nextWaveAt: startAt });
    const before = await offer(api, pilot, FROM);
    expect(before.version).not.toBe(R);
    await eventually(async () => (await offer(api, pilot, FROM)).version === R);
    const after = await offer(api, pilot, FROM);
    expect(after.catalogVersion).toBeGreaterThan(before.catalogVersion);
    expect(await rollout(api, R)).toMatchObject({ phase: 'running', openWave: 0, waveOpenedAt: startAt });
    // The next write records the start that happened by itself, audited with the time it happened.
    expect((await act(api, R, 'pause')).status).toBe(200);
    const audit = await listAudit(CATALOG_AUDIT_SCOPE, { action: 'rollout.wave-opened', limit: 500 });
    expect(audit.entries.find((e) => e.details?.version === R)).toMatchObject({
      actor: { kind: 'system', id: 'rollout' },
      details: { wave: 0, openedAt: startAt, automatic: true },
    });
    expect((await offer(api, pilot, FROM)).version).toBe(R); // paused: the open wave stays open
  });
});
