import type { Role, SupportPrincipal } from '../../shared/auth/principals';
import { actorOf, auditItem } from '../../shared/db/audit';
import { getUser, listUsers, type UserItem } from '../../shared/db/users';
import { hashPassword } from '../../shared/domain/secrets';
import { badRequest, conflict, notFound } from '../../shared/errors';
import { assertCustomerAccess, assertCustomerExists } from './access';
import { putNewUser, updateUserItem } from './user-store';

/**
 * Desktop user management by Alturas support. The manual: users are added or
 * changed by sending a request to support (vending@alturas.it) with the user
 * name, the password and whether the profile gets the administrator role.
 *
 * Passwords support sets were seen by someone other than the user (the
 * request email, the support agent), so a created user — and a user whose
 * password support resets — must change the password at the first login
 * (`mustChangePassword: true`: every route but the password change answers 403
 * PASSWORD_CHANGE_REQUIRED until then). A role change applies from the user's
 * next login: a session token already issued keeps its role until it expires
 * (at most an hour, USER_TOKEN_TTL_MS in functions/users/sessions.ts).
 *
 * Responses and audit entries never carry a password or its hash.
 */

/** What support sees of a user: never the password hash. */
export interface UserView {
  username: string;
  role: Role;
  mustChangePassword: boolean;
  createdAt: string;
  passwordChangedAt?: string;
  updatedAt?: string;
}

function view(u: UserItem & { updatedAt?: string }): UserView {
  return {
    username: u.username,
    role: u.role,
    mustChangePassword: u.mustChangePassword,
    createdAt: u.createdAt,
    passwordChangedAt: u.passwordChangedAt,
    updatedAt: u.updatedAt,
  };
}

/** A password equal to the user name is refused (it is the first thing anyone tries). */
function assertPasswordAcceptable(username: string, password: string) {
  if (password.toLowerCase() === username.toLowerCase()) {
    throw badRequest('WEAK_PASSWORD', 'Invalid request body: password: must differ from the user name', {
      issues: [{ field: 'password', problem: 'must differ from the user name' }],
    });
  }
}

/** GET users: the customer's desktop users, sorted by name. */
export async function listCustomerUsers(support: SupportPrincipal, customerId: string) {
  assertCustomerAccess(support, customerId);
  await assertCustomerExists(customerId);
  const users = await listUsers(customerId);
  return { customerId, users: users.map(view).sort((a, b) => a.username.localeCompare(b.username)) };
}

/**
 * POST users: adds a desktop user. Names are unique per customer ignoring case
 * (the desktop shows "Admin" and "admin" alike): a duplicate is 409 USER_EXISTS.
 */
export async function createCustomerUser(
  support: SupportPrincipal,
  customerId: string,
  input: { username: string; password: string; role: Role },
) {
  assertCustomerAccess(support, customerId);
  assertPasswordAcceptable(input.username, input.password);
  await assertCustomerExists(customerId);
  const exists = () =>
    conflict('USER_EXISTS', `A user named ${input.username} already exists for this customer.`, { customerId, username: input.username });
  const lower = input.username.toLowerCase();
  if ((await listUsers(customerId)).some((u) => u.username.toLowerCase() === lower)) throw exists();

  const at = new Date().toISOString();
  const actor = actorOf(support);
  const user: UserItem & { createdBy: string } = {
    customerId,
    username: input.username,
    role: input.role,
    passwordHash: await hashPassword(input.password),
    mustChangePassword: true,
    createdAt: at,
    createdBy: actor.id,
  };
  const audit = auditItem({
    customerId,
    action: 'user.created',
    actor,
    outcome: 'ok',
    details: { username: input.username, role: input.role, mustChangePassword: true },
    at,
  });
  if (!(await putNewUser(user, audit))) throw exists();
  return view(user);
}

/**
 * PATCH user: a new role and/or a password reset (which makes the user change
 * it at the next login). Unknown user → 404.
 */
export async function updateCustomerUser(
  support: SupportPrincipal,
  customerId: string,
  username: string,
  input: { role?: Role; password?: string },
) {
  assertCustomerAccess(support, customerId);
  if (input.password !== undefined) assertPasswordAcceptable(username, input.password);
  await assertCustomerExists(customerId);
  const before = await getUser(customerId, username);
  if (!before) throw notFound(`User ${username}`);

  const at = new Date().toISOString();
  const actor = actorOf(support);
  const passwordHash = input.password === undefined ? undefined : await hashPassword(input.password);
  const audit = auditItem({
    customerId,
    action: 'user.updated',
    actor,
    outcome: 'ok',
    details: {
      username,
      ...(input.role ? { role: { from: before.role, to: input.role } } : {}),
      ...(passwordHash ? { passwordReset: true, mustChangePassword: true } : {}),
    },
    at,
  });
  if (!(await updateUserItem(customerId, username, { role: input.role, passwordHash }, { id: actor.id, at }, audit))) {
    // Deleted between our read and the write.
    throw notFound(`User ${username}`);
  }
  return view({
    ...before,
    role: input.role ?? before.role,
    mustChangePassword: passwordHash ? true : before.mustChangePassword,
    updatedAt: at,
  });
}
