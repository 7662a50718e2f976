/**
 * Damm check digit (H. Michael Damm, "Totally anti-symmetric quasigroups for all
 * orders n ≠ 2, 6", Discrete Mathematics 307, 2007).
 *
 * The table below is the order-10 weakly totally anti-symmetric quasigroup
 * published in Damm's thesis (2004) and reproduced on Wikipedia ("Damm
 * algorithm"). With it, appending the check digit detects **every** single-digit
 * substitution and **every** transposition of two adjacent different digits,
 * including transpositions that involve the check digit itself.
 *
 * Algorithm: `interim = 0; for each digit d: interim = DAMM_TABLE[interim][d]`.
 * The check digit of a string is its final interim value; a string that ends in
 * its check digit has final interim value 0.
 */

/** The order-10 Damm quasigroup: `DAMM_TABLE[interim][digit]` → new interim digit. */
export const DAMM_TABLE: readonly (readonly number[])[] = Object.freeze(
  [
    [0, 3, 1, 7, 5, 9, 8, 6, 4, 2],
    [7, 0, 9, 2, 1, 5, 4, 8, 6, 3],
    [4, 2, 0, 6, 8, 7, 1, 3, 5, 9],
    [1, 7, 5, 0, 9, 8, 3, 4, 2, 6],
    [6, 1, 2, 3, 0, 4, 5, 9, 7, 8],
    [3, 6, 7, 4, 2, 0, 9, 5, 8, 1],
    [5, 8, 6, 9, 7, 2, 0, 1, 3, 4],
    [8, 9, 4, 5, 3, 6, 2, 0, 1, 7],
    [9, 4, 3, 8, 6, 1, 7, 2, 0, 5],
    [2, 5, 8, 1, 4, 3, 6, 7, 9, 0],
  ].map((row) => Object.freeze(row)),
);

/**
 * Runs the Damm quasigroup over a string of ASCII digits.
 *
 * @param digits - ASCII digits `0`–`9` only.
 * @returns the final interim digit (0–9).
 * @throws TypeError if `digits` is not a string or contains anything but `0`–`9`.
 */
function dammInterim(digits: string): number {
  if (typeof digits !== 'string') {
    throw new TypeError('Damm: input must be a string of digits');
  }
  let interim = 0;
  for (let i = 0; i < digits.length; i++) {
    const d = digits.charCodeAt(i) - 48; // '0' = 0x30
    if (d < 0 || d > 9) {
      throw new TypeError(`Damm: non-digit character at index ${i}; only 0-9 are allowed`);
    }
    // Both indices are in 0..9, so the lookups always hit.
    interim = DAMM_TABLE[interim]![d]!;
  }
  return interim;
}

/**
 * Computes the Damm check digit of a digit string.
 *
 * @example dammCheckDigit('572') === '4'
 * @param digits - the data digits (ASCII `0`–`9`; the empty string yields `'0'`).
 * @returns the single check digit to append.
 * @throws TypeError on any non-digit character.
 */
export function dammCheckDigit(digits: string): string {
  return String(dammInterim(digits));
}

/**
 * Tells whether a digit string ends in its correct Damm check digit.
 *
 * @example isDammValid('5724') === true
 * @param digitsWithCheck - data digits followed by their check digit.
 * @returns `true` when the whole string validates; `false` for the empty string.
 * @throws TypeError on any non-digit character.
 */
export function isDammValid(digitsWithCheck: string): boolean {
  const interim = dammInterim(digitsWithCheck);
  return digitsWithCheck.length > 0 && interim === 0;
}
