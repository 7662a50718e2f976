import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DesktopClient, type DesktopState } from '../../../client/desktop';
import { memoryStore } from '../../../client/state';
import { freePort } from '../../../local/stack';
import { TestApi } from '../../fixtures/api';
import { ensureRelease } from '../../fixtures/session';
import { createTenant, type Tenant } from '../../fixtures/tenant';

// The client tests own the 93.xx range of the shared test catalog (this file: 93.00.xx).
const FROM = '93.00.00_001';
const TO = '93.00.00_002';

let api: TestApi;
let tenant: Tenant;
beforeAll(async () => {
  api = await TestApi.start();
  await ensureRelease(FROM);
  await ensureRelease(TO);
  tenant = await createTenant({ desktopVersion: FROM });
});
afterAll(() => api.close());

const open = (apiUrl: string, options: Partial<Parameters<typeof DesktopClient.open>[0]> = {}) =>
  DesktopClient.open({ apiUrl, credential: tenant.desktopCredential, customerId: tenant.customerId, installedVersion: FROM, ...options });

/** A TCP server that accepts connections and never answers. */
async function silentServer(): Promise<{ url: string; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((ok) => {
        for (const s of sockets) s.destroy();
        server.close(() => ok());
      }),
  };
}

describe('desktop startup check (FEED-4, PKG-2)', () => {
  it('shows the blue notice without throwing when the feed port is closed', async () => {
    const desktop = await open(`http://127.0.0.1:${await freePort()}`);
    const check = await desktop.startupCheck();
    expect(check).toMatchObject({ ok: false, reason: 'UNREACHABLE', notice: { kind: 'feed-unreachable', colour: 'blue' } });
    expect(check.notice.text?.it).toMatch(/non sono raggiungibili/);
    // A refused answer never moves the anti-rollback mark.
    expect(desktop.state.lastCatalogVersion).toBe(0);
  });

  it('shows the blue notice within the timeout when the server never answers', async () => {
    const silent = await silentServer();
    try {
      const desktop = await open(silent.url, { feedTimeoutMs: 300 });
      const started = Date.now();
      const check = await desktop.startupCheck();
      const elapsed = Date.now() - started;
      expect(check).toMatchObject({ ok: false, reason: 'TIMEOUT', notice: { colour: 'blue' } });
      expect(elapsed).toBeGreaterThanOrEqual(250);
      expect(elapsed).toBeLessThan(2000);
    } finally {
      await silent.close();
    }
  });

  it('pins the feed keys at the first start, fetches them only once, and stores the catalog version', async () => {
    const store = memoryStore<DesktopState>();
    const paths: string[] = [];
    const spy: typeof fetch = (input, init) => {
      paths.push(new URL(String(input)).pathname);
      return fetch(input, init);
    };
    const first = await open(api.gateway.url, { store, fetch: spy });
    const check = await first.startupCheck();
    expect(check).toMatchObject({
      ok: true,
      notice: { kind: 'download-in-progress', colour: 'yellow', version: TO },
      update: { version: TO },
    });
    expect(first.state.pinnedKeys).toHaveLength(1);
    expect(first.state.lastCatalogVersion).toBeGreaterThan(0);

    const again = await DesktopClient.open({ apiUrl: api.gateway.url, credential: tenant.desktopCredential, store, fetch: spy });
    expect((await again.startupCheck()).ok).toBe(true);
    expect(paths.filter((p) => p === '/v1/feed/keys')).toHaveLength(1);
    expect(paths.filter((p) => p === '/v1/desktop/feed')).toHaveLength(2);
  });

  it('treats a tampered answer like no answer: blue, state unchanged', async () => {
    const tamper: typeof fetch = async (input, init) => {
      const res = await fetch(input, init);
      if (new URL(String(input)).pathname !== '/v1/desktop/feed') return res;
      const body = (await res.json()) as { answer: { payload: string } };
      // A proxy rolling the catalog version forward (or swapping a hash): the signature no longer matches.
      body.answer.payload = body.answer.payload.replace(/"catalogVersion":(\d+)/, (_, n: string) => `"catalogVersion":${Number(n) + 1}`);
      return new Response(JSON.stringify(body), { status: res.status, headers: { 'content-type': 'application/json' } });
    };
    const desktop = await open(api.gateway.url, { fetch: tamper });
    const check = await desktop.startupCheck();
    expect(check).toMatchObject({ ok: false, reason: 'BAD_SIGNATURE', notice: { colour: 'blue' } });
    expect(desktop.state.lastCatalogVersion).toBe(0);
  });

  it('shows the blue notice (with the API error attached) when the feed refuses the credential', async () => {
    const desktop = await open(api.gateway.url, { credential: 'dsk_unknownid.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' });
    const check = await desktop.startupCheck();
    expect(check).toMatchObject({ ok: false, reason: 'HTTP_ERROR', notice: { colour: 'blue' } });
    expect(check.ok ? undefined : check.error).toMatchObject({ status: 401, code: 'UNAUTHORIZED' });
  });
});
