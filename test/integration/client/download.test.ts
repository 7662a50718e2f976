import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DesktopClient } from '../../../client/desktop';
import { downloadPackage, DownloadError } from '../../../client/download';
import type { FeedAnswerUpdate } from '../../../client/types';
import { TestApi } from '../../fixtures/api';
import { createTenant, publishTestRelease, type Tenant } from '../../fixtures/tenant';

// The client tests own the 93.xx range of the shared test catalog (this file: 93.10.xx).
const FROM = '93.10.00_001';
const TO = '93.10.00_002';
const SIZE = 300_000;

let api: TestApi;
let dir: string;
let bytes: Buffer;
beforeAll(async () => {
  api = await TestApi.start();
  dir = mkdtempSync(join(tmpdir(), 'mophas-client-download-'));
  await publishTestRelease(FROM);
  bytes = (await publishTestRelease(TO, { size: SIZE })).desktopBytes;
});
afterAll(async () => {
  await api.close();
  rmSync(dir, { recursive: true, force: true });
});

async function desktopFor(tenant: Tenant) {
  return DesktopClient.open({
    apiUrl: api.gateway.url,
    credential: tenant.desktopCredential,
    customerId: tenant.customerId,
    installedVersion: FROM,
  });
}

/** The signed offer of a fresh customer on FROM. */
async function offer(): Promise<{ tenant: Tenant; desktop: DesktopClient; update: FeedAnswerUpdate }> {
  const tenant = await createTenant({ desktopVersion: FROM });
  const desktop = await desktopFor(tenant);
  const check = await desktop.startupCheck();
  if (!check.ok || !check.update) throw new Error(`expected an offer, got ${JSON.stringify(check)}`);
  return { tenant, desktop, update: check.update };
}

/** Records the Range header and status of each request. */
function recording() {
  const seen: { range: string | null; status: number }[] = [];
  const spy: typeof fetch = async (input, init) => {
    const res = await fetch(input, init);
    seen.push({ range: new Headers(init?.headers).get('range'), status: res.status });
    return res;
  };
  return { seen, spy };
}

/** A connection that drops after `limit` bytes of the body (the partial bytes reach the file). */
function cutAfter(limit: number): typeof fetch {
  return async (input, init) => {
    const res = await fetch(input, init);
    const reader = res.body!.getReader();
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        if (sent >= limit) {
          await reader.cancel();
          controller.error(new TypeError('terminated: other side closed (simulated)'));
          return;
        }
        const { done, value } = await reader.read();
        if (done) return controller.close();
        const part = value.subarray(0, limit - sent);
        sent += part.byteLength;
        controller.enqueue(part);
      },
    });
    return new Response(body, { status: res.status, headers: res.headers });
  };
}

describe('installer download over the CDN (PKG-1/2)', () => {
  it('resumes a partial file with a Range request and verifies the whole file', async () => {
    const { update } = await offer();
    const dest = join(dir, 'resume', 'setup.exe');
    mkdirSync(join(dir, 'resume'), { recursive: true });
    writeFileSync(dest, bytes.subarray(0, 100_000));
    const { seen, spy } = recording();
    const result = await downloadPackage(update.desktop.url, update.desktop, dest, { fetch: spy });
    expect(result).toMatchObject({ path: dest, size: SIZE, sha256: update.desktop.sha256, resumedFrom: 100_000 });
    expect(seen).toEqual([{ range: 'bytes=100000-', status: 206 }]);
    expect(readFileSync(dest).equals(bytes)).toBe(true);
    expect(existsSync(`${dest}.download.json`)).toBe(false);
  });

  it('keeps the bytes of an interrupted transfer, resumes it at the next attempt, reports it, and the notice turns green', async () => {
    const { desktop } = await offer();
    const where = join(dir, 'interrupted');
    const cut = await desktop.downloadUpdate({ dir: where, fetch: cutAfter(120_000) }).catch((e: unknown) => e);
    expect(cut).toBeInstanceOf(DownloadError);
    expect(cut).toMatchObject({ reason: 'INTERRUPTED', deleted: false, bytes: 120_000 });
    const partial = join(where, TO, 'desktop-setup.exe');
    expect(statSync(partial).size).toBe(120_000);

    const { seen, spy } = recording();
    const done = await desktop.downloadUpdate({ dir: where, fetch: spy });
    expect(done).toMatchObject({ version: TO, size: SIZE, resumedFrom: 120_000 });
    // The first attempt's ETag guards the splice (If-Range): 206 continues the same object.
    expect(seen).toEqual([{ range: 'bytes=120000-', status: 206 }]);
    expect(readFileSync(partial).equals(bytes)).toBe(true);
    expect(done.desktopDownloadVerifiedAt).toMatch(/^\d{4}-/);
    const next = await desktop.startupCheck();
    expect(next).toMatchObject({ ok: true, notice: { kind: 'update-ready', colour: 'green' } });
  });

  it('rejects and deletes a resumed file whose first bytes were wrong (hash mismatch)', async () => {
    const { update } = await offer();
    const dest = join(dir, 'corrupt.exe');
    writeFileSync(dest, Buffer.alloc(100_000, 0x41));
    const error = await downloadPackage(update.desktop.url, update.desktop, dest).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DownloadError);
    expect(error).toMatchObject({ reason: 'HASH_MISMATCH', deleted: true, code: 'DOWNLOAD_HASH_MISMATCH' });
    expect((error as Error).message).toMatch(/rejected and deleted/);
    expect(existsSync(dest)).toBe(false);
    expect(existsSync(`${dest}.download.json`)).toBe(false);
  });

  it('never reports a rejected download: the notice stays yellow', async () => {
    const { desktop, update } = await offer();
    const where = join(dir, 'never-reported');
    const dest = join(where, TO, 'desktop-setup.exe');
    mkdirSync(join(where, TO), { recursive: true });
    writeFileSync(dest, Buffer.alloc(SIZE, 0x42)); // complete size, wrong bytes: verified without any request
    await expect(desktop.downloadUpdate({ dir: where })).rejects.toMatchObject({ reason: 'HASH_MISMATCH', deleted: true });
    expect(existsSync(dest)).toBe(false);
    expect((await desktop.startupCheck()).notice).toMatchObject({ kind: 'download-in-progress', version: update.version });
  });

  it('starts over when the partial file is longer than the signed size', async () => {
    const { update } = await offer();
    const dest = join(dir, 'too-long.exe');
    writeFileSync(dest, Buffer.alloc(SIZE + 10, 0x43));
    const result = await downloadPackage(update.desktop.url, update.desktop, dest);
    expect(result).toMatchObject({ size: SIZE, resumedFrom: 0 });
    expect(readFileSync(dest).equals(bytes)).toBe(true);
  });
});
