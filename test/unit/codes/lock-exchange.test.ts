import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { CodeInputError, formatCode, parseCode } from '../../../shared/codes/code-format';
import {
  type LockAction,
  code2For,
  decodeDeviceSecret,
  makeCode1,
  makeCode3,
  newDeviceSecret,
  parseCode1,
  verifyCode2,
  verifyCode3,
} from '../../../shared/codes/lock-exchange';

const digit = fc.constantFrom(...'0123456789');
const nonce = fc.string({ unit: digit, minLength: 11, maxLength: 11 });
const serial = fc.string({ unit: digit, minLength: 15, maxLength: 15 });
const secret = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => Buffer.from(b).toString('base64url'));
const action = fc.constantFrom<LockAction>('lock', 'unlock');
const other = (a: LockAction): LockAction => (a === 'lock' ? 'unlock' : 'lock');

/** Runs HQ's GENERA step and returns code 2, failing the test otherwise. */
function genera(s: string | Uint8Array, ser: string, code1: string): string {
  const r = code2For(s, ser, code1);
  if (!r.ok) throw new Error(`GENERA failed: ${r.reason}`);
  return r.code2;
}

describe('lock exchange', () => {
  it('completes the five-step exchange for lock and unlock', () => {
    fc.assert(
      fc.property(secret, serial, action, (sec, ser, act) => {
        const code1 = makeCode1(act); // 1. device shows code 1
        expect(code1.data[0]).toBe(act === 'lock' ? '1' : '2');
        const hq = code2For(sec, ser, code1.formatted.replace(/-/g, ' ')); // 2. HQ: GENERA
        expect(hq).toMatchObject({ ok: true, action: act });
        if (!hq.ok) return;
        expect(verifyCode2(sec, ser, code1.data, hq.code2)).toEqual({ ok: true, action: act }); // 3. device
        const code3 = makeCode3(sec, ser, code1.data, hq.code2);
        expect(verifyCode3(sec, ser, code1.formatted, hq.code2, code3.split('-'))).toEqual({ ok: true, action: act }); // 4. HQ: VERIFICA
      }),
    );
  });

  it('never lets a code 2 issued for a lock verify for an unlock (or vice versa)', () => {
    fc.assert(
      fc.property(secret, serial, nonce, action, (sec, ser, n, act) => {
        const code2 = genera(sec, ser, makeCode1(act, n).formatted);
        const flipped = makeCode1(other(act), n); // same nonce, other action
        expect(verifyCode2(sec, ser, flipped.data, code2)).toMatchObject({ ok: false, reason: 'MISMATCH' });
        expect(() => makeCode3(sec, ser, flipped.data, code2)).toThrow(CodeInputError);
      }),
    );
  });

  it('never lets a code 3 from a lock confirm an unlock', () => {
    fc.assert(
      fc.property(secret, serial, nonce, action, (sec, ser, n, act) => {
        const c1 = makeCode1(act, n);
        const code3 = makeCode3(sec, ser, c1.data, genera(sec, ser, c1.formatted));
        const f1 = makeCode1(other(act), n);
        expect(verifyCode3(sec, ser, f1.data, genera(sec, ser, f1.formatted), code3)).toMatchObject({
          ok: false,
          reason: 'MISMATCH',
        });
      }),
    );
  });

  it('binds codes 2 and 3 to one device serial, one device secret and one code 1 nonce', () => {
    fc.assert(
      fc.property(
        fc.tuple(secret, secret).filter(([a, b]) => a !== b),
        fc.tuple(serial, serial).filter(([a, b]) => a !== b),
        fc.tuple(nonce, nonce).filter(([a, b]) => a !== b),
        action,
        ([sec, otherSec], [ser, otherSer], [n, otherN], act) => {
          const c1 = makeCode1(act, n);
          const code2 = genera(sec, ser, c1.formatted);
          const code3 = makeCode3(sec, ser, c1.data, code2);
          const mismatch = { ok: false, reason: 'MISMATCH' };
          expect(verifyCode2(sec, otherSer, c1.data, code2)).toMatchObject(mismatch);
          expect(verifyCode2(otherSec, ser, c1.data, code2)).toMatchObject(mismatch);
          const otherC1 = makeCode1(act, otherN);
          expect(verifyCode2(sec, ser, otherC1.data, code2)).toMatchObject(mismatch);
          // Code 3 of this exchange does not confirm the same action on another device or exchange.
          expect(verifyCode3(sec, otherSer, c1.data, genera(sec, otherSer, c1.formatted), code3)).toMatchObject(mismatch);
          expect(verifyCode3(otherSec, ser, c1.data, genera(otherSec, ser, c1.formatted), code3)).toMatchObject(mismatch);
          expect(verifyCode3(sec, ser, otherC1.data, genera(sec, ser, otherC1.formatted), code3)).toMatchObject(mismatch);
        },
      ),
    );
  });

  it('reports typos in code 1 at GENERA and in codes 2 and 3 before comparing', () => {
    const sec = newDeviceSecret();
    const c1 = makeCode1('lock', '12345678901');
    const bad = (code: string): string => code.slice(0, 6) + String((Number(code[6]) + 1) % 10) + code.slice(7);
    expect(code2For(sec, '352099001761481', bad(c1.formatted))).toMatchObject({ ok: false, reason: 'TYPO', typoGroups: [2] });
    const code2 = genera(sec, '352099001761481', c1.formatted);
    expect(verifyCode2(sec, '352099001761481', c1.data, bad(code2))).toMatchObject({ reason: 'TYPO', typoGroups: [2] });
    expect(verifyCode2(sec, '352099001761481', c1.data, '1234')).toMatchObject({ reason: 'FORMAT' });
    const code3 = makeCode3(sec, '352099001761481', c1.data, code2);
    expect(verifyCode3(sec, '352099001761481', c1.data, code2, bad(code3))).toMatchObject({ reason: 'TYPO' });
  });

  it('refuses a code 1 whose action digit is neither 1 nor 2', () => {
    fc.assert(
      fc.property(fc.constantFrom('0', '3', '4', '5', '6', '7', '8', '9'), nonce, (d, n) => {
        const typed = formatCode(d + n);
        expect(parseCode1(typed)).toMatchObject({ ok: false, reason: 'BAD_ACTION' });
        expect(code2For(newDeviceSecret(), '352099001761481', typed)).toMatchObject({ ok: false, reason: 'BAD_ACTION' });
      }),
    );
  });

  it('refuses to generate code 2 for the other action when HQ states what it is doing', () => {
    const c1 = makeCode1('unlock');
    expect(code2For(newDeviceSecret(), '352099001761481', c1.formatted, { expectedAction: 'lock' })).toMatchObject({
      ok: false,
      reason: 'WRONG_ACTION',
      action: 'unlock',
    });
    expect(code2For(newDeviceSecret(), '352099001761481', c1.formatted, { expectedAction: 'unlock' })).toMatchObject({
      ok: true,
    });
  });

  it('issues 32-byte base64url device secrets and accepts them as text or bytes', () => {
    const s = newDeviceSecret();
    expect(s).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const bytes = decodeDeviceSecret(s);
    expect(bytes).toHaveLength(32);
    expect(decodeDeviceSecret(`${s}=`).equals(bytes)).toBe(true);
    const c1 = makeCode1('lock');
    expect(genera(s, '352099001761481', c1.formatted)).toBe(genera(bytes, '352099001761481', c1.formatted));
    expect(() => decodeDeviceSecret(s.slice(1))).toThrow(CodeInputError);
    expect(() => decodeDeviceSecret(Buffer.alloc(31))).toThrow(CodeInputError);
    expect(() => decodeDeviceSecret(`${s.slice(0, 42)}B`)).toThrow(CodeInputError); // non-canonical last char
    expect(() => decodeDeviceSecret(`${s.slice(0, 42)}+`)).toThrow(CodeInputError); // base64, not base64url
  });

  it('rejects program-held inputs outside the contract', () => {
    const s = newDeviceSecret();
    expect(() => makeCode1('lock', '123')).toThrow(CodeInputError);
    expect(() => makeCode1('toString' as LockAction)).toThrow(CodeInputError);
    expect(() => code2For(s, 'a|b', makeCode1('lock').data)).toThrow(CodeInputError);
    expect(() => code2For(s, '', makeCode1('lock').data)).toThrow(CodeInputError);
    expect(() => verifyCode2(s, '352099001761481', formatCode('312345678901'), '00000-00000-00000')).toThrow(CodeInputError);
    const c1 = makeCode1('lock');
    expect(() => verifyCode3(s, '352099001761481', c1.data, '000000000000', '00000-00000-00000')).toThrow(CodeInputError);
  });

  it('produces codes that are themselves valid typed codes', () => {
    const s = newDeviceSecret();
    const c1 = makeCode1('unlock');
    const code2 = genera(s, '352099001761481', c1.formatted);
    expect(parseCode(code2).ok).toBe(true);
    expect(parseCode(makeCode3(s, '352099001761481', c1.data, code2)).ok).toBe(true);
  });
});
