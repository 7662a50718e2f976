import { users as routes } from '../../shared/api/routes/users';
import { created, httpHandler, implement, ok } from '../../shared/http/handler';
import { changeOwnPassword, login, logout } from './sessions';
import { issueWindowTicket, openWindowSession } from './window';

/** POST /v1/desktop/login: a customer user logs in on one of the customer's workstations. */
export const loginRoute = implement(routes.login, async ({ principal, body }) => ok(await login(principal, body)));

/** POST /v1/desktop/password: changes the caller's password (required first for `ammin`). */
export const passwordRoute = implement(routes.password, async ({ principal, body }) => ok(await changeOwnPassword(principal, body)));

/** POST /v1/desktop/logout: ends the caller's session. */
export const logoutRoute = implement(routes.logout, async ({ principal }) => ok(await logout(principal)));

/** POST /v1/desktop/window-tickets: a single-use ticket that opens the hosted update window. */
export const windowTicketRoute = implement(routes.windowTicket, async ({ principal }) => created(await issueWindowTicket(principal)));

/** POST /v1/desktop/window-session: the window page exchanges its ticket (once) for its own session. */
export const windowSessionRoute = implement(routes.windowSession, async ({ body }) => ok(await openWindowSession(body.ticket)));

export const handler = httpHandler('users', [loginRoute, passwordRoute, logoutRoute, windowTicketRoute, windowSessionRoute]);
