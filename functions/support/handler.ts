import { support as routes } from '../../shared/api/routes/support';
import { listAudit } from '../../shared/db/audit';
import { created, httpHandler, implement, ok } from '../../shared/http/handler';
import { assertCustomerAccess } from './access';
import { customerUpdate, findCustomers, sessionLog } from './customer-view';
import { listFailedUpdates, listVisibleOpenCases } from './failed-updates';
import { resolveFailedUpdate } from './resolve';
import { createCustomerUser, listCustomerUsers, updateCustomerUser } from './users';

/*
 * Alturas support (IAM-authorised in AWS; agents limited to their customers).
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

export const handler = httpHandler('support', [
  audit,
  failedUpdates,
  cases,
  resolve,
  customerSearch,
  customerUpdateView,
  log,
  users,
  createUser,
  updateUser,
]);
