import { randomBytes } from 'node:crypto';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { z } from 'zod';
import { writeAudit } from '../../shared/db/audit';
import { deleteUserToken } from '../../shared/db/credentials';
import { consumeRate, isRateLimited, retryAfterSeconds, type RateLimit } from '../../shared/db/rate-limit';
import { changePassword, getUser } from '../../shared/db/users';
import { hashPassword, verifyPassword } from '../../shared/domain/secrets';
import { AppError, conflict, tooManyRequests, unauthorized } from '../../shared/errors';
import { httpHandler, principalOf, route, type HttpRequest } from '../../shared/http/handler';
import { json } from '../../shared/http/response';
import { startUserSession } from './session-token';
import { issueWindowTicket, openWindowSession, WindowTicketBody } from './window';

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

const Username = z
  .string()
  .trim()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9._@-]+$/, 'letters, digits and . _ @ - only');

const LoginBody = z.object({
  username: Username,
  password: z.string().min(1).max(256),
  /** Ignored if sent: the workstation is the one the installation credential belongs to. */
  workstation: z.enum(['server', 'client']).optional(),
});

const PasswordBody = z.object({
  currentPassword: z.string().min(1).max(256),
  newPassword: z.string().min(10, 'at least 10 characters').max(256),
});

/** POST /v1/desktop/login: a customer user logs in on one of the customer's workstations. */
export const login = route({ body: LoginBody }, async (request) => {
  const desktop = principalOf(request, 'desktop');
  const body = request.input.body;
  const scope = `login#${desktop.customerId}#${body.username.toLowerCase()}`;
  // Checked before the attempt but counted only on failure; parallel guesses are also
  // capped by taking a slot atomically (refunded on success) so none slip past the count.
  if (await isRateLimited(scope, LOGIN_FAILURES)) throw tooManyLogins();
  if (!(await consumeRate(`${scope}#inflight`, LOGIN_ATTEMPTS_IN_WINDOW))) throw tooManyLogins();
  const user = await getUser(desktop.customerId, body.username);
  // Verify against a dummy hash for unknown users so timing does not reveal which usernames exist.
  const ok = await verifyPassword(body.password, user?.passwordHash ?? (await dummyHash()));
  if (!user || !ok) {
    await consumeRate(scope, LOGIN_FAILURES);
    await writeAudit({
      customerId: desktop.customerId,
      action: 'user.login',
      actor: { kind: 'user', id: body.username },
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
  return json(200, session);
});

/** POST /v1/desktop/password: changes the caller's password (required first for `ammin`). */
export const password = route({ body: PasswordBody }, async (request) => {
  const user = principalOf(request, 'user');
  const body = request.input.body;
  const stored = await getUser(user.customerId, user.username);
  if (!stored || !(await verifyPassword(body.currentPassword, stored.passwordHash))) {
    throw new AppError(400, 'WRONG_PASSWORD', 'The current password is not correct.', undefined, 'La password attuale non è corretta.');
  }
  if (
    body.newPassword === body.currentPassword ||
    body.newPassword.toLowerCase() === user.username.toLowerCase() ||
    body.newPassword === 'ammin'
  ) {
    throw new AppError(
      400,
      'WEAK_PASSWORD',
      'Choose a new password different from the current one and from the user name.',
      undefined,
      'Scegliere una nuova password diversa da quella attuale e dal nome utente.',
    );
  }
  try {
    await changePassword(
      user.customerId,
      user.username,
      stored.passwordHash,
      await hashPassword(body.newPassword),
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
  return json(200, { changed: true, loginAgain: true });
});

/** POST /v1/desktop/logout: ends the caller's session. */
export const logout = async (request: HttpRequest) => {
  const user = principalOf(request, 'user');
  await deleteUserToken(user.tokenId);
  return json(200, { loggedOut: true });
};

let dummy: Promise<string> | undefined;
const dummyHash = () => (dummy ??= hashPassword(randomBytes(16).toString('hex')));

export const handler = httpHandler('users', {
  'POST /v1/desktop/login': login,
  'POST /v1/desktop/password': password,
  'POST /v1/desktop/logout': route({ body: z.object({}), bodyOptional: true }, logout),
  'POST /v1/desktop/window-tickets': route({ body: z.object({}), bodyOptional: true }, async (r) =>
    json(201, await issueWindowTicket(principalOf(r, 'user'))),
  ),
  'POST /v1/desktop/window-session': route({ body: WindowTicketBody }, async (r) =>
    json(200, await openWindowSession(r.input.body.ticket)),
  ),
});
