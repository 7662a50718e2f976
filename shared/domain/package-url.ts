import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Short-lived package URLs (SPEC PKG-1), checked at the edge.
 *
 * A package URL is `https://<cdn>/<path>?exp=<epoch seconds>&sig=<signature>` with
 *
 *     signature = base64url(HMAC-SHA256(key, path + "\n" + exp))    (43 characters, no padding)
 *
 * where `path` is the URL path exactly as the client requests it (already
 * percent-encoded, e.g. `/packages/03.01.00_030/desktop.exe`) and `exp` the
 * decimal expiry. A token is valid while `now < exp`.
 *
 * The CloudFront Function `functions/package-edge/index.js` implements the same
 * verification (it cannot import this module: CloudFront Functions run a single
 * self-contained file); `test/edge/package-edge.test.ts` checks that the two agree.
 * The key is the base64url-decoded value of the `url-signing-key` entry of the
 * distribution's KeyValueStore (the same text is kept in Secrets Manager).
 */

/** Query parameter names of the token. */
export const PACKAGE_TOKEN_PARAMS = { expires: 'exp', signature: 'sig' } as const;

/** Key of the signing key in the CloudFront KeyValueStore. */
export const URL_SIGNING_KVS_KEY = 'url-signing-key';

/** Only objects under this prefix are ever served by the CDN (desktop logs live under `/logs/`). */
export const PACKAGE_PATH_PREFIX = '/packages/';

/** Shortest accepted signing key, in bytes. */
export const MIN_URL_SIGNING_KEY_BYTES = 32;

/** Why a token was refused. */
export type PackageTokenFailure = 'MISSING' | 'EXPIRED' | 'FORGED';

export type PackageTokenVerification = { readonly ok: true } | { readonly ok: false; readonly reason: PackageTokenFailure };

const EXP_PATTERN = /^[0-9]{1,12}$/;
const SIG_PATTERN = /^[A-Za-z0-9_-]{43}$/;
// Characters a client may legitimately send unencoded in a path; anything else must be percent-encoded.
const PATH_PATTERN = /^\/packages\/[A-Za-z0-9\-._~!$&'()*+,;=:@%/]+$/;

function requireKey(key: Uint8Array): void {
  if (!(key instanceof Uint8Array) || key.length < MIN_URL_SIGNING_KEY_BYTES) {
    throw new TypeError(`URL signing key must be at least ${MIN_URL_SIGNING_KEY_BYTES} bytes`);
  }
}

function signature(key: Uint8Array, path: string, exp: string): string {
  return createHmac('sha256', key).update(`${path}\n${exp}`, 'utf8').digest('base64url');
}

/**
 * Decodes the URL signing key as stored in the KeyValueStore and in Secrets
 * Manager (base64url text, padding optional).
 *
 * @throws TypeError when the text is not base64url or decodes to fewer than 32 bytes.
 */
export function decodeUrlSigningKey(text: string): Buffer {
  const trimmed = text.trim();
  if (!/^[A-Za-z0-9_-]+={0,2}$/.test(trimmed)) throw new TypeError('URL signing key must be base64url text');
  const key = Buffer.from(trimmed, 'base64url');
  requireKey(key);
  return key;
}

/**
 * Signs a package path.
 *
 * @param key - the URL signing key (at least 32 bytes).
 * @param path - the URL path as the client will request it, under `/packages/`,
 *   percent-encoded, without query string or fragment.
 * @param expiresAtEpochSeconds - when the URL stops working (integer epoch seconds).
 * @returns the query string `exp=<epoch>&sig=<base64url signature>` to append after `?`.
 * @throws TypeError on a short key, a path outside `/packages/` or a bad expiry.
 */
export function signPackagePath(key: Uint8Array, path: string, expiresAtEpochSeconds: number): string {
  requireKey(key);
  if (!PATH_PATTERN.test(path)) {
    throw new TypeError(`path must be a percent-encoded URL path under ${PACKAGE_PATH_PREFIX} without query or fragment`);
  }
  if (!Number.isSafeInteger(expiresAtEpochSeconds) || expiresAtEpochSeconds <= 0 || expiresAtEpochSeconds > 999_999_999_999) {
    throw new TypeError('expiresAtEpochSeconds must be a positive integer number of seconds');
  }
  const exp = String(expiresAtEpochSeconds);
  return `${PACKAGE_TOKEN_PARAMS.expires}=${exp}&${PACKAGE_TOKEN_PARAMS.signature}=${signature(key, path, exp)}`;
}

/**
 * Verifies a package token the way the edge does.
 *
 * Order: a missing `exp` or `sig` → MISSING; a repeated or malformed parameter or a
 * wrong signature → FORGED (checked in constant time); a genuine but past expiry → EXPIRED.
 *
 * @param key - the URL signing key.
 * @param path - the URL path as requested.
 * @param query - the raw query string (with or without a leading `?`) or parsed parameters.
 * @param nowEpochSeconds - the current time in epoch seconds.
 */
export function verifyPackageToken(
  key: Uint8Array,
  path: string,
  query: string | URLSearchParams,
  nowEpochSeconds: number,
): PackageTokenVerification {
  requireKey(key);
  const params = typeof query === 'string' ? new URLSearchParams(query.replace(/^\?/, '')) : query;
  const exps = params.getAll(PACKAGE_TOKEN_PARAMS.expires);
  const sigs = params.getAll(PACKAGE_TOKEN_PARAMS.signature);
  if (exps.length === 0 || sigs.length === 0) return { ok: false, reason: 'MISSING' };
  const [exp] = exps;
  const [sig] = sigs;
  if (exps.length > 1 || sigs.length > 1 || exp === undefined || sig === undefined) return { ok: false, reason: 'FORGED' };
  if (!EXP_PATTERN.test(exp) || !SIG_PATTERN.test(sig)) return { ok: false, reason: 'FORGED' };
  // Compare the canonical base64url text, not decoded bytes: a non-canonical last character must not pass.
  const expected = Buffer.from(signature(key, path, exp), 'ascii');
  const given = Buffer.from(sig, 'ascii');
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return { ok: false, reason: 'FORGED' };
  if (nowEpochSeconds >= Number(exp)) return { ok: false, reason: 'EXPIRED' };
  return { ok: true };
}
