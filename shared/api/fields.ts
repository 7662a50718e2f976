import * as z from 'zod';
import { parseVersion } from '../domain/version';
import { MAX_PACKAGE_BYTES } from '../domain/upload-limits';
import { FILENAME_PATTERN } from '../domain/package-keys';

/**
 * Fields several routes share, declared once so every route validates (and
 * documents, through OpenAPI) them the same way. Patterns use `[0-9]`, never
 * `\d`: a JSON-schema validator in another language may let `\d` match
 * non-ASCII digits.
 */

/** `major.minor.patch_build`, 2.2.2_3 digits (FEED-1). */
export const VERSION_PATTERN = '^[0-9]{2}\\.[0-9]{2}\\.[0-9]{2}_[0-9]{3}$';

/** A mOphas version code (FEED-1), refused with the parser's message naming what is wrong. */
export const VersionField = z
  .string()
  .superRefine((value, ctx) => {
    const parsed = parseVersion(value);
    if (!parsed.ok) ctx.addIssue({ code: 'custom', message: parsed.message });
  })
  .meta({ description: 'mOphas version code major.minor.patch_build', pattern: VERSION_PATTERN, examples: ['03.01.00_030'] });

/** A device serial (IMEI or the vendor's serial). */
export const SerialField = z.string().regex(/^[A-Za-z0-9-]{1,64}$/, 'a device serial (IMEI): letters, digits, dashes');

/** A customer id: letters, digits, `-` and `_` (never `@`, which marks non-customer audit scopes). */
export const CustomerIdField = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'a customer id: letters, digits, - and _ (at most 64)');

/** Desktop user names, as support creates them and the login route accepts them. */
export const UsernameField = z
  .string()
  .min(1, 'a user name is required')
  .max(64, 'at most 64 characters')
  .regex(/^[A-Za-z0-9._@-]+$/, 'letters, digits and . _ @ - only');

/** A desktop user's role: only admins manage updates (FEED-6). */
export const RoleField = z.enum(['admin', 'user'], { message: "'admin' or 'user'" });

/** Passwords support sets on the customer's request; the user must change it at first login. */
export const PasswordField = z.string().min(10, 'at least 10 characters').max(256, 'at most 256 characters');

/** A formatted 3×5-digit code as the API answers it (the last digit of each group is its check digit, CODE-3). */
export const CODE_PATTERN = '^[0-9]{5}-[0-9]{5}-[0-9]{5}$';
export const Code = z
  .string()
  .regex(new RegExp(CODE_PATTERN))
  .meta({ description: 'Three groups of 5 digits', examples: ['12340-56781-90122'] });

/**
 * A typed code: one string (15 digits, spaces and dashes anywhere) or the desktop's
 * three fields (5 digits each). The schema only bounds the size: the code parser
 * answers a wrong one with CODE_FORMAT or CODE_TYPO naming the group, in both
 * languages, before any attempt is spent (CODE-3). The documented patterns are the
 * real ones.
 */
export const CodeField = z.union([
  z
    .string()
    .max(64)
    .meta({ pattern: '^[ -]*([0-9][ -]*){15}$', description: '15 digits; spaces and dashes anywhere', examples: ['12340-56781-90122'] }),
  z
    .array(z.string().max(16).meta({ pattern: '^[ -]*([0-9][ -]*){5}$' }))
    .length(3)
    .meta({ description: 'The three fields of 5 digits' }),
]);

/** ISO 8601 time with a zone, e.g. 2025-05-01T08:30:00Z. */
export const TimeField = z.iso.datetime({ offset: true, error: 'an ISO 8601 time with a zone, e.g. 2025-05-01T08:30:00Z' });

/** Lower-case hex SHA-256, as the API answers it. */
export const Sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'a lower-case hex SHA-256');

/** A SHA-256 sent by a client: hex, either case (normalised to lower case). */
export const Sha256Field = z
  .string()
  .regex(/^[0-9a-fA-F]{64}$/, 'a SHA-256 as 64 hexadecimal characters')
  .transform((s) => s.toLowerCase());

/** A package size in bytes. */
export const SizeField = z
  .number({ error: 'the size in bytes, a number' })
  .int('a whole number of bytes')
  .min(1, 'a package cannot be empty')
  .max(MAX_PACKAGE_BYTES, `at most ${MAX_PACKAGE_BYTES} bytes (5 GiB)`);

/** A package file name. */
export const FilenameField = z
  .string()
  .regex(FILENAME_PATTERN, 'a file name of at most 100 characters: letters, digits, ".", "_" and "-", starting with a letter or digit');

/** Update session id, as given in the push or the check-in answer. */
export const SessionIdField = z.string().regex(/^[A-Za-z0-9._:-]{1,128}$/, 'a session id as given by the check-in answer');

/** Opaque page cursor returned by a previous page. */
export const CursorField = z
  .string()
  .min(1)
  .max(2048)
  .regex(/^[A-Za-z0-9_-]+$/, 'an opaque cursor from a previous page');

/** A non-negative whole number (sizes, counters, epoch seconds). */
export const Count = z.number().int().min(0);

/** Licence code as typed on the device at registration and issued (or typed in) by support. */
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

/** A desktop credential's public id (the part before the dot, never the secret). */
export const CredentialIdField = z.string().regex(/^[A-Za-z0-9_-]{6,64}$/, 'a credential id as listed by workstations');

/** An operator as the office types it in tablet authorisation management (code, name, surname). */
export const OperatorField = z
  .object({
    code: TextField(20, 'an operator code'),
    name: TextField(60, 'a name'),
    surname: TextField(60, 'a surname'),
  })
  .strict();

/** An operator's phone number. */
export const PhoneField = z
  .string()
  .trim()
  .regex(/^\+?[0-9 ./()-]{3,30}$/, 'a phone number: digits, spaces and + . / ( ) -, at most 30');
