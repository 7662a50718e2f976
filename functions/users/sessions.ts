import { randomBytes } from 'node:crypto';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import type { DesktopPrincipal, UserPrincipal } from '../../shared/auth/principals';
import { writeAudit } from '../../shared/db/audit';
import { deleteUserToken } from '../../shared/db/credentials';
import { reserveRate, retryAfterSeconds, type RateLimit } from '../../shared/db/rate-limit';
import { changePassword, getUser } from '../../shared/db/users';
import { hashPassword, verifyPassword } from '../../shared/domain/secrets';
import { AppError, conflict, unauthorized } from '../../shared/errors';
import { startUserSession } from './session-token';

/**
 * A desktop user's session: login on one of the customer's workstations, the
 * password change (required first for a first-login account such as `ammin`),
 * logout. A session token lasts an hour; the desktop logs in again at start.
 */

/** User session lifetime: short, the desktop logs in again at start. */
export const USER_TOKEN_TTL_MS = 60 * 60 * 1000;
/**
 * Failed logins per user and 15-minute window. A slot is taken atomically before
 * the password is verified (parallel guesses cannot slip past the count) and
 * given back when the login succeeds: only failures lock a user out.
 */
export const LOGIN_FAILURES: RateLimit = { limit: 10, windowSeconds: 15 * 60 };
/**
 * Wrong current passwords per user and 15-minute window on the password change,
 * counted the same way: a stolen 1-hour session token cannot be used to guess
 * the password online. Separate from the login count, so such a guesser never
 * locks the real user out of logging in.
 */
export const PASSWORD_CHANGE_FAILURES: RateLimit = { limit: 5, windowSeconds: 15 * 60 };

const tooManyLogins = () =>
  new AppError(
    429,
    'TOO_MANY_ATTEMPTS',
    'Too many failed logins for this user: wait a few minutes and retry.',
    { retryAfterSeconds: retryAfterSeconds(LOGIN_FAILURES) },
    'Troppi accessi non riusciti per questo utente: attendere qualche minuto e riprovare.',
  );

const tooManyPasswordChanges = () =>
  new AppError(
    429,
    'TOO_MANY_ATTEMPTS',
    'Too many wrong current passwords: wait a few minutes and retry.',
    { retryAfterSeconds: retryAfterSeconds(PASSWORD_CHANGE_FAILURES) },
    'Troppi tentativi con una password attuale errata: attendere qualche minuto e riprovare.',
  );

let dummy: Promise<string> | undefined;
const dummyHash = () => (dummy ??= hashPassword(randomBytes(16).toString('hex')));

/**
 * A customer user logs in on the workstation the installation credential belongs
 * to (never one named in the request, FEED-6). Failures are rate limited per user;
 * an unknown user costs the same time as a wrong password.
 */
export async function login(desktop: DesktopPrincipal, input: { username: string; password: string }) {
  const slot = await reserveRate(`login#${desktop.customerId}#${input.username.toLowerCase()}`, LOGIN_FAILURES);
  if (!slot) throw tooManyLogins();
  const user = await getUser(desktop.customerId, input.username);
  // Verify against a dummy hash for unknown users so timing does not reveal which usernames exist.
  const ok = await verifyPassword(input.password, user?.passwordHash ?? (await dummyHash()));
  if (!user || !ok) {
    // The slot stays taken: this failure counts.
    await writeAudit({
      customerId: desktop.customerId,
      action: 'user.login',
      actor: { kind: 'user', id: input.username },
      outcome: 'refused',
    });
    throw unauthorized();
  }
  await slot.release();
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
  const slot = await reserveRate(`password#${user.customerId}#${user.username.toLowerCase()}`, PASSWORD_CHANGE_FAILURES);
  if (!slot) {
    await writeAudit({
      customerId: user.customerId,
      action: 'user.password.changed',
      actor: { kind: 'user', id: user.username },
      outcome: 'refused',
      details: { reason: 'too-many-attempts' },
    });
    throw tooManyPasswordChanges();
  }
  const stored = await getUser(user.customerId, user.username);
  if (!stored || !(await verifyPassword(input.currentPassword, stored.passwordHash))) {
    // The slot stays taken: a wrong current password counts, and is audited like a failed login.
    await writeAudit({
      customerId: user.customerId,
      action: 'user.password.changed',
      actor: { kind: 'user', id: user.username },
      outcome: 'refused',
      details: { reason: 'wrong-current-password' },
    });
    throw new AppError(400, 'WRONG_PASSWORD', 'The current password is not correct.');
  }
  await slot.release();
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
