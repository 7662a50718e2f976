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
 * Alturas support staff, or an agent limited to some customers. In AWS the
 * identity is the IAM principal that signed the request (IAM-authorised routes).
 */
export interface SupportPrincipal {
  kind: 'support';
  id: string;
  /** `'*'` for support staff; the customer ids an agent is authorised for. */
  customers: '*' | readonly string[];
}

export interface PublicPrincipal {
  kind: 'public';
}

export type Principal = DesktopPrincipal | UserPrincipal | DevicePrincipal | SupportPrincipal | PublicPrincipal;

/**
 * What a route requires:
 * - `public`: nothing;
 * - `desktop`: the installation credential;
 * - `user`: any logged-in user whose password is not pending a change;
 * - `user-pending`: any logged-in user, even one that must change the password first;
 * - `admin`: a logged-in admin on the SERVER workstation (FEED-6);
 * - `device`: a device credential;
 * - `support`: support staff or an agent (customer access checked per request).
 */
export type RouteAuth = 'public' | 'desktop' | 'user' | 'user-pending' | 'admin' | 'device' | 'support';

/** True when a support principal may act for this customer. */
export const supportCanAccess = (p: SupportPrincipal, customerId: string) => p.customers === '*' || p.customers.includes(customerId);
