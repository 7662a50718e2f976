import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import { createSupportCase, type SupportCase } from '../../../shared/db/cases';
import { getSession, saveSession } from '../../../shared/db/session';
import type { SessionAction, SessionState } from '../../../shared/session/state-machine';
import type { ApiResponse, TestApi } from '../../fixtures/api';
import { createAgent, staffAuth } from '../../fixtures/sign-in';

const DESKTOP = { kind: 'desktop' as const, id: 'test-desktop' };
const ACTION_TO: Partial<Record<SessionState, SessionAction>> = {
  failed: 'report-failure',
  reactivated: 'reactivate-devices',
  updating: 'start-update',
};

/**
 * Puts a customer's session in `state` through the real storage path
 * (saveSession), so the sparse FAILED_SESSIONS index entry is written as in
 * production. Returns the session id.
 */
export async function putSessionInState(customerId: string, state: SessionState, targetVersion = '03.02.00_001'): Promise<string> {
  const current = await getSession(customerId);
  const sessionId = current.sessionId || `s-${randomUUID().slice(0, 8)}`;
  await saveSession(
    current,
    {
      ...current,
      sessionId,
      state,
      targetVersion,
      fromVersion: '03.01.00_030',
      ...(state === 'failed' || state === 'reactivated'
        ? { failureMessage: 'Installer exited with code 5', failureLogKey: `logs/${customerId}/${sessionId}.log` }
        : {}),
    },
    { action: ACTION_TO[state] ?? 'test-setup', actor: DESKTOP },
  );
  return sessionId;
}

/** "Send report to support" as the admin window does it: the case written with the session, atomically. */
export async function reportToSupport(customerId: string, message = 'The update stopped halfway'): Promise<SupportCase> {
  const current = await getSession(customerId);
  const filed = createSupportCase({
    customerId,
    sessionId: current.sessionId,
    targetVersion: current.targetVersion,
    fromVersion: current.fromVersion,
    failureMessage: current.failureMessage,
    failureLogKey: current.failureLogKey,
    reportedBy: 'admin',
    message,
  });
  await saveSession(
    current,
    { ...current, supportCaseId: filed.case.caseId },
    { action: 'report-to-support', actor: { kind: 'user', id: 'admin' } },
    [filed.put],
  );
  return filed.case;
}

/** An agent (a user of the staff pool) assigned to `customers` by staff; returns the request options that act as it. */
export async function agent(api: TestApi, customers: string[]) {
  const { username, auth } = await createAgent(api, customers);
  return { id: username, auth };
}

// Staff sign in once per test file (the stack's bootstrapped staff user).
const staffToken = await staffAuth();
export const staff = () => ({ auth: staffToken });

/** Follows a list's cursors to the end (other test files share the table), checking each page. */
export async function collect(
  api: TestApi,
  path: string,
  field: 'failedUpdates' | 'cases',
  options: { auth: string; headers?: Record<string, string> },
  limit = 2,
): Promise<any[]> {
  const all: any[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < 1000; page++) {
    const query = `?limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`;
    const res: ApiResponse = await api.call('GET', `${path}${query}`, options);
    if (res.status !== 200) throw new Error(`${path}: ${res.status} ${JSON.stringify(res.body)}`);
    expect(res.body[field].length).toBeLessThanOrEqual(limit);
    all.push(...res.body[field]);
    cursor = res.body.cursor;
    if (!cursor) return all;
  }
  throw new Error('too many pages');
}
