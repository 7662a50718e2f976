import { randomBytes } from 'node:crypto';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import type { DesktopPrincipal, UserPrincipal } from '../../shared/auth/principals';
import { writeAudit } from '../../shared/db/audit';
import { deleteUserToken } from '../../shared/db/credentials';
import { consumeRate, isRateLimited, retryAfterSeconds, type RateLimit } from '../../shared/db/rate-limit';
import { changePassword, getUser } from '../../shared/db/users';
import { hashPassword, verifyPassword } from '../../shared/domain/secrets';
import { AppError, conflict, tooManyRequests, unauthorized } from '../../shared/errors';
import { startUserSession } from './session-token';

/**
 * A desktop user's session: login on one of the customer's workstations, the
 * password change (required first for a first-login account such as `ammin`),
 * logout. A session token lasts an hour; the desktop logs in again at start.
 */

/** User session lifetime: short, the desktop logs in again at start. */
export const USER_TOKEN_TTL_MS = 60 * 60 * 1000;
/** Failed logins per user before a 15-minute pause. */
export const LOGIN_FAILURES: RateLimit = { limit: 10, windowSeconds: 15 * 60 };
/** Login attempts of any outcome per user and window, counted atomically before verifying (caps parallel guessing). */
export const LOGIN_ATTEMPTS_IN_WINDOW: RateLimit = { limit: 30, windowSeconds: 15 * 60 };

const tooManyLogins = () =>
  tooManyRequests('TOO_MANY_ATTEMPTS', 'Too many failed logins for this user: wait a few minutes and retry.', {
    retryAfterSeconds: retryAfterSeconds(LOGIN_FAILURES),
  });

let dummy: Promise<string> | undefined;
const dummyHash = () => (dummy ??= hashPassword(randomBytes(16).toString('hex')));

/**
 * A customer user logs in on the workstation the installation credential belongs
 * to (never one named in the request, FEED-6). Failures are rate limited per user;
 * an unknown user costs the same time as a wrong password.
 */
export async function login(desktop: DesktopPrincipal, input: { username: string; password: string }) {
  const scope = `login#${desktop.customerId}#${input.username.toLowerCase()}`;
  // Checked before the attempt but counted only on failure; parallel guesses are also
  // capped by taking a slot atomically (refunded on success) so none slip past the count.
  if (await isRateLimited(scope, LOGIN_FAILURES)) throw tooManyLogins();
  if (!(await consumeRate(`${scope}#inflight`, LOGIN_ATTEMPTS_IN_WINDOW))) throw tooManyLogins();
  const user = await getUser(desktop.customerId, input.username);
  // Verify against a dummy hash for unknown users so timing does not reveal which usernames exist.
  const ok = await verifyPassword(input.password, user?.passwordHash ?? (await dummyHash()));
  if (!user || !ok) {
    await consumeRate(scope, LOGIN_FAILURES);
    await writeAudit({
      customerId: desktop.customerId,
      action: 'user.login',
      actor: { kind: 'user', id: input.username },
      outcome: 'refused',
    });
    throw unauthorized();
  }
  const session = await startUserSession(user, desktop.workstation, Date.now() + USER_TOKEN_TTL_MS);
  await writeAudit({
    customerId: desktop.customerId,
    action: 'user.login',
    actor: { kind: 'user', id: user.username },
    outcome: 'ok',
    details: { workstation: desktop.workstation },
  });
  return session;
}

/** A new password must differ from the current one, from the user name and from the seed's `ammin`. */
function isWeak(user: UserPrincipal, current: string, next: string) {
  return next === current || next.toLowerCase() === user.username.toLowerCase() || next === 'ammin';
}

/**
 * Changes the caller's password. Every session issued before it ends (the
 * user's token generation moves on), this one included: the user logs in again.
 */
export async function changeOwnPassword(user: UserPrincipal, input: { currentPassword: string; newPassword: string }) {
  const stored = await getUser(user.customerId, user.username);
  if (!stored || !(await verifyPassword(input.currentPassword, stored.passwordHash))) {
    throw new AppError(400, 'WRONG_PASSWORD', 'The current password is not correct.');
  }
  if (isWeak(user, input.currentPassword, input.newPassword)) {
    throw new AppError(400, 'WEAK_PASSWORD', 'Choose a new password different from the current one and from the user name.');
  }
  try {
    await changePassword(
      user.customerId,
      user.username,
      stored.passwordHash,
      await hashPassword(input.newPassword),
      new Date().toISOString(),
    );
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException)
      throw conflict('PASSWORD_CHANGED_CONCURRENTLY', 'The password was changed meanwhile: log in again.');
    throw error;
  }
  // The session that was flagged "must change password" ends; the user logs in again.
  await deleteUserToken(user.tokenId);
  await writeAudit({
    customerId: user.customerId,
    action: 'user.password.changed',
    actor: { kind: 'user', id: user.username },
    outcome: 'ok',
  });
  return { changed: true as const, loginAgain: true as const };
}

/** Ends the caller's session. */
export async function logout(user: UserPrincipal) {
  await deleteUserToken(user.tokenId);
  return { loggedOut: true as const };
}
