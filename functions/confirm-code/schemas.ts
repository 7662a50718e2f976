import { z } from 'zod';
import { parseVersion } from '../../shared/domain/version';

/** A typed code: one string (spaces/dashes allowed) or the desktop's three fields. */
export const CodeField = z.union([z.string().max(64), z.array(z.string().max(16)).length(3)]);

/** A release version code in a path or body (FEED-1), with the parser's message. */
export const VersionField = z.string().superRefine((value, ctx) => {
  const parsed = parseVersion(value);
  if (!parsed.ok) ctx.addIssue({ code: 'custom', message: parsed.message });
});

export const SerialField = z.string().regex(/^[A-Za-z0-9-]{1,64}$/, 'a device serial (IMEI): letters, digits, dashes');
export const CustomerIdField = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'a customer id: letters, digits, - and _');

export const VersionPath = z.object({ version: VersionField });
export const SerialPath = z.object({ serial: SerialField });
