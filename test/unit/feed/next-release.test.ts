import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Release } from '../../../shared/domain/catalog';
import { compareVersions } from '../../../shared/domain/version';
import { nextRelease } from '../../../shared/feed/next-release';

const release = (version: string, catalogVersion = 1): Release => ({
  version,
  desktop: { key: `packages/${version}/desktop.exe`, size: 100, sha256: 'a'.repeat(64) },
  mobile: { key: `packages/${version}/mobile.apk`, size: 50, sha256: 'b'.repeat(64) },
  notesUrl: `https://wiki.alturas.it/mophas-fix/${version}`,
  requiresConfirmationCode: false,
  publishedAt: '2025-01-01T00:00:00.000Z',
  catalogVersion,
});

const ORDERED = ['02.09.05_010', '03.00.00_020', '03.01.00_030', '03.01.00_032', '03.02.00_040', '03.10.00_001', '10.00.00_000'];
const CATALOG = ORDERED.map((v, i) => release(v, i + 1));
// A fixed shuffle: the function must not rely on catalog order.
const SHUFFLED = [CATALOG[4], CATALOG[0], CATALOG[6], CATALOG[2], CATALOG[5], CATALOG[1], CATALOG[3]] as Release[];

describe('nextRelease (FEED-3: one version at a time)', () => {
  it('walks from the oldest release to the latest one step at a time, never skipping one', () => {
    let installed = ORDERED[0]!;
    const offered: string[] = [];
    for (;;) {
      const next = nextRelease(SHUFFLED, installed);
      if (next.kind !== 'update') {
        expect(next.kind).toBe('up-to-date');
        break;
      }
      offered.push(next.release.version);
      installed = next.release.version; // "after installing it, the next startup offers the following one"
    }
    expect(offered).toEqual(ORDERED.slice(1));
  });

  it('offers the next release, not the latest, to a desktop several versions behind', () => {
    const next = nextRelease(CATALOG, '03.00.00_020');
    expect(next).toEqual({ kind: 'update', release: CATALOG[2] });
  });

  it('gives the same answer whatever order the catalog comes in', () => {
    for (const installed of ORDERED) {
      expect(nextRelease(SHUFFLED, installed)).toEqual(nextRelease(CATALOG, installed));
      expect(nextRelease([...CATALOG].reverse(), installed)).toEqual(nextRelease(CATALOG, installed));
    }
  });

  it('orders numerically, not as text: build 032 comes after 030 and minor 10 after minor 02', () => {
    expect(nextRelease(SHUFFLED, '03.01.00_030')).toMatchObject({ kind: 'update', release: { version: '03.01.00_032' } });
    expect(nextRelease(SHUFFLED, '03.02.00_040')).toMatchObject({ kind: 'update', release: { version: '03.10.00_001' } });
  });

  it('answers up-to-date when the installed version is the latest release', () => {
    expect(nextRelease(SHUFFLED, '10.00.00_000')).toEqual({ kind: 'up-to-date' });
  });

  it('answers ahead, naming the latest release, when the installed version is newer than every release', () => {
    expect(nextRelease(SHUFFLED, '10.00.00_001')).toEqual({ kind: 'ahead', latest: CATALOG[6] });
    expect(nextRelease(SHUFFLED, '99.99.99_999')).toEqual({ kind: 'ahead', latest: CATALOG[6] });
  });

  it('offers the first release above an installed version that is not in the catalog', () => {
    // e.g. a build support installed by hand between two published releases
    expect(nextRelease(SHUFFLED, '03.01.00_031')).toEqual({ kind: 'update', release: CATALOG[3] });
    expect(nextRelease(SHUFFLED, '03.05.00_000')).toEqual({ kind: 'update', release: CATALOG[5] });
    expect(nextRelease(SHUFFLED, '00.00.00_000')).toEqual({ kind: 'update', release: CATALOG[0] });
  });

  it('answers up-to-date for an empty catalog', () => {
    expect(nextRelease([], '03.01.00_030')).toEqual({ kind: 'up-to-date' });
  });

  it('rejects an installed version that is not a version code, with the FEED-1 message', () => {
    expect(() => nextRelease(CATALOG, '3.1.0')).toThrow(/03\.01\.00_030/);
  });

  it('always offers the smallest release strictly above the installed version (property)', () => {
    const code = fc
      .tuple(fc.nat(20), fc.nat(20), fc.nat(20), fc.nat(999))
      .map(
        ([a, b, c, d]) =>
          `${String(a).padStart(2, '0')}.${String(b).padStart(2, '0')}.${String(c).padStart(2, '0')}_${String(d).padStart(3, '0')}`,
      );
    fc.assert(
      fc.property(fc.uniqueArray(code, { maxLength: 12 }), code, (versions, installed) => {
        const above = versions.filter((v) => compareVersions(v, installed) > 0).sort(compareVersions);
        const next = nextRelease(
          versions.map((v) => release(v)),
          installed,
        );
        if (above.length > 0) {
          expect(next).toMatchObject({ kind: 'update', release: { version: above[0] } });
        } else if (versions.some((v) => v === installed)) {
          expect(next).toEqual({ kind: 'up-to-date' });
        } else if (versions.length > 0) {
          expect(next.kind).toBe('ahead');
        } else {
          expect(next).toEqual({ kind: 'up-to-date' });
        }
      }),
    );
  });

  it('skips the releases a customer may not be offered (withdrawn, outside its open wave) and offers the next one', () => {
    const blocked = new Set(['03.01.00_030', '03.01.00_032']);
    const offered = (r: Release) => !blocked.has(r.version);
    expect(nextRelease(SHUFFLED, '03.00.00_020', offered)).toEqual({ kind: 'update', release: CATALOG[4] });
    // A customer already on a withdrawn release is untouched: it is offered what follows it.
    expect(nextRelease(SHUFFLED, '03.01.00_032', offered)).toEqual({ kind: 'update', release: CATALOG[4] });
  });

  it('calls a customer left on a withdrawn latest release up to date, not ahead', () => {
    const latest = ORDERED[ORDERED.length - 1]!;
    expect(nextRelease(CATALOG, '03.10.00_001', (r) => r.version !== latest)).toEqual({ kind: 'up-to-date' });
    expect(nextRelease(CATALOG, latest, (r) => r.version !== latest)).toEqual({ kind: 'up-to-date' });
  });
});
