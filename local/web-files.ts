/**
 * Serves the built pages — the window at `/desktop/`, the support console at
 * `/support/` — from the local gateway, as the CloudFront default behaviour
 * serves them from S3 in AWS: the same paths (`/desktop/` → index.html), the
 * same headers (web/headers.ts), GET/HEAD only.
 */
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import { consoleContentSecurityPolicy, WINDOW_HEADERS } from '../web/headers';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
};

/** The folders the pages are served from (web/build.ts's WEB_PAGES). */
const PAGES = ['desktop', 'support'];

/** The page a path belongs to, if any. */
const pageOf = (pathname: string) => PAGES.find((p) => pathname === `/${p}` || pathname.startsWith(`/${p}/`));

/** True for the paths the pages own (everything else goes to the API). */
export const isWebPath = (pathname: string) => pageOf(pathname) !== undefined;

export interface WebFileAnswer {
  status: number;
  headers: Record<string, string>;
  body?: Buffer;
}

export interface WebFileOptions {
  /** Origins the console may also connect to (the hosted sign-in, the upload endpoint); the window gets none. */
  readonly connectOrigins?: readonly string[];
}

/** The answer for a page path under `root` (the build output, holding `desktop/` and `support/`). */
export async function webFile(root: string, method: string, pathname: string, options: WebFileOptions = {}): Promise<WebFileAnswer> {
  const page = pageOf(pathname);
  // The console's files get its own CSP (CloudFront's support/* behaviour), the rest the window's.
  const pageHeaders =
    page === 'support' && pathname !== '/support'
      ? { ...WINDOW_HEADERS, 'content-security-policy': consoleContentSecurityPolicy(options.connectOrigins ?? []) }
      : WINDOW_HEADERS;
  const text = (status: number, message: string, extra: Record<string, string> = {}): WebFileAnswer => ({
    status,
    headers: { 'content-type': 'text/plain; charset=utf-8', ...pageHeaders, ...extra },
    body: Buffer.from(message),
  });
  if (method !== 'GET' && method !== 'HEAD') return text(405, 'Method Not Allowed', { allow: 'GET, HEAD' });
  if (!page) return text(404, 'Not Found');
  if (pathname === `/${page}`) return { status: 301, headers: { location: `/${page}/`, ...WINDOW_HEADERS } };
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return text(404, 'Not Found');
  }
  const relative = decoded.endsWith('/') ? `${decoded}index.html` : decoded;
  const file = normalize(join(root, relative));
  // Never outside the build folder (../, encoded or not).
  if (!file.startsWith(`${normalize(root)}${sep}${page}${sep}`)) return text(404, 'Not Found');
  try {
    const body = await readFile(file);
    return {
      status: 200,
      headers: {
        'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
        // Revalidated at every load, as in S3 (deployed with Cache-Control: no-cache).
        'cache-control': 'no-cache',
        ...pageHeaders,
      },
      body,
    };
  } catch {
    return text(404, 'Not Found');
  }
}
