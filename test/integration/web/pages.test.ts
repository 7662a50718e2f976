import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gateway } from '../../../local/gateway';
import { staffSignIn } from '../../../shared/auth/sign-in';
import { consoleContentSecurityPolicy, WINDOW_CONTENT_SECURITY_POLICY } from '../../../web/headers';
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

  it('serves the support console at /support/ with the same headers, its own bundle beside it', async () => {
    const redirect = await get('/support');
    expect(redirect.status).toBe(301);
    expect(redirect.headers.get('location')).toBe('/support/');
    const res = await get('/support/');
    expect(res.status).toBe(200);
    // The window's policy, plus the hosted sign-in's origin (cognito-local here) the console exchanges its code with,
    // and the packages bucket's (s3rver here) the console PUTs release packages to.
    const { hostedSignIn, endpoint } = staffSignIn();
    const s3 = new URL(process.env.AWS_ENDPOINT_URL_S3!).origin;
    expect(res.headers.get('content-security-policy')).toBe(consoleContentSecurityPolicy([new URL(hostedSignIn ?? endpoint!).origin, s3]));
    expect(WINDOW_CONTENT_SECURITY_POLICY).not.toContain(s3);
    expect(WINDOW_CONTENT_SECURITY_POLICY).not.toContain(new URL(hostedSignIn ?? endpoint!).origin);
    expect(await res.text()).toContain('Console di assistenza mOphas');
    const [console, window] = await Promise.all([get('/support/app.js'), get('/desktop/app.js')]);
    expect(console.status).toBe(200);
    // Two entry points: the console's bundle is not the window's.
    expect(await console.text()).not.toBe(await window.text());
    for (const path of ['/support/..%2fdesktop%2fapp.js', '/supportx/', '/support/%2e%2e/%2e%2e/etc/passwd']) {
      expect((await get(path)).status, path).toBe(404);
    }
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
