import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_PEOPLE } from '../../../local/stack';
import { listAudit } from '../../../shared/db/audit';
import { CATALOG_AUDIT_SCOPE } from '../../../functions/releases/publish';
import { TestApi } from '../../fixtures/api';
import { createAgent, staffAuth } from '../../fixtures/sign-in';
import { createTenant } from '../../fixtures/tenant';
import { MiB, bytesOf, sha256 } from './helpers';

/*
 * The staff door onto publishing (issue 13 item 4): POST
 * /v1/support/console/releases/{version}/uploads and /v1/support/console/releases,
 * staff signed in (JWT), the same domain functions as the pipeline's SigV4 routes.
 * And the packages bucket's CORS rule the console's browser uploads need.
 * Releases 33.xx belong to this file (33.9x: test/integration/web/console-manage.test.ts).
 */

let api: TestApi;
let staff: string;
let agent: string;

beforeAll(async () => {
  api = await TestApi.start();
  staff = await staffAuth();
  agent = (await createAgent(api, [(await createTenant()).customerId])).auth;
});
afterAll(() => api.close());

/** A version of 33.00–33.89 nobody else takes. */
const version = () =>
  `33.${String(Math.floor(Math.random() * 90)).padStart(2, '0')}.00_${String(Math.floor(Math.random() * 1000)).padStart(3, '0')}`;

/** Uploads `bytes` through the staff uploads route as the console does: PUT each part to its presigned URL. */
async function stage(v: string, kind: 'desktop' | 'mobile', filename: string, bytes: Buffer, origin?: string) {
  const start = await api.call('POST', `/v1/support/console/releases/${v}/uploads`, {
    auth: staff,
    body: { kind, filename, size: bytes.length, sha256: sha256(bytes) },
  });
  expect(start.status, JSON.stringify(start.body)).toBe(201);
  const plan = start.body as { uploadKey: string; uploadId?: string; partSize: number; parts: { partNumber: number; url: string }[] };
  const parts: { partNumber: number; etag: string }[] = [];
  for (const part of plan.parts) {
    const body = bytes.subarray((part.partNumber - 1) * plan.partSize, part.partNumber * plan.partSize);
    const res = await fetch(part.url, { method: 'PUT', body, headers: origin ? { origin } : {} });
    expect(res.status).toBe(200);
    if (origin) {
      expect(res.headers.get('access-control-allow-origin')).toBe(origin);
      expect(res.headers.get('access-control-expose-headers')).toContain('ETag');
    }
    parts.push({ partNumber: part.partNumber, etag: res.headers.get('etag') ?? '' });
  }
  return {
    uploadKey: plan.uploadKey,
    ...(plan.uploadId ? { uploadId: plan.uploadId, parts } : {}),
    sha256: sha256(bytes),
    size: bytes.length,
    filename,
  };
}

describe('publishing as staff signed in (the console’s routes)', () => {
  it('publishes a release from a multipart and a single upload, verified like the pipeline’s, audited with the staff person', async () => {
    const v = version();
    const desktopBytes = bytesOf(17 * MiB + 3);
    const mobileBytes = bytesOf(2048);
    const desktop = await stage(v, 'desktop', 'mophas-setup.exe', desktopBytes);
    expect(desktop.uploadId).toEqual(expect.any(String));
    const mobile = await stage(v, 'mobile', 'mophas.apk', mobileBytes);
    const res = await api.call('POST', '/v1/support/console/releases', {
      auth: staff,
      body: { version: v, notesUrl: `https://wiki.alturas.it/mophas/${v}`, requiresConfirmationCode: true, desktop, mobile },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body).toMatchObject({ version: v, requiresConfirmationCode: true, catalogVersion: expect.any(Number) });
    expect(res.body.desktop).toMatchObject({ size: desktopBytes.length, sha256: sha256(desktopBytes) });

    const list = await api.call('GET', '/v1/support/releases', { auth: staff });
    expect(list.body.releases.map((r: { version: string }) => r.version)).toContain(v);
    const { entries } = await listAudit(CATALOG_AUDIT_SCOPE, { limit: 50 });
    const entry = entries.find((e) => e.action === 'release.published' && e.details?.version === v);
    expect(entry).toMatchObject({ outcome: 'ok', actor: { kind: 'support', id: LOCAL_PEOPLE.staff.username } });
  });

  it('refuses a package whose bytes do not match the declared hash (422), as the pipeline route does', async () => {
    const v = version();
    const desktop = await stage(v, 'desktop', 'setup.exe', bytesOf(1000));
    const mobile = await stage(v, 'mobile', 'm.apk', bytesOf(1000));
    const res = await api.call('POST', '/v1/support/console/releases', {
      auth: staff,
      body: {
        version: v,
        notesUrl: 'https://wiki.alturas.it/x',
        requiresConfirmationCode: false,
        desktop,
        mobile: { ...mobile, sha256: 'f'.repeat(64) },
      },
    });
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('PACKAGE_HASH_MISMATCH');
    expect(res.body.messages.it).toEqual(expect.any(String));
  });

  it('answers 409 RELEASE_EXISTS with the release when the version is already published', async () => {
    const v = version();
    const body = {
      version: v,
      notesUrl: 'https://wiki.alturas.it/x',
      requiresConfirmationCode: false,
      desktop: await stage(v, 'desktop', 'setup.exe', bytesOf(100)),
      mobile: await stage(v, 'mobile', 'm.apk', bytesOf(100)),
    };
    expect((await api.call('POST', '/v1/support/console/releases', { auth: staff, body })).status).toBe(201);
    const again = await api.call('POST', `/v1/support/console/releases/${v}/uploads`, {
      auth: staff,
      body: { kind: 'desktop', filename: 'setup.exe', size: 1, sha256: 'a'.repeat(64) },
    });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('RELEASE_EXISTS');
  });

  it('is for staff only: an agent gets 403 STAFF_REQUIRED, the pipeline’s signature and no sign-in 401', async () => {
    const v = version();
    const upload = { kind: 'desktop', filename: 'setup.exe', size: 10, sha256: 'a'.repeat(64) };
    const byAgent = await api.call('POST', `/v1/support/console/releases/${v}/uploads`, { auth: agent, body: upload });
    expect(byAgent.status).toBe(403);
    expect(byAgent.body.code).toBe('STAFF_REQUIRED');
    expect((await api.call('POST', '/v1/support/console/releases', { auth: agent, body: {} })).status).toBe(403);
    // One authorizer per route: the pipeline's SigV4 opens its own routes, not the console's.
    expect((await api.call('POST', `/v1/support/console/releases/${v}/uploads`, { pipeline: true, body: upload })).status).toBe(401);
    expect((await api.call('POST', `/v1/support/console/releases/${v}/uploads`, { body: upload })).status).toBe(401);
    // And a person's token does not open the pipeline's routes.
    expect((await api.call('POST', `/v1/support/releases/${v}/uploads`, { auth: staff, body: upload })).status).toBe(403);
  });
});

describe('the packages bucket’s CORS rule for the console’s uploads (s3rver, as the stack’s rule)', () => {
  it('answers a browser’s preflight for PUT from the console’s origin and exposes each part’s ETag', async () => {
    const v = version();
    const origin = 'http://127.0.0.1:3000';
    const start = await api.call('POST', `/v1/support/console/releases/${v}/uploads`, {
      auth: staff,
      body: { kind: 'mobile', filename: 'm.apk', size: 10, sha256: 'a'.repeat(64) },
    });
    const url = start.body.parts[0].url as string;
    const preflight = await fetch(url, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'PUT' } });
    expect(preflight.status).toBe(200);
    expect(preflight.headers.get('access-control-allow-methods')).toContain('PUT');
    const refused = await fetch(url, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'DELETE' } });
    expect(refused.status).toBe(403);
    // The actual PUT carries the origin back and lets the page read the ETag.
    await stage(version(), 'mobile', 'm.apk', bytesOf(64), origin);
  });
});
