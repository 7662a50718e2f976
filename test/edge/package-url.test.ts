import { createHmac, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { decodeUrlSigningKey, signPackagePath, verifyPackageToken, MIN_URL_SIGNING_KEY_BYTES } from '../../shared/domain/package-url';

const KEY = Buffer.from('0123456789abcdef0123456789abcdef', 'utf8'); // 32 bytes, fixed for the vector
const PATH = '/packages/03.01.00_030/desktop.exe';
const EXP = 1_760_000_300;
const NOW = 1_760_000_000;

describe('signPackagePath', () => {
  it('returns exp and a base64url HMAC-SHA256 of "path\\nexp" (published vector)', () => {
    const expectedSig = createHmac('sha256', KEY).update(`${PATH}\n${EXP}`).digest('base64url');
    expect(signPackagePath(KEY, PATH, EXP)).toBe(`exp=${EXP}&sig=${expectedSig}`);
    expect(expectedSig).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('refuses keys shorter than 32 bytes', () => {
    expect(() => signPackagePath(randomBytes(MIN_URL_SIGNING_KEY_BYTES - 1), PATH, EXP)).toThrow(TypeError);
  });

  it('refuses to sign anything outside /packages/ (desktop logs stay private)', () => {
    expect(() => signPackagePath(KEY, '/logs/c1/update.log', EXP)).toThrow(/packages/);
    expect(() => signPackagePath(KEY, 'packages/x.exe', EXP)).toThrow(TypeError);
    expect(() => signPackagePath(KEY, '/packages/x.exe?v=1', EXP)).toThrow(TypeError);
    expect(() => signPackagePath(KEY, '/packages/my file.exe', EXP)).toThrow(TypeError);
  });

  it('refuses a non-integer or non-positive expiry', () => {
    expect(() => signPackagePath(KEY, PATH, 1.5)).toThrow(TypeError);
    expect(() => signPackagePath(KEY, PATH, 0)).toThrow(TypeError);
    expect(() => signPackagePath(KEY, PATH, Number.NaN)).toThrow(TypeError);
  });
});

describe('verifyPackageToken', () => {
  const query = signPackagePath(KEY, PATH, EXP);

  it('accepts a fresh token, given as text with or without "?" or as URLSearchParams', () => {
    expect(verifyPackageToken(KEY, PATH, query, NOW)).toEqual({ ok: true });
    expect(verifyPackageToken(KEY, PATH, `?${query}`, NOW)).toEqual({ ok: true });
    expect(verifyPackageToken(KEY, PATH, new URLSearchParams(`${query}&other=1`), NOW)).toEqual({ ok: true });
  });

  it('reports EXPIRED from the expiry second on', () => {
    expect(verifyPackageToken(KEY, PATH, query, EXP - 1)).toEqual({ ok: true });
    expect(verifyPackageToken(KEY, PATH, query, EXP)).toEqual({ ok: false, reason: 'EXPIRED' });
  });

  it('reports MISSING when exp or sig is absent', () => {
    expect(verifyPackageToken(KEY, PATH, '', NOW)).toEqual({ ok: false, reason: 'MISSING' });
    expect(verifyPackageToken(KEY, PATH, `exp=${EXP}`, NOW)).toEqual({ ok: false, reason: 'MISSING' });
  });

  it('reports FORGED for another path, another key, an extended expiry or a repeated parameter', () => {
    expect(verifyPackageToken(KEY, '/packages/03.01.00_031/desktop.exe', query, NOW)).toEqual({ ok: false, reason: 'FORGED' });
    expect(verifyPackageToken(randomBytes(32), PATH, query, NOW)).toEqual({ ok: false, reason: 'FORGED' });
    expect(verifyPackageToken(KEY, PATH, query.replace(`exp=${EXP}`, `exp=${EXP + 1}`), NOW)).toEqual({
      ok: false,
      reason: 'FORGED',
    });
    expect(verifyPackageToken(KEY, PATH, `${query}&exp=${EXP}`, NOW)).toEqual({ ok: false, reason: 'FORGED' });
  });

  it('reports FORGED for a signature that differs only in unused trailing bits', () => {
    const sig = new URLSearchParams(query).get('sig')!;
    const last = sig.at(-1)!;
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    // The 43rd character carries 4 data bits and 2 padding bits: its neighbour decodes to the same bytes.
    const twin = alphabet[alphabet.indexOf(last) ^ 1]!;
    const malleated = query.replace(sig, sig.slice(0, -1) + twin);
    expect(Buffer.from(sig.slice(0, -1) + twin, 'base64url')).toEqual(Buffer.from(sig, 'base64url'));
    expect(verifyPackageToken(KEY, PATH, malleated, NOW)).toEqual({ ok: false, reason: 'FORGED' });
  });
});

describe('decodeUrlSigningKey', () => {
  it('decodes the 44-character alphanumeric value Secrets Manager generates to 33 key bytes', () => {
    const generated = 'aZ09'.repeat(11);
    expect(decodeUrlSigningKey(generated)).toHaveLength(33);
    expect(decodeUrlSigningKey(generated).toString('base64url')).toBe(generated);
  });

  it('refuses text that is not base64url or too short', () => {
    expect(() => decodeUrlSigningKey('not base64 at all!')).toThrow(TypeError);
    expect(() => decodeUrlSigningKey(randomBytes(16).toString('base64url'))).toThrow(TypeError);
  });
});
