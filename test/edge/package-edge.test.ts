import * as crypto from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  EDGE_IMPORT_LINE,
  edgeSource,
  loadEdgeFunction,
  type CfValue,
  type EdgeRequest,
  type EdgeResponse,
  type LoadedEdge,
} from '../../local/edge-runtime';
import { signPackagePath, URL_SIGNING_KVS_KEY, verifyPackageToken } from '../../shared/domain/package-url';

/*
 * The CloudFront Function is plain cloudfront-js-2.0 code that Node cannot import
 * (it imports the runtime's 'cloudfront' module). Each test evaluates the file as
 * CloudFront would run it, through the loader the local CDN uses too
 * (local/edge-runtime.ts): the import replaced by an injected stub whose kvs()
 * returns the signing key, `require('crypto')` served by node:crypto, and a clock
 * the test controls.
 */

const SOURCE = edgeSource();
const IMPORT_LINE = EDGE_IMPORT_LINE;

const KEY = crypto.randomBytes(32);
const KEY_TEXT = KEY.toString('base64url');
const NOW = 1_760_000_000; // epoch seconds
const PATH = '/packages/03.01.00_030/desktop.exe';

interface EdgeOptions {
  /** What the KVS holds under url-signing-key; an Error makes get() reject (key missing). */
  readonly kvsValue?: string | Error;
  readonly nowSeconds?: number;
}

function loadEdge(options: EdgeOptions = {}): LoadedEdge {
  return loadEdgeFunction({
    source: SOURCE,
    kvsValue: options.kvsValue ?? KEY_TEXT,
    nowSeconds: options.nowSeconds ?? NOW,
    onKvsGet: (_key, opts) => expect(opts?.format ?? 'string').toBe('string'),
  });
}

/** A viewer-request event as CloudFront builds it; repeated query parameters get multiValue. */
function viewerRequest(uri: string, query = '', headers: Record<string, string> = {}) {
  const querystring: Record<string, CfValue> = {};
  for (const [name, value] of new URLSearchParams(query)) {
    const existing = querystring[name];
    if (existing) {
      existing.multiValue = [...(existing.multiValue ?? [{ value: existing.value }]), { value }];
    } else {
      querystring[name] = { value };
    }
  }
  const h: Record<string, CfValue> = {};
  for (const [name, value] of Object.entries(headers)) h[name.toLowerCase()] = { value };
  return {
    version: '1.0',
    context: { eventType: 'viewer-request', distributionId: 'EDFDVBD6EXAMPLE', requestId: 'req-1' },
    viewer: { ip: '198.51.100.7' },
    request: { method: 'GET', uri, querystring, headers: h, cookies: {} },
  };
}

function isResponse(result: EdgeRequest | EdgeResponse): result is EdgeResponse {
  return 'statusCode' in result;
}

async function run(uri: string, query: string, options: EdgeOptions = {}, headers: Record<string, string> = {}) {
  return loadEdge(options).handler(viewerRequest(uri, query, headers));
}

function expectRefusal(result: EdgeRequest | EdgeResponse, status: number, code: string) {
  expect(isResponse(result)).toBe(true);
  const response = result as EdgeResponse;
  expect(response.statusCode).toBe(status);
  expect(JSON.parse(response.body.data)).toEqual({ error: code });
  expect(response.body.encoding).toBe('text');
  expect(response.headers['cache-control']?.value).toBe('no-store');
}

describe('package edge function (CloudFront viewer request)', () => {
  it('is a self-contained cloudfront-js-2.0 file: one import of cloudfront, no exports, under the 10 KB limit', () => {
    expect(SOURCE.startsWith(`${IMPORT_LINE}\n`)).toBe(true);
    expect(SOURCE.match(/^\s*import\s/gm)).toHaveLength(1);
    expect(SOURCE).not.toMatch(/^\s*export\s/m);
    expect(SOURCE.split('__KVS_ID__')).toHaveLength(2);
    expect(Buffer.byteLength(SOURCE)).toBeLessThan(10 * 1024);
  });

  it('opens the key value store whose id CDK injects and reads url-signing-key from it', async () => {
    const edge = loadEdge();
    await edge.handler(viewerRequest(PATH, signPackagePath(KEY, PATH, NOW + 300)));
    expect(edge.kvsIds).toEqual(['__KVS_ID__']);
    expect(edge.kvsKeys).toEqual([URL_SIGNING_KVS_KEY]);
  });

  it('passes a validly signed request on with the token stripped and everything else kept', async () => {
    const query = `${signPackagePath(KEY, PATH, NOW + 300)}&x-client=desktop`;
    const result = await run(PATH, query, {}, { Range: 'bytes=1000-1999' });
    expect(isResponse(result)).toBe(false);
    const request = result as EdgeRequest;
    expect(request.uri).toBe(PATH);
    expect(request.querystring).toEqual({ 'x-client': { value: 'desktop' } });
    // Resumable downloads: the Range header reaches S3 untouched.
    expect(request.headers.range).toEqual({ value: 'bytes=1000-1999' });
  });

  it('refuses an expired token with 403 EXPIRED', async () => {
    const query = signPackagePath(KEY, PATH, NOW - 1);
    expectRefusal(await run(PATH, query), 403, 'EXPIRED');
    // The expiry instant itself is already expired.
    expectRefusal(await run(PATH, signPackagePath(KEY, PATH, NOW)), 403, 'EXPIRED');
  });

  it('refuses a forged signature with 403 FORGED', async () => {
    const query = signPackagePath(KEY, PATH, NOW + 300);
    const sig = new URLSearchParams(query).get('sig')!;
    const flipped = sig.slice(0, 10) + (sig[10] === 'A' ? 'B' : 'A') + sig.slice(11);
    expectRefusal(await run(PATH, query.replace(sig, flipped)), 403, 'FORGED');
    // Signed with another key.
    expectRefusal(await run(PATH, signPackagePath(crypto.randomBytes(32), PATH, NOW + 300)), 403, 'FORGED');
  });

  it('refuses a token whose expiry was pushed forward with 403 FORGED', async () => {
    const query = signPackagePath(KEY, PATH, NOW - 10).replace(`exp=${NOW - 10}`, `exp=${NOW + 3600}`);
    expectRefusal(await run(PATH, query), 403, 'FORGED');
  });

  it('refuses a request without token, or with half of it, with 403 MISSING', async () => {
    expectRefusal(await run(PATH, ''), 403, 'MISSING');
    expectRefusal(await run(PATH, `exp=${NOW + 300}`), 403, 'MISSING');
    const sig = new URLSearchParams(signPackagePath(KEY, PATH, NOW + 300)).get('sig')!;
    expectRefusal(await run(PATH, `sig=${sig}`), 403, 'MISSING');
  });

  it('refuses a valid token presented for another path with 403 FORGED', async () => {
    const query = signPackagePath(KEY, PATH, NOW + 300);
    expectRefusal(await run('/packages/03.01.00_031/desktop.exe', query), 403, 'FORGED');
    expectRefusal(await run(`${PATH}x`, query), 403, 'FORGED');
    expectRefusal(await run('/packages/03.01.00_030/DESKTOP.exe', query), 403, 'FORGED');
  });

  it('refuses repeated or malformed token parameters with 403 FORGED', async () => {
    const query = signPackagePath(KEY, PATH, NOW + 300);
    expectRefusal(await run(PATH, `${query}&sig=${new URLSearchParams(query).get('sig')}`), 403, 'FORGED');
    expectRefusal(await run(PATH, `${query}&exp=${NOW + 300}`), 403, 'FORGED');
    expectRefusal(await run(PATH, query.replace(`exp=${NOW + 300}`, `exp=${NOW + 300}.0`)), 403, 'FORGED');
    expectRefusal(await run(PATH, `exp=${NOW + 300}&sig=${'A'.repeat(44)}`), 403, 'FORGED');
  });

  it('answers 404 outside /packages/ so desktop logs are never reachable through the CDN', async () => {
    // Even a signature computed for that path does not open it.
    const sig = crypto
      .createHmac('sha256', KEY)
      .update(`/logs/c1/update.log\n${NOW + 300}`)
      .digest('base64url');
    expectRefusal(await run('/logs/c1/update.log', `exp=${NOW + 300}&sig=${sig}`), 404, 'NOT_FOUND');
    expectRefusal(await run('/', ''), 404, 'NOT_FOUND');
  });

  it('fails closed with 503 when the signing key is missing from the store', async () => {
    const query = signPackagePath(KEY, PATH, NOW + 300);
    expectRefusal(await run(PATH, query, { kvsValue: new Error('Key url-signing-key not found') }), 503, 'SIGNING_KEY_UNAVAILABLE');
    expectRefusal(await run(PATH, query, { kvsValue: 'c2hvcnQ' }), 503, 'SIGNING_KEY_UNAVAILABLE');
  });

  it('accepts the key text with trailing base64 padding', async () => {
    const key = crypto.randomBytes(32);
    const padded = key.toString('base64').replace(/\+/g, '-').replace(/\//g, '_');
    expect(padded.endsWith('=')).toBe(true);
    const result = await run(PATH, signPackagePath(key, PATH, NOW + 60), { kvsValue: padded });
    expect(isResponse(result)).toBe(false);
  });
});

describe('edge function and shared/domain/package-url.ts agree', () => {
  const segment = fc.stringMatching(/^[A-Za-z0-9._~-]{1,24}$/);
  const packagePath = fc.array(segment, { minLength: 1, maxLength: 4 }).map((parts) => `/packages/${parts.join('/')}`);
  const keyBytes = fc.uint8Array({ minLength: 32, maxLength: 64 });
  const offset = fc.integer({ min: -86_400, max: 86_400 });

  async function edgeVerdict(key: Uint8Array, uri: string, query: string, nowSeconds: number) {
    const result = await run(uri, query, { kvsValue: Buffer.from(key).toString('base64url'), nowSeconds });
    if (!isResponse(result)) return 'OK';
    return (JSON.parse(result.body.data) as { error: string }).error;
  }
  function tsVerdict(key: Uint8Array, uri: string, query: string, nowSeconds: number) {
    const verdict = verifyPackageToken(key, uri, query, nowSeconds);
    return verdict.ok ? 'OK' : verdict.reason;
  }

  it('accepts exactly the tokens signPackagePath produces, in both implementations', async () => {
    await fc.assert(
      fc.asyncProperty(keyBytes, packagePath, offset, async (key, uri, delta) => {
        const exp = NOW + delta;
        fc.pre(exp > 0);
        const query = signPackagePath(key, uri, exp);
        const expected = delta > 0 ? 'OK' : 'EXPIRED';
        expect(tsVerdict(key, uri, query, NOW)).toBe(expected);
        expect(await edgeVerdict(key, uri, query, NOW)).toBe(expected);
      }),
      { numRuns: 150 },
    );
  });

  it('gives the same verdict for tampered paths, expiries and signatures', async () => {
    const tamper = fc.constantFrom('path', 'exp', 'sig', 'drop-sig', 'drop-exp', 'none');
    await fc.assert(
      fc.asyncProperty(keyBytes, packagePath, offset, tamper, async (key, uri, delta, how) => {
        const exp = NOW + delta;
        let query = signPackagePath(key, uri, exp);
        let requested = uri;
        const params = new URLSearchParams(query);
        if (how === 'path') requested = `${uri}.old`;
        if (how === 'exp') params.set('exp', String(exp + 1));
        if (how === 'sig') {
          const sig = params.get('sig')!;
          params.set('sig', (sig[0] === 'A' ? 'B' : 'A') + sig.slice(1));
        }
        if (how === 'drop-sig') params.delete('sig');
        if (how === 'drop-exp') params.delete('exp');
        query = params.toString();
        expect(await edgeVerdict(key, requested, query, NOW)).toBe(tsVerdict(key, requested, query, NOW));
      }),
      { numRuns: 150 },
    );
  });
});
