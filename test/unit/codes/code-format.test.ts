import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { mac12, randomDigits } from '../../../shared/codes/code-crypto';
import { checkGroup, CodeInputError, formatCode, parseCode } from '../../../shared/codes/code-format';

const digit = fc.constantFrom(...'0123456789');
const data12 = fc.string({ unit: digit, minLength: 12, maxLength: 12 });
const separators = fc.array(fc.constantFrom('', ' ', '-', '  ', ' - ', '--'), { minLength: 16, maxLength: 16 });

/** Interleaves separators around the 15 digits of a formatted code. */
function spread(formatted: string, seps: string[]): string {
  const digits = formatted.replace(/-/g, '');
  let out = seps[0]!;
  for (let i = 0; i < digits.length; i++) out += digits[i]! + seps[i + 1]!;
  return out;
}

describe('formatCode / parseCode', () => {
  it('round-trips: parse(format(data)) gives back the data, groups and canonical form', () => {
    fc.assert(
      fc.property(data12, (data) => {
        const formatted = formatCode(data);
        expect(formatted).toMatch(/^\d{5}-\d{5}-\d{5}$/);
        const parsed = parseCode(formatted);
        expect(parsed).toEqual({ ok: true, data, groups: formatted.split('-'), formatted });
      }),
    );
  });

  it('accepts spaces and dashes anywhere between, before and after the digits', () => {
    fc.assert(
      fc.property(data12, separators, (data, seps) => {
        const parsed = parseCode(spread(formatCode(data), seps));
        expect(parsed.ok && parsed.data).toBe(data);
      }),
    );
  });

  it('accepts the three desktop fields as an array, with stray spaces', () => {
    fc.assert(
      fc.property(data12, fc.constantFrom('', ' '), (data, pad) => {
        const fields = formatCode(data)
          .split('-')
          .map((f) => pad + f + pad);
        const parsed = parseCode(fields);
        expect(parsed.ok && parsed.data).toBe(data);
      }),
    );
  });

  it('reports a single-digit substitution in any group as a typo naming that group', () => {
    fc.assert(
      fc.property(data12, fc.nat(2), fc.nat(4), fc.integer({ min: 1, max: 9 }), (data, g, p, delta) => {
        const groups = formatCode(data).split('-');
        const group = groups[g]!;
        groups[g] = group.slice(0, p) + String((Number(group[p]) + delta) % 10) + group.slice(p + 1);
        const parsed = parseCode(groups.join(' '));
        expect(parsed).toMatchObject({ ok: false, reason: 'TYPO', typoGroups: [g + 1] });
      }),
    );
  });

  it('reports an adjacent transposition of two different digits within a group as a typo naming that group', () => {
    fc.assert(
      fc.property(data12, fc.nat(2), fc.nat(3), (data, g, p) => {
        const groups = formatCode(data).split('-');
        const group = groups[g]!;
        fc.pre(group[p] !== group[p + 1]);
        groups[g] = group.slice(0, p) + group[p + 1] + group[p] + group.slice(p + 2);
        const parsed = parseCode(groups);
        expect(parsed).toMatchObject({ ok: false, reason: 'TYPO', typoGroups: [g + 1] });
      }),
    );
  });

  it('names one group in the singular and several in the plural, in English and Italian', () => {
    const [a, b, c] = formatCode('123456789012').split('-') as [string, string, string];
    const bad = (g: string): string => g.slice(0, 4) + String((Number(g[4]) + 1) % 10);
    const one = parseCode([a, bad(b), c]);
    expect(one).toMatchObject({
      reason: 'TYPO',
      message: 'Group 2 has a typo: check the digits and try again',
      messages: { it: 'Il gruppo 2 contiene un errore di battitura: controllare le cifre e riprovare' },
    });
    const all = parseCode([bad(a), bad(b), bad(c)]);
    expect(all).toMatchObject({
      reason: 'TYPO',
      typoGroups: [1, 2, 3],
      message: 'Groups 1, 2 and 3 have a typo: check the digits and try again',
      messages: { it: 'I gruppi 1, 2 e 3 contengono errori di battitura: controllare le cifre e riprovare' },
    });
    const two = parseCode(`${bad(a)}${b}${bad(c)}`);
    expect(two.ok === false && two.message).toBe('Groups 1 and 3 have a typo: check the digits and try again');
  });

  it('rejects any character other than digits, spaces and dashes with FORMAT naming it and its position', () => {
    // Any Unicode code point (lone surrogates included), biased towards ASCII look-alikes.
    const forbidden = fc
      .oneof(
        fc.constantFrom(...'.,_/+\t\n\u00a0\u2013\u2212\uff11Oolx'),
        fc.integer({ min: 0, max: 0x10ffff }).map((cp) => String.fromCodePoint(cp)),
      )
      .filter((ch) => !/^[0-9 -]$/.test(ch));
    fc.assert(
      fc.property(data12, forbidden, fc.nat(15), (data, ch, at) => {
        const digits = formatCode(data).replace(/-/g, '');
        const parsed = parseCode(digits.slice(0, at) + ch + digits.slice(at));
        expect(parsed).toMatchObject({ ok: false, reason: 'FORMAT', problem: 'INVALID_CHARACTER' });
        if (!parsed.ok) {
          expect(parsed.message).toContain(`at position ${at + 1}`);
          expect(parsed.messages.it).toContain(`in posizione ${at + 1}`);
          expect(parsed.message).toBe(parsed.messages.en);
        }
      }),
    );
  });

  it('quotes visible offending characters and gives invisible ones as code points', () => {
    expect(parseCode('12340-5x786-90129')).toMatchObject({
      reason: 'FORMAT',
      message: 'Invalid character "x" at position 8: only digits, spaces and dashes are allowed',
      messages: { it: 'Carattere non valido "x" in posizione 8: sono ammessi solo cifre, spazi e trattini' },
    });
    expect(parseCode('12340\t56786 90129').ok === false && parseCode('12340\t56786 90129')).toMatchObject({
      message: expect.stringContaining('U+0009 at position 6'),
    });
    expect(parseCode('12340–56786–90129')).toMatchObject({
      message: expect.stringContaining('"–" (U+2013) at position 6'),
    });
    expect(parseCode(['12340', '567a6', '90129'])).toMatchObject({
      reason: 'FORMAT',
      message: 'Invalid character "a" in group 2 at position 4: only digits, spaces and dashes are allowed',
    });
  });

  it('rejects a wrong digit count with FORMAT saying 15 digits / 3 groups of 5 were expected', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: digit, maxLength: 40 }).filter((s) => s.length !== 15),
        (digits) => {
          expect(parseCode(digits)).toMatchObject({
            ok: false,
            reason: 'FORMAT',
            problem: 'DIGIT_COUNT',
            message: `Expected 15 digits (3 groups of 5), got ${digits.length}`,
          });
        },
      ),
    );
    expect(parseCode(['12340', '56786'])).toMatchObject({
      reason: 'FORMAT',
      problem: 'GROUP_COUNT',
      message: 'Expected 3 groups of 5 digits, got 2 groups',
    });
    expect(parseCode(['12340', '5678', '90129'])).toMatchObject({
      reason: 'FORMAT',
      problem: 'DIGIT_COUNT',
      message: 'Expected 3 groups of 5 digits: group 2 has 4 digits',
      messages: { it: 'Attesi 3 gruppi da 5 cifre: il gruppo 2 ha 4 cifre' },
    });
  });

  it('never throws, whatever it is given', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.array(fc.string(), { maxLength: 4 }), fc.anything()), (input) => {
        const parsed = parseCode(input as string);
        expect(typeof parsed.ok).toBe('boolean');
      }),
    );
  });

  it('refuses to format anything but exactly 12 digits', () => {
    expect(() => formatCode('12345678901')).toThrow(CodeInputError);
    expect(() => formatCode('1234567890123')).toThrow(CodeInputError);
    expect(() => formatCode('12345678901x')).toThrow(CodeInputError);
  });
});

describe('checkGroup (live feedback while a field is typed)', () => {
  it('says nothing until five digits are typed, then accepts every group of a valid code', () => {
    fc.assert(
      fc.property(data12, (data) => {
        const groups = formatCode(data).split('-');
        groups.forEach((g, i) => {
          expect(checkGroup(i + 1, '')).toEqual({ status: 'empty' });
          for (let n = 1; n < 5; n++) expect(checkGroup(i + 1, g.slice(0, n))).toEqual({ status: 'partial', digits: n });
          expect(checkGroup(i + 1, g)).toEqual({ status: 'ok', group: g });
        });
      }),
    );
  });

  it('reports a substituted digit as a typo of that group, with the same words as parseCode', () => {
    fc.assert(
      fc.property(
        data12,
        fc.integer({ min: 0, max: 2 }),
        fc.integer({ min: 0, max: 4 }),
        fc.integer({ min: 1, max: 9 }),
        (data, g, p, shift) => {
          const groups = formatCode(data).split('-');
          const group = groups[g]!;
          const typo = group.slice(0, p) + String((Number(group[p]) + shift) % 10) + group.slice(p + 1);
          const check = checkGroup(g + 1, typo);
          groups[g] = typo;
          const parsed = parseCode(groups);
          expect(check.status).toBe('typo');
          expect(parsed.ok).toBe(false);
          if (check.status === 'typo' && !parsed.ok) expect(check.messages).toEqual(parsed.messages);
        },
      ),
    );
  });

  it('names a bad character and its position, and refuses a sixth digit, in Italian and English', () => {
    expect(checkGroup(2, '12a45')).toEqual({
      status: 'format',
      messages: {
        en: 'Invalid character "a" in group 2 at position 3: only digits, spaces and dashes are allowed',
        it: 'Carattere non valido "a" nel gruppo 2 in posizione 3: sono ammessi solo cifre, spazi e trattini',
      },
    });
    const six = checkGroup(3, '123456');
    expect(six.status).toBe('format');
    if (six.status === 'format') expect(six.messages.it).toBe('Attesi 3 gruppi da 5 cifre: il gruppo 3 ha 6 cifre');
  });

  it('ignores spaces and dashes as parseCode does', () => {
    const group = formatCode('123456789012').split('-')[0]!;
    expect(checkGroup(1, ` ${group.slice(0, 2)}-${group.slice(2)} `)).toEqual({ status: 'ok', group });
  });
});

describe('randomDigits', () => {
  it('returns exactly n ASCII digits', () => {
    for (const n of [0, 1, 11, 12, 40]) expect(randomDigits(n)).toMatch(new RegExp(`^[0-9]{${n}}$`));
    expect(() => randomDigits(-1)).toThrow(RangeError);
    expect(() => randomDigits(1.5)).toThrow(RangeError);
  });

  it('uses every digit in every position (no stuck digits)', () => {
    const seen = Array.from({ length: 12 }, () => new Set<string>());
    for (let i = 0; i < 400; i++) for (const [p, d] of [...randomDigits(12)].entries()) seen[p]!.add(d);
    for (const s of seen) expect(s.size).toBe(10);
  });
});

describe('mac12', () => {
  it('is the first 8 HMAC bytes, big-endian, mod 10^12, left-padded to 12 digits', async () => {
    const { createHmac } = await import('node:crypto');
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.string(), (key, message) => {
        const mac = createHmac('sha256', key).update(message, 'utf8').digest();
        const expected = (BigInt(`0x${mac.subarray(0, 8).toString('hex')}`) % 10n ** 12n).toString().padStart(12, '0');
        expect(mac12(key, message)).toBe(expected);
      }),
    );
  });
});
