import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  MAX_PACKAGE_BYTES,
  MAX_PARTS,
  MIN_PART_BYTES,
  MiB,
  SINGLE_PUT_MAX_BYTES,
  partLength,
  planUpload,
} from '../../../shared/domain/upload-limits';
import { newPackageKey, newStagingKey, parseStagingKey } from '../../../shared/domain/package-keys';
import { FILENAME_PATTERN, MAX_PACKAGE_BYTES as CLI_MAX_PACKAGE_BYTES } from '../../../cli/lib/files';
import { FILENAME_PATTERN as API_FILENAME_PATTERN } from '../../../shared/domain/package-keys';

describe('upload plan (pure)', () => {
  it('uses one PUT up to 16 MiB and 8 MiB parts above', () => {
    expect(planUpload(1)).toEqual({ multipart: false, partSize: 1, partCount: 1 });
    expect(planUpload(SINGLE_PUT_MAX_BYTES)).toEqual({ multipart: false, partSize: SINGLE_PUT_MAX_BYTES, partCount: 1 });
    expect(planUpload(SINGLE_PUT_MAX_BYTES + 1)).toEqual({ multipart: true, partSize: 8 * MiB, partCount: 3 });
    expect(planUpload(MAX_PACKAGE_BYTES)).toEqual({ multipart: true, partSize: 8 * MiB, partCount: 640 });
  });

  it('refuses sizes outside 1 B … 5 GiB', () => {
    for (const size of [0, -1, 1.5, MAX_PACKAGE_BYTES + 1, Number.NaN]) expect(() => planUpload(size)).toThrow(RangeError);
  });

  it('always covers the package exactly with parts S3 accepts', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: MAX_PACKAGE_BYTES }), (size) => {
        const plan = planUpload(size);
        const lengths = Array.from({ length: plan.partCount }, (_, i) => partLength(size, plan.partSize, i + 1));
        expect(lengths.reduce((a, b) => a + b, 0)).toBe(size);
        expect(plan.partCount).toBeLessThanOrEqual(MAX_PARTS);
        expect(lengths.every((l) => l > 0)).toBe(true);
        if (plan.multipart) expect(lengths.slice(0, -1).every((l) => l >= MIN_PART_BYTES)).toBe(true);
      }),
    );
  });

  it('the CLI checks files with the same limits as the API', () => {
    expect(CLI_MAX_PACKAGE_BYTES).toBe(MAX_PACKAGE_BYTES);
    expect(FILENAME_PATTERN.source).toBe(API_FILENAME_PATTERN.source);
  });
});

describe('package keys (pure)', () => {
  it('hands out unique staging and final keys and parses only staging keys it made', () => {
    const a = newStagingKey('03.01.00_030', 'setup.exe');
    expect(a).not.toBe(newStagingKey('03.01.00_030', 'setup.exe'));
    expect(parseStagingKey(a)).toMatchObject({ version: '03.01.00_030', filename: 'setup.exe' });
    expect(newPackageKey('03.01.00_030', 'setup.exe')).toMatch(/^packages\/03\.01\.00_030\/[0-9a-f-]{36}\/setup\.exe$/);
    for (const bad of [
      newPackageKey('03.01.00_030', 'setup.exe'),
      'staging/03.01.00_030/not-a-uuid/setup.exe',
      a.replace('setup.exe', '../setup.exe'),
      a.replace('setup.exe', '.hidden'),
      `${a}/extra`,
    ]) {
      expect(parseStagingKey(bad)).toBeUndefined();
    }
  });
});
