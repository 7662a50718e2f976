import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { dammCheckDigit, isDammValid } from '../../../shared/codes/damm';
import { formatCode, parseCode } from '../../../shared/codes/code-format';
import { confirmationResponse, deriveCustomerKey, verifyConfirmationResponse } from '../../../shared/codes/confirmation';
import { type LockAction, code2For, makeCode1, makeCode3, verifyCode2, verifyCode3 } from '../../../shared/codes/lock-exchange';

interface Vectors {
  damm: {
    literatureExample: { digits: string; checkDigit: string };
    checkDigits: { digits: string; checkDigit: string }[];
    validation: { input: string; valid: boolean }[];
  };
  codeFormat: {
    format: { data: string; formatted: string }[];
    parse: { input: string | string[]; expected: { ok: boolean; data?: string; reason?: string; typoGroups?: number[] } }[];
  };
  confirmation: {
    masterSecretHex: string;
    customerId: string;
    customerKeyHex: string;
    releaseVersion: string;
    challenge: string;
    challengeData: string;
    responseMessage: string;
    responseData: string;
    response: string;
  }[];
  lockExchange: {
    secretBase64url: string;
    secretHex: string;
    serial: string;
    action: LockAction;
    nonce: string;
    code1: string;
    code1Data: string;
    code2: string;
    code2Data: string;
    code3: string;
    code3Data: string;
  }[];
}

const vectors = JSON.parse(readFileSync(new URL('../../../docs/code-vectors.json', import.meta.url), 'utf8')) as Vectors;

describe('published code vectors (docs/code-vectors.json)', () => {
  it('contain the literature Damm example 572 → 4', () => {
    expect(vectors.damm.literatureExample).toMatchObject({ digits: '572', checkDigit: '4' });
    expect(dammCheckDigit('572')).toBe('4');
  });

  it('are reproduced by the Damm module', () => {
    for (const v of vectors.damm.checkDigits) expect(dammCheckDigit(v.digits), v.digits).toBe(v.checkDigit);
    for (const v of vectors.damm.validation) expect(isDammValid(v.input), v.input).toBe(v.valid);
  });

  it('are reproduced by the code format module', () => {
    for (const v of vectors.codeFormat.format) expect(formatCode(v.data)).toBe(v.formatted);
    for (const v of vectors.codeFormat.parse) expect(parseCode(v.input), JSON.stringify(v.input)).toMatchObject(v.expected);
  });

  it('are reproduced by the confirmation module (at least 5)', () => {
    expect(vectors.confirmation.length).toBeGreaterThanOrEqual(5);
    for (const v of vectors.confirmation) {
      const key = deriveCustomerKey(Buffer.from(v.masterSecretHex, 'hex'), v.customerId);
      expect(key.toString('hex')).toBe(v.customerKeyHex);
      const params = { customerId: v.customerId, releaseVersion: v.releaseVersion, challenge: v.challenge };
      expect(formatCode(v.challengeData)).toBe(v.challenge);
      expect(confirmationResponse(key, params)).toBe(v.response);
      expect(confirmationResponse(key, { ...params, challenge: v.challengeData })).toBe(v.response);
      expect(formatCode(v.responseData)).toBe(v.response);
      expect(verifyConfirmationResponse(key, params, v.response)).toEqual({ ok: true });
    }
  });

  it('are reproduced by the lock-exchange module (at least 3 lock and 3 unlock)', () => {
    expect(vectors.lockExchange.filter((v) => v.action === 'lock').length).toBeGreaterThanOrEqual(3);
    expect(vectors.lockExchange.filter((v) => v.action === 'unlock').length).toBeGreaterThanOrEqual(3);
    for (const v of vectors.lockExchange) {
      expect(Buffer.from(v.secretBase64url, 'base64url').toString('hex')).toBe(v.secretHex);
      const code1 = makeCode1(v.action, v.nonce);
      expect(code1).toMatchObject({ data: v.code1Data, formatted: v.code1 });
      expect(code2For(v.secretBase64url, v.serial, v.code1)).toEqual({ ok: true, action: v.action, code2: v.code2 });
      expect(formatCode(v.code2Data)).toBe(v.code2);
      expect(verifyCode2(Buffer.from(v.secretHex, 'hex'), v.serial, v.code1, v.code2)).toEqual({ ok: true, action: v.action });
      expect(makeCode3(v.secretBase64url, v.serial, v.code1Data, v.code2)).toBe(v.code3);
      expect(formatCode(v.code3Data)).toBe(v.code3);
      expect(verifyCode3(v.secretBase64url, v.serial, v.code1, v.code2, v.code3)).toEqual({ ok: true, action: v.action });
    }
  });

  it('stay pinned: regenerating them cannot silently change the algorithm', () => {
    // Known answers fixed when the vectors were published (cross-checked with an independent implementation).
    const c = vectors.confirmation.find((v) => v.customerId === 'C000123' && v.challengeData === '000000000000');
    expect(c?.response).toBe(PINNED_CONFIRMATION);
    const l = vectors.lockExchange[0];
    expect([l?.code1, l?.code2, l?.code3]).toEqual(PINNED_LOCK);
  });
});

const PINNED_CONFIRMATION = '68068-52165-43843';
const PINNED_LOCK = ['10008-00000-00000', '30201-11924-90554', '38493-29490-90330'];
