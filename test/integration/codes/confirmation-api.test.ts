import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_PEOPLE } from '../../../local/stack';
import { ddb } from '../../../shared/aws/dynamodb';
import { formatCode, parseCode } from '../../../shared/codes/code-format';
import { tableName } from '../../../shared/config';
import { customerKeys } from '../../../shared/db/keys';
import { TestApi } from '../../fixtures/api';
import { createAgent, staffAuth } from '../../fixtures/sign-in';
import { createTenant, putTestRelease, type Tenant } from '../../fixtures/tenant';

let api: TestApi;
let tenant: Tenant;
let other: Tenant;
let admin: string;
// A release needing a code, unique to this file (tests of one file run in order).
const VERSION = `09.${String(Math.floor(Math.random() * 90) + 10)}.00_${String(Math.floor(Math.random() * 900) + 100)}`;
const PLAIN = VERSION.replace(/_\d{3}$/, '_001');

beforeAll(async () => {
  api = await TestApi.start();
  await putTestRelease(VERSION, true);
  await putTestRelease(PLAIN, false);
  tenant = await createTenant();
  other = await createTenant();
  admin = await api.login(tenant, 'admin');
});
afterAll(() => api.close());

const open = async (auth = admin) => api.call('POST', `/v1/desktop/releases/${VERSION}/challenge`, { auth });
const respond = async (challenge: string, customerId = tenant.customerId, auth?: string) =>
  api.call('POST', '/v1/support/confirmation-responses', {
    auth: auth ?? (await staffAuth()),
    body: { customerId, version: VERSION, challenge },
  });
const submit = (response: unknown, auth = admin) =>
  api.call('POST', `/v1/desktop/releases/${VERSION}/confirmation`, { auth, body: { response } });
/** A well-formed response that is not the right one. */
function wrong(right: string): string {
  const parsed = parseCode(right);
  if (!parsed.ok) throw new Error('expected a valid code');
  return formatCode(String((Number(parsed.data) + 1) % 1e12).padStart(12, '0'));
}

describe('confirmation codes over the API (CODE-1..4)', () => {
  it('opens a challenge of three 5-digit groups with 5 attempts and a 24 h expiry', async () => {
    const res = await open();
    expect(res.status).toBe(201);
    expect(res.body.challenge).toMatch(/^\d{5}-\d{5}-\d{5}$/);
    expect(res.body.groups).toHaveLength(3);
    expect(res.body.attemptsLeft).toBe(5);
    const hours = (Date.parse(res.body.expiresAt) - Date.now()) / 3_600_000;
    expect(hours).toBeGreaterThan(23.9);
    expect(hours).toBeLessThanOrEqual(24);
  });

  it('voids the previous challenge when the window is reopened', async () => {
    const first = (await open()).body.challenge as string;
    const answerToFirst = (await respond(first)).body.response as string;
    const second = (await open()).body.challenge as string;
    expect(second).not.toBe(first);
    // Support can no longer answer the old one…
    const late = await respond(first);
    expect(late.status).toBe(409);
    expect(late.body.code).toBe('CHALLENGE_NOT_OPEN');
    // …and the answer given before reopening does not confirm the new one.
    const res = await submit(answerToFirst);
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('CODE_MISMATCH');
  });

  it('reports a typo with its group before spending any attempt', async () => {
    const challenge = (await open()).body.challenge as string;
    const response = (await respond(challenge)).body.response as string;
    const typo = response.slice(0, 12) + String((Number(response[12]) + 1) % 10) + response.slice(13);
    const res = await submit(typo);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 'CODE_TYPO', typoGroups: [3] });
    expect(res.body.messages.it).toMatch(/gruppo 3/i);
    // Still 5 attempts: the first wrong answer leaves 4.
    const miss = await submit(wrong(response));
    expect(miss.status).toBe(422);
    expect(miss.body).toMatchObject({ code: 'CODE_MISMATCH', attemptsLeft: 4 });
    expect(miss.body.messages.it).toMatch(/non è possibile avviare/);
  });

  it('kills the challenge after 5 wrong answers, even for the right response afterwards', async () => {
    const challenge = (await open()).body.challenge as string;
    const response = (await respond(challenge)).body.response as string;
    for (let left = 4; left >= 0; left--) {
      const res = await submit(wrong(response));
      expect(res.status).toBe(422);
      expect(res.body.attemptsLeft).toBe(left);
    }
    const late = await submit(response);
    expect(late.status).toBe(429);
    expect(late.body).toMatchObject({ code: 'TOO_MANY_ATTEMPTS', attemptsLeft: 0 });
  });

  it('evaluates at most 5 of 20 parallel guesses: attempts are taken before comparing', async () => {
    const challenge = (await open()).body.challenge as string;
    const response = (await respond(challenge)).body.response as string;
    const guesses = await Promise.all(Array.from({ length: 20 }, () => submit(wrong(response))));
    expect(guesses.filter((g) => g.status === 422)).toHaveLength(5);
    expect(guesses.every((g) => g.status === 422 || g.status === 429)).toBe(true);
    expect((await submit(response)).status).toBe(429);
  });

  it('refuses an expired challenge', async () => {
    const challenge = (await open()).body.challenge as string;
    const response = (await respond(challenge)).body.response as string;
    await ddb.send(
      new UpdateCommand({
        TableName: tableName(),
        Key: customerKeys.challenge(tenant.customerId, VERSION),
        UpdateExpression: 'SET expiresAt = :past',
        ExpressionAttributeValues: { ':past': Date.now() - 1000 },
      }),
    );
    const res = await submit(response);
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('CHALLENGE_EXPIRED');
  });

  it("never accepts a response generated for another customer's identical challenge", async () => {
    const otherAdmin = await api.login(other, 'admin');
    const mine = (await open()).body.challenge as string;
    // Make the other customer's open challenge identical, then answer it for them.
    await open(otherAdmin);
    await ddb.send(
      new UpdateCommand({
        TableName: tableName(),
        Key: customerKeys.challenge(other.customerId, VERSION),
        UpdateExpression: 'SET challenge = :c',
        ExpressionAttributeValues: { ':c': (parseCode(mine) as { data: string }).data },
      }),
    );
    const theirs = (await respond(mine, other.customerId)).body.response as string;
    const res = await submit(theirs);
    expect(res.status).toBe(422);
  });

  it('confirms the release once with the right response; the response is single-use and the code is never asked again', async () => {
    const challenge = (await open()).body.challenge as string;
    const generated = await respond(challenge);
    expect(generated.status).toBe(200);
    const response = generated.body.response as string;
    const ok = await submit(response.split('-'));
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ version: VERSION, confirmed: true });
    const again = await submit(response);
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ code: 'CHALLENGE_USED', confirmed: true });
    const reopen = await open();
    expect(reopen.status).toBe(409);
    expect(reopen.body).toMatchObject({ code: 'ALREADY_CONFIRMED', confirmed: true });
  });

  it('answers 409 for a release that needs no code and 404 for an unknown one, 400 naming a malformed version', async () => {
    expect((await api.call('POST', `/v1/desktop/releases/${PLAIN}/challenge`, { auth: admin })).body.code).toBe(
      'CONFIRMATION_NOT_REQUIRED',
    );
    expect((await api.call('POST', '/v1/desktop/releases/98.00.00_000/challenge', { auth: admin })).status).toBe(404);
    const bad = await api.call('POST', '/v1/desktop/releases/3.1.0/challenge', { auth: admin });
    expect(bad.status).toBe(400);
    expect(bad.body.issues[0].field).toBe('version');
  });

  it('audits every challenge, response generation and verification attempt, listable by support', async () => {
    const res = await api.call('GET', `/v1/support/customers/${tenant.customerId}/audit?action=code.&limit=200`, {
      auth: await staffAuth(),
    });
    expect(res.status).toBe(200);
    const actions = res.body.entries.map((e: { action: string; outcome: string }) => `${e.action}:${e.outcome}`);
    expect(actions).toContain('code.challenge.created:ok');
    expect(actions).toContain('code.response.generated:ok');
    expect(actions).toContain('code.response.generated:refused');
    expect(actions).toContain('code.response.verified:refused');
    expect(actions).toContain('code.response.verified:ok');
    const generated = res.body.entries.find((e: { action: string }) => e.action === 'code.response.generated');
    expect(generated.actor).toEqual({ kind: 'support', id: LOCAL_PEOPLE.staff.username });
    expect(generated.details.version).toBe(VERSION);
    expect(JSON.stringify(res.body)).not.toMatch(/\d{5}-\d{5}-\d{5}/);
  });

  it('refuses a cursor that points into another partition', async () => {
    const cursor = Buffer.from(JSON.stringify({ pk: `AUDIT#${other.customerId}`, sk: 'z' })).toString('base64url');
    const res = await api.call('GET', `/v1/support/customers/${tenant.customerId}/audit?cursor=${cursor}`, { auth: await staffAuth() });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('INVALID_CURSOR');
  });
});

describe('who may do what with confirmation codes', () => {
  it("refuses a customer's admin generating a support response (401: its session token is no staff sign-in)", async () => {
    const res = await api.call('POST', '/v1/support/confirmation-responses', {
      auth: admin,
      body: { customerId: tenant.customerId, version: VERSION, challenge: '00000-00000-00000' },
    });
    // API Gateway's JWT authorizer refuses it before the function runs.
    expect(res.status).toBe(401);
  });

  it('lets an agent answer only for the customers it is authorised for (403 otherwise)', async () => {
    const asAgent = { auth: (await createAgent(api, [other.customerId])).auth };
    const refused = await api.call('POST', '/v1/support/confirmation-responses', {
      ...asAgent,
      body: { customerId: tenant.customerId, version: VERSION, challenge: '00000-00000-00000' },
    });
    expect(refused.status).toBe(403);
    expect((await api.call('GET', `/v1/support/customers/${tenant.customerId}/audit`, asAgent)).status).toBe(403);
    // For its own customer it gets past authorisation (to the challenge check).
    const allowed = await api.call('POST', '/v1/support/confirmation-responses', {
      ...asAgent,
      body: { customerId: other.customerId, version: VERSION, challenge: '00000-00000-00000' },
    });
    expect(allowed.status).toBe(409);
    expect(allowed.body.code).toBe('CHALLENGE_NOT_OPEN');
  });

  it('refuses a plain user, an admin on a client workstation, and a missing or forged credential', async () => {
    const clerk = await api.login(tenant, 'clerk');
    const clerkRes = await open(clerk);
    expect(clerkRes.status).toBe(403);
    expect(clerkRes.body.code).toBe('ADMIN_REQUIRED');
    const client = await api.login(tenant, 'admin', 'client');
    const clientRes = await open(client);
    expect(clientRes.status).toBe(403);
    expect(clientRes.body.code).toBe('SERVER_WORKSTATION_REQUIRED');
    expect(clientRes.body.messages.it).toMatch(/SERVER/);
    // A client workstation cannot claim to be the SERVER: the workstation comes from its credential.
    const claimed = await api.call('POST', '/v1/desktop/login', {
      auth: `Desktop ${tenant.clientCredential}`,
      body: { username: 'admin', password: tenant.users.admin!.password, workstation: 'server' },
    });
    expect(claimed.body.workstation).toBe('client');
    expect((await open(`Bearer ${claimed.body.token}`)).body.code).toBe('SERVER_WORKSTATION_REQUIRED');
    expect((await open('')).status).toBe(401);
    expect((await open('Bearer ust_aaaaaaaaaaaa.bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb')).status).toBe(401);
    expect((await open(`Desktop ${tenant.desktopCredential}`)).status).toBe(403);
  });

  it('makes the first-login account change its password before anything else', async () => {
    const fresh = await createTenant({ users: { ammin: { password: 'ammin', role: 'admin', mustChangePassword: true } } });
    const auth = await api.login(fresh, 'ammin');
    const blocked = await open(auth);
    expect(blocked.status).toBe(403);
    expect(blocked.body.code).toBe('PASSWORD_CHANGE_REQUIRED');
    const weak = await api.call('POST', '/v1/desktop/password', { auth, body: { currentPassword: 'ammin', newPassword: 'ammin' } });
    expect(weak.status).toBe(400);
    const changed = await api.call('POST', '/v1/desktop/password', {
      auth,
      body: { currentPassword: 'ammin', newPassword: 'a-much-better-one' },
    });
    expect(changed.status).toBe(200);
    // The old session ended; the new password works and the account is usable.
    expect((await open(auth)).status).toBe(401);
    fresh.users.ammin!.password = 'a-much-better-one';
    const again = await api.login(fresh, 'ammin');
    expect((await open(again)).status).not.toBe(403);
  });
});
