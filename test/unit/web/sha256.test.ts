import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Sha256 } from '../../../web/common/sha256';

const node = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

describe('the console’s incremental SHA-256 (web/common/sha256.ts)', () => {
  it('gives the FIPS 180-4 digests of the empty string and "abc"', () => {
    expect(new Sha256().hex()).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(new Sha256().update(new TextEncoder().encode('abc')).hex()).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
  });

  it('equals node:crypto for any bytes cut into any chunks (padding edges 55, 56, 63, 64 included)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 700 }), fc.array(fc.nat({ max: 130 }), { maxLength: 12 }), (bytes, cuts) => {
        const hash = new Sha256();
        let at = 0;
        for (const cut of cuts) {
          hash.update(bytes.subarray(at, Math.min(bytes.length, at + cut)));
          at = Math.min(bytes.length, at + cut);
        }
        hash.update(bytes.subarray(at));
        expect(hash.hex()).toBe(node(bytes));
      }),
      { numRuns: 300 },
    );
    for (const n of [55, 56, 63, 64, 65, 119, 120, 128]) {
      const bytes = new Uint8Array(n).map((_, i) => i * 7);
      expect(new Sha256().update(bytes).hex()).toBe(node(bytes));
    }
  });

  it('hashes a few MiB in 1 MiB chunks like node:crypto', () => {
    const bytes = new Uint8Array(3 * 1024 * 1024 + 17).map((_, i) => (i * 31) ^ (i >> 8));
    const hash = new Sha256();
    for (let at = 0; at < bytes.length; at += 1024 * 1024) hash.update(bytes.subarray(at, at + 1024 * 1024));
    expect(hash.hex()).toBe(node(bytes));
  });
});
