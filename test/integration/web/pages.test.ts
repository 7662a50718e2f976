import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gateway } from '../../../local/gateway';
import { WINDOW_CONTENT_SECURITY_POLICY } from '../../../web/headers';
import { startWindowGateway } from '../../fixtures/browser';

/* The local gateway serves the built window at /desktop/ as CloudFront does in AWS. */
let gateway: Gateway;
beforeAll(async () => {
  gateway = await startWindowGateway();
});
afterAll(() => gateway.close());

const get = (path: string, method = 'GET') => fetch(`${gateway.url}${path}`, { method, redirect: 'manual' });

describe('the window pages on the local gateway', () => {
  it('serves /desktop/ as its index.html with the CSP, no-referrer and no-cache', async () => {
    const res = await get('/desktop/');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('content-security-policy')).toBe(WINDOW_CONTENT_SECURITY_POLICY);
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    expect(res.headers.get('cache-control')).toBe('no-cache');
    expect(await res.text()).toContain('<div id="app">');
  });

  it('redirects /desktop to /desktop/ and serves the bundle beside it', async () => {
    const redirect = await get('/desktop');
    expect(redirect.status).toBe(301);
    expect(redirect.headers.get('location')).toBe('/desktop/');
    const js = await get('/desktop/app.js');
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect((await js.text()).length).toBeGreaterThan(1000);
    expect((await get('/desktop/app.css')).headers.get('content-type')).toBe('text/css; charset=utf-8');
  });

  it('never serves a file outside the build folder, and only GET and HEAD', async () => {
    for (const path of [
      '/desktop/..%2f..%2fpackage.json',
      '/desktop/%2e%2e/%2e%2e/etc/passwd',
      '/desktop/nothing.js',
      '/desktop/%E0%A4%A',
    ]) {
      expect((await get(path)).status, path).toBe(404);
    }
    const post = await get('/desktop/', 'POST');
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
  });

  it('still answers the API beside the pages', async () => {
    const res = await get('/v1/health');
    expect(res.status).toBe(200);
    expect(((await res.json()) as { status: string }).status).toBe('ok');
  });
});
