import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { getAgentCustomers } from '../db/agents';
import {
  getDesktopCredential,
  getDeviceCredential,
  getPipelinePrincipal,
  getUserTokenAndUser,
  type DesktopCredentialItem,
  type DeviceCredentialItem,
} from '../db/credentials';
import { parseCredential, secretMatches } from '../domain/secrets';
import { AppError, unauthorized } from '../errors';
import { claimList } from './claims';
import {
  routeAuthorizer,
  type PipelinePrincipal,
  type Principal,
  type RouteAuth,
  type SupportPrincipal,
  type UserPrincipal,
} from './principals';
import { STAFF_GROUPS, staffSignIn } from './sign-in';

/** Token prefixes: desktop installation, device, user session. */
export const CREDENTIAL_PREFIX = { desktop: 'dsk', device: 'dev', userToken: 'ust' } as const;

/** What API Gateway's authorizers put in the request context (payload 2.0). */
interface AuthorizerContext {
  authorizer?: {
    iam?: { userArn?: string };
    jwt?: { claims?: Record<string, string | number | boolean | string[]>; scopes?: string[] | null };
  };
}

/**
 * Establishes who is calling a route that requires `auth`, from the credential
 * that kind of route takes — never from anything else:
 * - routes for people on the Alturas side (`staff`, `support`): the claims of the
 *   user-pool token API Gateway's JWT authorizer verified (the local gateway runs
 *   the same check); an agent's customers are read from the table;
 * - pipeline routes: the IAM identity API Gateway's IAM authorizer verified
 *   (SigV4), which must be registered;
 * - every other route: `Desktop dsk_…` · `Bearer ust_…` · `Device dev_…`.
 * A credential that is missing, malformed, unknown, revoked, expired or wrong →
 * 401 with no hint of which.
 */
export async function authenticate(event: APIGatewayProxyEventV2, auth: Exclude<RouteAuth, 'public'>): Promise<Principal> {
  const context = (event.requestContext as AuthorizerContext).authorizer;
  switch (routeAuthorizer(auth)) {
    case 'jwt':
      return personFromClaims(context?.jwt?.claims);
    case 'iam':
      return pipelinePrincipal(context?.iam?.userArn);
    case 'none':
      break;
  }

  const header = event.headers?.authorization ?? event.headers?.Authorization;
  if (!header) throw unauthorized();
  const space = header.indexOf(' ');
  const scheme = space > 0 ? header.slice(0, space).toLowerCase() : '';
  const value = space > 0 ? header.slice(space + 1).trim() : '';

  switch (scheme) {
    case 'desktop': {
      const parsed = parseCredential(value, CREDENTIAL_PREFIX.desktop);
      const item = parsed && (await desktopCredentials.get(parsed.id));
      if (!parsed || !item || item.revoked || !secretMatches(parsed.secret, item.secretHash)) throw unauthorized();
      return {
        kind: 'desktop',
        customerId: item.customerId,
        credentialId: parsed.id,
        workstation: item.workstation === 'server' ? 'server' : 'client',
      };
    }
    case 'device': {
      const parsed = parseCredential(value, CREDENTIAL_PREFIX.device);
      const item = parsed && (await deviceCredentials.get(parsed.id));
      if (!parsed || !item || item.revoked || !secretMatches(parsed.secret, item.secretHash)) throw unauthorized();
      return { kind: 'device', customerId: item.customerId, serial: item.serial, credentialId: parsed.id };
    }
    case 'bearer': {
      const parsed = parseUserToken(value);
      // Token and user in one read: the token names whose it is (checked against the stored token).
      const found = parsed && (await getUserTokenAndUser(parsed.id, parsed.customerId, parsed.username));
      const item = found?.token;
      const user = found?.user;
      if (!parsed || !item || item.expiresAt <= Date.now() || !secretMatches(parsed.secret, item.secretHash)) throw unauthorized();
      if (item.customerId !== parsed.customerId || item.username !== parsed.username) throw unauthorized();
      // The user as it is now: a reset, role or password change since the login ends the session.
      if (!user || (user.tokenGeneration ?? 0) !== (item.generation ?? 0)) throw unauthorized();
      return {
        kind: 'user',
        customerId: item.customerId,
        username: item.username,
        role: user.role,
        workstation: item.workstation,
        mustChangePassword: user.mustChangePassword,
        tokenId: parsed.id,
        expiresAt: item.expiresAt,
      };
    }
    default:
      throw unauthorized();
  }
}

/**
 * A user session token: `ust_<id>.<secret>.<whose>`, where `whose` is
 * base64url(`<customerId>\n<username>`) so the token and its user can be read
 * together. Clients treat it as opaque.
 */
export function userToken(id: string, secret: string, customerId: string, username: string): string {
  return `${CREDENTIAL_PREFIX.userToken}_${id}.${secret}.${Buffer.from(`${customerId}\n${username}`).toString('base64url')}`;
}

function parseUserToken(value: string): { id: string; secret: string; customerId: string; username: string } | undefined {
  const match = /^ust_([A-Za-z0-9_-]{6,64})\.([A-Za-z0-9_-]{20,128})\.([A-Za-z0-9_-]{4,400})$/.exec(value);
  if (!match) return undefined;
  const [customerId, username, ...rest] = Buffer.from(match[3]!, 'base64url').toString('utf8').split('\n');
  if (!customerId || !username || rest.length > 0) return undefined;
  return { id: match[1]!, secret: match[2]!, customerId, username };
}

/**
 * Found, live credentials kept in the function for a few minutes, so a warm
 * function authenticates a caller it has seen without reading the table. The
 * secret is still compared (timing-safe) at every request; only the lookup is kept.
 */
class CredentialCache<T extends { revoked?: boolean }> {
  private readonly found = new Map<string, { item: T; until: number }>();
  constructor(
    private readonly load: (id: string) => Promise<T | undefined>,
    private readonly ttlMs: number,
  ) {}

  async get(id: string): Promise<T | undefined> {
    const hit = this.found.get(id);
    if (hit && hit.until > Date.now()) return hit.item;
    const item = await this.load(id);
    if (item && !item.revoked) {
      if (this.found.size >= CREDENTIAL_CACHE_ENTRIES) this.found.clear();
      this.found.set(id, { item, until: Date.now() + this.ttlMs });
    }
    return item;
  }
}

/** Credentials a function keeps at most (then it starts again from none). */
const CREDENTIAL_CACHE_ENTRIES = 10_000;

/**
 * Every workstation of every customer authenticates at each start (FEED-5): a
 * revoked desktop credential stops working within DESKTOP_CREDENTIAL_CACHE_MS.
 */
export const DESKTOP_CREDENTIAL_CACHE_MS = 5 * 60 * 1000;
const desktopCredentials = new CredentialCache<DesktopCredentialItem>(getDesktopCredential, DESKTOP_CREDENTIAL_CACHE_MS);

/**
 * A device calls several times in a few minutes of an update (wake-up check-in,
 * confirmation, lock, unsent data, installed version). Revocation stays
 * immediate: a re-registration or a disable changes the device row's
 * `credentialId` in the same transaction that revokes the credential, and every
 * device route reads or writes its row on the condition that it still holds it
 * (shared/db/devices.ts `heldBy`), so a remembered credential opens nothing.
 */
export const DEVICE_CREDENTIAL_CACHE_MS = 5 * 60 * 1000;
const deviceCredentials = new CredentialCache<DeviceCredentialItem>(getDeviceCredential, DEVICE_CREDENTIAL_CACHE_MS);

/**
 * A stable IAM identity: an assumed role's ARN without the session name (which
 * the caller chooses), any other principal's ARN as it is.
 */
export function iamIdentity(arn: string): string {
  const assumed = /^(arn:[^:]+:sts::\d{12}:assumed-role\/[^/]+)\/.+$/.exec(arn);
  return assumed ? assumed[1]! : arn;
}

/**
 * The build pipeline: API Gateway verified the SigV4 signature; the identity must
 * also be registered (`PIPELINE#<identity>`), or it gets 403 — being able to sign
 * for the API is not enough.
 */
async function pipelinePrincipal(userArn: string | undefined): Promise<PipelinePrincipal> {
  if (!userArn) throw unauthorized();
  const id = iamIdentity(userArn);
  if (!(await getPipelinePrincipal(id))) {
    throw new AppError(
      403,
      'FORBIDDEN',
      'This identity is not registered to publish releases.',
      undefined,
      'Questa identità non è registrata per pubblicare versioni.',
    );
  }
  return { kind: 'pipeline', id };
}

/**
 * A person from the user pool's token claims. API Gateway already verified the
 * token (signature, issuer, audience, expiry, scope); this still refuses claims
 * from another pool or client, and ID tokens, in case a route was wired to the
 * wrong authorizer. Group `staff` → every customer; group `agent` → the customers
 * assigned to it (read now, so an unassignment is immediate); neither → 403.
 */
export async function personFromClaims(claims: Record<string, unknown> | undefined): Promise<SupportPrincipal> {
  if (!claims) throw unauthorized();
  const config = staffSignIn();
  const audience = claims.aud ?? claims.client_id;
  const fromThisPool =
    claims.iss === config.issuer &&
    claims.token_use === 'access' &&
    typeof audience === 'string' &&
    (audience === config.clients.cli || audience === config.clients.console);
  const sub = typeof claims.sub === 'string' ? claims.sub : '';
  const username = typeof claims.username === 'string' ? claims.username : '';
  if (!fromThisPool || !sub || !username) throw unauthorized();

  const groups = claimList(claims['cognito:groups']);
  if (groups.includes(STAFF_GROUPS.staff)) return { kind: 'support', id: username, sub, role: 'staff', customers: '*' };
  if (groups.includes(STAFF_GROUPS.agent)) {
    return { kind: 'support', id: username, sub, role: 'agent', customers: await getAgentCustomers(sub) };
  }
  throw new AppError(
    403,
    'FORBIDDEN',
    'This account is neither Alturas support staff nor an agent: ask staff to add it to a group.',
    undefined,
    'Questo utente non fa parte né del personale di assistenza Alturas né degli agenti: chiedere al personale di aggiungerlo a un gruppo.',
  );
}

const FORBIDDEN_ROLE = new AppError(403, 'FORBIDDEN', 'This action needs a different kind of credential.');

/**
 * Decides whether a principal may call a route that requires `auth`: an
 * unauthenticated caller gets 401, an authenticated one without the right role
 * 403 — with the manual's wording where a desktop user sees it.
 */
export function authorize(principal: Principal, auth: RouteAuth): void {
  if (auth === 'public') return;
  if (principal.kind === 'public') throw unauthorized();
  switch (auth) {
    case 'desktop':
      if (principal.kind !== 'desktop') throw FORBIDDEN_ROLE;
      return;
    case 'device':
      if (principal.kind !== 'device') throw FORBIDDEN_ROLE;
      return;
    case 'staff':
      if (principal.kind !== 'support' || principal.role !== 'staff')
        throw new AppError(403, 'STAFF_REQUIRED', 'Only Alturas support staff can do this.');
      return;
    case 'support':
      if (principal.kind !== 'support')
        throw new AppError(403, 'FORBIDDEN', 'Only Alturas support staff or authorised agents can do this.');
      return;
    case 'pipeline':
      if (principal.kind !== 'pipeline') throw FORBIDDEN_ROLE;
      return;
    case 'user-pending':
      if (principal.kind !== 'user') throw FORBIDDEN_ROLE;
      return;
    case 'user':
    case 'admin': {
      if (principal.kind !== 'user') throw FORBIDDEN_ROLE;
      requireUsable(principal);
      if (auth === 'admin') requireAdminOnServer(principal);
      return;
    }
  }
}

function requireUsable(user: UserPrincipal) {
  if (user.mustChangePassword) {
    throw new AppError(
      403,
      'PASSWORD_CHANGE_REQUIRED',
      'This is a first-login account: change the password before continuing.',
      undefined,
      'Primo accesso: modificare la password prima di proseguire.',
    );
  }
}

function requireAdminOnServer(user: UserPrincipal) {
  if (user.role !== 'admin') {
    throw new AppError(
      403,
      'ADMIN_REQUIRED',
      'Only an administrator can start and manage the update.',
      undefined,
      'Solamente un utente di tipo amministratore può avviare e gestire la procedura di aggiornamento.',
    );
  }
  if (user.workstation !== 'server') {
    throw new AppError(
      403,
      'SERVER_WORKSTATION_REQUIRED',
      'The update must be managed from the central computer (SERVER).',
      undefined,
      "L'aggiornamento va eseguito accedendo a mOphas dal computer centrale (SERVER).",
    );
  }
}
