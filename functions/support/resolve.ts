import type { SupportPrincipal } from '../../shared/auth/principals';
import { actorOf } from '../../shared/db/audit';
import { closeCaseItem, listCustomerCases } from '../../shared/db/cases';
import { unblockDevices } from '../../shared/db/devices';
import { archiveItem, getSession, saveSession, sessionConflict } from '../../shared/db/session';
import { conflict } from '../../shared/errors';
import { isAllowed, nextState, type Session } from '../../shared/session/state-machine';
import { assertCustomerAccess, assertCustomerExists } from './access';

/**
 * Support marks a customer's failed update resolved (SES-10): the session goes
 * failed|reactivated → available, so the red notice disappears at the next
 * start and the update may be retried. In one transaction, conditional on the
 * session version (SES-11): the new session, its `session.resolve` audit entry,
 * an archived copy of the failed session (with the resolution) and the closing
 * of its open support cases. A repeated or concurrent resolve applies once; the
 * other gets 409 with the session's current state.
 */
export async function resolveFailedUpdate(support: SupportPrincipal, customerId: string, resolution: string) {
  assertCustomerAccess(support, customerId);
  await assertCustomerExists(customerId);
  const current = await getSession(customerId);
  if (!isAllowed(current.state, 'resolve')) {
    throw sessionConflict(current, `The update session is ${current.state}: only a failed update can be resolved.`, 'NOT_FAILED');
  }
  const resolvedAt = new Date().toISOString();
  const actor = actorOf(support);
  // The session's own case, and any other report filed for the same attempt.
  const openCases = (await listCustomerCases(customerId)).filter(
    (c) => c.status === 'open' && ((current.sessionId && c.sessionId === current.sessionId) || c.caseId === current.supportCaseId),
  );
  const closedCaseIds = openCases.map((c) => c.caseId);

  // The failure details stay in the archive and the case, not on the reopened session.
  const { failureMessage: _m, failureLogKey: _k, supportCaseId: _c, ...kept } = current;
  const next: Session = { ...kept, state: nextState(current.state, 'resolve') };
  const archived = { ...current, resolvedAt, resolvedBy: actor.id, resolution };
  const extra = [
    // A session that never got an id (never opened through the API) has nothing to archive under.
    ...(current.sessionId ? [archiveItem(archived)] : []),
    ...closedCaseIds.map((caseId) => closeCaseItem(customerId, caseId, { resolvedAt, resolvedBy: actor.id, resolution })),
  ];
  let saved: Session;
  try {
    saved = await saveSession(current, next, { action: 'resolve', actor, details: { resolution, closedCaseIds } }, extra);
  } catch (error) {
    // The session was unchanged but a case was closed or replaced meanwhile: nothing was written.
    if ((error as { sessionItemOk?: boolean }).sessionItemOk) {
      throw conflict('CASE_CHANGED', 'A support case of this customer changed meanwhile: nothing was resolved, please retry.', {
        customerId,
      });
    }
    throw error;
  }
  // The update may be retried: devices locked for the failed attempt work normally again.
  await unblockDevices(customerId, { it: "Aggiornamento non riuscito risolto dall'assistenza", en: 'Failed update resolved by support' });
  return {
    customerId,
    session: { sessionId: saved.sessionId, state: saved.state, version: saved.version },
    fromState: current.state,
    resolvedAt: saved.updatedAt,
    resolvedBy: actor.id,
    closedCaseIds,
  };
}
