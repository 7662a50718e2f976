import { z } from 'zod';
import { listAudit } from '../../shared/db/audit';
import { httpHandler, principalOf, route, type HttpRequest } from '../../shared/http/handler';
import { json } from '../../shared/http/response';
import { authoriseTablet, disableTablet, editTablet, enableTablet, listTablets } from '../../shared/tablets/authorisation';
import { AuthoriseTabletBody, EditTabletBody } from '../../shared/tablets/schemas';
import { assertCustomerAccess } from './access';
import { createCustomer, customerView, listCustomers, readCustomer, updateCustomer } from './customers';
import { listFailedUpdates, listVisibleOpenCases } from './failed-updates';
import { customerLicences, issueLicence, revokeLicence } from './licences';
import { resolveFailedUpdate } from './resolve';
import {
  AuditQuery,
  CreateCustomerBody,
  CreateUserBody,
  CustomerPath,
  IssueLicenceBody,
  IssueWorkstationBody,
  PageQuery,
  ResolveBody,
  RevokeLicenceBody,
  TabletPath,
  UpdateCustomerBody,
  UpdateUserBody,
  UserPath,
  WorkstationPath,
} from './schemas';
import { createCustomerUser, listCustomerUsers, updateCustomerUser } from './users';
import { customerWorkstations, issueWorkstation, revokeWorkstation, rotateWorkstation } from './workstations';

/*
 * Alturas support (IAM-authorised in AWS; agents limited to their customers).
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

// ── Onboarding: customers, licences, workstation credentials, tablets ───────

const NoBody = { body: z.object({}).strict(), bodyOptional: true } as const;

/** POST /v1/support/customers: a new customer with the manual's first-login admin (staff only). */
export const createCustomerRoute = route({ body: CreateCustomerBody }, async (request) =>
  json(201, await createCustomer(principalOf(request, 'support'), request.input.body)),
);

/** GET /v1/support/customers: customers by id (an agent sees its own). */
export const listCustomersRoute = route({ query: PageQuery }, async (request) =>
  json(200, await listCustomers(principalOf(request, 'support'), request.input.query)),
);

/** GET /v1/support/customers/{customerId}: one customer. */
export const getCustomerRoute = route({ path: CustomerPath }, async (request) =>
  json(200, customerView(await readCustomer(principalOf(request, 'support'), request.input.path.customerId))),
);

/** PATCH /v1/support/customers/{customerId}: name and/or desktop version. */
export const updateCustomerRoute = route({ path: CustomerPath, body: UpdateCustomerBody }, async (request) =>
  json(200, await updateCustomer(principalOf(request, 'support'), request.input.path.customerId, request.input.body)),
);

export const issueLicenceRoute = route({ path: CustomerPath, body: IssueLicenceBody, bodyOptional: true }, async (request) =>
  json(201, await issueLicence(principalOf(request, 'support'), request.input.path.customerId, request.input.body.licenceCode)),
);
export const listLicencesRoute = route({ path: CustomerPath }, async (request) =>
  json(200, await customerLicences(principalOf(request, 'support'), request.input.path.customerId)),
);
export const revokeLicenceRoute = route({ path: CustomerPath, body: RevokeLicenceBody }, async (request) =>
  json(200, await revokeLicence(principalOf(request, 'support'), request.input.path.customerId, request.input.body.licenceCode)),
);

export const issueWorkstationRoute = route({ path: CustomerPath, body: IssueWorkstationBody }, async (request) =>
  json(201, await issueWorkstation(principalOf(request, 'support'), request.input.path.customerId, request.input.body)),
);
export const listWorkstationsRoute = route({ path: CustomerPath }, async (request) =>
  json(200, await customerWorkstations(principalOf(request, 'support'), request.input.path.customerId)),
);
export const revokeWorkstationRoute = route({ path: WorkstationPath, ...NoBody }, async (request) =>
  json(200, await revokeWorkstation(principalOf(request, 'support'), request.input.path.customerId, request.input.path.credentialId)),
);
export const rotateWorkstationRoute = route({ path: WorkstationPath, ...NoBody }, async (request) =>
  json(201, await rotateWorkstation(principalOf(request, 'support'), request.input.path.customerId, request.input.path.credentialId)),
);

/** The customer named in the path, after the agent check (404 when unknown). */
async function tabletsCustomer(request: HttpRequest, customerId: string) {
  const support = principalOf(request, 'support');
  await readCustomer(support, customerId);
  return support;
}

export const listTabletsRoute = route({ path: CustomerPath }, async (request) => {
  const { customerId } = request.input.path;
  await tabletsCustomer(request, customerId);
  return json(200, { customerId, devices: await listTablets(customerId) });
});
export const authoriseTabletRoute = route({ path: CustomerPath, body: AuthoriseTabletBody }, async (request) => {
  const { customerId } = request.input.path;
  const { serial, ...fields } = request.input.body;
  const support = await tabletsCustomer(request, customerId);
  return json(201, await authoriseTablet(support, customerId, serial, fields, { checkCustomer: true }));
});
export const editTabletRoute = route({ path: TabletPath, body: EditTabletBody }, async (request) => {
  const { customerId, serial } = request.input.path;
  const support = await tabletsCustomer(request, customerId);
  return json(200, await editTablet(support, customerId, serial, request.input.body));
});
export const disableTabletRoute = route({ path: TabletPath, ...NoBody }, async (request) => {
  const { customerId, serial } = request.input.path;
  const support = await tabletsCustomer(request, customerId);
  return json(200, await disableTablet(support, customerId, serial));
});
export const enableTabletRoute = route({ path: TabletPath, ...NoBody }, async (request) => {
  const { customerId, serial } = request.input.path;
  const support = await tabletsCustomer(request, customerId);
  return json(200, await enableTablet(support, customerId, serial));
});

export const handler = httpHandler('support', {
  'GET /v1/support/customers/{customerId}/audit': audit,
  'GET /v1/support/failed-updates': failedUpdates,
  'GET /v1/support/cases': cases,
  'POST /v1/support/customers/{customerId}/session/resolve': resolve,
  'GET /v1/support/customers/{customerId}/users': users,
  'POST /v1/support/customers/{customerId}/users': createUser,
  'PATCH /v1/support/customers/{customerId}/users/{username}': updateUser,
  'POST /v1/support/customers': createCustomerRoute,
  'GET /v1/support/customers': listCustomersRoute,
  'GET /v1/support/customers/{customerId}': getCustomerRoute,
  'PATCH /v1/support/customers/{customerId}': updateCustomerRoute,
  'POST /v1/support/customers/{customerId}/licences': issueLicenceRoute,
  'GET /v1/support/customers/{customerId}/licences': listLicencesRoute,
  'POST /v1/support/customers/{customerId}/licences/revoke': revokeLicenceRoute,
  'POST /v1/support/customers/{customerId}/workstations': issueWorkstationRoute,
  'GET /v1/support/customers/{customerId}/workstations': listWorkstationsRoute,
  'POST /v1/support/customers/{customerId}/workstations/{credentialId}/revoke': revokeWorkstationRoute,
  'POST /v1/support/customers/{customerId}/workstations/{credentialId}/rotate': rotateWorkstationRoute,
  'GET /v1/support/customers/{customerId}/devices': listTabletsRoute,
  'POST /v1/support/customers/{customerId}/devices': authoriseTabletRoute,
  'PATCH /v1/support/customers/{customerId}/devices/{serial}': editTabletRoute,
  'POST /v1/support/customers/{customerId}/devices/{serial}/disable': disableTabletRoute,
  'POST /v1/support/customers/{customerId}/devices/{serial}/enable': enableTabletRoute,
});
