import { describe, it, expect } from 'vitest';
import { dammCheckDigit, isDammValid, DAMM_TABLE } from '../../../shared/codes/damm';

const DIGITS = '0123456789';

describe('Damm check digit', () => {
  it('reproduces the literature example: the check digit of 572 is 4', () => {
    expect(dammCheckDigit('572')).toBe('4');
    expect(isDammValid('5724')).toBe(true);
  });

  it('uses a quasigroup table: every row and column is a permutation with a zero diagonal', () => {
    for (let i = 0; i < 10; i++) {
      expect(new Set(DAMM_TABLE[i]).size).toBe(10);
      expect(new Set(DAMM_TABLE.map((row) => row[i])).size).toBe(10);
      expect(DAMM_TABLE[i]![i]).toBe(0);
    }
  });

  it('detects every single-digit substitution and adjacent transposition in every 4-digit group (exhaustive)', () => {
    let undetected = 0;
    for (let n = 0; n < 10_000; n++) {
      const data = String(n).padStart(4, '0');
      const group = data + dammCheckDigit(data);
      if (!isDammValid(group)) undetected++;
      for (let p = 0; p < 5; p++) {
        for (const d of DIGITS) {
          if (d === group[p]) continue;
          if (isDammValid(group.slice(0, p) + d + group.slice(p + 1))) undetected++;
        }
        if (p < 4 && group[p] !== group[p + 1]) {
          const swapped = group.slice(0, p) + group[p + 1] + group[p] + group.slice(p + 2);
          if (isDammValid(swapped)) undetected++;
        }
      }
    }
    expect(undetected).toBe(0);
  });

  it('throws on non-digit input', () => {
    expect(() => dammCheckDigit('12a4')).toThrow(TypeError);
    expect(() => isDammValid('1234 ')).toThrow(TypeError);
    expect(() => dammCheckDigit('１２')).toThrow(TypeError); // full-width digits are not ASCII digits
  });

  it('treats the empty string as having check digit 0 but never as a valid checked string', () => {
    expect(dammCheckDigit('')).toBe('0');
    expect(isDammValid('')).toBe(false);
  });
});
