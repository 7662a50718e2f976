/**
 * Response headers of the window pages (/desktop/), one list for the CloudFront
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

/** Every header the pages are served with (besides content type and caching). */
export const WINDOW_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': WINDOW_CONTENT_SECURITY_POLICY,
  // The ticket is in the fragment, which browsers never send; no referrer at all is simpler still.
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'strict-transport-security': 'max-age=31536000',
};
