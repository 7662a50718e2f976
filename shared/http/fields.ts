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

/** A customer id: letters, digits, `-` and `_` (never `@`, which marks non-customer audit scopes). */
export const CustomerIdField = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'a customer id: letters, digits, - and _ (at most 64)');
