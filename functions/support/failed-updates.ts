import type { SupportPrincipal } from '../../shared/auth/principals';
import { decodeGsi1Cursor, queryGsi1Page, listOpenCases, type Page, type SupportCase } from '../../shared/db/cases';
import { gsi1Keys } from '../../shared/db/keys';
import type { SessionState } from '../../shared/session/state-machine';
import { customerFilter } from './access';

/** One row of support's "failed updates" list. */
export interface FailedUpdate {
  customerId: string;
  sessionId: string;
  state: SessionState;
  targetVersion?: string;
  fromVersion?: string;
  /**
   * When the session last changed while failed (the abnormal termination, or a
   * later reactivation/report): the time it is sorted by.
   */
  since: string;
  /** The open case the admin filed with "Send report to support", if any. */
  supportCaseId?: string;
}

/** An agent with an empty allow-list sees nothing: no need to read the index at all. */
const seesNothing = (support: SupportPrincipal) => support.customers !== '*' && support.customers.length === 0;

/** The empty page, still refusing a malformed cursor like any other page would. */
function nothingFor<T>(partition: string, cursor?: string): Page<T> {
  if (cursor) decodeGsi1Cursor(cursor, partition);
  return { items: [] };
}

/**
 * Customers whose update session is failed or reactivated (SES-10), newest
 * first: the sparse gsi1 partition `FAILED_SESSIONS` that saveSession maintains.
 * Agents only see their customers.
 */
export async function listFailedUpdates(support: SupportPrincipal, limit: number, cursor?: string): Promise<Page<FailedUpdate>> {
  if (seesNothing(support)) return nothingFor(gsi1Keys.failedSessions, cursor);
  const filter = customerFilter(support);
  const page = await queryGsi1Page(gsi1Keys.failedSessions, {
    limit,
    cursor,
    keep: filter ? (item) => filter(String(item.customerId)) : undefined,
  });
  return {
    items: page.items.map((s) => ({
      customerId: String(s.customerId),
      sessionId: String(s.sessionId ?? ''),
      state: s.state as SessionState,
      targetVersion: s.targetVersion as string | undefined,
      fromVersion: s.fromVersion as string | undefined,
      since: String(s.gsi1sk).split('#')[0] || String(s.updatedAt),
      supportCaseId: s.supportCaseId as string | undefined,
    })),
    cursor: page.cursor,
  };
}

/** Open support cases across customers, newest first; agents only see their customers'. */
export async function listVisibleOpenCases(support: SupportPrincipal, limit: number, cursor?: string): Promise<Page<SupportCase>> {
  if (seesNothing(support)) return nothingFor(gsi1Keys.openCases, cursor);
  return listOpenCases(limit, cursor, customerFilter(support));
}
