import { support as routes } from '../../shared/api/routes/support';
import { CONSOLE_SCOPES, staffSignIn } from '../../shared/auth/sign-in';
import { listAgents } from '../../shared/db/agents';
import { listAudit } from '../../shared/db/audit';
import { created, httpHandler, implement, ok } from '../../shared/http/handler';
import { assertCustomerAccess } from './access';
import { assignAgent, showAgent, unassignAgent } from './agents';
import { listFailedUpdates, listVisibleOpenCases } from './failed-updates';
import { resolveFailedUpdate } from './resolve';
import { createCustomerUser, listCustomerUsers, updateCustomerUser } from './users';

/*
 * Alturas support: people signed in with the staff user pool (JWT authorizer);
 * agents limited to their customers, agent assignments managed by staff.
 * Every route's input is validated by its contract (400 naming the field), and the
 * agent's allow-list is checked (403) before a customer is touched.
 */

/** GET /v1/support/customers/{customerId}/audit: a customer's audit trail, newest first. */
export const audit = implement(routes.audit, async ({ principal, params, query }) => {
  assertCustomerAccess(principal, params.customerId);
  return ok(await listAudit(params.customerId, query));
});

/** GET /v1/support/failed-updates: customers whose update failed and awaits support, newest first. */
export const failedUpdates = implement(routes.failedUpdates, async ({ principal, query }) => {
  const page = await listFailedUpdates(principal, query.limit, query.cursor);
  return ok({ failedUpdates: page.items, cursor: page.cursor });
});

/** GET /v1/support/cases: open support cases, newest first. */
export const cases = implement(routes.cases, async ({ principal, query }) => {
  const page = await listVisibleOpenCases(principal, query.limit, query.cursor);
  return ok({ cases: page.items, cursor: page.cursor });
});

/** POST /v1/support/customers/{customerId}/session/resolve: the failed update is resolved; it may be retried. */
export const resolve = implement(routes.resolve, async ({ principal, params, body }) =>
  ok(await resolveFailedUpdate(principal, params.customerId, body.resolution)),
);

/** GET /v1/support/customers/{customerId}/users: the customer's desktop users (no password hashes). */
export const users = implement(routes.users, async ({ principal, params }) => ok(await listCustomerUsers(principal, params.customerId)));

/** POST /v1/support/customers/{customerId}/users: add a desktop user; it must change the password at first login. */
export const createUser = implement(routes.createUser, async ({ principal, params, body }) =>
  created(await createCustomerUser(principal, params.customerId, body)),
);

/** PATCH /v1/support/customers/{customerId}/users/{username}: change the role and/or reset the password. */
export const updateUser = implement(routes.updateUser, async ({ principal, params, body }) =>
  ok(await updateCustomerUser(principal, params.customerId, params.username, body)),
);

/** GET /v1/support/sign-in: how staff and agents sign in (public: a browser or the CLI needs it before signing in). */
export const signIn = implement(routes.signIn, async () => {
  const { region, userPoolId, issuer, clients, endpoint, hostedSignIn } = staffSignIn();
  return ok({
    provider: 'cognito' as const,
    region,
    userPoolId,
    issuer,
    clients,
    ...(endpoint ? { endpoint } : {}),
    // A web page signs in here (authorization code + PKCE with clients.console): docs/operations.md.
    ...(hostedSignIn ? { hostedSignIn, scopes: [...CONSOLE_SCOPES] } : {}),
  });
});

/** GET /v1/support/me: the signed-in person as the API sees it. */
export const me = implement(routes.me, async ({ principal: { id, role, customers } }) =>
  ok({ username: id, role, customers: customers === '*' ? ('all' as const) : [...customers] }),
);

/** GET /v1/support/agents: agents and their customers, by user name. */
export const agents = implement(routes.agents, async ({ query }) => ok(await listAgents(query)));

/** GET /v1/support/agents/{username}: one agent's customers. */
export const agent = implement(routes.agent, async ({ params }) => ok(await showAgent(params.username)));

/** PUT /v1/support/agents/{username}/customers/{customerId}: assign (idempotent, audited). */
export const assign = implement(routes.assignAgent, async ({ principal, params }) =>
  ok(await assignAgent(principal, params.username, params.customerId)),
);

/** DELETE /v1/support/agents/{username}/customers/{customerId}: unassign (idempotent, audited). */
export const unassign = implement(routes.unassignAgent, async ({ principal, params }) =>
  ok(await unassignAgent(principal, params.username, params.customerId)),
);

export const handler = httpHandler('support', [
  signIn,
  me,
  agents,
  agent,
  assign,
  unassign,
  audit,
  failedUpdates,
  cases,
  resolve,
  users,
  createUser,
  updateUser,
]);
