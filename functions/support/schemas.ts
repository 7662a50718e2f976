import { z } from 'zod';
import { CustomerIdField } from '../../shared/http/fields';

/** Request schemas of the support routes: one per path, query and body. */

export { CustomerIdField };

/** Desktop user names, as the login route accepts them (functions/users). */
export const UsernameField = z
  .string()
  .min(1, 'a user name is required')
  .max(64, 'at most 64 characters')
  .regex(/^[A-Za-z0-9._@-]+$/, 'letters, digits and . _ @ - only');

/** Passwords support sets on the customer's request; the user must change it at first login. */
export const PasswordField = z.string().min(10, 'at least 10 characters').max(256, 'at most 256 characters');

export const RoleField = z.enum(['admin', 'user'], { message: "'admin' or 'user'" });

export const CustomerPath = z.object({ customerId: CustomerIdField });
export const UserPath = z.object({ customerId: CustomerIdField, username: UsernameField });

/** Page size and the opaque cursor a previous page returned. */
export const PageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(25),
  cursor: z
    .string()
    .min(1)
    .max(2048)
    .regex(/^[A-Za-z0-9_-]+$/, 'an opaque cursor from a previous page')
    .optional(),
});

export const AuditQuery = z.object({
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
});

export const ResolveBody = z
  .object({
    resolution: z.string().trim().min(1, 'say how the failure was resolved').max(2000, 'at most 2000 characters'),
  })
  .strict();

export const CreateUserBody = z
  .object({
    username: UsernameField,
    password: PasswordField,
    role: RoleField,
  })
  .strict();

export const UpdateUserBody = z
  .object({
    role: RoleField.optional(),
    password: PasswordField.optional(),
  })
  .strict()
  .refine((b) => b.role !== undefined || b.password !== undefined, { message: 'give a new role, a new password or both' });

/** A user name of the staff user pool (federated users look like `<Provider>_<id>`). */
export const PoolUsernameField = z
  .string()
  .min(1, 'a user name is required')
  .max(128, 'at most 128 characters')
  .regex(/^[A-Za-z0-9._@+-]+$/, 'letters, digits and . _ @ + - only');

export const AgentPath = z.object({ username: PoolUsernameField });
export const AgentCustomerPath = z.object({ username: PoolUsernameField, customerId: CustomerIdField });

export const AgentsQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(50),
  cursor: z
    .string()
    .min(1)
    .max(2048)
    .regex(/^[A-Za-z0-9_-]+$/, 'an opaque cursor from a previous page')
    .optional(),
});

/** Routes that take no body (an empty JSON object is accepted, anything else refused). */
export const NoBody = z.object({}).strict();
