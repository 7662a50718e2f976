import { createPublicKey, verify } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkResponse } from '../../../shared/api/check-response';
import { versionFeed } from '../../../shared/api/routes/version-feed';
import { TestApi } from '../../fixtures/api';
import { createTenant, publishTestRelease, type Tenant } from '../../fixtures/tenant';

/*
 * Issue 10 item 2: a desktop written from docs/feed.md alone must accept the
 * startup answer as served. This test reads the document — the example of §3,
 * its field tables, the test-vector key of §4 — and parses live answers with
 * nothing else: node:crypto for the signature, no project code on the way.
 */
// This file owns the 65.xx range.
const FROM = '65.00.00_001';
const TO = '65.00.00_002';
const AHEAD = '99.99.99_999';

const doc = readFileSync(new URL('../../../docs/feed.md', import.meta.url), 'utf8');
const section = (title: string) => doc.slice(doc.indexOf(title), doc.indexOf('\n## ', doc.indexOf(title) + 1));
const answerFormat = section('## 3. The answer format');

/** The first backticked name in the first column of each row of the markdown tables of a text (`a.b` gives `a.b`). */
const tableFields = (text: string) => [...text.matchAll(/^\| `([A-Za-z.]+)`/gm)].map(([, name]) => name!);
const documented = tableFields(answerFormat.slice(0, answerFormat.indexOf('`payload` is a string')));
const topLevel = documented.filter((f) => !f.includes('.'));
const envelope = documented.filter((f) => f.startsWith('answer.')).map((f) => f.slice('answer.'.length));
const payloadFields = tableFields(answerFormat.slice(answerFormat.indexOf('Decoded, the payload'), answerFormat.indexOf('`update`:')));
const updateFields = [
  ...new Set(
    tableFields(answerFormat.slice(answerFormat.indexOf('`update`:'), answerFormat.indexOf('`update` is present'))).map(
      (f) => f.split('.')[0]!,
    ),
  ),
];
const example = JSON.parse(/```json\n([\s\S]*?)\n```/.exec(answerFormat)![1]!);
const testVectorKey = /public key \(b64u\) ([A-Za-z0-9_-]{43})/.exec(doc)![1]!;

const sorted = (keys: Iterable<string>) => [...keys].sort();
const publicKey = (raw: string) => createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: raw }, format: 'jwk' });
const signatureHolds = (answer: { payload: string; signature: string }, raw: string) =>
  verify(null, Buffer.from(answer.payload, 'utf8'), publicKey(raw), Buffer.from(answer.signature, 'base64url'));

let api: TestApi;
let tenant: Tenant;
let keys: { keyId: string; publicKey: string }[];
beforeAll(async () => {
  api = await TestApi.start();
  for (const v of [FROM, TO]) await publishTestRelease(v);
  tenant = await createTenant();
  keys = (await api.call('GET', '/v1/feed/keys')).body.keys;
});
afterAll(() => api.close());

/** What a desktop written from docs/feed.md does with a startup answer. */
function readAsDocumented(body: Record<string, unknown>) {
  expect(sorted(Object.keys(body)).every((k) => topLevel.includes(k))).toBe(true);
  expect(Object.keys(body)).toEqual(expect.arrayContaining(['answer', 'installedStatus']));
  const answer = body.answer as { payload: string; signature: string; keyId: string };
  expect(sorted(Object.keys(answer))).toEqual(sorted(envelope));
  const key = keys.find((k) => k.keyId === answer.keyId);
  expect(key, 'the answer names a published key').toBeDefined();
  expect(signatureHolds(answer, key!.publicKey)).toBe(true);
  const payload = JSON.parse(answer.payload) as Record<string, unknown>;
  expect(sorted(Object.keys(payload))).toEqual(sorted(payloadFields));
  if (payload.update !== null) expect(sorted(Object.keys(payload.update as object))).toEqual(sorted(updateFields));
  return payload;
}

describe('the startup answer, as docs/feed.md describes it', () => {
  it('documents the envelope {answer, installedStatus, latestVersion?} with the signed payload inside', () => {
    expect(sorted(topLevel)).toEqual(['answer', 'installedStatus', 'latestVersion']);
    expect(sorted(envelope)).toEqual(['keyId', 'payload', 'signature']);
    expect(payloadFields).toContain('notice');
    expect(updateFields).toEqual(expect.arrayContaining(['version', 'desktop', 'mobile']));
  });

  it('gives an example that is a real answer: signed by the test-vector key and accepted by the contract', () => {
    expect(signatureHolds(example.answer, testVectorKey)).toBe(true);
    expect(sorted(Object.keys(example))).toEqual(['answer', 'installedStatus']);
    expect(checkResponse(versionFeed.desktopFeed, 200, example)).toEqual([]);
  });

  it('parses live answers with the documented shape only: an update on offer, and a desktop ahead of the catalog', async () => {
    const ask = async (installed: string) => {
      const res = await api.call('GET', `/v1/desktop/feed?installed=${installed}`, { auth: `Desktop ${tenant.desktopCredential}` });
      expect(res.status).toBe(200);
      return res.body as Record<string, unknown>;
    };

    const offered = await ask(FROM);
    expect(offered.installedStatus).toBe('update');
    const payload = readAsDocumented(offered);
    expect(payload).toMatchObject({ customerId: tenant.customerId, installedVersion: FROM, update: { version: TO } });

    const ahead = await ask(AHEAD);
    expect(ahead.installedStatus).toBe('ahead');
    expect(typeof ahead.latestVersion).toBe('string');
    expect(readAsDocumented(ahead)).toMatchObject({ installedVersion: AHEAD, update: null, notice: { kind: 'none' } });
  });
});
