/**
 * Response headers of the window pages (/desktop/, and /support/ with its own connect-src), one list for the CloudFront
 * response headers policy (infra/constructs/web-site.ts) and the local gateway
 * (local/web-files.ts), so the page is tested under the policy it is served with.
 *
 * The page runs its own bundled script and style only and talks to its own
 * origin only: no inline code, no third-party request, never framed.
 */
export const WINDOW_CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * Where the support console (/support/) may send requests besides its own
 * origin: the staff user pool's hosted sign-in, whose token endpoint it calls
 * (docs/console.md). In AWS that is the pool's Cognito domain.
 */
export const CONSOLE_SIGN_IN_ORIGINS_AWS = ['https://*.amazoncognito.com'] as const;

/**
 * The console's CSP: the window's, with connect-src also allowing `origins` —
 * the hosted sign-in's, and the packages bucket's the release upload PUTs its
 * parts to (presigned URLs, docs/console.md).
 */
export function consoleContentSecurityPolicy(origins: readonly string[]): string {
  return WINDOW_CONTENT_SECURITY_POLICY.replace("connect-src 'self'", ["connect-src 'self'", ...origins].join(' '));
}

/** Every header the pages are served with (besides content type and caching). */
export const WINDOW_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': WINDOW_CONTENT_SECURITY_POLICY,
  // The ticket is in the fragment, which browsers never send; no referrer at all is simpler still.
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'strict-transport-security': 'max-age=31536000',
};
