import { z } from 'zod';
import { SerialField, VersionField } from '../../shared/api/fields';
export { SerialField, VersionField };

/** A typed code: one string (spaces/dashes allowed) or the desktop's three fields. */
export const CodeField = z.union([z.string().max(64), z.array(z.string().max(16)).length(3)]);

export const CustomerIdField = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'a customer id: letters, digits, - and _');

export const VersionPath = z.object({ version: VersionField });
export const SerialPath = z.object({ serial: SerialField });
