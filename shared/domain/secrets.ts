import { createHash, randomBytes, scrypt, timingSafeEqual, type BinaryLike, type ScryptOptions } from 'node:crypto';

/**
 * Credentials and password hashing.
 *
 * - Passwords (people choose them): scrypt, a memory-hard KDF — N=2^15, r=8, p=1
 *   (32 MiB per hash), 16-byte random salt, 32-byte key. Stored as
 *   `scrypt$N$r$p$<salt b64url>$<hash b64url>` so parameters can be raised later.
 * - Machine credentials (desktop installation, device): 256-bit random secrets,
 *   `<prefix>_<id>.<secret>`; only SHA-256 of the secret is stored (a fast hash is
 *   enough for a uniformly random 256-bit secret). Compared in constant time.
 */

const SCRYPT = { N: 2 ** 15, r: 8, p: 1, keyLength: 32 } as const;

function scryptAsync(password: BinaryLike, salt: BinaryLike, keyLength: number, options: ScryptOptions): Promise<Buffer> {
  return new Promise((ok, fail) => scrypt(password, salt, keyLength, options, (err, key) => (err ? fail(err) : ok(key))));
}

/** Hashes a password with scrypt and a fresh salt. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scryptAsync(password.normalize('NFC'), salt, SCRYPT.keyLength, {
    N: SCRYPT.N,
    r: SCRYPT.r,
    p: SCRYPT.p,
    maxmem: 64 * 1024 * 1024,
  });
  return ['scrypt', SCRYPT.N, SCRYPT.r, SCRYPT.p, salt.toString('base64url'), key.toString('base64url')].join('$');
}

/** Checks a password against a stored scrypt hash in constant time. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !n || !r || !p || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64url');
  const key = await scryptAsync(password.normalize('NFC'), Buffer.from(salt, 'base64url'), expected.length, {
    N: Number(n),
    r: Number(r),
    p: Number(p),
    maxmem: 64 * 1024 * 1024,
  });
  return timingSafeEqual(key, expected);
}

export interface IssuedCredential {
  /** Public id, used as the lookup key. */
  id: string;
  /** The full credential handed to the client once: `<prefix>_<id>.<secret>`. */
  token: string;
  /** What is stored: SHA-256 (hex) of the secret. */
  secretHash: string;
}

/** Issues a new machine credential with the given prefix (e.g. `dsk` for desktops, `dev` for devices). */
export function issueCredential(prefix: string): IssuedCredential {
  const id = randomBytes(9).toString('base64url');
  const secret = randomBytes(32).toString('base64url');
  return { id, token: `${prefix}_${id}.${secret}`, secretHash: sha256Hex(secret) };
}

/** Splits `<prefix>_<id>.<secret>`; undefined when the shape is wrong. */
export function parseCredential(token: string, prefix: string): { id: string; secret: string } | undefined {
  const match = new RegExp(`^${prefix}_([A-Za-z0-9_-]{6,64})\\.([A-Za-z0-9_-]{20,128})$`).exec(token);
  return match ? { id: match[1]!, secret: match[2]! } : undefined;
}

/** Constant-time check of a secret against its stored SHA-256. */
export function secretMatches(secret: string, secretHash: string): boolean {
  const a = Buffer.from(sha256Hex(secret), 'hex');
  const b = Buffer.from(secretHash, 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}

export function sha256Hex(data: BinaryLike): string {
  return createHash('sha256').update(data).digest('hex');
}
