import { z } from 'zod';
import { CustomerIdField, LicenceField, SerialField, TextField as Text, VersionField } from '../../shared/http/fields';

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

/** Customer creation: its id (chosen by Alturas, stable, used in every support command), name and installed desktop version. */
export const CreateCustomerBody = z
  .object({
    customerId: CustomerIdField,
    name: Text(200, 'a name'),
    desktopVersion: VersionField,
  })
  .strict();

export const UpdateCustomerBody = z
  .object({
    name: Text(200, 'a name').optional(),
    desktopVersion: VersionField.optional(),
  })
  .strict()
  .refine((b) => b.name !== undefined || b.desktopVersion !== undefined, { message: 'give a new name, a desktop version or both' });

/** A licence code as support may type an existing mOphas one (otherwise the service generates it). */
export const IssueLicenceBody = z.object({ licenceCode: LicenceField.optional() }).strict();
export const RevokeLicenceBody = z.object({ licenceCode: LicenceField }).strict();

export const IssueWorkstationBody = z
  .object({
    workstation: z.enum(['server', 'client'], { message: "'server' (the central computer) or 'client'" }),
    /** What the customer calls the workstation; unique among its live credentials. */
    label: Text(64, 'a label'),
  })
  .strict();

/** A desktop credential's public id (the part before the dot, never the secret). */
export const CredentialIdField = z.string().regex(/^[A-Za-z0-9_-]{6,64}$/, 'a credential id as listed by workstations');
export const WorkstationPath = z.object({ customerId: CustomerIdField, credentialId: CredentialIdField });

export const TabletPath = z.object({ customerId: CustomerIdField, serial: SerialField });
