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

/** A customer as the console's search finds it. */
export const CustomerMatch = z
  .object({ customerId: CustomerIdField, name: z.string(), desktopVersion: VersionField.optional() })
  .meta({ id: 'CustomerMatch' });

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
};
