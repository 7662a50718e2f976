import * as z from 'zod';
import { defineRoute } from '../contract';
import { AuditEntry, SessionState, SupportCase, Tablet, Timestamp, UserView } from '../components';
import {
  CredentialIdField,
  CursorField,
  CustomerIdField,
  LicenceField,
  PasswordField,
  RoleField,
  SerialField,
  TextField,
  UsernameField,
  VersionField,
} from '../fields';
import { AuthoriseTabletBody, EditTabletBody } from '../tablets';

const CustomerPath = z.object({ customerId: CustomerIdField });
const UserPath = z.object({ customerId: CustomerIdField, username: UsernameField });

/** Page size and the opaque cursor a previous page returned. */
const PageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(25),
  cursor: CursorField.optional(),
});

const Cursor = z.string().optional().meta({ description: 'Pass it back as `cursor` for the next page; absent on the last page.' });

/** One row of support's "failed updates" list. */
export const FailedUpdate = z
  .object({
    customerId: CustomerIdField,
    sessionId: z.string(),
    state: SessionState,
    targetVersion: VersionField.optional(),
    fromVersion: VersionField.optional(),
    since: Timestamp.meta({ description: 'When the session last changed while failed: the list is sorted by it, newest first.' }),
    supportCaseId: z.string().optional(),
  })
  .meta({ id: 'FailedUpdate' });

/** A customer as the console's search finds it. */
export const CustomerMatch = z
  .object({ customerId: CustomerIdField, name: z.string(), desktopVersion: VersionField.optional() })
  .meta({ id: 'CustomerMatch' });

/** One row of the customers overview (shared/db/customer-summary.ts keeps it up to date). */
export const CustomerOverviewRow = z
  .object({
    customerId: CustomerIdField,
    name: z
      .string()
      .nullable()
      .meta({ description: 'Null only for a customer created before the summary existed and not backfilled yet.' }),
    licenceCode: z.string().nullable().meta({ description: 'The live licence code, if one is issued.' }),
    desktopVersion: VersionField.nullable(),
    sessionState: SessionState,
    targetVersion: VersionField.nullable().meta({ description: 'The release the open (or last) session installs.' }),
    sessionUpdatedAt: Timestamp.nullable(),
    failedSince: Timestamp.nullable().meta({
      description: 'Since when the last update is failed (failed or reactivated) and awaits support; null when none is open.',
    }),
    devicesTotal: z.number().int().min(0).meta({ description: 'Tablets in tablet authorisation management.' }),
    devicesEnabled: z.number().int().min(0),
    devicesOnDesktopVersion: z.number().int().min(0).meta({ description: "Enabled tablets whose installed version is the desktop's." }),
    lastCheckAt: Timestamp.nullable().meta({
      description: 'Last startup check of any of its workstations, exact to within 10 minutes (the feed records it at most that often).',
    }),
  })
  .meta({ id: 'CustomerOverviewRow' });

/** A confirmation-code challenge the customer's admin has open (never its digits: those are read over the phone). */
export const OpenChallenge = z
  .object({ version: VersionField, expiresAt: Timestamp, attemptsLeft: z.number().int().min(0) })
  .meta({ id: 'OpenChallenge' });

/** What support sees of a customer's update: the desktop version, the session, the open challenges. */
export const CustomerUpdateView = z
  .object({
    customerId: CustomerIdField,
    name: z.string(),
    desktopVersion: VersionField.optional(),
    session: z.object({
      sessionId: z.string(),
      state: SessionState,
      targetVersion: VersionField.optional(),
      fromVersion: VersionField.optional(),
      forced: z.boolean().optional(),
      startedAt: Timestamp.optional(),
      startedBy: z.string().optional(),
      updatedAt: Timestamp,
      failureMessage: z.string().optional(),
      hasLog: z
        .boolean()
        .meta({ description: "True when the desktop's log of an abnormal termination is stored (read it at session/log)." }),
      supportCaseId: z.string().optional(),
    }),
    openChallenges: z.array(OpenChallenge).meta({ description: 'Open, unexpired challenges, newest first.' }),
  })
  .meta({ id: 'CustomerUpdateView' });
/** A user name of the staff user pool (federated users look like `<Provider>_<id>`). */
const PoolUsernameField = z
  .string()
  .min(1, 'a user name is required')
  .max(128, 'at most 128 characters')
  .regex(/^[A-Za-z0-9._@+-]+$/, 'letters, digits and . _ @ + - only');

const AgentPath = z.object({ username: PoolUsernameField });
const AgentCustomerPath = z.object({ username: PoolUsernameField, customerId: CustomerIdField });

/** One agent (a user of the staff pool in group `agent`) and the customers staff assigned to it. */
export const AgentView = z
  .object({
    username: z.string(),
    sub: z.string().meta({ description: "The pool's stable user id: assignments are keyed by it." }),
    customers: z.array(CustomerIdField),
    updatedAt: Timestamp.optional(),
    updatedBy: z.string().optional(),
  })
  .meta({ id: 'AgentView' });

/** An assignment change: the agent as it now is, and whether anything changed (assigning twice changes nothing). */
const AgentChange = z.object({ agent: AgentView, changed: z.boolean() });

/** How people on the Alturas side sign in (docs/operations.md). */
export const SignInInfo = z
  .object({
    provider: z.literal('cognito'),
    region: z.string(),
    userPoolId: z.string(),
    issuer: z.string().meta({ description: "The `iss` of the pool's tokens." }),
    clients: z.object({
      cli: z.string().meta({ description: 'App client of the command line (USER_PASSWORD_AUTH).' }),
      console: z.string().meta({ description: 'App client of a web page (authorization code + PKCE).' }),
    }),
    endpoint: z.string().optional().meta({ description: 'Local stack only: the Cognito-compatible endpoint.' }),
    hostedSignIn: z.string().optional().meta({
      description: "Base URL of the hosted sign-in's OAuth 2.0 endpoints (/oauth2/authorize, /oauth2/token), when the pool has a domain.",
    }),
    scopes: z.array(z.string()).optional().meta({ description: 'What a web page asks the hosted sign-in for.' }),
  })
  .meta({ id: 'SignInInfo' });

/**
 * The `support` function: people on the Alturas side signed in with the staff
 * user pool (JWT authorizer): staff for every customer, agents only for the
 * customers staff assigned to them; agent assignments are for staff.
 */
/** A customer as support sees it. */
export const Customer = z
  .object({
    customerId: CustomerIdField,
    name: z.string(),
    desktopVersion: VersionField.nullable().meta({
      description: 'The desktop version the backend knows (set at onboarding, then by each phase 2).',
    }),
    serverCredentialId: z.string().nullable().meta({ description: 'The live SERVER workstation credential, if issued.' }),
    licenceCode: z.string().nullable().meta({ description: 'The live licence code tablets register with, if issued.' }),
    createdAt: Timestamp.nullable(),
    createdBy: z.string().nullable(),
    updatedAt: Timestamp.nullable(),
    updatedBy: z.string().nullable(),
  })
  .meta({ id: 'Customer' });

/** POST /v1/support/customers: the customer and the manual's first-login admin to pass on. */
export const CreatedCustomer = z
  .object({
    customer: Customer,
    firstLogin: z
      .object({ username: z.literal('ammin'), password: z.literal('ammin'), mustChangePassword: z.literal(true) })
      .meta({ description: "The manual's default profile: it must change the password at the first login." }),
  })
  .meta({ id: 'CreatedCustomer' });

/** A licence code and its life. */
export const Licence = z
  .object({
    licenceCode: LicenceField,
    revoked: z.boolean(),
    createdAt: Timestamp.nullable(),
    createdBy: z.string().nullable(),
    revokedAt: Timestamp.nullable(),
    revokedBy: z.string().nullable(),
  })
  .meta({ id: 'Licence' });

/** A workstation credential (never its secret or hash). */
export const Workstation = z
  .object({
    credentialId: z.string(),
    workstation: z.enum(['server', 'client']),
    label: z.string().nullable(),
    revoked: z.boolean(),
    createdAt: Timestamp.nullable(),
    createdBy: z.string().nullable(),
    revokedAt: Timestamp.nullable(),
    revokedBy: z.string().nullable(),
    replacedBy: z.string().nullable().meta({ description: 'The credential that replaced this one (rotation).' }),
  })
  .meta({ id: 'Workstation' });

/** The answer that issues a credential: the only time its secret is shown. */
export const IssuedWorkstation = Workstation.extend({
  credential: z
    .string()
    .meta({ description: '`dsk_<id>.<secret>`: configure it on the workstation (`Authorization: Desktop …`). Never shown again.' }),
  revokedCredentialsStopWithinSeconds: z
    .number()
    .int()
    .min(0)
    .meta({ description: 'A revoked credential may keep working this long on warm functions (cache of found credentials).' }),
}).meta({ id: 'IssuedWorkstation' });

const WorkstationPath = z.object({ customerId: CustomerIdField, credentialId: CredentialIdField });
const TabletPath = z.object({ customerId: CustomerIdField, serial: SerialField });
const NoBody = { body: z.object({}).strict(), bodyOptional: true } as const;

/** The `support` function: Alturas support (IAM in AWS; agents limited to their customers). */
export const support = {
  audit: defineRoute({
    method: 'GET',
    path: '/v1/support/customers/{customerId}/audit',
    fn: 'support',
    auth: 'support',
    summary: "A customer's audit trail, newest first",
    params: CustomerPath,
    query: z.object({
      limit: z.coerce.number().int().min(1).max(500).optional(),
      cursor: z
        .string()
        .max(2048)
        .regex(/^[A-Za-z0-9_-]+$/, 'an opaque cursor from a previous page')
        .optional(),
      action: z
        .string()
        .max(64)
        .regex(/^[a-z0-9.-]+$/, 'an action prefix like code. or session.')
        .optional(),
    }),
    responses: { 200: z.object({ entries: z.array(AuditEntry), cursor: Cursor }) },
    errors: { 400: ['INVALID_CURSOR'] },
  }),
  failedUpdates: defineRoute({
    method: 'GET',
    path: '/v1/support/failed-updates',
    fn: 'support',
    auth: 'support',
    summary: 'Customers whose update failed and awaits support',
    query: PageQuery,
    responses: { 200: z.object({ failedUpdates: z.array(FailedUpdate), cursor: Cursor }) },
    errors: { 400: ['INVALID_CURSOR'] },
  }),
  cases: defineRoute({
    method: 'GET',
    path: '/v1/support/cases',
    fn: 'support',
    auth: 'support',
    summary: 'Open support cases',
    query: PageQuery,
    responses: { 200: z.object({ cases: z.array(SupportCase), cursor: Cursor }) },
    errors: { 400: ['INVALID_CURSOR'] },
  }),
  resolve: defineRoute({
    method: 'POST',
    path: '/v1/support/customers/{customerId}/session/resolve',
    fn: 'support',
    auth: 'support',
    summary: "Mark a customer's failed update resolved (the update may be retried)",
    maxBodyBytes: 4096,
    params: CustomerPath,
    body: z
      .object({ resolution: z.string().trim().min(1, 'say how the failure was resolved').max(2000, 'at most 2000 characters') })
      .strict(),
    responses: {
      200: z.object({
        customerId: CustomerIdField,
        session: z.object({ sessionId: z.string(), state: SessionState, version: z.number().int().min(0) }),
        fromState: SessionState,
        resolvedAt: Timestamp,
        resolvedBy: z.string(),
        closedCaseIds: z.array(z.string()),
      }),
    },
    errors: { 404: ['NOT_FOUND'], 409: ['NOT_FAILED', 'CASE_CHANGED', 'SESSION_CONFLICT'] },
  }),
  customerSearch: defineRoute({
    method: 'GET',
    path: '/v1/support/customer-search',
    fn: 'support',
    auth: 'support',
    summary: 'Find customers by id, licence code or part of the name',
    description: 'An exact customer id or licence code first, then names containing the text; agents find only their customers.',
    query: z.object({ q: z.string().trim().min(1, 'type a name, id or licence').max(100, 'at most 100 characters') }),
    responses: { 200: z.object({ customers: z.array(CustomerMatch).max(20) }) },
  }),
  customerOverview: defineRoute({
    method: 'GET',
    path: '/v1/support/customer-overview',
    fn: 'support',
    auth: 'support',
    summary: 'Every customer with its desktop version, session, devices, last startup check and open failure',
    description:
      "One row per customer, by id, from the per-customer summary (one Query for staff; an agent's assigned customers only, by key). `latestVersion` is the newest published release, for telling who is not on it.",
    responses: {
      200: z.object({
        customers: z.array(CustomerOverviewRow),
        latestVersion: VersionField.nullable().meta({ description: 'The newest published release (null before any).' }),
      }),
    },
  }),
  customerUpdate: defineRoute({
    method: 'GET',
    path: '/v1/support/customers/{customerId}/update',
    fn: 'support',
    auth: 'support',
    summary: "A customer's update as support sees it: desktop version, session, open challenges",
    params: CustomerPath,
    responses: { 200: CustomerUpdateView },
    errors: { 404: ['NOT_FOUND'] },
  }),
  sessionLog: defineRoute({
    method: 'GET',
    path: '/v1/support/customers/{customerId}/session/log',
    fn: 'support',
    auth: 'support',
    summary: "The desktop's log of the session's abnormal termination",
    params: CustomerPath,
    responses: {
      200: z.object({
        customerId: CustomerIdField,
        sessionId: z.string(),
        text: z.string(),
        truncated: z.boolean().meta({ description: "True when only the log's last 256 KiB are given." }),
      }),
    },
    errors: { 404: ['NOT_FOUND'] },
  }),
  users: defineRoute({
    method: 'GET',
    path: '/v1/support/customers/{customerId}/users',
    fn: 'support',
    auth: 'support',
    summary: "A customer's desktop users",
    params: CustomerPath,
    responses: { 200: z.object({ customerId: CustomerIdField, users: z.array(UserView) }) },
    errors: { 404: ['NOT_FOUND'] },
  }),
  createUser: defineRoute({
    method: 'POST',
    path: '/v1/support/customers/{customerId}/users',
    fn: 'support',
    auth: 'support',
    summary: 'Add a desktop user (name, password, admin role or not)',
    description: 'The user must change the password at first login.',
    maxBodyBytes: 2048,
    params: CustomerPath,
    body: z.object({ username: UsernameField, password: PasswordField, role: RoleField }).strict(),
    responses: { 201: UserView },
    errors: { 400: ['WEAK_PASSWORD'], 404: ['NOT_FOUND'], 409: ['USER_EXISTS'] },
  }),
  updateUser: defineRoute({
    method: 'PATCH',
    path: '/v1/support/customers/{customerId}/users/{username}',
    fn: 'support',
    auth: 'support',
    summary: "Change a user's role or reset the password",
    description: 'A password reset makes the user change it at the next login; a role change applies from the next login.',
    maxBodyBytes: 2048,
    params: UserPath,
    body: z
      .object({ role: RoleField.optional(), password: PasswordField.optional() })
      .strict()
      .refine((b) => b.role !== undefined || b.password !== undefined, { message: 'give a new role, a new password or both' })
      .meta({ minProperties: 1 }),
    responses: { 200: UserView },
    errors: { 400: ['WEAK_PASSWORD'], 404: ['NOT_FOUND'] },
  }),
  signIn: defineRoute({
    method: 'GET',
    path: '/v1/support/sign-in',
    fn: 'support',
    auth: 'public',
    summary: 'How Alturas staff and agents sign in: the user pool, its app clients and token issuer',
    description: 'Public: the command line and a web page need it before anyone is signed in.',
    responses: { 200: SignInInfo },
  }),
  me: defineRoute({
    method: 'GET',
    path: '/v1/support/me',
    fn: 'support',
    auth: 'support',
    summary: 'The signed-in person: role and customers',
    responses: {
      200: z.object({
        username: z.string(),
        role: z.enum(['staff', 'agent']),
        customers: z.union([z.literal('all'), z.array(CustomerIdField)]),
      }),
    },
  }),
  agents: defineRoute({
    method: 'GET',
    path: '/v1/support/agents',
    fn: 'support',
    auth: 'staff',
    summary: 'Agents and the customers assigned to them, by user name',
    query: z.object({ limit: z.coerce.number().int().min(1).max(100).default(50), cursor: CursorField.optional() }),
    responses: { 200: z.object({ agents: z.array(AgentView), cursor: Cursor }) },
    errors: { 400: ['INVALID_CURSOR'] },
  }),
  agent: defineRoute({
    method: 'GET',
    path: '/v1/support/agents/{username}',
    fn: 'support',
    auth: 'staff',
    summary: 'The customers assigned to one agent',
    params: AgentPath,
    responses: { 200: AgentView },
    errors: { 404: ['AGENT_NOT_FOUND'], 409: ['NOT_AN_AGENT'] },
  }),
  assignAgent: defineRoute({
    method: 'PUT',
    path: '/v1/support/agents/{username}/customers/{customerId}',
    fn: 'support',
    auth: 'staff',
    summary: 'Assign a customer to an agent (audited; assigning twice changes nothing)',
    maxBodyBytes: 1024,
    params: AgentCustomerPath,
    body: z.object({}).strict(),
    bodyOptional: true,
    responses: { 200: AgentChange },
    errors: { 404: ['AGENT_NOT_FOUND', 'NOT_FOUND'], 409: ['NOT_AN_AGENT', 'TOO_MANY_CUSTOMERS'] },
  }),
  unassignAgent: defineRoute({
    method: 'DELETE',
    path: '/v1/support/agents/{username}/customers/{customerId}',
    fn: 'support',
    auth: 'staff',
    summary: 'Remove a customer from an agent (audited; effective at its next request)',
    maxBodyBytes: 1024,
    params: AgentCustomerPath,
    body: z.object({}).strict(),
    bodyOptional: true,
    responses: { 200: AgentChange },
    errors: { 404: ['AGENT_NOT_FOUND'] },
  }),

  // ── Onboarding (issue 11): customers, licences, workstation credentials, tablets ──
  createCustomer: defineRoute({
    method: 'POST',
    path: '/v1/support/customers',
    fn: 'support',
    auth: 'support',
    summary: "Create a customer (staff only) with the manual's first-login admin ammin/ammin",
    description:
      'The id is chosen by Alturas and never changes. A retry with the same id is 409 CUSTOMER_EXISTS with the customer as it is.',
    maxBodyBytes: 2048,
    body: z.object({ customerId: CustomerIdField, name: TextField(200, 'a name'), desktopVersion: VersionField }).strict(),
    responses: { 201: CreatedCustomer },
    errors: { 409: ['CUSTOMER_EXISTS'] },
  }),
  listCustomers: defineRoute({
    method: 'GET',
    path: '/v1/support/customers',
    fn: 'support',
    auth: 'support',
    summary: 'Customers, by id (an agent sees its own)',
    query: PageQuery,
    responses: { 200: z.object({ customers: z.array(Customer), cursor: Cursor }) },
    errors: { 400: ['INVALID_CURSOR'] },
  }),
  getCustomer: defineRoute({
    method: 'GET',
    path: '/v1/support/customers/{customerId}',
    fn: 'support',
    auth: 'support',
    summary: 'One customer',
    params: CustomerPath,
    responses: { 200: Customer },
    errors: { 404: ['NOT_FOUND'] },
  }),
  updateCustomer: defineRoute({
    method: 'PATCH',
    path: '/v1/support/customers/{customerId}',
    fn: 'support',
    auth: 'support',
    summary: "Change a customer's name or the desktop version the backend knows",
    description:
      'The desktop version cannot change while an update is in progress (409 SESSION_IN_PROGRESS). Audited with before and after.',
    maxBodyBytes: 2048,
    params: CustomerPath,
    body: z
      .object({ name: TextField(200, 'a name').optional(), desktopVersion: VersionField.optional() })
      .strict()
      .refine((b) => b.name !== undefined || b.desktopVersion !== undefined, { message: 'give a new name, a desktop version or both' })
      .meta({ minProperties: 1 }),
    responses: { 200: Customer },
    errors: { 404: ['NOT_FOUND'], 409: ['SESSION_IN_PROGRESS'] },
  }),
  issueLicence: defineRoute({
    method: 'POST',
    path: '/v1/support/customers/{customerId}/licences',
    fn: 'support',
    auth: 'staff',
    summary: "Issue the customer's licence code (generated, or an existing mOphas code typed in): tablets register with it",
    description: 'One live licence per customer: a second is 409 LICENCE_EXISTS with the live one.',
    maxBodyBytes: 1024,
    params: CustomerPath,
    body: z.object({ licenceCode: LicenceField.optional() }).strict(),
    bodyOptional: true,
    responses: { 201: Licence },
    errors: { 404: ['NOT_FOUND'], 409: ['LICENCE_EXISTS'] },
  }),
  listLicences: defineRoute({
    method: 'GET',
    path: '/v1/support/customers/{customerId}/licences',
    fn: 'support',
    auth: 'support',
    summary: "A customer's licences, revoked ones included",
    params: CustomerPath,
    responses: { 200: z.object({ customerId: CustomerIdField, licences: z.array(Licence) }) },
    errors: { 404: ['NOT_FOUND'] },
  }),
  revokeLicence: defineRoute({
    method: 'POST',
    path: '/v1/support/customers/{customerId}/licences/revoke',
    fn: 'support',
    auth: 'staff',
    summary: 'Revoke a licence: no tablet registers with it any more (registered tablets keep working)',
    description: 'The code travels in the body, never in the URL.',
    maxBodyBytes: 1024,
    params: CustomerPath,
    body: z.object({ licenceCode: LicenceField }).strict(),
    responses: { 200: Licence },
    errors: { 404: ['NOT_FOUND'], 409: ['ALREADY_REVOKED'] },
  }),
  issueWorkstation: defineRoute({
    method: 'POST',
    path: '/v1/support/customers/{customerId}/workstations',
    fn: 'support',
    auth: 'staff',
    summary: 'Issue a workstation credential (the SERVER or a client workstation); its secret is shown once',
    description: 'One live SERVER credential per customer; labels are unique among live credentials (a retry is 409).',
    maxBodyBytes: 1024,
    params: CustomerPath,
    body: z
      .object({
        workstation: z.enum(['server', 'client'], { message: "'server' (the central computer) or 'client'" }),
        label: TextField(64, 'a label').meta({
          description: 'What the customer calls the workstation; unique among its live credentials.',
        }),
      })
      .strict(),
    responses: { 201: IssuedWorkstation },
    errors: { 404: ['NOT_FOUND'], 409: ['SERVER_CREDENTIAL_EXISTS', 'WORKSTATION_EXISTS'] },
  }),
  listWorkstations: defineRoute({
    method: 'GET',
    path: '/v1/support/customers/{customerId}/workstations',
    fn: 'support',
    auth: 'support',
    summary: "A customer's workstation credentials, revoked ones included (never a secret)",
    params: CustomerPath,
    responses: { 200: z.object({ customerId: CustomerIdField, workstations: z.array(Workstation) }) },
    errors: { 404: ['NOT_FOUND'] },
  }),
  revokeWorkstation: defineRoute({
    method: 'POST',
    path: '/v1/support/customers/{customerId}/workstations/{credentialId}/revoke',
    fn: 'support',
    auth: 'staff',
    summary: 'Revoke a workstation credential',
    maxBodyBytes: 1024,
    params: WorkstationPath,
    ...NoBody,
    responses: { 200: Workstation },
    errors: { 404: ['NOT_FOUND'], 409: ['ALREADY_REVOKED'] },
  }),
  rotateWorkstation: defineRoute({
    method: 'POST',
    path: '/v1/support/customers/{customerId}/workstations/{credentialId}/rotate',
    fn: 'support',
    auth: 'staff',
    summary: 'Rotate a workstation credential: a new secret (shown once) with the same workstation and label; the old one is revoked',
    maxBodyBytes: 1024,
    params: WorkstationPath,
    ...NoBody,
    responses: { 201: IssuedWorkstation },
    errors: { 404: ['NOT_FOUND'], 409: ['ALREADY_REVOKED'] },
  }),
  listTablets: defineRoute({
    method: 'GET',
    path: '/v1/support/customers/{customerId}/devices',
    fn: 'support',
    auth: 'support',
    summary: "A customer's tablet authorisation table (Gestione Autorizzazioni Tablet)",
    params: CustomerPath,
    responses: { 200: z.object({ customerId: CustomerIdField, devices: z.array(Tablet) }) },
    errors: { 404: ['NOT_FOUND'] },
  }),
  authoriseTablet: defineRoute({
    method: 'POST',
    path: '/v1/support/customers/{customerId}/devices',
    fn: 'support',
    auth: 'support',
    summary: 'Authorise a tablet for a customer (serial, model, operator, phone): it may then register',
    maxBodyBytes: 2048,
    params: CustomerPath,
    body: AuthoriseTabletBody,
    responses: { 201: Tablet },
    errors: { 404: ['NOT_FOUND'], 409: ['DEVICE_EXISTS'] },
  }),
  editTablet: defineRoute({
    method: 'PATCH',
    path: '/v1/support/customers/{customerId}/devices/{serial}',
    fn: 'support',
    auth: 'support',
    summary: "Edit a customer's tablet: model, operator or phone",
    maxBodyBytes: 2048,
    params: TabletPath,
    body: EditTabletBody,
    responses: { 200: Tablet },
    errors: { 404: ['NOT_FOUND'] },
  }),
  disableTablet: defineRoute({
    method: 'POST',
    path: '/v1/support/customers/{customerId}/devices/{serial}/disable',
    fn: 'support',
    auth: 'support',
    summary: 'Disable a tablet: its credential is revoked in the same transaction, it leaves the update grid',
    maxBodyBytes: 1024,
    params: TabletPath,
    ...NoBody,
    responses: { 200: Tablet },
    errors: { 404: ['NOT_FOUND'], 409: ['DEVICE_CHANGED'] },
  }),
  enableTablet: defineRoute({
    method: 'POST',
    path: '/v1/support/customers/{customerId}/devices/{serial}/enable',
    fn: 'support',
    auth: 'support',
    summary: 'Enable a tablet and re-open its registration once',
    maxBodyBytes: 1024,
    params: TabletPath,
    ...NoBody,
    responses: { 200: Tablet },
    errors: { 404: ['NOT_FOUND'], 409: ['DEVICE_CHANGED'] },
  }),
};
