import { supportCanAccess, type SupportPrincipal } from '../../shared/auth/principals';
import { type ChallengeItem, MAX_CODE_ATTEMPTS } from '../../shared/db/codes';
import { getProfile, getProfiles, listCustomerProfiles, type CustomerProfile } from '../../shared/db/customers';
import { getLicence } from '../../shared/db/credentials';
import { customerKeys } from '../../shared/db/keys';
import { queryPrefix } from '../../shared/db/query';
import { getSession } from '../../shared/db/session';
import { notFound } from '../../shared/errors';
import { isCustomerLogKey, readDesktopLogTail } from '../../shared/storage/desktop-logs';
import { assertCustomerAccess } from './access';

/** At most this many matches (the console shows them as a short list to pick from). */
export const SEARCH_LIMIT = 20;
/** The log's tail the console shows: what went wrong is at the end. */
export const LOG_TAIL_BYTES = 256 * 1024;

const match = (p: CustomerProfile) => ({
  customerId: p.customerId,
  name: p.name,
  ...(p.desktopVersion ? { desktopVersion: p.desktopVersion } : {}),
});

/**
 * The console's customer search: an exact customer id, then an exact licence
 * code, then names containing the text (case-insensitive). Staff search every
 * customer (one paginated Query of the customer list index, never a Scan); an
 * agent only the customers assigned to it, so nothing of another customer is
 * found — not even whether it exists.
 */
export async function findCustomers(support: SupportPrincipal, q: string) {
  const text = q.trim();
  const visible = (id: string) => supportCanAccess(support, id);
  const exact = /^[A-Za-z0-9_-]{1,64}$/.test(text) && visible(text) ? await getProfile(text) : undefined;
  if (exact) return { customers: [match(exact)] };
  const owner = (await getLicence(text))?.customerId;
  if (owner && visible(owner)) {
    const profile = await getProfile(owner);
    if (profile) return { customers: [match(profile)] };
  }
  const all = support.customers === '*' ? await listCustomerProfiles() : await getProfiles(support.customers);
  const needle = text.toLocaleLowerCase('it');
  const found = all
    .filter((p) => visible(p.customerId) && (p.name ?? '').toLocaleLowerCase('it').includes(needle))
    .sort((a, b) => a.name.localeCompare(b.name, 'it') || a.customerId.localeCompare(b.customerId))
    .slice(0, SEARCH_LIMIT);
  return { customers: found.map(match) };
}

/**
 * What support needs on the phone: the customer, its desktop version, its
 * session and the challenges its admin has open (release, expiry, attempts
 * left — never the digits, which the admin reads out).
 */
export async function customerUpdate(support: SupportPrincipal, customerId: string) {
  assertCustomerAccess(support, customerId);
  const [profile, session, challenges] = await Promise.all([
    getProfile(customerId),
    getSession(customerId),
    queryPrefix<ChallengeItem>(customerKeys.partition(customerId), 'CHALLENGE#', { consistent: true }),
  ]);
  if (!profile) throw notFound(`Customer ${customerId}`);
  const now = Date.now();
  const open = challenges
    .filter((c) => c.status === 'open' && c.expiresAt > now && c.attempts < MAX_CODE_ATTEMPTS)
    .sort((a, b) => b.createdAt.localeCompare(a.createdAt))
    .map((c) => ({ version: c.version, expiresAt: new Date(c.expiresAt).toISOString(), attemptsLeft: MAX_CODE_ATTEMPTS - c.attempts }));
  return {
    customerId,
    name: profile.name,
    ...(profile.desktopVersion ? { desktopVersion: profile.desktopVersion } : {}),
    session: {
      sessionId: session.sessionId,
      state: session.state,
      targetVersion: session.targetVersion,
      fromVersion: session.fromVersion,
      forced: session.forced,
      startedAt: session.startedAt,
      startedBy: session.startedBy,
      updatedAt: session.updatedAt,
      failureMessage: session.failureMessage,
      hasLog: session.failureLogKey !== undefined,
      supportCaseId: session.supportCaseId,
    },
    openChallenges: open,
  };
}

/** The desktop's log of the current session's abnormal termination (its last LOG_TAIL_BYTES). */
export async function sessionLog(support: SupportPrincipal, customerId: string) {
  assertCustomerAccess(support, customerId);
  const session = await getSession(customerId);
  // The key is the session's own, under logs/<customerId>/: never a key from the request.
  if (!isCustomerLogKey(customerId, session.failureLogKey)) throw notFound('Log');
  const { text, truncated } = await readDesktopLogTail(session.failureLogKey, LOG_TAIL_BYTES);
  return { customerId, sessionId: session.sessionId, text, truncated };
}
