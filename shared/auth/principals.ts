/**
 * Who is calling (SPEC AUTH-1/2). Every customer-side principal carries its
 * customerId, and handlers take the customer from the principal only — never
 * from the path or body — so no route can reach another customer's data.
 */
export type Role = 'admin' | 'user';
export type Workstation = 'server' | 'client';

/**
 * A customer's desktop workstation: feed, notices, login. Each workstation has its
 * own installation credential, and the SERVER's says so: which workstation a user
 * logs in on comes from the credential, never from the request (FEED-6).
 */
export interface DesktopPrincipal {
  kind: 'desktop';
  customerId: string;
  credentialId: string;
  workstation: Workstation;
}

/** A logged-in customer user, from a short-lived session token. */
export interface UserPrincipal {
  kind: 'user';
  customerId: string;
  username: string;
  role: Role;
  workstation: Workstation;
  mustChangePassword: boolean;
  tokenId: string;
  /** When the session token expires (epoch ms): a window opened from this session never outlives it. */
  expiresAt: number;
}

/** A registered mobile device: it can only act on itself. */
export interface DevicePrincipal {
  kind: 'device';
  customerId: string;
  serial: string;
  credentialId: string;
}

/**
 * A person on the Alturas side, signed in with the staff user pool (Amazon
 * Cognito, JWT authorizer): support staff (group `staff`, every customer) or an
 * agent (group `agent`, only the customers staff assigned to it).
 */
export interface SupportPrincipal {
  kind: 'support';
  /** The pool user name (readable; what the audit trail shows). */
  id: string;
  /** The pool's stable user id (`sub`): agent assignments are keyed by it. */
  sub: string;
  role: 'staff' | 'agent';
  /** `'*'` for support staff; the customer ids an agent is assigned to. */
  customers: '*' | readonly string[];
}

/**
 * The build pipeline publishing releases: an IAM identity (SigV4, IAM
 * authorizer) registered in the table (`PIPELINE#<identity>`).
 */
export interface PipelinePrincipal {
  kind: 'pipeline';
  /** The IAM identity: a principal ARN, or an assumed role's ARN without the session name. */
  id: string;
}

export interface PublicPrincipal {
  kind: 'public';
}

export type Principal = DesktopPrincipal | UserPrincipal | DevicePrincipal | SupportPrincipal | PipelinePrincipal | PublicPrincipal;

/**
 * What a route requires:
 * - `public`: nothing;
 * - `desktop`: the installation credential;
 * - `user`: any logged-in user whose password is not pending a change;
 * - `user-pending`: any logged-in user, even one that must change the password first;
 * - `admin`: a logged-in admin on the SERVER workstation (FEED-6);
 * - `device`: a device credential;
 * - `staff`: Alturas support staff signed in with the user pool (JWT authorizer);
 * - `support`: staff or an agent signed in with the user pool (JWT authorizer); an
 *   agent only for its assigned customers (checked per request);
 * - `pipeline`: the build pipeline, an IAM identity signing with SigV4 (IAM authorizer).
 */
export type RouteAuth = 'public' | 'desktop' | 'user' | 'user-pending' | 'admin' | 'device' | 'staff' | 'support' | 'pipeline';

/**
 * Which API Gateway authorizer guards a route: people on the Alturas side sign in
 * with the user pool (`jwt`), the build pipeline signs with IAM (`iam`); every
 * other route carries the project's own credentials, checked by the function
 * (`none`). The CDK stack and the local gateway both read this.
 */
export function routeAuthorizer(auth: RouteAuth): 'jwt' | 'iam' | 'none' {
  switch (auth) {
    case 'staff':
    case 'support':
      return 'jwt';
    case 'pipeline':
      return 'iam';
    default:
      return 'none';
  }
}

/** True when a support principal may act for this customer. */
export const supportCanAccess = (p: SupportPrincipal, customerId: string) => p.customers === '*' || p.customers.includes(customerId);
