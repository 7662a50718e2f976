/**
 * Generates docs/code-vectors.json, the published test vectors for the code
 * algorithms in shared/codes (Damm check digit, code format, confirmation
 * codes, manual lock/unlock exchange).
 *
 * Run: npx tsx scripts/gen-code-vectors.ts
 *
 * Every input is fixed or derived deterministically, so running it twice gives a
 * byte-identical file. Besides calling the modules, the script recomputes each
 * MAC independently from the documented message strings and fails if the two
 * disagree, so the file also pins the documented encoding.
 */
import { createHash, createHmac } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dammCheckDigit, isDammValid } from '../shared/codes/damm';
import { formatCode, parseCode } from '../shared/codes/code-format';
import { confirmationResponse, deriveCustomerKey, verifyConfirmationResponse } from '../shared/codes/confirmation';
import { type LockAction, code2For, makeCode1, makeCode3, verifyCode2, verifyCode3 } from '../shared/codes/lock-exchange';

const OUTPUT = fileURLToPath(new URL('../docs/code-vectors.json', import.meta.url));

/** Deterministic 32 bytes from a label. */
function bytesFrom(label: string): Buffer {
  return createHash('sha256').update(label, 'utf8').digest();
}

/** Independent mac12: HMAC-SHA256, first 8 bytes big-endian, mod 10^12, 12 digits. */
function independentMac(key: Uint8Array, message: string): { prefixHex: string; data: string } {
  const mac = createHmac('sha256', key).update(Buffer.from(message, 'utf8')).digest();
  const prefixHex = mac.subarray(0, 8).toString('hex');
  const data = (BigInt(`0x${prefixHex}`) % 10n ** 12n).toString().padStart(12, '0');
  return { prefixHex, data };
}

function check(condition: boolean, what: string): void {
  if (!condition) throw new Error(`vector self-check failed: ${what}`);
}

function dataOf(formatted: string): string {
  const parsed = parseCode(formatted);
  if (!parsed.ok) throw new Error(`unparseable ${formatted}`);
  return parsed.data;
}

// ---------------------------------------------------------------- Damm
const dammInputs = ['572', '0', '1', '9', '0000', '1234', '9999', '5555', '0470', '2020', '123456789', '314159265358'];
const damm = {
  literatureExample: {
    digits: '572',
    checkDigit: '4',
    source: 'Wikipedia, "Damm algorithm" (worked example); H. M. Damm, 2004',
  },
  checkDigits: dammInputs.map((digits) => ({ digits, checkDigit: dammCheckDigit(digits) })),
  validation: [
    { input: '5724', valid: true, note: 'literature example with its check digit' },
    { input: '5723', valid: false, note: 'wrong check digit' },
    { input: '5274', valid: false, note: 'adjacent transposition 72 -> 27' },
    { input: '5824', valid: false, note: 'single substitution 7 -> 8' },
    { input: '12340', valid: isDammValid('12340'), note: 'group 1234 + its check digit' },
  ],
};
check(damm.checkDigits[0]!.checkDigit === '4', 'Damm literature example 572 -> 4');
check(
  damm.validation.every((v) => isDammValid(v.input) === v.valid),
  'Damm validation examples',
);

// ---------------------------------------------------------------- code format
const formatData = ['000000000000', '123456789012', '999999999999', '572057205720', '100000000001'];
const format = formatData.map((data) => ({ data, formatted: formatCode(data) }));
const sample = format[1]!.formatted; // 12340-56784-90128-like
const sampleDigits = sample.replace(/-/g, '');
const flip = (s: string, i: number): string => s.slice(0, i) + String((Number(s[i]) + 1) % 10) + s.slice(i + 1);
const parseExamples: { input: string | string[]; expected: Record<string, unknown> }[] = [
  { input: sample, expected: { ok: true, data: formatData[1] } },
  { input: sampleDigits, expected: { ok: true, data: formatData[1] } },
  { input: sample.replace(/-/g, ' '), expected: { ok: true, data: formatData[1] } },
  { input: ` ${sample.replace(/-/g, ' - ')} `, expected: { ok: true, data: formatData[1] } },
  { input: sample.split('-'), expected: { ok: true, data: formatData[1] } },
  { input: flip(sampleDigits, 6), expected: { ok: false, reason: 'TYPO', typoGroups: [2] } },
  { input: flip(flip(sampleDigits, 0), 14), expected: { ok: false, reason: 'TYPO', typoGroups: [1, 3] } },
  { input: sampleDigits.slice(0, 14), expected: { ok: false, reason: 'FORMAT' } },
  { input: `${sample.slice(0, 7)}x${sample.slice(8)}`, expected: { ok: false, reason: 'FORMAT' } },
  { input: sample.replace(/-/g, '.'), expected: { ok: false, reason: 'FORMAT' } },
];
for (const ex of parseExamples) {
  const got = parseCode(ex.input);
  const want = ex.expected;
  check(got.ok === want.ok, `parse ${JSON.stringify(ex.input)} ok`);
  if (got.ok) check(got.data === want.data, `parse ${JSON.stringify(ex.input)} data`);
  else {
    check(got.reason === want.reason, `parse ${JSON.stringify(ex.input)} reason`);
    if (got.reason === 'TYPO') {
      check(JSON.stringify(got.typoGroups) === JSON.stringify(want.typoGroups), 'typo groups');
    }
  }
}

// ---------------------------------------------------------------- confirmation
const master1 = Buffer.from('000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f', 'hex');
const master2 = bytesFrom('mophas/code-vectors/master-secret-2');

interface ConfirmInput {
  master: Buffer;
  customerId: string;
  releaseVersion: string;
  challenge: string;
  note: string;
}
const confirmInputs: ConfirmInput[] = [
  { master: master1, customerId: 'C000123', releaseVersion: '03.01.00_030', challenge: '000000000000', note: 'all-zero challenge' },
  { master: master1, customerId: 'C000123', releaseVersion: '03.01.00_031', challenge: '123456789012', note: 'baseline' },
  {
    master: master1,
    customerId: 'C000123',
    releaseVersion: '03.01.00_032',
    challenge: '123456789012',
    note: 'same customer and challenge, other release',
  },
  {
    master: master1,
    customerId: 'C000124',
    releaseVersion: '03.01.00_031',
    challenge: '123456789012',
    note: 'same release and challenge, other customer',
  },
  {
    master: master1,
    customerId: 'C000123',
    releaseVersion: '03.01.00_031',
    challenge: '123456789013',
    note: 'same customer and release, other challenge',
  },
  {
    master: master2,
    customerId: 'Caffè Rossi S.r.l.',
    releaseVersion: '03.02.00_001',
    challenge: '999999999999',
    note: 'non-ASCII customer id (UTF-8: "è" = c3 a8)',
  },
  { master: master2, customerId: 'cust-7f3a', releaseVersion: '10.00.00_100', challenge: '480215937604', note: 'second master secret' },
];
// One vector whose response starts with 0, to pin the left padding.
for (let i = 0; ; i++) {
  const challenge = String(500000000000 + i * 7919).padStart(12, '0');
  const key = deriveCustomerKey(master1, 'C000123');
  const response = confirmationResponse(key, { customerId: 'C000123', releaseVersion: '03.01.00_030', challenge });
  if (response.startsWith('0')) {
    confirmInputs.push({
      master: master1,
      customerId: 'C000123',
      releaseVersion: '03.01.00_030',
      challenge,
      note: 'response with leading zero (left padding)',
    });
    break;
  }
}

const confirmation = confirmInputs.map((v) => {
  const keyMessage = `mophas/confirm/v1/customer-key|${v.customerId}`;
  const customerKey = createHmac('sha256', v.master).update(Buffer.from(keyMessage, 'utf8')).digest();
  check(customerKey.equals(deriveCustomerKey(v.master, v.customerId)), `customer key ${v.customerId}`);
  const challengeFormatted = formatCode(v.challenge);
  const responseMessage = `mophas/confirm/v1/response|${v.customerId}|${v.releaseVersion}|${v.challenge}`;
  const mac = independentMac(customerKey, responseMessage);
  const response = confirmationResponse(customerKey, {
    customerId: v.customerId,
    releaseVersion: v.releaseVersion,
    challenge: challengeFormatted,
  });
  check(dataOf(response) === mac.data, `response ${v.note}`);
  check(
    verifyConfirmationResponse(
      customerKey,
      { customerId: v.customerId, releaseVersion: v.releaseVersion, challenge: v.challenge },
      response,
    ).ok,
    `verify ${v.note}`,
  );
  return {
    note: v.note,
    masterSecretHex: v.master.toString('hex'),
    customerId: v.customerId,
    customerKeyMessage: keyMessage,
    customerKeyHex: customerKey.toString('hex'),
    releaseVersion: v.releaseVersion,
    challenge: challengeFormatted,
    challengeData: v.challenge,
    responseMessage,
    macFirst8BytesHex: mac.prefixHex,
    responseData: mac.data,
    response,
  };
});

// ---------------------------------------------------------------- lock exchange
interface LockInput {
  secretLabel: string;
  serial: string;
  action: LockAction;
  nonce: string;
  note: string;
}
const lockInputs: LockInput[] = [
  { secretLabel: 'device-1', serial: '352099001761481', action: 'lock', nonce: '00000000000', note: 'all-zero nonce' },
  {
    secretLabel: 'device-1',
    serial: '352099001761481',
    action: 'unlock',
    nonce: '00000000000',
    note: 'same device and nonce as the lock above: action changes every code',
  },
  { secretLabel: 'device-2', serial: '490154203237518', action: 'lock', nonce: '12345678901', note: 'baseline lock' },
  { secretLabel: 'device-2', serial: '490154203237518', action: 'unlock', nonce: '12345678901', note: 'baseline unlock' },
  { secretLabel: 'device-3', serial: '356938035643809', action: 'lock', nonce: '98765432109', note: 'third device' },
  { secretLabel: 'device-3', serial: '356938035643809', action: 'unlock', nonce: '55555555555', note: 'third device, other nonce' },
  {
    secretLabel: 'device-2',
    serial: '490154203237526',
    action: 'lock',
    nonce: '12345678901',
    note: 'device-2 secret and nonce, other serial',
  },
];

const lockExchange = lockInputs.map((v) => {
  const secretBytes = bytesFrom(`mophas/code-vectors/${v.secretLabel}`);
  const secret = secretBytes.toString('base64url');
  const code1 = makeCode1(v.action, v.nonce);
  const code2Message = `mophas/lock/v1/code2|${v.serial}|${v.action}|${code1.data}`;
  const mac2 = independentMac(secretBytes, code2Message);
  const hq = code2For(secret, v.serial, code1.formatted);
  if (!hq.ok) throw new Error(`code2For failed: ${hq.reason}`);
  check(hq.action === v.action && dataOf(hq.code2) === mac2.data, `code 2 ${v.note}`);
  check(verifyCode2(secret, v.serial, code1.data, hq.code2).ok, `device verifies code 2 ${v.note}`);
  const code3Message = `mophas/lock/v1/code3|${v.serial}|${v.action}|${code1.data}|${mac2.data}`;
  const mac3 = independentMac(secretBytes, code3Message);
  const code3 = makeCode3(secret, v.serial, code1.data, hq.code2);
  check(dataOf(code3) === mac3.data, `code 3 ${v.note}`);
  check(verifyCode3(secret, v.serial, code1.formatted, hq.code2, code3).ok, `HQ verifies code 3 ${v.note}`);
  return {
    note: v.note,
    secretBase64url: secret,
    secretHex: secretBytes.toString('hex'),
    serial: v.serial,
    action: v.action,
    nonce: v.nonce,
    code1Data: code1.data,
    code1: code1.formatted,
    code2Message,
    code2MacFirst8BytesHex: mac2.prefixHex,
    code2Data: mac2.data,
    code2: hq.code2,
    code3Message,
    code3MacFirst8BytesHex: mac3.prefixHex,
    code3Data: mac3.data,
    code3,
  };
});
check(lockExchange.filter((v) => v.action === 'lock').length >= 3, '3 lock vectors');
check(lockExchange.filter((v) => v.action === 'unlock').length >= 3, '3 unlock vectors');

const document = {
  description:
    'Test vectors for the mOphas code algorithms (shared/codes). Algorithms: docs/code-algorithms.md. ' +
    'All strings are UTF-8; codes are shown as NNNNN-NNNNN-NNNNN (4 data digits + 1 Damm check digit per group).',
  generatedBy: 'npx tsx scripts/gen-code-vectors.ts',
  damm,
  codeFormat: { format, parse: parseExamples },
  confirmation,
  lockExchange,
};

writeFileSync(OUTPUT, `${JSON.stringify(document, null, 2)}\n`, 'utf8');
console.log(
  `wrote ${OUTPUT}: ${damm.checkDigits.length} Damm, ${confirmation.length} confirmation, ${lockExchange.length} lock-exchange vectors`,
);
