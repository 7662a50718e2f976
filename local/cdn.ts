/**
 * Local stand-in for the packages CloudFront distribution (SPEC PKG-1).
 *
 * Every GET/HEAD goes through the REAL viewer-request function
 * (functions/package-edge/index.js, evaluated by local/edge-runtime.ts with a
 * KeyValueStore stub holding the URL signing key). When the function answers
 * (403 MISSING/FORGED/EXPIRED, 404 outside /packages/, 503 no key) that answer is
 * returned as is; when it passes the request on, the object is streamed from
 * s3rver (`<s3Endpoint>/<bucket><uri>`, path-style, anonymous) with byte ranges,
 * like CloudFront's S3 origin:
 *
 * - no query string reaches the origin (the distribution's cache policy forwards none);
 * - `Range: bytes=a-b | a- | -n` → 206 with Content-Range/Content-Length; a malformed
 *   or multi-range header is ignored (200, whole object), as S3 does; an
 *   unsatisfiable range → 416 with `Content-Range: bytes *\/<size>`;
 * - `If-Range` (ETag or date) is honoured so a resumed download never splices two
 *   different objects; If-None-Match / If-Modified-Since → 304;
 * - methods other than GET/HEAD → 403 (ALLOW_GET_HEAD distributions answer 403);
 * - a missing object → 404, an origin failure → 502, a function error → 503.
 *
 * s3rver's own Range parsing is naive (`bytes=-n` and `bytes=0-0` come out wrong),
 * so ranges are resolved here into explicit `bytes=start-end` requests and the
 * origin's answer is trimmed if it sent more than asked.
 */
import { request as httpRequest, createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { AddressInfo } from 'node:net';
import { Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { decodeUrlSigningKey } from '../shared/domain/package-url';
import { isEdgeResponse, loadEdgeFunction, type CfValue, type EdgeEvent, type EdgeRequest, type EdgeResponse } from './edge-runtime';

export interface LocalCdnOptions {
  /** Port to listen on; 0 picks a free one. */
  readonly port: number;
  /** Interface to bind. @default '127.0.0.1' */
  readonly host?: string;
  /** s3rver base URL, e.g. the stack's AWS_ENDPOINT_URL_S3 (`http://127.0.0.1:4569`). */
  readonly s3Endpoint: string;
  /** Packages bucket, e.g. `mophas-packages`. */
  readonly bucket: string;
  /**
   * The URL signing key as the KeyValueStore holds it (base64url text), or its raw
   * bytes. The same key the feed uses with signPackagePath().
   */
  readonly urlSigningKey: string | Uint8Array;
}

export interface LocalCdn {
  /** Base URL without trailing slash, e.g. `http://127.0.0.1:43127`: PACKAGE_BASE_URL. */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/** Origin response headers passed on to the viewer. */
const PASSED_HEADERS = ['content-type', 'etag', 'last-modified'] as const;
/** Viewer conditional headers passed on to the origin (If-Range is evaluated here). */
const CONDITIONAL_HEADERS = ['if-none-match', 'if-modified-since', 'if-match', 'if-unmodified-since'] as const;
const BUCKET_PATTERN = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/**
 * Starts the local CDN.
 *
 * @throws TypeError on a bad endpoint, bucket name or signing key (fails at start,
 *   not at the first download).
 */
export async function startLocalCdn(options: LocalCdnOptions): Promise<LocalCdn> {
  const origin = new URL(options.s3Endpoint);
  if (origin.protocol !== 'http:' && origin.protocol !== 'https:') throw new TypeError('s3Endpoint must be an http(s) URL');
  if (!BUCKET_PATTERN.test(options.bucket)) throw new TypeError(`"${options.bucket}" is not an S3 bucket name`);
  const keyText =
    typeof options.urlSigningKey === 'string' ? options.urlSigningKey : Buffer.from(options.urlSigningKey).toString('base64url');
  decodeUrlSigningKey(keyText); // throws on a short or non-base64url key

  // Evaluated once, like a deployed function: the module-level cf.kvs() call runs here.
  const edge = loadEdgeFunction({ kvsValue: keyText });
  const target: Origin = { url: origin, bucket: options.bucket };
  let requestCount = 0;

  const server = createServer((req, res) => {
    handle(req, res, edge.handler, target, `local-${++requestCount}`).catch((error: unknown) => {
      // Unexpected failure in the stand-in itself: report it as CloudFront would, and say why on stderr.
      console.error('[local-cdn]', error);
      if (!res.headersSent) sendError(res, req.method === 'HEAD', 502, 'Bad Gateway', 'ORIGIN_ERROR');
      else res.destroy();
    });
  });
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(options.port, options.host ?? '127.0.0.1', () => ok());
  });
  const { port, address } = server.address() as AddressInfo;
  const host = address.includes(':') ? `[${address}]` : address;
  return {
    url: `http://${host}:${port}`,
    port,
    close: () =>
      new Promise<void>((ok, fail) => {
        server.close((err) => (err ? fail(err) : ok()));
        server.closeAllConnections();
      }),
  };
}

interface Origin {
  readonly url: URL;
  readonly bucket: string;
}

async function handle(
  req: IncomingMessage,
  res: ServerResponse,
  edgeHandler: (event: unknown) => Promise<EdgeRequest | EdgeResponse>,
  origin: Origin,
  requestId: string,
): Promise<void> {
  const head = req.method === 'HEAD';
  const rawUrl = req.url ?? '/';
  if (!rawUrl.startsWith('/')) return sendError(res, head, 400, 'Bad Request', 'BAD_REQUEST');
  if (req.method !== 'GET' && !head) {
    res.setHeader('allow', 'GET, HEAD');
    return sendError(res, head, 403, 'Forbidden', 'METHOD_NOT_ALLOWED');
  }

  let result: EdgeRequest | EdgeResponse;
  try {
    result = await edgeHandler(viewerRequestEvent(req, rawUrl, requestId));
  } catch (error) {
    // CloudFront answers 503 when a function throws.
    console.error('[local-cdn] edge function failed:', error);
    return sendError(res, head, 503, 'Service Unavailable', 'FUNCTION_EXECUTION_ERROR');
  }
  if (isEdgeResponse(result)) return sendEdgeResponse(res, head, result);
  return proxy(res, head, result, origin);
}

/** The viewer-request event CloudFront builds: query values decoded, repeated ones as multiValue. */
function viewerRequestEvent(req: IncomingMessage, rawUrl: string, requestId: string): EdgeEvent {
  const q = rawUrl.indexOf('?');
  const uri = q < 0 ? rawUrl : rawUrl.slice(0, q);
  const querystring: Record<string, CfValue> = {};
  for (const [name, value] of new URLSearchParams(q < 0 ? '' : rawUrl.slice(q + 1))) {
    const existing = querystring[name];
    if (existing) existing.multiValue = [...(existing.multiValue ?? [{ value: existing.value }]), { value }];
    else querystring[name] = { value };
  }
  const headers: Record<string, CfValue> = {};
  const cookies: Record<string, CfValue> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    // CloudFront hands cookies to functions separately from the headers.
    if (name === 'cookie') {
      for (const part of String(value).split(';')) {
        const eq = part.indexOf('=');
        if (eq > 0) cookies[part.slice(0, eq).trim()] = { value: part.slice(eq + 1).trim() };
      }
      continue;
    }
    headers[name] = { value: Array.isArray(value) ? value.join(',') : value };
  }
  return {
    version: '1.0',
    context: { eventType: 'viewer-request', distributionId: 'LOCALCDN', requestId },
    viewer: { ip: req.socket.remoteAddress ?? '127.0.0.1' },
    request: { method: req.method ?? 'GET', uri, querystring, headers, cookies },
  };
}

function sendEdgeResponse(res: ServerResponse, head: boolean, response: EdgeResponse): void {
  const body =
    response.body?.data === undefined
      ? Buffer.alloc(0)
      : Buffer.from(response.body.data, response.body.encoding === 'base64' ? 'base64' : 'utf8');
  for (const [name, v] of Object.entries(response.headers ?? {})) res.setHeader(name, v.value);
  res.setHeader('content-length', body.length);
  res.writeHead(response.statusCode, response.statusDescription);
  res.end(head ? undefined : body);
}

/** A JSON error in the edge function's format: `{"error":"<CODE>"}`, not cacheable. */
function sendError(res: ServerResponse, head: boolean, status: number, description: string, code: string): void {
  const body = Buffer.from(JSON.stringify({ error: code }));
  res.setHeader('content-type', 'application/json');
  res.setHeader('cache-control', 'no-store');
  res.setHeader('content-length', body.length);
  res.writeHead(status, description);
  res.end(head ? undefined : body);
}

// ---------------------------------------------------------------------------
// Origin (s3rver)

type RangeSpec = { readonly start: number; readonly end?: number } | { readonly suffix: number };

/** Parses a single byte range; undefined for none, malformed or multiple ranges (which S3 ignores). */
function parseRange(text: string | undefined): RangeSpec | undefined {
  if (text === undefined) return undefined;
  const m = /^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$/i.exec(text);
  if (!m) return undefined;
  const [, first = '', last = ''] = m;
  if (first === '' && last === '') return undefined;
  if (first === '') {
    const suffix = Number(last);
    return Number.isSafeInteger(suffix) ? { suffix } : undefined;
  }
  const start = Number(first);
  const end = last === '' ? undefined : Number(last);
  if (!Number.isSafeInteger(start) || (end !== undefined && (!Number.isSafeInteger(end) || end < start))) return undefined;
  return end === undefined ? { start } : { start, end };
}

interface ObjectMeta {
  readonly size: number;
  readonly etag?: string;
  readonly lastModified?: string;
}

/** RFC 9110 If-Range: a strong ETag must match exactly, a date must equal Last-Modified. */
function ifRangeHolds(ifRange: string, meta: ObjectMeta): boolean {
  const value = ifRange.trim();
  if (value.startsWith('W/')) return false;
  if (value.startsWith('"')) return meta.etag !== undefined && !meta.etag.startsWith('W/') && value === meta.etag;
  const date = Date.parse(value);
  return meta.lastModified !== undefined && !Number.isNaN(date) && date === Date.parse(meta.lastModified);
}

function originCall(origin: Origin, method: 'GET' | 'HEAD', uri: string, headers: Record<string, string>): Promise<IncomingMessage> {
  const base = origin.url.pathname.replace(/\/+$/, '');
  // The edge-checked URI is already percent-encoded: send it verbatim (no dot-segment normalisation).
  const path = `${base}/${origin.bucket}${uri}`;
  const call = origin.url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((ok, fail) => {
    const req = call({ protocol: origin.url.protocol, hostname: origin.url.hostname, port: origin.url.port, method, path, headers }, ok);
    req.once('error', fail);
    req.end();
  });
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

async function readText(stream: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function sendUnsatisfiable(res: ServerResponse, head: boolean, size: number | undefined): void {
  if (size !== undefined) res.setHeader('content-range', `bytes */${size}`);
  sendError(res, head, 416, 'Range Not Satisfiable', 'RANGE_NOT_SATISFIABLE');
}

function sendOriginFailure(res: ServerResponse, head: boolean, status: number): void {
  // CloudFront with OAC sees 403 for a missing key (no ListBucket); either way the viewer gets a plain 404.
  if (status === 403 || status === 404) sendError(res, head, 404, 'Not Found', 'NOT_FOUND');
  else if (status === 412) sendError(res, head, 412, 'Precondition Failed', 'PRECONDITION_FAILED');
  else sendError(res, head, 502, 'Bad Gateway', 'ORIGIN_ERROR');
}

async function proxy(res: ServerResponse, head: boolean, request: EdgeRequest, origin: Origin): Promise<void> {
  const viewer = (name: string) => request.headers[name]?.value;
  let range = parseRange(viewer('range'));
  const ifRange = viewer('if-range');

  // Suffix ranges and If-Range need the object's size/validators before asking for bytes.
  if (range && ('suffix' in range || ifRange !== undefined)) {
    const probe = await originCall(origin, 'HEAD', request.uri, {});
    probe.resume();
    if (probe.statusCode !== 200) return sendOriginFailure(res, head, probe.statusCode ?? 502);
    const meta: ObjectMeta = {
      size: Number(header(probe.headers, 'content-length')),
      etag: header(probe.headers, 'etag'),
      lastModified: header(probe.headers, 'last-modified'),
    };
    if (ifRange !== undefined && !ifRangeHolds(ifRange, meta)) range = undefined;
    if (range && 'suffix' in range) {
      if (range.suffix === 0 || meta.size === 0) return sendUnsatisfiable(res, head, meta.size);
      range = { start: Math.max(0, meta.size - range.suffix), end: meta.size - 1 };
    }
  }

  const forward: Record<string, string> = {};
  for (const name of CONDITIONAL_HEADERS) {
    const value = viewer(name);
    if (value !== undefined) forward[name] = value;
  }
  const wanted = range && !('suffix' in range) ? range : undefined;
  if (wanted) forward.range = `bytes=${wanted.start}-${wanted.end ?? ''}`;

  const upstream = await originCall(origin, head ? 'HEAD' : 'GET', request.uri, forward);
  const status = upstream.statusCode ?? 502;

  const passHeaders = () => {
    for (const name of PASSED_HEADERS) {
      const value = header(upstream.headers, name);
      if (value !== undefined) res.setHeader(name, value);
    }
  };

  if (status === 304) {
    upstream.resume();
    passHeaders();
    res.writeHead(304, 'Not Modified');
    return void res.end();
  }
  if (status === 416) {
    const size = /<ActualObjectSize>(\d+)<\/ActualObjectSize>/.exec(await readText(upstream))?.[1];
    return sendUnsatisfiable(res, head, size === undefined ? undefined : Number(size));
  }
  if (status !== 200 && status !== 206) {
    upstream.resume();
    return sendOriginFailure(res, head, status);
  }

  // Where the origin's bytes start and how big the object is.
  let originStart = 0;
  let originEnd: number;
  let total: number;
  if (status === 206) {
    const m = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(header(upstream.headers, 'content-range') ?? '');
    if (!m) {
      upstream.resume();
      return sendOriginFailure(res, head, 502);
    }
    originStart = Number(m[1]);
    originEnd = Number(m[2]);
    total = Number(m[3]);
  } else {
    total = Number(header(upstream.headers, 'content-length'));
    originEnd = total - 1;
  }
  if (!Number.isSafeInteger(total) || total < 0) {
    upstream.resume();
    return sendOriginFailure(res, head, 502);
  }

  passHeaders();
  res.setHeader('accept-ranges', 'bytes');

  if (!wanted) {
    // Whole object (no usable Range, or If-Range failed).
    if (status === 206) {
      // We never asked for a range, so the origin must not send one.
      upstream.resume();
      return sendOriginFailure(res, head, 502);
    }
    res.setHeader('content-length', total);
    res.writeHead(200, 'OK');
    return stream(upstream, res, head);
  }

  if (wanted.start >= total) {
    upstream.resume();
    return sendUnsatisfiable(res, head, total);
  }
  const end = Math.min(wanted.end ?? total - 1, total - 1);
  const length = end - wanted.start + 1;
  const skip = wanted.start - originStart;
  if (skip < 0 || originEnd < end) {
    // The origin did not send the bytes asked for: never pass on a body that disagrees with its headers.
    upstream.resume();
    return sendOriginFailure(res, head, 502);
  }
  res.setHeader('content-range', `bytes ${wanted.start}-${end}/${total}`);
  res.setHeader('content-length', length);
  res.writeHead(206, 'Partial Content');
  return stream(upstream, res, head, skip, length);
}

/** Streams the origin body to the viewer, optionally cutting `skip` bytes and keeping `take`. */
async function stream(upstream: IncomingMessage, res: ServerResponse, head: boolean, skip = 0, take?: number): Promise<void> {
  if (head) {
    upstream.resume();
    return void res.end();
  }
  try {
    if (skip === 0 && take === undefined) await pipeline(upstream, res);
    else await pipeline(upstream, new ByteWindow(skip, take ?? Number.MAX_SAFE_INTEGER), res);
  } catch (error) {
    // A viewer that disconnects mid-download (a paused download, to be resumed with Range) is normal.
    if ((error as NodeJS.ErrnoException).code !== 'ERR_STREAM_PREMATURE_CLOSE') throw error;
  }
}

/** Passes through bytes [skip, skip + take) of a stream. */
class ByteWindow extends Transform {
  private position = 0;
  constructor(
    private readonly skipBytes: number,
    private readonly takeBytes: number,
  ) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    const from = Math.max(0, this.skipBytes - this.position);
    const to = Math.min(chunk.length, this.skipBytes + this.takeBytes - this.position);
    this.position += chunk.length;
    if (to > from) this.push(chunk.subarray(from, to));
    done();
  }
}
