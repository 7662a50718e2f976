import { support as routes } from '../../shared/api/routes/support';
import { CONSOLE_SCOPES, staffSignIn } from '../../shared/auth/sign-in';
import { listAgents } from '../../shared/db/agents';
import { listAudit } from '../../shared/db/audit';
import { created, httpHandler, implement, ok } from '../../shared/http/handler';
import { authoriseTablet, disableTablet, editTablet, enableTablet, listTablets } from '../../shared/tablets/authorisation';
import { assertCustomerAccess } from './access';
import { customerUpdate, findCustomers, sessionLog } from './customer-view';
import { assignAgent, showAgent, unassignAgent } from './agents';
import { createCustomer, customerView, listCustomers, readCustomer, updateCustomer } from './customers';
import { listFailedUpdates, listVisibleOpenCases } from './failed-updates';
import { customerOverview } from './overview';
import { customerLicences, issueLicence, revokeLicence } from './licences';
import { resolveFailedUpdate } from './resolve';
import { createCustomerUser, listCustomerUsers, updateCustomerUser } from './users';
import { customerWorkstations, issueWorkstation, revokeWorkstation, rotateWorkstation } from './workstations';

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

/** GET /v1/support/customer-search: customers by id, licence or name (agents: theirs only). */
export const customerSearch = implement(routes.customerSearch, async ({ principal, query }) => ok(await findCustomers(principal, query.q)));

/** GET /v1/support/customer-overview: every customer (agents: theirs) with its summary. */
export const customerOverviewRoute = implement(routes.customerOverview, async ({ principal }) => ok(await customerOverview(principal)));

/** GET /v1/support/customers/{customerId}/update: desktop version, session and open challenges. */
export const customerUpdateView = implement(routes.customerUpdate, async ({ principal, params }) =>
  ok(await customerUpdate(principal, params.customerId)),
);

/** GET /v1/support/customers/{customerId}/session/log: the desktop's log of the failed session. */
export const log = implement(routes.sessionLog, async ({ principal, params }) => ok(await sessionLog(principal, params.customerId)));

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

// ── Onboarding: customers, licences, workstation credentials, tablets ───────

/** POST /v1/support/customers: a new customer with the manual's first-login admin (staff only). */
export const createCustomerRoute = implement(routes.createCustomer, async ({ principal, body }) =>
  created(await createCustomer(principal, body)),
);

/** GET /v1/support/customers: customers by id (an agent sees its own). */
export const listCustomersRoute = implement(routes.listCustomers, async ({ principal, query }) =>
  ok(await listCustomers(principal, query)),
);

/** GET /v1/support/customers/{customerId}: one customer. */
export const getCustomerRoute = implement(routes.getCustomer, async ({ principal, params }) =>
  ok(customerView(await readCustomer(principal, params.customerId))),
);

/** PATCH /v1/support/customers/{customerId}: name and/or desktop version. */
export const updateCustomerRoute = implement(routes.updateCustomer, async ({ principal, params, body }) =>
  ok(await updateCustomer(principal, params.customerId, body)),
);

export const issueLicenceRoute = implement(routes.issueLicence, async ({ principal, params, body }) =>
  created(await issueLicence(principal, params.customerId, body.licenceCode)),
);
export const listLicencesRoute = implement(routes.listLicences, async ({ principal, params }) =>
  ok(await customerLicences(principal, params.customerId)),
);
export const revokeLicenceRoute = implement(routes.revokeLicence, async ({ principal, params, body }) =>
  ok(await revokeLicence(principal, params.customerId, body.licenceCode)),
);

export const issueWorkstationRoute = implement(routes.issueWorkstation, async ({ principal, params, body }) =>
  created(await issueWorkstation(principal, params.customerId, body)),
);
export const listWorkstationsRoute = implement(routes.listWorkstations, async ({ principal, params }) =>
  ok(await customerWorkstations(principal, params.customerId)),
);
export const revokeWorkstationRoute = implement(routes.revokeWorkstation, async ({ principal, params }) =>
  ok(await revokeWorkstation(principal, params.customerId, params.credentialId)),
);
export const rotateWorkstationRoute = implement(routes.rotateWorkstation, async ({ principal, params }) =>
  created(await rotateWorkstation(principal, params.customerId, params.credentialId)),
);

/** Tablet authorisation for the customer named in the path, after the agent check (404 when unknown). */
export const listTabletsRoute = implement(routes.listTablets, async ({ principal, params }) => {
  await readCustomer(principal, params.customerId);
  return ok({ customerId: params.customerId, devices: await listTablets(params.customerId) });
});
export const authoriseTabletRoute = implement(routes.authoriseTablet, async ({ principal, params, body }) => {
  const { serial, ...fields } = body;
  await readCustomer(principal, params.customerId);
  return created(await authoriseTablet(principal, params.customerId, serial, fields, { checkCustomer: true }));
});
export const editTabletRoute = implement(routes.editTablet, async ({ principal, params, body }) => {
  await readCustomer(principal, params.customerId);
  return ok(await editTablet(principal, params.customerId, params.serial, body));
});
export const disableTabletRoute = implement(routes.disableTablet, async ({ principal, params }) => {
  await readCustomer(principal, params.customerId);
  return ok(await disableTablet(principal, params.customerId, params.serial));
});
export const enableTabletRoute = implement(routes.enableTablet, async ({ principal, params }) => {
  await readCustomer(principal, params.customerId);
  return ok(await enableTablet(principal, params.customerId, params.serial));
});

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
  customerSearch,
  customerOverviewRoute,
  customerUpdateView,
  log,
  users,
  createUser,
  updateUser,
  createCustomerRoute,
  listCustomersRoute,
  getCustomerRoute,
  updateCustomerRoute,
  issueLicenceRoute,
  listLicencesRoute,
  revokeLicenceRoute,
  issueWorkstationRoute,
  listWorkstationsRoute,
  revokeWorkstationRoute,
  rotateWorkstationRoute,
  listTabletsRoute,
  authoriseTabletRoute,
  editTabletRoute,
  disableTabletRoute,
  enableTabletRoute,
]);
