/**
 * Serves the built window pages at `/desktop/` from the local gateway, as the
 * CloudFront default behaviour serves them from S3 in AWS: the same paths
 * (`/desktop/` → index.html), the same headers (web/headers.ts), GET/HEAD only.
 */
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import { WINDOW_HEADERS } from '../web/headers';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
};

/** True for the paths the pages own (everything else goes to the API). */
export const isWebPath = (pathname: string) => pathname === '/desktop' || pathname.startsWith('/desktop/');

export interface WebFileAnswer {
  status: number;
  headers: Record<string, string>;
  body?: Buffer;
}

/** The answer for a page path under `root` (the build output, holding `desktop/`). */
export async function webFile(root: string, method: string, pathname: string): Promise<WebFileAnswer> {
  const text = (status: number, message: string, extra: Record<string, string> = {}): WebFileAnswer => ({
    status,
    headers: { 'content-type': 'text/plain; charset=utf-8', ...WINDOW_HEADERS, ...extra },
    body: Buffer.from(message),
  });
  if (method !== 'GET' && method !== 'HEAD') return text(405, 'Method Not Allowed', { allow: 'GET, HEAD' });
  if (pathname === '/desktop') return { status: 301, headers: { location: '/desktop/', ...WINDOW_HEADERS } };
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return text(404, 'Not Found');
  }
  const relative = decoded.endsWith('/') ? `${decoded}index.html` : decoded;
  const file = normalize(join(root, relative));
  // Never outside the build folder (../, encoded or not).
  if (!file.startsWith(`${normalize(root)}${sep}desktop${sep}`)) return text(404, 'Not Found');
  try {
    const body = await readFile(file);
    return {
      status: 200,
      headers: {
        'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
        // Revalidated at every load, as in S3 (deployed with Cache-Control: no-cache).
        'cache-control': 'no-cache',
        ...WINDOW_HEADERS,
      },
      body,
    };
  } catch {
    return text(404, 'Not Found');
  }
}
