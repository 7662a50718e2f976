import { users as routes } from '../../shared/api/routes/users';
import { httpHandler, implement, ok } from '../../shared/http/handler';
import { changeOwnPassword, login, logout } from './sessions';

/** POST /v1/desktop/login: a customer user logs in on one of the customer's workstations. */
export const loginRoute = implement(routes.login, async ({ principal, body }) => ok(await login(principal, body)));

/** POST /v1/desktop/password: changes the caller's password (required first for `ammin`). */
export const passwordRoute = implement(routes.password, async ({ principal, body }) => ok(await changeOwnPassword(principal, body)));

/** POST /v1/desktop/logout: ends the caller's session. */
export const logoutRoute = implement(routes.logout, async ({ principal }) => ok(await logout(principal)));

export const handler = httpHandler('users', [loginRoute, passwordRoute, logoutRoute]);
