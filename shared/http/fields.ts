import { z } from 'zod';
import { parseVersion } from '../domain/version';

/**
 * Request fields shared by several routes, declared once so every route
 * validates (and documents, through OpenAPI) them the same way.
 */

/** A mOphas version code (FEED-1), refused with the parser's message naming what is wrong. */
export const VersionField = z
  .string()
  .superRefine((value, ctx) => {
    const parsed = parseVersion(value);
    if (!parsed.ok) ctx.addIssue({ code: 'custom', message: parsed.message });
  })
  .meta({
    description: 'mOphas version code major.minor.patch_build',
    pattern: '^\\d{2}\\.\\d{2}\\.\\d{2}_\\d{3}$',
    examples: ['03.01.00_030'],
  });

/** A device serial (IMEI or the vendor's serial). */
export const SerialField = z.string().regex(/^[A-Za-z0-9-]{1,64}$/, 'a device serial (IMEI): letters, digits, dashes');

/** Licence code as typed on the device at registration and issued by support. */
export const LicenceField = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'a licence code: letters, digits, - and _, at most 64');

/** A name people type (customer, model, operator…): trimmed, 1..max characters, no control characters. */
export const TextField = (max: number, what: string) =>
  z
    .string()
    .trim()
    .min(1, `${what} is required`)
    .max(max, `at most ${max} characters`)
    // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point.
    .regex(/^[^\u0000-\u001f\u007f]*$/, 'no control characters');

/** A customer id: letters, digits, `-` and `_` (never `@`, which marks non-customer audit scopes). */
export const CustomerIdField = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'a customer id: letters, digits, - and _ (at most 64)');
