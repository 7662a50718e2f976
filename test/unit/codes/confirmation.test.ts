import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { CodeInputError, formatCode, parseCode } from '../../../shared/codes/code-format';
import { confirmationResponse, deriveCustomerKey, newChallenge, verifyConfirmationResponse } from '../../../shared/codes/confirmation';

const master = Buffer.alloc(32, 7);
const digit = fc.constantFrom(...'0123456789');
const data12 = fc.string({ unit: digit, minLength: 12, maxLength: 12 });
const customerId = fc.string({ minLength: 1, maxLength: 20 }).filter((s) => !/[|\p{Cc}\p{Cs}]/u.test(s));
const part = fc.integer({ min: 0, max: 99 }).map((n) => String(n).padStart(2, '0'));
const releaseVersion = fc
  .tuple(part, part, part, fc.integer({ min: 0, max: 999 }))
  .map(([a, b, c, d]) => `${a}.${b}.${c}_${String(d).padStart(3, '0')}`);

describe('confirmation codes', () => {
  it('derives a 32-byte key per customer, different for different customers', () => {
    const a = deriveCustomerKey(master, 'C000123');
    expect(a).toHaveLength(32);
    expect(a.equals(deriveCustomerKey(master, 'C000124'))).toBe(false);
    expect(a.equals(deriveCustomerKey(Buffer.alloc(32, 8), 'C000123'))).toBe(false);
  });

  it('generates challenges of 12 random data digits with a valid formatted form', () => {
    const c = newChallenge();
    expect(c.data).toMatch(/^\d{12}$/);
    expect(parseCode(c.formatted)).toMatchObject({ ok: true, data: c.data });
    expect(newChallenge().data).not.toBe(c.data); // 10^-12 chance of a false failure
  });

  it('accepts the response it generated, typed in any accepted shape', () => {
    fc.assert(
      fc.property(customerId, releaseVersion, data12, (cid, rel, ch) => {
        const key = deriveCustomerKey(master, cid);
        const params = { customerId: cid, releaseVersion: rel, challenge: formatCode(ch) };
        const response = confirmationResponse(key, params);
        expect(response).toMatch(/^\d{5}-\d{5}-\d{5}$/);
        expect(verifyConfirmationResponse(key, { ...params, challenge: ch }, response)).toEqual({ ok: true });
        expect(verifyConfirmationResponse(key, params, response.split('-'))).toEqual({ ok: true });
        expect(verifyConfirmationResponse(key, params, response.replace(/-/g, ' '))).toEqual({ ok: true });
      }),
    );
  });

  it('never validates a response for another customer, release or challenge', () => {
    fc.assert(
      fc.property(
        fc.tuple(customerId, customerId).filter(([a, b]) => a !== b),
        fc.tuple(releaseVersion, releaseVersion).filter(([a, b]) => a !== b),
        fc.tuple(data12, data12).filter(([a, b]) => a !== b),
        ([cid, otherCid], [rel, otherRel], [ch, otherCh]) => {
          const params = { customerId: cid, releaseVersion: rel, challenge: ch };
          const response = confirmationResponse(deriveCustomerKey(master, cid), params);
          // Another customer: their own key and id.
          expect(
            verifyConfirmationResponse(deriveCustomerKey(master, otherCid), { ...params, customerId: otherCid }, response),
          ).toMatchObject({ ok: false, reason: 'MISMATCH' });
          // Same key, other customer id in the message (binding is in the MAC message too).
          expect(verifyConfirmationResponse(deriveCustomerKey(master, cid), { ...params, customerId: otherCid }, response)).toMatchObject({
            ok: false,
            reason: 'MISMATCH',
          });
          const key = deriveCustomerKey(master, cid);
          expect(verifyConfirmationResponse(key, { ...params, releaseVersion: otherRel }, response)).toMatchObject({
            ok: false,
            reason: 'MISMATCH',
          });
          expect(verifyConfirmationResponse(key, { ...params, challenge: otherCh }, response)).toMatchObject({
            ok: false,
            reason: 'MISMATCH',
          });
        },
      ),
    );
  });

  it('reports typos and format errors in the response before comparing, distinct from a mismatch', () => {
    const key = deriveCustomerKey(master, 'C000123');
    const params = { customerId: 'C000123', releaseVersion: '03.01.00_030', challenge: '123456789012' };
    const response = confirmationResponse(key, params);
    const groups = response.split('-');
    const g3 = groups[2]!;
    groups[2] = g3.slice(0, 2) + g3[3] + g3[2] + g3.slice(4);
    if (g3[2] !== g3[3]) {
      expect(verifyConfirmationResponse(key, params, groups)).toMatchObject({ ok: false, reason: 'TYPO', typoGroups: [3] });
    }
    expect(verifyConfirmationResponse(key, params, '1234')).toMatchObject({ ok: false, reason: 'FORMAT' });
    const wrong = verifyConfirmationResponse(key, params, formatCode('000000000000'));
    expect(wrong).toMatchObject({
      ok: false,
      reason: 'MISMATCH',
      message: 'The code is not correct: the update cannot start',
      messages: { it: "Il codice non è corretto: impossibile avviare l'aggiornamento" },
    });
  });

  it('rejects invalid server-held inputs loudly instead of computing a response', () => {
    const key = deriveCustomerKey(master, 'C1');
    const ok = { customerId: 'C1', releaseVersion: '03.01.00_030', challenge: '123456789012' };
    expect(() => deriveCustomerKey(Buffer.alloc(16), 'C1')).toThrow(CodeInputError);
    expect(() => deriveCustomerKey(master, '')).toThrow(CodeInputError);
    expect(() => deriveCustomerKey(master, 'a|b')).toThrow(CodeInputError);
    expect(() => confirmationResponse(key.subarray(0, 31), ok)).toThrow(CodeInputError);
    expect(() => confirmationResponse(key, { ...ok, releaseVersion: '3.1' })).toThrow(CodeInputError);
    expect(() => confirmationResponse(key, { ...ok, challenge: '12345678901' })).toThrow(CodeInputError);
    const typo = (() => {
      try {
        confirmationResponse(key, { ...ok, challenge: '12341-56786-90129' });
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(typo).toBeInstanceOf(CodeInputError);
    expect((typo as CodeInputError).failure).toMatchObject({ reason: 'TYPO', typoGroups: [1] });
  });
});
