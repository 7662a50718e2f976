import { ENV, once, requireEnv } from '../config';
import { ConfigError } from '../errors';

/**
 * Sign-in for people on the Alturas side (support staff and agents): one Amazon
 * Cognito user pool. These settings are declared once and read by the CDK stack
 * (infra/constructs/staff-sign-in.ts), the local pool the local stack creates in
 * cognito-local (local/provision.ts), the JWT check both gateways run, and the
 * functions behind the routes.
 */

/** The user-pool groups that make a person staff (every customer) or an agent (assigned customers). */
export const STAFF_GROUPS = {
  staff: 'staff',
  agent: 'agent',
} as const;
export type StaffGroup = (typeof STAFF_GROUPS)[keyof typeof STAFF_GROUPS];

/** The pool's password policy (Cognito checks it; the local emulator does not). */
export const STAFF_PASSWORD_POLICY = {
  minLength: 12,
  requireLowercase: true,
  requireUppercase: true,
  requireDigits: true,
  requireSymbols: true,
  /** Days a temporary password (AdminCreateUser) stays usable. */
  tempPasswordValidityDays: 3,
} as const;

/**
 * Token lifetimes. A removal from the `staff` group takes effect when the access
 * token expires (an agent's customer list is read at every request, so an
 * assignment change is immediate); a disabled user cannot refresh.
 */
export const STAFF_TOKEN_VALIDITY = { accessMinutes: 60, idMinutes: 60, refreshHours: 12 } as const;

/**
 * The scope every access token of the pool carries (USER_PASSWORD_AUTH and the
 * hosted authorization-code flow alike). Person routes require it: an ID token has
 * no scope, so API Gateway refuses it.
 */
export const STAFF_ROUTE_SCOPE = 'aws.cognito.signin.user.admin';

/**
 * What the browser console asks the hosted sign-in for: OpenID Connect, and the
 * scope person routes require on the access token.
 */
export const CONSOLE_SCOPES = ['openid', 'email', 'profile', STAFF_ROUTE_SCOPE] as const;

/**
 * The support console on the local stack (`npm start`'s gateway, default port):
 * Cognito allows plain HTTP callbacks for localhost only.
 */
export const LOCAL_CONSOLE_URL = 'http://localhost:3000/support/';

/** How staff and agents sign in: what functions and clients need to know about the pool. */
export interface StaffSignInConfig {
  readonly region: string;
  readonly userPoolId: string;
  /** The `iss` of the pool's tokens: `https://cognito-idp.<region>.amazonaws.com/<poolId>` in AWS. */
  readonly issuer: string;
  /** App clients: the browser console (authorization code + PKCE) and the command line (USER_PASSWORD_AUTH). */
  readonly clients: { readonly cli: string; readonly console: string };
  /** Local stack only: the Cognito-compatible endpoint (cognito-local). In AWS the regional endpoint applies. */
  readonly endpoint?: string;
  /**
   * Base URL of the hosted sign-in's OAuth 2.0 endpoints (`/oauth2/authorize`,
   * `/oauth2/token`, `/oauth2/revoke`, `/logout`) for a web page: the pool's
   * Cognito domain in AWS (only when one is configured), cognito-local locally.
   */
  readonly hostedSignIn?: string;
}

/**
 * What describes the JWT authorizer, for API Gateway (the CDK stack) and for the
 * local gateway alike: the token's `iss` must equal `issuer`; its `aud` (ID
 * tokens) or, when there is no `aud`, its `client_id` (access tokens) must be one
 * of `audience`; its `scope` must include one of `scopes`; the signature must
 * verify with a key of the JWKS at `jwksUri`; `exp`, `nbf` and `iat` are checked
 * against the clock.
 */
export interface JwtAuthorizerSettings {
  readonly issuer: string;
  readonly audience: readonly string[];
  readonly scopes: readonly string[];
  readonly jwksUri: string;
}

/** The issuer of a Cognito user pool's tokens. */
export const cognitoIssuer = (region: string, userPoolId: string) => `https://cognito-idp.${region}.amazonaws.com/${userPoolId}`;

/** The JWT authorizer's settings for the pool (the same for API Gateway and the local gateway). */
export function jwtAuthorizerSettings(config: Pick<StaffSignInConfig, 'issuer' | 'clients'>): JwtAuthorizerSettings {
  return {
    issuer: config.issuer,
    audience: [config.clients.cli, config.clients.console],
    scopes: [STAFF_ROUTE_SCOPE],
    // Cognito publishes the keys next to the issuer (as does cognito-local).
    jwksUri: `${config.issuer}/.well-known/jwks.json`,
  };
}

/** Parses the STAFF_SIGN_IN value (JSON), refusing anything incomplete. */
export function parseStaffSignIn(raw: string): StaffSignInConfig {
  let value: Partial<StaffSignInConfig>;
  try {
    value = JSON.parse(raw) as Partial<StaffSignInConfig>;
  } catch {
    throw new ConfigError(`${ENV.staffSignIn} is not JSON`);
  }
  const ok =
    typeof value.region === 'string' &&
    typeof value.userPoolId === 'string' &&
    typeof value.issuer === 'string' &&
    typeof value.clients?.cli === 'string' &&
    typeof value.clients?.console === 'string' &&
    (value.endpoint === undefined || typeof value.endpoint === 'string') &&
    (value.hostedSignIn === undefined || typeof value.hostedSignIn === 'string');
  if (!ok) throw new ConfigError(`${ENV.staffSignIn} must give region, userPoolId, issuer and clients.cli/console`);
  return value as StaffSignInConfig;
}

/** The staff sign-in configuration of this function (STAFF_SIGN_IN, set by ServiceFunction.bindStaffSignIn). */
export const staffSignIn = once(() => parseStaffSignIn(requireEnv(ENV.staffSignIn)));
