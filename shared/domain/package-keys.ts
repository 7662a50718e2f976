import { randomUUID } from 'node:crypto';

/**
 * S3 keys of release packages (pure). Uploads land under `staging/` (never
 * served, expired by a lifecycle rule); a verified package is copied to a new,
 * unique key under `packages/` (served by the CDN), so publishing never
 * overwrites an object another release may point at.
 */

export const STAGING_PREFIX = 'staging/';
export const PACKAGES_PREFIX = 'packages/';

/** A package file name: letters, digits, `.`, `_`, `-`, starting with a letter or digit, at most 100 characters. */
export const FILENAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
const STAGING_KEY = new RegExp(`^${STAGING_PREFIX}([^/]+)/(${UUID})/([^/]+)$`);

/** A fresh staging key `staging/<version>/<uuid>/<filename>`. */
export const newStagingKey = (version: string, filename: string) => `${STAGING_PREFIX}${version}/${randomUUID()}/${filename}`;

/** A fresh final key `packages/<version>/<uuid>/<filename>` (unique: nothing is ever overwritten). */
export const newPackageKey = (version: string, filename: string) => `${PACKAGES_PREFIX}${version}/${randomUUID()}/${filename}`;

/** Splits a staging key into its parts; undefined when it is not one this service hands out. */
export function parseStagingKey(key: string): { version: string; uploadId: string; filename: string } | undefined {
  const match = STAGING_KEY.exec(key);
  if (!match) return undefined;
  const [, version, uploadId, filename] = match as unknown as [string, string, string, string];
  return FILENAME_PATTERN.test(filename) ? { version, uploadId, filename } : undefined;
}
