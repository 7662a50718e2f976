import { expect } from 'vitest';
import { ENV } from '../../../shared/config';
import type { ApiResponse, TestApi } from '../../fixtures/api';
import { staffAuth } from '../../fixtures/sign-in';
import type { Tenant } from '../../fixtures/tenant';

/*
 * Helpers for the rollout tests. These files own the 8X.xx range of the shared
 * test catalog and put plans on 8X releases only, with pilots they created: a
 * plan can only narrow who is offered one of these releases, never widen it,
 * so other files' customers (on their own ranges) see nothing new.
 */

/** Rollouts are staff-only: the stack's staff user, signed in once per test file. */
export const support = { auth: await staffAuth() };

/** What the startup check offered a desktop, from its signed answer. */
export async function offer(api: TestApi, tenant: Tenant, installed: string) {
  const res = await api.call('GET', `/v1/desktop/feed?installed=${installed}`, { auth: `Desktop ${tenant.desktopCredential}` });
  expect(res.status).toBe(200);
  const payload = JSON.parse(res.body.answer.payload) as {
    catalogVersion: number;
    update: { version: string } | null;
    notice: { kind: string };
  };
  return { version: payload.update?.version ?? null, catalogVersion: payload.catalogVersion, notice: payload.notice.kind };
}

/** GET the rollout (plan, phase, per-wave progress). */
export async function rollout(api: TestApi, version: string): Promise<any> {
  const res = await api.call('GET', `/v1/support/releases/${version}/rollout`, support);
  expect(res.status).toBe(200);
  return res.body;
}

/** Sets a plan on the rollout as it is now (the revision read first, like a person would). */
export async function setPlan(api: TestApi, version: string, plan: unknown): Promise<any> {
  const { revision } = await rollout(api, version);
  const res = await api.call('PUT', `/v1/support/releases/${version}/rollout`, { ...support, body: { revision, plan } });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
}

/** pause / resume / advance / withdraw on the rollout as it is now. */
export async function act(api: TestApi, version: string, action: 'pause' | 'resume' | 'advance' | 'withdraw'): Promise<ApiResponse> {
  const { revision } = await rollout(api, version);
  const path = action === 'withdraw' ? 'withdraw' : `rollout/${action}`;
  return api.call('POST', `/v1/support/releases/${version}/${path}`, { ...support, body: { revision } });
}

/** A plan with the given pilots, then one wave taking every other customer. */
export const pilotPlan = (pilots: string[], pilot: { soak?: string; minConcluded?: number } = {}, extra: Record<string, unknown> = {}) => ({
  pilot: { customers: pilots, soak: pilot.soak ?? 'PT1H', minConcluded: pilot.minConcluded ?? 1 },
  waves: [{ percent: 100 }],
  errorThreshold: { percent: 50, minStarted: 2 },
  ...extra,
});

/** Drives an admin through phase 1 and 2 (no devices: Avvia is allowed at once) to the given outcome. */
export async function startAndReport(api: TestApi, admin: string, target: string, result: 'success' | 'failed') {
  const post = (path: string, body?: unknown) => api.call('POST', `/v1/desktop/update${path}`, { auth: admin, body });
  const opened = await post('/start-update-push');
  expect(opened.status, JSON.stringify(opened.body)).toBe(200);
  expect(opened.body.session.targetVersion).toBe(target);
  const started = await post('/start');
  expect(started.status, JSON.stringify(started.body)).toBe(200);
  const outcome = await post(
    '/outcome',
    result === 'success' ? { result, version: target } : { result, log: 'installer exit code 3', message: 'exit 3' },
  );
  expect(outcome.status, JSON.stringify(outcome.body)).toBe(200);
  return post;
}

/** Polls `check` until it holds (or fails after `ms`): for steps that happen when their time comes. */
export async function eventually(check: () => Promise<boolean>, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Messages the local SNS endpoint recorded on the support topic. */
export async function supportTopicMessages(): Promise<string[]> {
  const res = await fetch(`${process.env.AWS_ENDPOINT_URL_SNS}/_local/deliveries`);
  const all = (await res.json()) as { targetArn: string; message: string }[];
  return all.filter((d) => d.targetArn === process.env[ENV.supportTopicArn]).map((d) => d.message);
}
