import type { RouteAuth } from '../auth/principals';

/**
 * The HTTP API's route table: the one list the CDK stack (infra/), the local
 * gateway (local/) and the catch-all `$default` handler all read, so a route
 * cannot exist in one place and be missing in another.
 */

/** Lambda functions behind the HTTP API; each has a folder `functions/<name>/handler.ts`. */
export const HTTP_FUNCTIONS = [
  'health',
  'not-found',
  'version-feed',
  'confirm-code',
  'users',
  'support',
  'releases',
  'session',
  'devices',
] as const;
export type HttpFunctionName = (typeof HTTP_FUNCTIONS)[number];
export type { RouteAuth };

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface RouteSpec {
  readonly method: HttpMethod;
  /** Path template with `{name}` parameters, as API Gateway writes it. */
  readonly path: string;
  readonly fn: HttpFunctionName;
  readonly auth: RouteAuth;
  readonly summary: string;
  /** Largest accepted request body in bytes (413 above it). @default DEFAULT_MAX_BODY_BYTES */
  readonly maxBodyBytes?: number;
}

/** Default body limit for JSON routes. */
export const DEFAULT_MAX_BODY_BYTES = 64 * 1024;

export const ROUTES: readonly RouteSpec[] = [
  { method: 'GET', path: '/v1/health', fn: 'health', auth: 'public', summary: 'Liveness and dependency check' },
  { method: 'GET', path: '/v1/catalog', fn: 'version-feed', auth: 'public', summary: 'Published releases, oldest first' },
  {
    method: 'GET',
    path: '/v1/feed/keys',
    fn: 'version-feed',
    auth: 'public',
    summary: 'Public keys that sign feed answers (for pinning and rotation)',
  },
  {
    method: 'GET',
    path: '/v1/desktop/feed',
    fn: 'version-feed',
    auth: 'desktop',
    summary: 'Startup check: the signed notice and next release for the installed version (?installed=)',
  },
  {
    method: 'POST',
    path: '/v1/desktop/releases/{version}/downloaded',
    fn: 'version-feed',
    auth: 'desktop',
    summary: 'The desktop package is downloaded and verified (yellow → green at next start)',
    maxBodyBytes: 1024,
  },
  {
    method: 'GET',
    path: '/v1/device/package',
    fn: 'version-feed',
    auth: 'device',
    summary: "The mobile package matching the customer's desktop version",
  },
  {
    method: 'POST',
    path: '/v1/support/releases/{version}/uploads',
    fn: 'releases',
    auth: 'pipeline',
    summary: 'Start uploading a package of a new release (presigned, multipart)',
    maxBodyBytes: 4096,
  },
  {
    method: 'POST',
    path: '/v1/support/releases',
    fn: 'releases',
    auth: 'pipeline',
    summary: 'Publish a release from uploaded packages (verified, immutable)',
    maxBodyBytes: 256 * 1024,
  },
  {
    method: 'GET',
    path: '/v1/support/releases',
    fn: 'releases',
    auth: 'staff',
    summary: 'Published releases with storage details and rollout phase',
  },
  // Staged rollouts (docs/rollout.md): support staff only, signed in (JWT); agents never.
  {
    method: 'GET',
    path: '/v1/support/releases/{version}/rollout',
    fn: 'releases',
    auth: 'staff',
    summary: "A release's rollout: plan, state and per-wave progress",
  },
  {
    method: 'PUT',
    path: '/v1/support/releases/{version}/rollout',
    fn: 'releases',
    auth: 'staff',
    summary: 'Set or change the rollout plan (conditional on the revision read)',
    maxBodyBytes: 128 * 1024,
  },
  {
    method: 'POST',
    path: '/v1/support/releases/{version}/rollout/pause',
    fn: 'releases',
    auth: 'staff',
    summary: 'Pause the rollout: no further wave opens',
    maxBodyBytes: 1024,
  },
  {
    method: 'POST',
    path: '/v1/support/releases/{version}/rollout/resume',
    fn: 'releases',
    auth: 'staff',
    summary: 'Resume a paused or halted rollout',
    maxBodyBytes: 1024,
  },
  {
    method: 'POST',
    path: '/v1/support/releases/{version}/rollout/advance',
    fn: 'releases',
    auth: 'staff',
    summary: 'Open the next wave now',
    maxBodyBytes: 1024,
  },
  {
    method: 'POST',
    path: '/v1/support/releases/{version}/withdraw',
    fn: 'releases',
    auth: 'staff',
    summary: 'Withdraw a release: no customer is offered it any more',
    maxBodyBytes: 4096,
  },
  {
    method: 'POST',
    path: '/v1/codes/check',
    fn: 'confirm-code',
    auth: 'public',
    summary: 'Check a 3×5-digit code for typos before it is submitted',
    maxBodyBytes: 1024,
  },
  {
    method: 'POST',
    path: '/v1/desktop/releases/{version}/challenge',
    fn: 'confirm-code',
    auth: 'admin',
    summary: 'Open the confirmation-code window: a new challenge, voiding the previous one',
    maxBodyBytes: 1024,
  },
  {
    method: 'POST',
    path: '/v1/desktop/releases/{version}/confirmation',
    fn: 'confirm-code',
    auth: 'admin',
    summary: "Submit support's response to the open challenge",
    maxBodyBytes: 1024,
  },
  {
    method: 'POST',
    path: '/v1/support/confirmation-responses',
    fn: 'confirm-code',
    auth: 'support',
    summary: 'Generate the response for a challenge read over the phone',
    maxBodyBytes: 1024,
  },
  {
    method: 'POST',
    path: '/v1/desktop/devices/{serial}/lock-exchange',
    fn: 'confirm-code',
    auth: 'admin',
    summary: 'GENERA: code 2 for the code 1 read by the operator',
    maxBodyBytes: 1024,
  },
  {
    method: 'POST',
    path: '/v1/desktop/devices/{serial}/lock-exchange/verify',
    fn: 'confirm-code',
    auth: 'admin',
    summary: 'VERIFICA: check code 3; the device row shows Blocked/unblocked',
    maxBodyBytes: 1024,
  },
  {
    method: 'GET',
    path: '/v1/support/customers/{customerId}/audit',
    fn: 'support',
    auth: 'support',
    summary: "A customer's audit trail, newest first",
  },
  // Admin window "Gestione aggiornamento" (admin on the SERVER workstation) and the desktop's phase-2 report.
  {
    method: 'GET',
    path: '/v1/desktop/update',
    fn: 'session',
    auth: 'admin',
    summary: 'The session and the device grid (?filter=all|updated|not-updated), with ETag',
  },
  {
    method: 'POST',
    path: '/v1/desktop/update/start-update-push',
    fn: 'session',
    auth: 'admin',
    summary: 'Send START UPDATE to all devices or one row (opens the session)',
    maxBodyBytes: 1024,
  },
  {
    method: 'POST',
    path: '/v1/desktop/update/start',
    fn: 'session',
    auth: 'admin',
    summary: 'Avvia aggiornamento: every device awaits the update',
    maxBodyBytes: 1024,
  },
  {
    method: 'POST',
    path: '/v1/desktop/update/force',
    fn: 'session',
    auth: 'admin',
    summary: 'Forza aggiornamento: two steps (confirm token bound to the session state)',
    maxBodyBytes: 1024,
  },
  {
    method: 'POST',
    path: '/v1/desktop/update/outcome',
    fn: 'session',
    auth: 'admin',
    summary: 'Phase 2 result: success with the new version, or abnormal termination with its log',
    maxBodyBytes: 1024 * 1024,
  },
  {
    method: 'POST',
    path: '/v1/desktop/update/end-update-push',
    fn: 'session',
    auth: 'admin',
    summary: 'Fine aggiornamento: END UPDATE to all devices or one row',
    maxBodyBytes: 1024,
  },
  {
    method: 'POST',
    path: '/v1/desktop/update/conclude',
    fn: 'session',
    auth: 'admin',
    summary: 'Aggiornamento concluso (second confirmation when devices are not updated)',
    maxBodyBytes: 1024,
  },
  {
    method: 'POST',
    path: '/v1/desktop/update/reactivate',
    fn: 'session',
    auth: 'admin',
    summary: 'Reactivate mobile devices: ERROR UPDATE to all, devices unlocked',
    maxBodyBytes: 1024,
  },
  {
    method: 'POST',
    path: '/v1/desktop/update/close',
    fn: 'session',
    auth: 'admin',
    summary: 'Chiudi aggiornamento: end a phase-1 session whose release Alturas withdrew',
    maxBodyBytes: 1024,
  },
  {
    method: 'POST',
    path: '/v1/desktop/update/report',
    fn: 'session',
    auth: 'admin',
    summary: 'Send report to support: a support case with the session and its log',
    maxBodyBytes: 8 * 1024,
  },
  {
    method: 'POST',
    path: '/v1/desktop/devices/{serial}/disable',
    fn: 'session',
    auth: 'admin',
    summary: 'Disable device (double confirmation)',
    maxBodyBytes: 1024,
  },
  {
    method: 'POST',
    path: '/v1/desktop/devices/{serial}/enable',
    fn: 'session',
    auth: 'admin',
    summary: 'Re-enable a device (tablet authorisation management)',
    maxBodyBytes: 1024,
  },
  // Devices (DEV-1…7).
  {
    method: 'POST',
    path: '/v1/device/register',
    fn: 'devices',
    auth: 'public',
    summary: 'Register with serial and licence code; returns the device credential and lock secret',
    maxBodyBytes: 4096,
  },
  {
    method: 'POST',
    path: '/v1/device/check-in',
    fn: 'devices',
    auth: 'device',
    summary: 'Report version, push token, last sync; returns the command the device owes now',
    maxBodyBytes: 4096,
  },
  {
    method: 'POST',
    path: '/v1/device/ack',
    fn: 'devices',
    auth: 'device',
    summary: 'Acknowledge a pushed command (START UPDATE → Notification sent ✓)',
    maxBodyBytes: 1024,
  },
  { method: 'POST', path: '/v1/device/locked', fn: 'devices', auth: 'device', summary: 'The device is locked', maxBodyBytes: 1024 },
  {
    method: 'POST',
    path: '/v1/device/unsent-data-sent',
    fn: 'devices',
    auth: 'device',
    summary: 'Unsent data sent (→ Awaiting update); phase 1 only',
    maxBodyBytes: 1024,
  },
  {
    method: 'POST',
    path: '/v1/device/installed',
    fn: 'devices',
    auth: 'device',
    summary: 'The version now installed on the device',
    maxBodyBytes: 1024,
  },
  // Alturas support: people sign in with the staff user pool (JWT authorizer); agents only for their customers.
  {
    method: 'GET',
    path: '/v1/support/failed-updates',
    fn: 'support',
    auth: 'support',
    summary: 'Customers whose update failed and awaits support',
  },
  { method: 'GET', path: '/v1/support/cases', fn: 'support', auth: 'support', summary: 'Open support cases' },
  {
    method: 'POST',
    path: '/v1/support/customers/{customerId}/session/resolve',
    fn: 'support',
    auth: 'support',
    summary: "Mark a customer's failed update resolved (the update may be retried)",
    maxBodyBytes: 4096,
  },
  {
    method: 'GET',
    path: '/v1/support/customers/{customerId}/users',
    fn: 'support',
    auth: 'support',
    summary: "A customer's desktop users",
  },
  {
    method: 'POST',
    path: '/v1/support/customers/{customerId}/users',
    fn: 'support',
    auth: 'support',
    summary: 'Add a desktop user (name, password, admin role or not)',
    maxBodyBytes: 2048,
  },
  {
    method: 'PATCH',
    path: '/v1/support/customers/{customerId}/users/{username}',
    fn: 'support',
    auth: 'support',
    summary: "Change a user's role or reset the password",
    maxBodyBytes: 2048,
  },
  // Sign-in for people on the Alturas side (the user pool) and agent assignments.
  {
    method: 'GET',
    path: '/v1/support/sign-in',
    fn: 'support',
    auth: 'public',
    summary: 'How Alturas staff and agents sign in: the user pool, its app clients and token issuer',
  },
  { method: 'GET', path: '/v1/support/me', fn: 'support', auth: 'support', summary: 'The signed-in person: role and customers' },
  { method: 'GET', path: '/v1/support/agents', fn: 'support', auth: 'staff', summary: 'Agents and the customers assigned to them' },
  {
    method: 'GET',
    path: '/v1/support/agents/{username}',
    fn: 'support',
    auth: 'staff',
    summary: 'The customers assigned to one agent',
  },
  {
    method: 'PUT',
    path: '/v1/support/agents/{username}/customers/{customerId}',
    fn: 'support',
    auth: 'staff',
    summary: 'Assign a customer to an agent (audited; assigning twice changes nothing)',
  },
  {
    method: 'DELETE',
    path: '/v1/support/agents/{username}/customers/{customerId}',
    fn: 'support',
    auth: 'staff',
    summary: 'Remove a customer from an agent (audited; effective at its next request)',
  },
  {
    method: 'POST',
    path: '/v1/desktop/login',
    fn: 'users',
    auth: 'desktop',
    summary: 'A customer user logs in on a workstation',
    maxBodyBytes: 2048,
  },
  {
    method: 'POST',
    path: '/v1/desktop/password',
    fn: 'users',
    auth: 'user-pending',
    summary: "Change the caller's password",
    maxBodyBytes: 2048,
  },
  { method: 'POST', path: '/v1/desktop/logout', fn: 'users', auth: 'user-pending', summary: "End the caller's session" },
  // The update window as a hosted page (/desktop/): the desktop hands it a single-use ticket.
  {
    method: 'POST',
    path: '/v1/desktop/window-tickets',
    fn: 'users',
    auth: 'admin',
    summary: 'A 60-second, single-use ticket that opens the hosted update window (/desktop/#ticket=…)',
    maxBodyBytes: 1024,
  },
  {
    method: 'POST',
    path: '/v1/desktop/window-session',
    fn: 'users',
    auth: 'public',
    summary: "The window page exchanges its ticket (once) for its own session, bound to the desktop's user and workstation",
    maxBodyBytes: 1024,
  },
  {
    method: 'GET',
    path: '/v1/desktop/notice',
    fn: 'version-feed',
    auth: 'user',
    summary: "The notice for the desktop's known version (the window page's startup notice)",
  },
  {
    method: 'GET',
    path: '/v1/desktop/devices',
    fn: 'session',
    auth: 'admin',
    summary: 'Gestione Mobile: every device of the customer (enabled or not), its installed version and last sync',
  },
];

/** `"GET /v1/health"`: the form API Gateway puts in `event.routeKey`. */
export const routeKey = (r: Pick<RouteSpec, 'method' | 'path'>) => `${r.method} ${r.path}`;

/** Finds the route spec for a route key, if any. */
export const findRoute = (key: string): RouteSpec | undefined => ROUTES.find((r) => routeKey(r) === key);

/** Builds a matcher for a path template: returns the path parameters on match, undefined otherwise. */
export function matchPath(template: string, path: string): Record<string, string> | undefined {
  const names: string[] = [];
  const pattern = template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{(\w+)\}/g, (_, name: string) => {
    names.push(name);
    return '([^/]+)';
  });
  const match = new RegExp(`^${pattern}$`).exec(path);
  if (!match) return undefined;
  const params: Record<string, string> = {};
  for (const [i, name] of names.entries()) {
    try {
      params[name] = decodeURIComponent(match[i + 1] ?? '');
    } catch {
      // A malformed escape (e.g. `%ZZ`) matches no route: 404, never a 500.
      return undefined;
    }
  }
  return params;
}

/** Resolves a request to its route (and path parameters), or lists the methods the path allows. */
export function resolveRoute(
  method: string,
  path: string,
): { route: RouteSpec; pathParameters: Record<string, string> } | { route: undefined; allowed: HttpMethod[] } {
  const allowed: HttpMethod[] = [];
  for (const route of ROUTES) {
    const params = matchPath(route.path, path);
    if (!params) continue;
    if (route.method === method) return { route, pathParameters: params };
    allowed.push(route.method);
  }
  return { route: undefined, allowed };
}
