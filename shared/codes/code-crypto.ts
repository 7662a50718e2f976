/**
 * The keyed and random parts shared by confirmation codes (CODE-*) and the
 * manual lock/unlock exchange (LOCK-*): the 12-digit MAC, random digits and the
 * constant-time comparison. Kept apart from `code-format.ts` so the parsing
 * half (typo checks, formatting) has no Node import and also runs in the
 * desktop window's page (web/). See docs/code-algorithms.md.
 */
import { createHmac, randomInt, timingSafeEqual } from 'node:crypto';
import { CodeInputError, DATA_DIGITS } from './code-format';

const DIGITS_12 = /^[0-9]{12}$/;

/**
 * Returns `n` uniformly random ASCII digits, each drawn with
 * `crypto.randomInt(0, 10)` (a CSPRNG with rejection sampling, so unbiased).
 *
 * @param n - how many digits (a non-negative safe integer).
 * @returns a string of `n` digits; leading zeros are kept.
 * @throws RangeError if `n` is not a non-negative safe integer.
 */
export function randomDigits(n: number): string {
  if (!Number.isSafeInteger(n) || n < 0) {
    throw new RangeError('randomDigits: n must be a non-negative integer');
  }
  let out = '';
  for (let i = 0; i < n; i++) out += String(randomInt(0, 10));
  return out;
}

const TEN_TO_12 = 1_000_000_000_000n;

/**
 * The 12-digit MAC shared by both schemes:
 * `HMAC-SHA256(key, UTF-8(message))`, first 8 bytes read as an unsigned 64-bit
 * big-endian integer, reduced mod 10^12, left-padded with zeros to 12 digits.
 *
 * Because 2^64 is not a multiple of 10^12 the reduction is very slightly
 * non-uniform: residues below 2^64 mod 10^12 (= 73,709,551,616) occur
 * 18,446,745 times in the 64-bit range, the others 18,446,744 times, a relative
 * bias of 1/18,446,744 ≈ 5.4·10⁻⁸ per value — negligible next to the 10⁻¹²
 * guessing probability it perturbs.
 *
 * @param key - HMAC key bytes.
 * @param message - the message, encoded as UTF-8.
 * @returns 12 ASCII digits.
 */
export function mac12(key: Uint8Array, message: string): string {
  const mac = createHmac('sha256', key).update(message, 'utf8').digest();
  return (mac.readBigUInt64BE(0) % TEN_TO_12).toString().padStart(DATA_DIGITS, '0');
}

/**
 * Compares two 12-digit data strings in constant time (`crypto.timingSafeEqual`
 * over equal-length ASCII buffers).
 *
 * @param expected - 12 digits computed by the program.
 * @param actual - 12 digits parsed from the user's input.
 * @returns whether they are equal.
 * @throws CodeInputError if either is not exactly 12 digits (lengths must match
 *   for a constant-time comparison).
 */
export function digitsEqual(expected: string, actual: string): boolean {
  if (!DIGITS_12.test(expected) || !DIGITS_12.test(actual)) {
    throw new CodeInputError('digitsEqual: both values must be exactly 12 digits');
  }
  return timingSafeEqual(Buffer.from(expected, 'ascii'), Buffer.from(actual, 'ascii'));
}
