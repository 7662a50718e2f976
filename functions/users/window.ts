import { randomBytes } from 'node:crypto';
import type { UserPrincipal } from '../../shared/auth/principals';
import { actorOf, writeAudit } from '../../shared/db/audit';
import { putWindowTicket, useWindowTicket } from '../../shared/db/credentials';
import { consumeRate, retryAfterSeconds, type RateLimit } from '../../shared/db/rate-limit';
import { getUser } from '../../shared/db/users';
import { sha256Hex } from '../../shared/domain/secrets';
import { AppError, tooManyRequests } from '../../shared/errors';
import { optionalEnv } from '../../shared/config';
import { startUserSession, type UserSessionAnswer } from './session-token';

/**
 * The hand-off from the desktop to the hosted update window (issue 12): the
 * desktop (a logged-in admin on the SERVER workstation) asks for a window
 * ticket and opens `/desktop/#ticket=…`; the page exchanges it, once, for its
 * own user session. The fragment never reaches a server or a log; the ticket is
 * stored only as its SHA-256, lives a minute and works once.
 */

/** Where the hosted window lives, on the same origin as the API. */
export const WINDOW_PATH = '/desktop/';

/**
 * How long a ticket can be exchanged: enough for the desktop to open the page.
 * @default 60 s (env WINDOW_TICKET_TTL_MS, for tests)
 */
export const windowTicketTtlMs = () => Number(optionalEnv('WINDOW_TICKET_TTL_MS') ?? 60_000);

/**
 * Longest life of the window's session; it also never outlives the desktop
 * session that asked for the ticket.
 */
export const WINDOW_SESSION_TTL_MS = 60 * 60 * 1000;

/** Tickets one user may ask for per hour (each is a stored item until TTL). */
export const WINDOW_TICKETS_PER_HOUR: RateLimit = { limit: 60, windowSeconds: 3600 };

const TICKET_PREFIX = 'wtk_';

const ticketInvalid = () =>
  new AppError(
    401,
    'WINDOW_TICKET_INVALID',
    'This window link has expired or is not valid: open the window again from mOphas Desktop.',
    undefined,
    'Il collegamento alla finestra è scaduto o non è valido: riaprire la finestra da mOphas Desktop.',
  );

const ticketUsed = () =>
  new AppError(
    401,
    'WINDOW_TICKET_USED',
    'This window link was already used (it works once): open the window again from mOphas Desktop.',
    undefined,
    'Il collegamento alla finestra è già stato usato (vale una sola volta): riaprire la finestra da mOphas Desktop.',
  );

/** POST /v1/desktop/window-tickets: a short-lived, single-use ticket for this admin's window. */
export async function issueWindowTicket(user: UserPrincipal) {
  if (!(await consumeRate(`window-ticket#${user.customerId}#${user.username}`, WINDOW_TICKETS_PER_HOUR))) {
    throw tooManyRequests('TOO_MANY_WINDOW_TICKETS', 'Too many windows opened: wait a few minutes and retry.', {
      retryAfterSeconds: retryAfterSeconds(WINDOW_TICKETS_PER_HOUR),
    });
  }
  const ticket = `${TICKET_PREFIX}${randomBytes(32).toString('base64url')}`;
  const expiresAt = Date.now() + windowTicketTtlMs();
  const stored = await getUser(user.customerId, user.username);
  await putWindowTicket(sha256Hex(ticket), {
    customerId: user.customerId,
    username: user.username,
    workstation: user.workstation,
    generation: stored?.tokenGeneration ?? 0,
    expiresAt,
    sessionExpiresAt: user.expiresAt,
  });
  await writeAudit({ customerId: user.customerId, action: 'user.window.ticket', actor: actorOf(user), outcome: 'ok' });
  return { ticket, expiresAt: new Date(expiresAt).toISOString(), path: `${WINDOW_PATH}#ticket=${ticket}` };
}

/**
 * POST /v1/desktop/window-session: the page exchanges its ticket for a user
 * session bound to the same user and workstation. A second exchange, an expired
 * ticket, or a user whose password or role changed since: 401 with the reason
 * the page shows (and how to reopen the window).
 */
export async function openWindowSession(ticket: string): Promise<UserSessionAnswer> {
  const now = Date.now();
  const used = await useWindowTicket(sha256Hex(ticket), now);
  if ('problem' in used) throw used.problem === 'used' ? ticketUsed() : ticketInvalid();
  const t = used.ticket;
  if (t.expiresAt <= now || t.sessionExpiresAt <= now) throw ticketInvalid();
  const user = await getUser(t.customerId, t.username);
  if (!user || (user.tokenGeneration ?? 0) !== t.generation) throw ticketInvalid();
  const session = await startUserSession(user, t.workstation, Math.min(now + WINDOW_SESSION_TTL_MS, t.sessionExpiresAt));
  await writeAudit({
    customerId: t.customerId,
    action: 'user.window.opened',
    actor: { kind: 'user', id: user.username },
    outcome: 'ok',
    details: { workstation: t.workstation },
  });
  return session;
}
