import { generateKeyPairSync, type KeyObject, randomUUID, sign } from 'node:crypto';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { authenticate, authorize } from '../../../shared/auth/authenticate';
import { claimList, gatewayClaims, tokenScopes } from '../../../shared/auth/claims';
import { cacheJwks, verifyJwt } from '../../../shared/auth/jwt';
import { supportCanAccess, type RouteAuth, type SupportPrincipal } from '../../../shared/auth/principals';
import { jwtAuthorizerSettings, STAFF_ROUTE_SCOPE, type StaffSignInConfig } from '../../../shared/auth/sign-in';
import { ddb } from '../../../shared/aws/dynamodb';
import { ENV } from '../../../shared/config';
import { agentKeys } from '../../../shared/db/keys';
import type { HttpEvent } from '../../../shared/http/handler';

/*
 * The authorisation decisions for people on the Alturas side, end to end but
 * without a network: tokens signed here with a key whose JWKS is seeded into the
 * verifier (the JWT authorizer's check, as the local gateway runs it), then the
 * claims the way API Gateway hands them to the function, then the one
 * authorisation layer. Agent assignments come from a mocked table.
 */

const CONFIG: StaffSignInConfig = {
  region: 'eu-south-1',
  userPoolId: 'eu-south-1_UnitPool',
  issuer: 'https://cognito-idp.eu-south-1.amazonaws.com/eu-south-1_UnitPool',
  clients: { cli: 'cli-client-id', console: 'console-client-id' },
};
const SETTINGS = jwtAuthorizerSettings(CONFIG);
const KID = 'unit-key-1';

const pair = () => generateKeyPairSync('rsa', { modulusLength: 2048 });
let poolKey: KeyObject;
let otherKey: KeyObject;

const dbMock = mockClient(ddb);
// The unit tier shares one module registry per worker: later files get the real client back.
afterAll(() => dbMock.restore());

beforeAll(() => {
  process.env[ENV.staffSignIn] = JSON.stringify(CONFIG);
  const keys = pair();
  poolKey = keys.privateKey;
  otherKey = pair().privateKey;
  cacheJwks(SETTINGS, { keys: [{ ...keys.publicKey.export({ format: 'jwk' }), kid: KID, alg: 'RS256', use: 'sig' }] });
});
beforeEach(() => dbMock.reset());

const now = () => Math.floor(Date.now() / 1000);

/** An RS256 JWT, like the pool issues (access token unless overridden). */
function token(claims: Record<string, unknown> = {}, options: { key?: KeyObject; kid?: string; alg?: string } = {}): string {
  const header = { alg: options.alg ?? 'RS256', kid: options.kid ?? KID, typ: 'JWT' };
  const payload = {
    sub: 'sub-anna',
    username: 'anna',
    client_id: CONFIG.clients.cli,
    token_use: 'access',
    scope: STAFF_ROUTE_SCOPE,
    'cognito:groups': ['staff'],
    iss: CONFIG.issuer,
    iat: now() - 10,
    exp: now() + 3600,
    jti: randomUUID(),
    ...claims,
  };
  const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
  const input = `${b64(header)}.${b64(payload)}`;
  const signature = options.alg === 'none' ? '' : sign('sha256', Buffer.from(input), options.key ?? poolKey).toString('base64url');
  return `${input}.${signature}`;
}

/** What the function receives after API Gateway's JWT authorizer accepted the token. */
async function eventFor(jwt: string): Promise<HttpEvent> {
  const payload = await verifyJwt(jwt, SETTINGS);
  return {
    headers: { authorization: `Bearer ${jwt}` },
    requestContext: { authorizer: { jwt: { claims: gatewayClaims(payload), scopes: tokenScopes(payload) } } },
  } as unknown as HttpEvent;
}

/** The agent's assignments, as the table holds them (a string set). */
function assignments(sub: string, customers: string[] | undefined) {
  dbMock.on(GetCommand, { Key: agentKeys.agent(sub) }).resolves({ Item: customers ? { customers: new Set(customers) } : undefined });
}

const decide = async (jwt: string, auth: Exclude<RouteAuth, 'public'>) => {
  const principal = await authenticate(await eventFor(jwt), auth);
  authorize(principal, auth);
  return principal as SupportPrincipal;
};

describe('the JWT authorizer check (API Gateway and the local gateway)', () => {
  it('accepts an access token of the pool for either app client', async () => {
    await expect(verifyJwt(token(), SETTINGS)).resolves.toMatchObject({ username: 'anna' });
    await expect(verifyJwt(token({ client_id: CONFIG.clients.console }), SETTINGS)).resolves.toMatchObject({ username: 'anna' });
  });

  it('refuses an expired token', async () => {
    await expect(verifyJwt(token({ iat: now() - 7200, exp: now() - 3600 }), SETTINGS)).rejects.toThrow(/expired/i);
  });

  it('refuses a forged token: signed with another key under the pool key id, or not signed at all', async () => {
    await expect(verifyJwt(token({}, { key: otherKey }), SETTINGS)).rejects.toThrow(/signature/i);
    await expect(verifyJwt(token({}, { alg: 'none' }), SETTINGS)).rejects.toThrow();
    const [header, , signature] = token().split('.');
    const elevated = Buffer.from(
      JSON.stringify({ ...JSON.parse(Buffer.from(token().split('.')[1]!, 'base64url').toString()), username: 'root' }),
    );
    await expect(verifyJwt(`${header}.${elevated.toString('base64url')}.${signature}`, SETTINGS)).rejects.toThrow(/signature/i);
  });

  it('refuses a token for another audience (another app client, or an ID token of one) or from another issuer', async () => {
    await expect(verifyJwt(token({ client_id: 'some-other-client' }), SETTINGS)).rejects.toThrow();
    await expect(verifyJwt(token({ aud: 'some-other-client', client_id: undefined }), SETTINGS)).rejects.toThrow();
    await expect(verifyJwt(token({ iss: 'https://cognito-idp.eu-south-1.amazonaws.com/eu-south-1_OtherPool' }), SETTINGS)).rejects.toThrow(
      /issuer/i,
    );
  });

  it('refuses an ID token of the pool: it carries no scope', async () => {
    const idToken = token({ token_use: 'id', aud: CONFIG.clients.cli, client_id: undefined, scope: undefined, username: undefined });
    await expect(verifyJwt(idToken, SETTINGS)).rejects.toThrow(/scope/i);
  });

  it('refuses a token not yet valid or issued in the future', async () => {
    await expect(verifyJwt(token({ nbf: now() + 600 }), SETTINGS)).rejects.toThrow();
    await expect(verifyJwt(token({ iat: now() + 600 }), SETTINGS)).rejects.toThrow();
  });

  it('renders claims the way API Gateway passes them (strings, lists as [a b])', () => {
    const claims = gatewayClaims({ 'cognito:groups': ['staff', 'agent'], exp: 5, username: 'anna' });
    expect(claims).toEqual({ 'cognito:groups': '[staff agent]', exp: '5', username: 'anna' });
    expect(claimList(claims['cognito:groups'])).toEqual(['staff', 'agent']);
    expect(claimList(['agent'])).toEqual(['agent']);
    expect(claimList(undefined)).toEqual([]);
  });
});

describe('who may do what (the one authorisation layer)', () => {
  it('gives staff every customer, on staff and support routes', async () => {
    const staff = await decide(token(), 'staff');
    expect(staff).toEqual({ kind: 'support', id: 'anna', sub: 'sub-anna', role: 'staff', customers: '*' });
    expect(supportCanAccess(staff, 'any-customer')).toBe(true);
    await expect(decide(token(), 'support')).resolves.toMatchObject({ role: 'staff' });
  });

  it('gives an agent exactly its assigned customers, and no staff route', async () => {
    const agentToken = token({ sub: 'sub-rossi', username: 'rossi', 'cognito:groups': ['agent'] });
    assignments('sub-rossi', ['c-1', 'c-2']);
    const agent = await decide(agentToken, 'support');
    expect(agent).toMatchObject({ id: 'rossi', role: 'agent', customers: ['c-1', 'c-2'] });
    expect(supportCanAccess(agent, 'c-1')).toBe(true);
    expect(supportCanAccess(agent, 'c-3')).toBe(false);
    await expect(decide(agentToken, 'staff')).rejects.toMatchObject({ statusCode: 403, code: 'STAFF_REQUIRED' });
  });

  it('lets an unassigned agent in with no customer at all', async () => {
    assignments('sub-new', undefined);
    const agent = await decide(token({ sub: 'sub-new', username: 'new', 'cognito:groups': ['agent'] }), 'support');
    expect(agent.customers).toEqual([]);
    expect(supportCanAccess(agent, 'c-1')).toBe(false);
  });

  it('refuses a person in neither group (403) and keeps staff the stronger group', async () => {
    await expect(decide(token({ 'cognito:groups': undefined }), 'support')).rejects.toMatchObject({ statusCode: 403 });
    await expect(decide(token({ 'cognito:groups': ['viewers'] }), 'support')).rejects.toMatchObject({ statusCode: 403 });
    await expect(decide(token({ 'cognito:groups': ['agent', 'staff'] }), 'staff')).resolves.toMatchObject({ role: 'staff' });
  });

  it('refuses claims that did not come from the authorizer, from another pool, or from an ID token (401)', async () => {
    const bare = { headers: { authorization: `Bearer ${token()}` }, requestContext: {} } as unknown as HttpEvent;
    await expect(authenticate(bare, 'support')).rejects.toMatchObject({ statusCode: 401 });
    const claimsOf = (claims: Record<string, unknown>) =>
      ({ headers: {}, requestContext: { authorizer: { jwt: { claims } } } }) as unknown as HttpEvent;
    const good = gatewayClaims({
      sub: 's',
      username: 'u',
      client_id: CONFIG.clients.cli,
      token_use: 'access',
      iss: CONFIG.issuer,
      'cognito:groups': ['staff'],
    });
    await expect(authenticate(claimsOf(good), 'staff')).resolves.toMatchObject({ role: 'staff' });
    await expect(authenticate(claimsOf({ ...good, iss: 'https://elsewhere' }), 'staff')).rejects.toMatchObject({ statusCode: 401 });
    await expect(authenticate(claimsOf({ ...good, token_use: 'id' }), 'staff')).rejects.toMatchObject({ statusCode: 401 });
    await expect(authenticate(claimsOf({ ...good, client_id: 'stranger' }), 'staff')).rejects.toMatchObject({ statusCode: 401 });
  });

  it('never lets a signed-in person through a pipeline route or a desktop route', async () => {
    const event = await eventFor(token());
    await expect(authenticate(event, 'pipeline')).rejects.toMatchObject({ statusCode: 401 });
    await expect(authenticate(event, 'admin')).rejects.toMatchObject({ statusCode: 401 });
  });
});
