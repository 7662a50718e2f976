import { createHash, createHmac, randomBytes } from 'node:crypto';
import { AdminCreateUserCommand, AdminAddUserToGroupCommand, InitiateAuthCommand } from '@aws-sdk/client-cognito-identity-provider';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MophasClientError } from '../../../client/http';
import { SupportSession, type SignInInfo, type SupportTokens } from '../../../client/sign-in';
import { memoryStore } from '../../../client/state';
import { SupportClient } from '../../../client/support';
import { LOCAL_PEOPLE } from '../../../local/stack';
import { LOCAL_CONSOLE_URL, staffSignIn } from '../../../shared/auth/sign-in';
import { cognito } from '../../../shared/aws/cognito';
import { requireEnv } from '../../../shared/config';
import { TestApi } from '../../fixtures/api';
import { createPerson, staffAuth } from '../../fixtures/sign-in';
import { createTenant, type Tenant } from '../../fixtures/tenant';

/*
 * Sign-in for people on the Alturas side, for real: the staff pool in
 * cognito-local, the SDK's SupportSession, the local gateway running the JWT
 * authorizer's check, and the support function's authorisation.
 */

let api: TestApi;
let tenant: Tenant;
let other: Tenant;

beforeAll(async () => {
  api = await TestApi.start();
  [tenant, other] = await Promise.all([createTenant(), createTenant()]);
});
afterAll(() => api.close());

const session = (store = memoryStore<SupportTokens>()) => new SupportSession({ apiUrl: api.gateway.url, store });
const codeOf = (error: unknown) => (error as MophasClientError).code;

/** RFC 6238 TOTP (SHA-1, 6 digits, 30 s) from a base32 secret, as an authenticator app computes it. */
function totp(secret: string, at = Date.now()): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const ch of secret.replace(/=+$/, '').toUpperCase()) bits += alphabet.indexOf(ch).toString(2).padStart(5, '0');
  const key = Buffer.from(bits.match(/.{8}/g)!.map((b) => Number.parseInt(b, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(at / 1000 / 30)));
  const mac = createHmac('sha1', key).update(counter).digest();
  const offset = mac[mac.length - 1]! & 0xf;
  return String((mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000).padStart(6, '0');
}

describe('signing in with the staff user pool', () => {
  it('finds the pool through the API and signs the bootstrapped staff user in', async () => {
    const info = (await api.call('GET', '/v1/support/sign-in')).body as SignInInfo;
    expect(info).toMatchObject({ provider: 'cognito', userPoolId: staffSignIn().userPoolId, clients: staffSignIn().clients });
    const s = session();
    const signedIn = await s.login(LOCAL_PEOPLE.staff.username, requireEnv(LOCAL_PEOPLE.staff.passwordEnv));
    expect(signedIn).toMatchObject({ username: LOCAL_PEOPLE.staff.username, groups: ['staff'] });
    const me = await new SupportClient({ apiUrl: api.gateway.url, session: s }).me();
    expect(me).toEqual({ username: LOCAL_PEOPLE.staff.username, role: 'staff', customers: 'all' });
  });

  it('refuses a wrong password without saying whether the user exists', async () => {
    const wrong = await session()
      .login(LOCAL_PEOPLE.staff.username, 'Not-the-password-1!')
      .catch((e: unknown) => e);
    const nobody = await session()
      .login('nobody-at-all', 'Not-the-password-1!')
      .catch((e: unknown) => e);
    expect(codeOf(wrong)).toBe('SIGN_IN_FAILED');
    expect(codeOf(nobody)).toBe('SIGN_IN_FAILED');
    expect((wrong as Error).message).toBe((nobody as Error).message);
  });

  it('refuses people routes without a valid pool token before the function runs (401, as API Gateway answers)', async () => {
    const none = await api.call('GET', '/v1/support/me');
    expect(none.status).toBe(401);
    expect(none.body).toEqual({ message: 'Unauthorized' });
    const staff = await staffAuth();
    const [header, payload, signature] = staff.slice('Bearer '.length).split('.');
    const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString());
    const altered = Buffer.from(JSON.stringify({ ...claims, username: 'someone-else' })).toString('base64url');
    expect((await api.call('GET', '/v1/support/me', { auth: `Bearer ${header}.${altered}.${signature}` })).status).toBe(401);
    expect((await api.call('GET', '/v1/support/me', { auth: 'Bearer not-a-token' })).status).toBe(401);
    // The desktop's own session tokens are no staff sign-in.
    expect((await api.call('GET', '/v1/support/me', { auth: await api.login(tenant, 'admin') })).status).toBe(401);
    // The token alone (no "Bearer "), as API Gateway also accepts it.
    expect((await api.call('GET', '/v1/support/me', { auth: staff.slice('Bearer '.length) })).status).toBe(200);
  });

  it('refuses an ID token of the pool (403: no scope), accepting only access tokens', async () => {
    const person = await createPerson('staff');
    const answer = await cognito.send(
      new InitiateAuthCommand({
        ClientId: staffSignIn().clients.cli,
        AuthFlow: 'USER_PASSWORD_AUTH',
        AuthParameters: { USERNAME: person.username, PASSWORD: person.password },
      }),
    );
    const res = await api.call('GET', '/v1/support/me', { auth: `Bearer ${answer.AuthenticationResult!.IdToken}` });
    expect(res.status).toBe(403);
  });

  it('renews an expired access token with the refresh token, and after sign-out the refresh token is dead', async () => {
    const store = memoryStore<SupportTokens>();
    const s = session(store);
    await s.login(LOCAL_PEOPLE.staff.username, requireEnv(LOCAL_PEOPLE.staff.passwordEnv));
    const kept = (await store.load())!;
    await store.save({ ...kept, expiresAt: Date.now() - 1000 });
    const renewed = await s.accessToken();
    expect(renewed).not.toBe(kept.accessToken);
    expect((await store.load())!.expiresAt).toBeGreaterThan(Date.now());
    expect((await api.call('GET', '/v1/support/me', { auth: `Bearer ${renewed}` })).status).toBe(200);

    expect(await s.logout()).toBe(true);
    expect(await store.load()).toBeUndefined();
    expect(codeOf(await s.accessToken().catch((e: unknown) => e))).toBe('NOT_SIGNED_IN');
    await expect(
      cognito.send(
        new InitiateAuthCommand({
          ClientId: kept.clientId,
          AuthFlow: 'REFRESH_TOKEN_AUTH',
          AuthParameters: { REFRESH_TOKEN: kept.refreshToken },
        }),
      ),
    ).rejects.toMatchObject({ name: 'NotAuthorizedException' });
  });

  it('makes a person created with a temporary password choose a new one at the first sign-in', async () => {
    const username = `first-${Date.now()}`;
    const { userPoolId } = staffSignIn();
    await cognito.send(
      new AdminCreateUserCommand({
        UserPoolId: userPoolId,
        Username: username,
        TemporaryPassword: 'Temporary-pass-1!',
        MessageAction: 'SUPPRESS',
        UserAttributes: [{ Name: 'email', Value: `${username}@alturas.example` }],
      }),
    );
    await cognito.send(new AdminAddUserToGroupCommand({ UserPoolId: userPoolId, Username: username, GroupName: 'agent' }));
    const s = session();
    expect(codeOf(await s.login(username, 'Temporary-pass-1!').catch((e: unknown) => e))).toBe('NEW_PASSWORD_REQUIRED');
    await expect(s.login(username, 'Temporary-pass-1!', { newPassword: 'Chosen-password-2!' })).resolves.toMatchObject({
      username,
      groups: ['agent'],
    });
    await expect(session().login(username, 'Chosen-password-2!')).resolves.toMatchObject({ username });
  });

  it('asks a person who turned on authenticator MFA for its code at every sign-in', async () => {
    const person = await createPerson('staff', 'mfa');
    const s = session();
    await s.login(person.username, person.password);
    const { secret, uri } = await s.startTotpSetup();
    expect(uri).toMatch(/^otpauth:\/\/totp\//);
    expect(codeOf(await s.finishTotpSetup('000000').catch((e: unknown) => e))).toBe('MFA_CODE_WRONG');
    await s.finishTotpSetup(totp(secret));

    expect(
      codeOf(
        await session()
          .login(person.username, person.password)
          .catch((e: unknown) => e),
      ),
    ).toBe('MFA_CODE_REQUIRED');
    const wrong = String((Number(totp(secret)) + 1) % 1_000_000).padStart(6, '0');
    expect(
      codeOf(
        await session()
          .login(person.username, person.password, { mfaCode: wrong })
          .catch((e: unknown) => e),
      ),
    ).toBe('MFA_CODE_WRONG');
    await expect(session().login(person.username, person.password, { mfaCode: totp(secret) })).resolves.toMatchObject({
      username: person.username,
    });
  });
});

describe("a web page's sign-in (the console client: authorization code + PKCE)", () => {
  it('signs staff in through the hosted sign-in, and the access token it gets works on the people routes', async () => {
    const info = (await api.call('GET', '/v1/support/sign-in')).body as SignInInfo;
    expect(info.hostedSignIn).toBe(staffSignIn().endpoint);
    expect(info.scopes).toContain('aws.cognito.signin.user.admin');
    // What a page does: a verifier kept in the tab, its S256 challenge and a state in the authorize URL.
    const verifier = randomBytes(32).toString('base64url');
    const challenge = createHash('sha256').update(verifier).digest('base64url');
    const state = randomBytes(16).toString('base64url');
    const redirectUri = LOCAL_CONSOLE_URL;
    const query = new URLSearchParams({
      response_type: 'code',
      client_id: info.clients.console,
      redirect_uri: redirectUri,
      scope: info.scopes!.join(' '),
      code_challenge: challenge,
      code_challenge_method: 'S256',
      state,
    });
    const page = await fetch(`${info.hostedSignIn}/oauth2/authorize?${query}`);
    expect(page.status).toBe(200);
    // The person types the password into the hosted page, never into the console.
    const typed = await fetch(`${info.hostedSignIn}/oauth2/authorize`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        ...Object.fromEntries(query),
        username: LOCAL_PEOPLE.staff.username,
        password: requireEnv(LOCAL_PEOPLE.staff.passwordEnv),
      }),
    });
    expect(typed.status).toBe(302);
    const back = new URL(typed.headers.get('location')!);
    expect(`${back.origin}${back.pathname}`).toBe(redirectUri);
    expect(back.searchParams.get('state')).toBe(state);

    const token = async (body: Record<string, string>) =>
      fetch(`${info.hostedSignIn}/oauth2/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(body),
      });
    const exchange = { grant_type: 'authorization_code', client_id: info.clients.console, redirect_uri: redirectUri };
    // Without the verifier the code is worth nothing (PKCE).
    const stolen = await token({ ...exchange, code: back.searchParams.get('code')!, code_verifier: randomBytes(32).toString('base64url') });
    expect(stolen.status).toBe(400);

    const again = new URL(
      (
        await fetch(`${info.hostedSignIn}/oauth2/authorize`, {
          method: 'POST',
          redirect: 'manual',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({
            ...Object.fromEntries(query),
            username: LOCAL_PEOPLE.staff.username,
            password: requireEnv(LOCAL_PEOPLE.staff.passwordEnv),
          }),
        })
      ).headers.get('location')!,
    );
    const tokens = (await (await token({ ...exchange, code: again.searchParams.get('code')!, code_verifier: verifier })).json()) as {
      access_token: string;
      id_token: string;
      refresh_token: string;
    };
    const me = await api.call('GET', '/v1/support/me', { auth: `Bearer ${tokens.access_token}` });
    expect(me.status).toBe(200);
    expect(me.body).toEqual({ username: LOCAL_PEOPLE.staff.username, role: 'staff', customers: 'all' });
    // The ID token is for the page (who signed in), not for the API.
    expect((await api.call('GET', '/v1/support/me', { auth: `Bearer ${tokens.id_token}` })).status).toBe(403);

    const renewed = await token({ grant_type: 'refresh_token', client_id: info.clients.console, refresh_token: tokens.refresh_token });
    const fresh = (await renewed.json()) as { access_token: string };
    expect((await api.call('GET', '/v1/support/releases', { auth: `Bearer ${fresh.access_token}` })).status).toBe(200);
  });
});

describe('agent assignments, managed by staff', () => {
  it('lets staff assign a customer to an agent, audited once; the agent then acts for it and for no other', async () => {
    const agent = await createPerson('agent');
    const staff = await staffAuth();
    const path = `/v1/support/agents/${agent.username}/customers/${tenant.customerId}`;
    const before = await api.call('GET', `/v1/support/customers/${tenant.customerId}/users`, { auth: agent.auth });
    expect(before.status).toBe(403);

    const assigned = await api.call('PUT', path, { auth: staff });
    expect(assigned.status).toBe(200);
    expect(assigned.body).toMatchObject({ changed: true, agent: { username: agent.username, customers: [tenant.customerId] } });
    const again = await api.call('PUT', path, { auth: staff });
    expect(again.body.changed).toBe(false);

    // The same token, no new sign-in: assignments are read at each request.
    expect((await api.call('GET', `/v1/support/customers/${tenant.customerId}/users`, { auth: agent.auth })).status).toBe(200);
    expect((await api.call('GET', `/v1/support/customers/${other.customerId}/users`, { auth: agent.auth })).status).toBe(403);
    expect((await api.call('GET', '/v1/support/me', { auth: agent.auth })).body).toEqual({
      username: agent.username,
      role: 'agent',
      customers: [tenant.customerId],
    });

    const audit = await api.call('GET', `/v1/support/customers/${tenant.customerId}/audit?action=agent.`, { auth: staff });
    const entries = audit.body.entries.filter((e: { details?: { agent?: string } }) => e.details?.agent === agent.username);
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({
      action: 'agent.assigned',
      actor: { kind: 'support', id: LOCAL_PEOPLE.staff.username },
      outcome: 'ok',
    });
  });

  it('takes a customer away from an agent at its very next request, audited', async () => {
    const staff = await staffAuth();
    const agent = await createPerson('agent');
    const path = `/v1/support/agents/${agent.username}/customers/${tenant.customerId}`;
    await api.call('PUT', path, { auth: staff });
    expect((await api.call('GET', `/v1/support/customers/${tenant.customerId}/audit`, { auth: agent.auth })).status).toBe(200);

    const removed = await api.call('DELETE', path, { auth: staff });
    expect(removed.body).toMatchObject({ changed: true, agent: { customers: [] } });
    expect((await api.call('GET', `/v1/support/customers/${tenant.customerId}/audit`, { auth: agent.auth })).status).toBe(403);
    expect((await api.call('DELETE', path, { auth: staff })).body.changed).toBe(false);
    const audit = await api.call('GET', `/v1/support/customers/${tenant.customerId}/audit?action=agent.unassigned`, { auth: staff });
    expect(audit.body.entries.some((e: { details?: { agent?: string } }) => e.details?.agent === agent.username)).toBe(true);
  });

  it('lists agents and one agent for staff only', async () => {
    const staff = await staffAuth();
    const agent = await createPerson('agent');
    await api.call('PUT', `/v1/support/agents/${agent.username}/customers/${other.customerId}`, { auth: staff });
    expect((await api.call('GET', `/v1/support/agents/${agent.username}`, { auth: staff })).body).toMatchObject({
      username: agent.username,
      customers: [other.customerId],
    });
    const client = new SupportClient({ apiUrl: api.gateway.url, session: { authenticate: async () => ({ authorization: staff }) } });
    const all = [];
    for (let cursor: string | undefined, page = 0; page < 50; page++) {
      const answer = await client.agents({ limit: 100, cursor });
      all.push(...answer.items);
      cursor = answer.cursor;
      if (!cursor) break;
    }
    expect(all.map((a) => a.username)).toContain(agent.username);
    const asAgent = await api.call('GET', '/v1/support/agents', { auth: agent.auth });
    expect(asAgent.status).toBe(403);
    expect(asAgent.body.code).toBe('STAFF_REQUIRED');
  });

  it('refuses to assign to someone who is not an agent, to nobody, or a customer that does not exist', async () => {
    const staff = await staffAuth();
    const notAnAgent = await createPerson('staff');
    const refused = await api.call('PUT', `/v1/support/agents/${notAnAgent.username}/customers/${tenant.customerId}`, { auth: staff });
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ code: 'NOT_AN_AGENT', groups: ['staff'] });
    const nobody = await api.call('PUT', `/v1/support/agents/nobody-${Date.now()}/customers/${tenant.customerId}`, { auth: staff });
    expect(nobody.status).toBe(404);
    expect(nobody.body.code).toBe('AGENT_NOT_FOUND');
    const agent = await createPerson('agent');
    expect((await api.call('PUT', `/v1/support/agents/${agent.username}/customers/t-nosuch00`, { auth: staff })).status).toBe(404);
    expect((await api.call('PUT', `/v1/support/agents/bad%20name/customers/${tenant.customerId}`, { auth: staff })).status).toBe(400);
  });

  it('refuses a person in no group on every support route', async () => {
    const nobody = await createPerson(undefined);
    const res = await api.call('GET', '/v1/support/failed-updates', { auth: nobody.auth });
    expect(res.status).toBe(403);
  });
});
