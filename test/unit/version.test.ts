import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareVersions, parseVersion } from '../../shared/domain/version';

const pad = (n: number, width: number) => String(n).padStart(width, '0');
const versionParts = fc.tuple(fc.nat(99), fc.nat(99), fc.nat(99), fc.nat(999));
const toCode = ([a, b, c, d]: [number, number, number, number]) => `${pad(a, 2)}.${pad(b, 2)}.${pad(c, 2)}_${pad(d, 3)}`;

describe('version codes (FEED-1)', () => {
  it('parses the manual example into its numeric parts', () => {
    const parsed = parseVersion('03.01.00_030');
    expect(parsed).toEqual({ ok: true, version: { major: 3, minor: 1, patch: 0, build: 30, code: '03.01.00_030' } });
  });

  it.each(['3.1.0_30', '03.01.00', '03.01.00-030', '03.01.00_030 ', 'v03.01.00_030', '03.01.0a_030', '', '03.01.00_0300'])(
    'rejects %j with a message showing the expected shape',
    (input) => {
      const parsed = parseVersion(input);
      expect(parsed.ok).toBe(false);
      if (!parsed.ok) expect(parsed.message).toContain('03.01.00_030');
    },
  );

  it('rejects non-strings', () => {
    expect(parseVersion(30).ok).toBe(false);
    expect(parseVersion(null).ok).toBe(false);
  });

  it('orders part by part numerically (build 032 after 030, minor beats build)', () => {
    expect(compareVersions('03.01.00_032', '03.01.00_030')).toBeGreaterThan(0);
    expect(compareVersions('03.02.00_001', '03.01.99_999')).toBeGreaterThan(0);
    expect(compareVersions('03.01.00_030', '03.01.00_030')).toBe(0);
  });

  it('orders the same way as the numeric tuples and as the canonical strings (the catalog sort key relies on it)', () => {
    fc.assert(
      fc.property(versionParts, versionParts, (a, b) => {
        const byTuple = Math.sign(a[0] - b[0] || a[1] - b[1] || a[2] - b[2] || a[3] - b[3]);
        const [ca, cb] = [toCode(a), toCode(b)];
        expect(Math.sign(compareVersions(ca, cb))).toBe(byTuple);
        expect(Math.sign(ca.localeCompare(cb, 'en'))).toBe(byTuple);
        expect(Math.sign(ca < cb ? -1 : ca > cb ? 1 : 0)).toBe(byTuple);
      }),
    );
  });
});
