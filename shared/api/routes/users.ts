import * as z from 'zod';
import { defineRoute } from '../contract';
import { Timestamp } from '../components';
import { RoleField } from '../fields';

const LoginUsername = z
  .string()
  .trim()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9._@-]+$/, 'letters, digits and . _ @ - only');

/** A new user session: the login's answer and the window's ticket exchange alike. */
const UserSession = z
  .object({
    token: z.string().meta({ description: 'Send as `Authorization: Bearer <token>`; opaque.' }),
    expiresAt: Timestamp,
    username: z.string(),
    role: RoleField,
    workstation: z.enum(['server', 'client']),
    mustChangePassword: z.boolean().meta({ description: 'Only the password change is allowed until it is done.' }),
  })
  .meta({ id: 'UserSession' });

/** A window ticket: `wtk_` and 32 random bytes in base64url (the desktop puts it in the page's fragment). */
const WindowTicketField = z.string().regex(/^wtk_[A-Za-z0-9_-]{43}$/, 'the ticket from the desktop: wtk_ followed by 43 characters');

/** The `users` function: a desktop user's session (login, password change, logout) and the hosted window's hand-off. */
export const users = {
  login: defineRoute({
    method: 'POST',
    path: '/v1/desktop/login',
    fn: 'users',
    auth: 'desktop',
    summary: 'A customer user logs in on a workstation',
    maxBodyBytes: 2048,
    body: z.object({
      username: LoginUsername,
      password: z.string().min(1).max(256),
      workstation: z
        .enum(['server', 'client'])
        .optional()
        .meta({ description: 'Ignored: the workstation is the one the installation credential belongs to (FEED-6).' }),
    }),
    responses: { 200: UserSession },
    errors: { 429: ['TOO_MANY_ATTEMPTS'] },
  }),
  password: defineRoute({
    method: 'POST',
    path: '/v1/desktop/password',
    fn: 'users',
    auth: 'user-pending',
    summary: "Change the caller's password",
    description: 'The session ends: the user logs in again with the new password.',
    maxBodyBytes: 2048,
    body: z.object({
      currentPassword: z.string().min(1).max(256),
      newPassword: z.string().min(10, 'at least 10 characters').max(256),
    }),
    responses: { 200: z.object({ changed: z.literal(true), loginAgain: z.literal(true) }) },
    errors: { 400: ['WRONG_PASSWORD', 'WEAK_PASSWORD'], 409: ['PASSWORD_CHANGED_CONCURRENTLY'], 429: ['TOO_MANY_ATTEMPTS'] },
  }),
  logout: defineRoute({
    method: 'POST',
    path: '/v1/desktop/logout',
    fn: 'users',
    auth: 'user-pending',
    summary: "End the caller's session",
    body: z.object({}),
    bodyOptional: true,
    responses: { 200: z.object({ loggedOut: z.literal(true) }) },
  }),
  windowTicket: defineRoute({
    method: 'POST',
    path: '/v1/desktop/window-tickets',
    fn: 'users',
    auth: 'admin',
    summary: 'A 60-second, single-use ticket that opens the hosted update window (/desktop/#ticket=…)',
    description: 'The ticket is stored only as its SHA-256; the page exchanges it once (POST /v1/desktop/window-session).',
    maxBodyBytes: 1024,
    body: z.object({}),
    bodyOptional: true,
    responses: {
      201: z
        .object({
          ticket: WindowTicketField,
          expiresAt: Timestamp,
          path: z.string().meta({ description: 'Where to open the window on the API origin: `/desktop/#ticket=…`.' }),
        })
        .meta({ id: 'WindowTicket' }),
    },
    errors: { 429: ['TOO_MANY_WINDOW_TICKETS'] },
  }),
  windowSession: defineRoute({
    method: 'POST',
    path: '/v1/desktop/window-session',
    fn: 'users',
    auth: 'public',
    summary: "The window page exchanges its ticket (once) for its own session, bound to the desktop's user and workstation",
    maxBodyBytes: 1024,
    body: z.object({ ticket: WindowTicketField }),
    responses: { 200: UserSession },
    errors: { 401: ['WINDOW_TICKET_INVALID', 'WINDOW_TICKET_USED'] },
  }),
};
