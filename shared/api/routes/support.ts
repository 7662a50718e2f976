import { z } from 'zod';
import { defineRoute } from '../contract';
import { AuditEntry, SessionState, SupportCase, Timestamp, UserView } from '../components';
import { CursorField, CustomerIdField, PasswordField, RoleField, UsernameField, VersionField } from '../fields';

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
};
