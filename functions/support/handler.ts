import { CONSOLE_SCOPES, staffSignIn } from '../../shared/auth/sign-in';
import { listAgents } from '../../shared/db/agents';
import { listAudit } from '../../shared/db/audit';
import { httpHandler, principalOf, route } from '../../shared/http/handler';
import { json } from '../../shared/http/response';
import { assertCustomerAccess } from './access';
import { assignAgent, showAgent, unassignAgent } from './agents';
import { listFailedUpdates, listVisibleOpenCases } from './failed-updates';
import { resolveFailedUpdate } from './resolve';
import {
  AgentCustomerPath,
  AgentPath,
  AgentsQuery,
  NoBody,
  AuditQuery,
  CreateUserBody,
  CustomerPath,
  PageQuery,
  ResolveBody,
  UpdateUserBody,
  UserPath,
} from './schemas';
import { createCustomerUser, listCustomerUsers, updateCustomerUser } from './users';

/*
 * Alturas support: people signed in with the staff user pool (JWT authorizer);
 * agents limited to their customers, agent assignments managed by staff.
 * Every route validates its path, query and body with one schema (400 naming
 * the field) and checks the agent's allow-list (403) before touching a customer.
 */

/** GET /v1/support/customers/{customerId}/audit: a customer's audit trail, newest first. */
export const audit = route({ path: CustomerPath, query: AuditQuery }, async (request) => {
  const { customerId } = request.input.path;
  assertCustomerAccess(principalOf(request, 'support'), customerId);
  return json(200, await listAudit(customerId, request.input.query));
});

/** GET /v1/support/failed-updates: customers whose update failed and awaits support, newest first. */
export const failedUpdates = route({ query: PageQuery }, async (request) => {
  const { limit, cursor } = request.input.query;
  const page = await listFailedUpdates(principalOf(request, 'support'), limit, cursor);
  return json(200, { failedUpdates: page.items, cursor: page.cursor });
});

/** GET /v1/support/cases: open support cases, newest first. */
export const cases = route({ query: PageQuery }, async (request) => {
  const { limit, cursor } = request.input.query;
  const page = await listVisibleOpenCases(principalOf(request, 'support'), limit, cursor);
  return json(200, { cases: page.items, cursor: page.cursor });
});

/** POST /v1/support/customers/{customerId}/session/resolve: the failed update is resolved; it may be retried. */
export const resolve = route({ path: CustomerPath, body: ResolveBody }, async (request) => {
  const support = principalOf(request, 'support');
  const { customerId } = request.input.path;
  assertCustomerAccess(support, customerId);
  return json(200, await resolveFailedUpdate(support, customerId, request.input.body.resolution));
});

/** GET /v1/support/customers/{customerId}/users: the customer's desktop users (no password hashes). */
export const users = route({ path: CustomerPath }, async (request) =>
  json(200, await listCustomerUsers(principalOf(request, 'support'), request.input.path.customerId)),
);

/** POST /v1/support/customers/{customerId}/users: add a desktop user; it must change the password at first login. */
export const createUser = route({ path: CustomerPath, body: CreateUserBody }, async (request) => {
  const support = principalOf(request, 'support');
  const { customerId } = request.input.path;
  assertCustomerAccess(support, customerId);
  return json(201, await createCustomerUser(support, customerId, request.input.body));
});

/** PATCH /v1/support/customers/{customerId}/users/{username}: change the role and/or reset the password. */
export const updateUser = route({ path: UserPath, body: UpdateUserBody }, async (request) => {
  const support = principalOf(request, 'support');
  const { customerId, username } = request.input.path;
  assertCustomerAccess(support, customerId);
  return json(200, await updateCustomerUser(support, customerId, username, request.input.body));
});

/** GET /v1/support/sign-in: how staff and agents sign in (public: a browser or the CLI needs it before signing in). */
export const signIn = route({}, async () => {
  const { region, userPoolId, issuer, clients, endpoint, hostedSignIn } = staffSignIn();
  return json(200, {
    provider: 'cognito',
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
export const me = route({}, async (request) => {
  const { id, role, customers } = principalOf(request, 'support');
  return json(200, { username: id, role, customers: customers === '*' ? 'all' : customers });
});

/** GET /v1/support/agents: agents and their customers, by user name. */
export const agents = route({ query: AgentsQuery }, async (request) => json(200, await listAgents(request.input.query)));

/** GET /v1/support/agents/{username}: one agent's customers. */
export const agent = route({ path: AgentPath }, async (request) => json(200, await showAgent(request.input.path.username)));

/** PUT /v1/support/agents/{username}/customers/{customerId}: assign (idempotent, audited). */
export const assign = route({ path: AgentCustomerPath, body: NoBody, bodyOptional: true }, async (request) => {
  const { username, customerId } = request.input.path;
  return json(200, await assignAgent(principalOf(request, 'support'), username, customerId));
});

/** DELETE /v1/support/agents/{username}/customers/{customerId}: unassign (idempotent, audited). */
export const unassign = route({ path: AgentCustomerPath, body: NoBody, bodyOptional: true }, async (request) => {
  const { username, customerId } = request.input.path;
  return json(200, await unassignAgent(principalOf(request, 'support'), username, customerId));
});

export const handler = httpHandler('support', {
  'GET /v1/support/sign-in': signIn,
  'GET /v1/support/me': me,
  'GET /v1/support/agents': agents,
  'GET /v1/support/agents/{username}': agent,
  'PUT /v1/support/agents/{username}/customers/{customerId}': assign,
  'DELETE /v1/support/agents/{username}/customers/{customerId}': unassign,
  'GET /v1/support/customers/{customerId}/audit': audit,
  'GET /v1/support/failed-updates': failedUpdates,
  'GET /v1/support/cases': cases,
  'POST /v1/support/customers/{customerId}/session/resolve': resolve,
  'GET /v1/support/customers/{customerId}/users': users,
  'POST /v1/support/customers/{customerId}/users': createUser,
  'PATCH /v1/support/customers/{customerId}/users/{username}': updateUser,
});
