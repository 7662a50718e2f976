import { z } from 'zod';
import { defineRoute } from '../contract';
import { Timestamp } from '../components';
import { RoleField } from '../fields';

const LoginUsername = z
  .string()
  .trim()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9._@-]+$/, 'letters, digits and . _ @ - only');

/** The `users` function: a desktop user's session (login, password change, logout). */
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
    responses: {
      200: z.object({
        token: z.string().meta({ description: 'Send as `Authorization: Bearer <token>`; opaque.' }),
        expiresAt: Timestamp,
        username: z.string(),
        role: RoleField,
        workstation: z.enum(['server', 'client']),
        mustChangePassword: z.boolean().meta({ description: 'Only the password change is allowed until it is done.' }),
      }),
    },
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
    errors: { 400: ['WRONG_PASSWORD', 'WEAK_PASSWORD'], 409: ['PASSWORD_CHANGED_CONCURRENTLY'] },
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
};
