import { createHash, randomBytes } from 'node:crypto';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalCdn, type LocalCdn } from '../../local/cdn';
import { s3 } from '../../shared/aws/s3';
import { bucketName, requireEnv } from '../../shared/config';
import { signPackagePath } from '../../shared/domain/package-url';

/*
 * The local CDN against the real s3rver of the global setup: the request passes
 * through the real CloudFront Function code, then bytes come from the bucket.
 */

const KEY = randomBytes(32);
const VERSION = `99.00.00_${String(Math.floor(Math.random() * 1000)).padStart(3, '0')}`;
const PATH = `/packages/${VERSION}/mophas-desktop-setup.exe`;
// Not a multiple of anything round, so off-by-one errors in ranges show.
const BYTES = randomBytes(300_007);
const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const nowS = () => Math.floor(Date.now() / 1000);

let cdn: LocalCdn;

beforeAll(async () => {
  await s3.send(new PutObjectCommand({ Bucket: bucketName(), Key: PATH.slice(1), Body: BYTES, ContentLength: BYTES.length }));
  cdn = await startLocalCdn({
    port: 0,
    s3Endpoint: requireEnv('AWS_ENDPOINT_URL_S3'),
    bucket: bucketName(),
    urlSigningKey: KEY.toString('base64url'),
  });
});
afterAll(() => cdn?.close());

const signedUrl = (path = PATH, expiresAt = nowS() + 300, key: Uint8Array = KEY) =>
  `${cdn.url}${path}?${signPackagePath(key, path, expiresAt)}`;

async function get(url: string, headers: Record<string, string> = {}, method = 'GET') {
  const res = await fetch(url, { method, headers });
  return { status: res.status, headers: res.headers, body: Buffer.from(await res.arrayBuffer()) };
}

const errorOf = (body: Buffer) => (JSON.parse(body.toString('utf8')) as { error: string }).error;

describe('local CDN (CloudFront stand-in running the real edge function)', () => {
  it('serves the whole object for a valid token: 200 with the exact bytes', async () => {
    const res = await get(signedUrl());
    expect(res.status).toBe(200);
    expect(res.headers.get('content-length')).toBe(String(BYTES.length));
    expect(res.headers.get('accept-ranges')).toBe('bytes');
    expect(res.headers.get('etag')).toMatch(/^"[0-9a-f]{32}"$/);
    expect(res.body.equals(BYTES)).toBe(true);
  });

  it('answers Range: bytes=100-199 with 206, Content-Range and exactly those bytes', async () => {
    const res = await get(signedUrl(), { Range: 'bytes=100-199' });
    expect(res.status).toBe(206);
    expect(res.headers.get('content-range')).toBe(`bytes 100-199/${BYTES.length}`);
    expect(res.headers.get('content-length')).toBe('100');
    expect(res.body.equals(BYTES.subarray(100, 200))).toBe(true);
  });

  it('resumes a download: first half, then the rest from the middle, hashes to the same SHA-256', async () => {
    const half = Math.floor(BYTES.length / 2);
    const first = await get(signedUrl(), { Range: `bytes=0-${half - 1}` });
    expect(first.status).toBe(206);
    const etag = first.headers.get('etag')!;
    // If-Range: the rest only if the object is still the same one.
    const rest = await get(signedUrl(), { Range: `bytes=${half}-`, 'If-Range': etag });
    expect(rest.status).toBe(206);
    expect(rest.headers.get('content-range')).toBe(`bytes ${half}-${BYTES.length - 1}/${BYTES.length}`);
    expect(sha256(Buffer.concat([first.body, rest.body]))).toBe(sha256(BYTES));
  });

  it('keeps serving after a viewer disconnects mid-download (a paused download)', async () => {
    const abort = new AbortController();
    const res = await fetch(signedUrl(), { signal: abort.signal });
    const reader = res.body!.getReader();
    await reader.read();
    abort.abort();
    await reader.read().catch(() => undefined);
    const again = await get(signedUrl(), { Range: 'bytes=1000-1999' });
    expect(again.status).toBe(206);
    expect(again.body.equals(BYTES.subarray(1000, 2000))).toBe(true);
  });

  it('serves the whole object again when If-Range names another version of it', async () => {
    const res = await get(signedUrl(), { Range: 'bytes=10-19', 'If-Range': '"00000000000000000000000000000000"' });
    expect(res.status).toBe(200);
    expect(res.body.equals(BYTES)).toBe(true);
  });

  it('handles edge ranges exactly: first byte only, last 10 bytes, and an open end past the size', async () => {
    const one = await get(signedUrl(), { Range: 'bytes=0-0' });
    expect([one.status, one.headers.get('content-range'), one.body.length]).toEqual([206, `bytes 0-0/${BYTES.length}`, 1]);
    expect(one.body[0]).toBe(BYTES[0]);
    const tail = await get(signedUrl(), { Range: 'bytes=-10' });
    expect(tail.status).toBe(206);
    expect(tail.body.equals(BYTES.subarray(-10))).toBe(true);
    const past = await get(signedUrl(), { Range: `bytes=${BYTES.length - 5}-${BYTES.length + 1000}` });
    expect(past.headers.get('content-range')).toBe(`bytes ${BYTES.length - 5}-${BYTES.length - 1}/${BYTES.length}`);
    expect(past.body.equals(BYTES.subarray(-5))).toBe(true);
  });

  it('answers 416 with the object size for a range starting past the end', async () => {
    const res = await get(signedUrl(), { Range: `bytes=${BYTES.length}-` });
    expect(res.status).toBe(416);
    expect(res.headers.get('content-range')).toBe(`bytes */${BYTES.length}`);
  });

  it('answers HEAD with the size and no body', async () => {
    const res = await get(signedUrl(), {}, 'HEAD');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-length')).toBe(String(BYTES.length));
    expect(res.body.length).toBe(0);
  });

  it('refuses an expired token with 403 EXPIRED', async () => {
    const res = await get(signedUrl(PATH, nowS() - 1));
    expect(res.status).toBe(403);
    expect(errorOf(res.body)).toBe('EXPIRED');
  });

  it('refuses a forged signature with 403 FORGED', async () => {
    const res = await get(signedUrl(PATH, nowS() + 300, randomBytes(32)));
    expect(res.status).toBe(403);
    expect(errorOf(res.body)).toBe('FORGED');
    // A genuine token for another package does not open this one.
    const other = signedUrl(`/packages/${VERSION}/mophas-mobile.apk`).split('?')[1];
    const swapped = await get(`${cdn.url}${PATH}?${other}`);
    expect([swapped.status, errorOf(swapped.body)]).toEqual([403, 'FORGED']);
  });

  it('refuses a request without token with 403 MISSING', async () => {
    const res = await get(`${cdn.url}${PATH}`);
    expect(res.status).toBe(403);
    expect(errorOf(res.body)).toBe('MISSING');
  });

  it('answers 404 outside /packages/ without reaching the bucket', async () => {
    const res = await get(`${cdn.url}/logs/demo/update.log`);
    expect(res.status).toBe(404);
    expect(errorOf(res.body)).toBe('NOT_FOUND');
  });

  it('answers 404 for a validly signed URL of a package that does not exist', async () => {
    const res = await get(signedUrl(`/packages/${VERSION}/missing.exe`));
    expect(res.status).toBe(404);
    expect(errorOf(res.body)).toBe('NOT_FOUND');
  });

  it('refuses methods other than GET and HEAD with 403', async () => {
    const res = await get(signedUrl(), {}, 'PUT');
    expect(res.status).toBe(403);
    expect(res.headers.get('allow')).toBe('GET, HEAD');
  });

  it('does not pass the token or other query parameters on to S3', async () => {
    // ?versionId=… or ?acl would change what S3 answers; the distribution forwards no query string.
    const res = await get(`${signedUrl()}&acl=`);
    expect(res.status).toBe(200);
    expect(res.body.equals(BYTES)).toBe(true);
  });
});
