import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_PIPELINE_ARN } from '../../../local/sigv4-verify';
import { sigV4Authenticator } from '../../../client/sigv4';
import { LOCAL_REGION } from '../../../local/stack';
import { s3 } from '../../../shared/aws/s3';
import { bucketName, requireEnv, SECRET_VALUE_ENV } from '../../../shared/config';
import { listAudit } from '../../../shared/db/audit';
import { getRelease } from '../../../shared/db/catalog';
import { CATALOG_AUDIT_SCOPE } from '../../../functions/releases/publish';
import { TestApi } from '../../fixtures/api';
import { createAgent, staffAuth } from '../../fixtures/sign-in';
import { createTenant, type Tenant } from '../../fixtures/tenant';
import { MiB, bytesOf, headObject, publishBody, readObject, sha256, stagePackage, uniqueVersion } from './helpers';

let api: TestApi;
let tenant: Tenant;

beforeAll(async () => {
  api = await TestApi.start();
  tenant = await createTenant();
});
afterAll(() => api.close());

/** As the build pipeline (SigV4 with the local pipeline key), or with the given `Authorization` instead. */
const publish = (body: unknown, auth?: string) => api.call('POST', '/v1/support/releases', { auth, body, pipeline: auth === undefined });
const startUpload = (version: string, body: unknown, auth?: string) =>
  api.call('POST', `/v1/support/releases/${version}/uploads`, { auth, body, pipeline: auth === undefined });
const countObjects = async (prefix: string) =>
  (await s3.send(new ListObjectsV2Command({ Bucket: bucketName(), Prefix: prefix }))).KeyCount ?? 0;
/** The release list, as staff read it (signed in). */
const listed = async (version: string) => {
  const res = await api.call('GET', '/v1/support/releases', { auth: await staffAuth() });
  expect(res.status).toBe(200);
  return (res.body.releases as { version: string }[]).find((r) => r.version === version) as any;
};

describe('release uploads (POST /v1/support/releases/{version}/uploads)', () => {
  it('hands out one presigned PUT up to 16 MiB, with the size signed and no checksum parameters', async () => {
    const version = uniqueVersion();
    const res = await startUpload(version, { kind: 'mobile', filename: 'mophas.apk', size: 1000, sha256: 'a'.repeat(64) });
    expect(res.status).toBe(201);
    expect(res.body.uploadId).toBeUndefined();
    expect(res.body.partSize).toBe(1000);
    expect(res.body.uploadKey).toMatch(new RegExp(`^staging/${version}/[0-9a-f-]{36}/mophas\\.apk$`));
    expect(res.body.parts).toHaveLength(1);
    const url = new URL(res.body.parts[0].url);
    expect(url.searchParams.get('X-Amz-SignedHeaders')).toBe('content-length;host');
    expect([...url.searchParams.keys()].filter((k) => /checksum/i.test(k))).toEqual([]);
    const minutes = (Date.parse(res.body.expiresAt) - Date.now()) / 60_000;
    expect(minutes).toBeGreaterThan(59);
    expect(minutes).toBeLessThanOrEqual(60);
  });

  it('starts a multipart upload above 16 MiB with 8 MiB parts, one presigned URL each', async () => {
    const res = await startUpload(uniqueVersion(), {
      kind: 'desktop',
      filename: 'mophas-setup.exe',
      size: 20 * MiB + 5,
      sha256: 'b'.repeat(64),
    });
    expect(res.status).toBe(201);
    expect(res.body.uploadId).toEqual(expect.any(String));
    expect(res.body.partSize).toBe(8 * MiB);
    expect(res.body.parts.map((p: { partNumber: number }) => p.partNumber)).toEqual([1, 2, 3]);
    for (const part of res.body.parts) {
      const url = new URL(part.url);
      expect(url.searchParams.get('partNumber')).toBe(String(part.partNumber));
      expect(url.searchParams.get('uploadId')).toBe(res.body.uploadId);
    }
  });

  it('refuses a malformed version, file name, size or hash with 400 naming each field', async () => {
    const badVersion = await startUpload('3.1.0', { kind: 'desktop', filename: 'setup.exe', size: 10, sha256: 'a'.repeat(64) });
    expect(badVersion.status).toBe(400);
    expect(badVersion.body.code).toBe('VALIDATION_FAILED');
    expect(badVersion.body.issues).toEqual([
      expect.objectContaining({ field: 'version', problem: expect.stringContaining('03.01.00_030') }),
    ]);

    const badBody = await startUpload(uniqueVersion(), { kind: 'server', filename: '../setup.exe', size: 0, sha256: 'xyz' });
    expect(badBody.status).toBe(400);
    expect(badBody.body.issues.map((i: { field: string }) => i.field).sort()).toEqual(['filename', 'kind', 'sha256', 'size']);

    const tooBig = await startUpload(uniqueVersion(), {
      kind: 'desktop',
      filename: 'setup.exe',
      size: 5 * 1024 * MiB + 1,
      sha256: 'a'.repeat(64),
    });
    expect(tooBig.status).toBe(400);
    expect(tooBig.body.issues[0].field).toBe('size');
  });
});

describe('publishing a release (POST /v1/support/releases)', () => {
  it('publishes a multipart desktop package and a single-PUT mobile package, verified and copied to new keys', async () => {
    const version = uniqueVersion();
    const desktopBytes = bytesOf(20 * MiB + 123);
    const mobileBytes = bytesOf(300 * 1024);
    const desktop = await stagePackage(api, version, 'desktop', 'mophas-setup.exe', desktopBytes);
    const mobile = await stagePackage(api, version, 'mobile', 'mophas.apk', mobileBytes);
    expect(desktop.parts).toHaveLength(3);
    expect(mobile.uploadId).toBeUndefined();

    const res = await publish(publishBody(version, desktop, mobile, true));
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      version,
      requiresConfirmationCode: true,
      notesUrl: `https://wiki.alturas.it/mophas-fix/${version}`,
      desktop: { size: desktopBytes.length, sha256: sha256(desktopBytes) },
      mobile: { size: mobileBytes.length, sha256: sha256(mobileBytes) },
      catalogVersion: expect.any(Number),
    });
    expect(res.body.desktop.key).toBeUndefined(); // the public view names no storage keys

    // The support listing has the keys; they are new, unique keys under packages/.
    const release = await listed(version);
    expect(release).toMatchObject({ version, catalogVersion: res.body.catalogVersion, publishedAt: res.body.publishedAt });
    expect(release.desktop.key).toMatch(new RegExp(`^packages/${version}/[0-9a-f-]{36}/mophas-setup\\.exe$`));
    expect(release.mobile.key).toMatch(new RegExp(`^packages/${version}/[0-9a-f-]{36}/mophas\\.apk$`));
    expect(await countObjects(`packages/${version}/`)).toBe(2);

    // The final objects hold exactly the uploaded bytes, with download headers and the verified hash.
    const [finalDesktop, finalMobile] = await Promise.all([readObject(release.desktop.key), readObject(release.mobile.key)]);
    expect(finalDesktop.length).toBe(desktopBytes.length);
    expect(sha256(finalDesktop)).toBe(sha256(desktopBytes));
    expect(finalMobile.equals(mobileBytes)).toBe(true);
    const head = await headObject(release.desktop.key);
    expect(head?.ContentDisposition).toBe('attachment; filename="mophas-setup.exe"');
    expect(head?.Metadata?.sha256).toBe(sha256(desktopBytes));

    const audit = await listAudit(CATALOG_AUDIT_SCOPE, { action: 'release.published' });
    expect(audit.entries).toContainEqual(
      expect.objectContaining({
        outcome: 'ok',
        actor: { kind: 'pipeline', id: LOCAL_PIPELINE_ARN },
        details: expect.objectContaining({ version }),
      }),
    );
  });

  it('refuses to publish a version again (409 with the existing release) and leaves the first release unchanged', async () => {
    const version = uniqueVersion();
    // Two sets of uploads staged before either is published.
    const first = [
      await stagePackage(api, version, 'desktop', 'a.exe', bytesOf(2048)),
      await stagePackage(api, version, 'mobile', 'a.apk', bytesOf(1024)),
    ] as const;
    const second = [
      await stagePackage(api, version, 'desktop', 'b.exe', bytesOf(4096)),
      await stagePackage(api, version, 'mobile', 'b.apk', bytesOf(512)),
    ] as const;
    const published = await publish(publishBody(version, ...first));
    expect(published.status).toBe(201);
    const before = await listed(version);

    const again = await publish(publishBody(version, ...second, true));
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('RELEASE_EXISTS');
    expect(again.body.message).toContain(version);
    expect(again.body.existing).toMatchObject({
      version,
      publishedAt: published.body.publishedAt,
      catalogVersion: published.body.catalogVersion,
      desktop: { sha256: first[0].sha256, size: 2048 },
    });
    // No new uploads for a published version either.
    const upload = await startUpload(version, { kind: 'desktop', filename: 'c.exe', size: 10, sha256: 'c'.repeat(64) });
    expect(upload.status).toBe(409);
    expect(upload.body.code).toBe('RELEASE_EXISTS');

    expect(await listed(version)).toEqual(before);
    expect(before.requiresConfirmationCode).toBe(false);
  });

  it('refuses a package whose bytes do not match the declared SHA-256, writes nothing to the catalog, and the version stays publishable', async () => {
    const version = uniqueVersion();
    const desktopBytes = bytesOf(64 * 1024);
    const mobileBytes = bytesOf(8 * 1024);
    const desktop = await stagePackage(api, version, 'desktop', 'setup.exe', desktopBytes, {
      sha256: sha256(Buffer.from('something else')),
    });
    const mobile = await stagePackage(api, version, 'mobile', 'app.apk', mobileBytes);

    const res = await publish(publishBody(version, desktop, mobile));
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({ code: 'PACKAGE_HASH_MISMATCH', package: 'desktop', actualSha256: sha256(desktopBytes) });
    expect(res.body.message).toMatch(/^desktop package:/);
    expect(await getRelease(version)).toBeUndefined();
    expect(await listed(version)).toBeUndefined();
    // Refused before anything was copied: no object under packages/ for this version.
    expect(await countObjects(`packages/${version}/`)).toBe(0);

    // Upload again with the right hash: the version can still be published.
    const fixed = await stagePackage(api, version, 'desktop', 'setup.exe', desktopBytes);
    const retry = await publish(publishBody(version, fixed, mobile));
    expect(retry.status).toBe(201);
    expect(retry.body.desktop.sha256).toBe(sha256(desktopBytes));
  });

  it('publishes on a retry that reuses a multipart upload completed by a refused attempt', async () => {
    const version = uniqueVersion();
    const bytes = bytesOf(17 * MiB + 1);
    const desktop = await stagePackage(api, version, 'desktop', 'setup.exe', bytes, { sha256: 'f'.repeat(64) });
    const mobile = await stagePackage(api, version, 'mobile', 'app.apk', bytesOf(100));
    const refused = await publish(publishBody(version, desktop, mobile));
    expect(refused.body).toMatchObject({ code: 'PACKAGE_HASH_MISMATCH', package: 'desktop' });

    // Same uploadKey/uploadId/parts: S3 no longer knows the upload, the assembled object is there.
    const retry = await publish(publishBody(version, { ...desktop, sha256: sha256(bytes) }, mobile));
    expect(retry.status).toBe(201);
    expect(sha256(await readObject((await listed(version)).desktop.key))).toBe(sha256(bytes));
  });

  it('refuses a package whose stored size differs from the declared size', async () => {
    const version = uniqueVersion();
    const desktop = await stagePackage(api, version, 'desktop', 'setup.exe', bytesOf(1000));
    const mobile = await stagePackage(api, version, 'mobile', 'app.apk', bytesOf(1000), { size: 1001 });
    const res = await publish(publishBody(version, desktop, mobile));
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({ code: 'PACKAGE_SIZE_MISMATCH', package: 'mobile', declaredSize: 1001, actualSize: 1000 });
    expect(await getRelease(version)).toBeUndefined();
  });

  it('refuses a multipart upload that is missing a part', async () => {
    const version = uniqueVersion();
    const bytes = bytesOf(17 * MiB);
    const desktop = await stagePackage(api, version, 'desktop', 'setup.exe', bytes);
    const mobile = await stagePackage(api, version, 'mobile', 'app.apk', bytesOf(100));
    const res = await publish(publishBody(version, { ...desktop, parts: desktop.parts!.slice(0, 2) }, mobile));
    expect(res.status).toBe(422);
    expect(['UPLOAD_INCOMPLETE', 'PACKAGE_SIZE_MISMATCH']).toContain(res.body.code);
    expect(res.body.package).toBe('desktop');
    expect(await getRelease(version)).toBeUndefined();
  });

  it('refuses when nothing was uploaded at the key', async () => {
    const version = uniqueVersion();
    const start = await startUpload(version, { kind: 'desktop', filename: 'setup.exe', size: 10, sha256: 'a'.repeat(64) });
    const mobile = await stagePackage(api, version, 'mobile', 'app.apk', bytesOf(100));
    const res = await publish(
      publishBody(version, { uploadKey: start.body.uploadKey, sha256: 'a'.repeat(64), size: 10, filename: 'setup.exe' }, mobile),
    );
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({ code: 'PACKAGE_NOT_UPLOADED', package: 'desktop' });
  });

  it('refuses upload keys that were not handed out for this version and file', async () => {
    const version = uniqueVersion();
    const other = uniqueVersion();
    const mobile = await stagePackage(api, version, 'mobile', 'app.apk', bytesOf(100));
    const foreign = await stagePackage(api, other, 'desktop', 'setup.exe', bytesOf(100));
    const ref = { sha256: 'a'.repeat(64), size: 100, filename: 'setup.exe' };

    const wrongVersion = await publish(publishBody(version, foreign, mobile));
    expect(wrongVersion.status).toBe(400);
    expect(wrongVersion.body).toMatchObject({ code: 'UPLOAD_KEY_MISMATCH', package: 'desktop' });

    const published = await publish(publishBody(version, { ...ref, uploadKey: `packages/${version}/x/setup.exe` }, mobile));
    expect(published.body.code).toBe('UPLOAD_KEY_MISMATCH');

    const sameTwice = await publish(publishBody(version, { ...mobile }, mobile));
    expect(sameTwice.status).toBe(400);
    expect(sameTwice.body.code).toBe('UPLOAD_KEY_MISMATCH');
  });

  it('refuses a malformed publish body with 400 naming each field', async () => {
    const res = await publish({
      version: '03.01.00-030',
      notesUrl: 'http://wiki.alturas.it/notes',
      desktop: { uploadKey: 'x', sha256: 'a'.repeat(64), size: 1, filename: 'a.exe', uploadId: 'abc' },
    });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('VALIDATION_FAILED');
    const fields = res.body.issues.map((i: { field: string }) => i.field);
    expect(fields).toEqual(expect.arrayContaining(['version', 'notesUrl', 'requiresConfirmationCode', 'desktop.parts', 'mobile']));
  });

  it('publishes concurrently with other publications (the catalog head is retried, each gets its own catalog version)', async () => {
    const versions = [uniqueVersion(), uniqueVersion(), uniqueVersion()];
    const bodies = [];
    for (const v of versions) {
      bodies.push(
        publishBody(
          v,
          await stagePackage(api, v, 'desktop', 'setup.exe', bytesOf(1000)),
          await stagePackage(api, v, 'mobile', 'app.apk', bytesOf(1000)),
        ),
      );
    }
    const results = await Promise.all(bodies.map((b) => publish(b)));
    expect(results.map((r) => r.status)).toEqual([201, 201, 201]);
    const catalogVersions = results.map((r) => r.body.catalogVersion as number);
    expect(new Set(catalogVersions).size).toBe(3);
  });
});

describe('who may manage releases', () => {
  it("refuses every caller that is not the pipeline's IAM identity, before the function runs (403 from the IAM authorizer)", async () => {
    const version = uniqueVersion();
    const body = { kind: 'desktop', filename: 'setup.exe', size: 10, sha256: 'a'.repeat(64) };
    const unsigned = await startUpload(version, body, '');
    expect(unsigned.status).toBe(403);
    expect(unsigned.body).toEqual({ message: 'Forbidden' });
    expect((await startUpload(version, body, `Desktop ${tenant.desktopCredential}`)).status).toBe(403);
    const admin = await api.login(tenant, 'admin');
    expect((await startUpload(version, body, admin)).status).toBe(403);
    expect((await publish({}, admin)).status).toBe(403);
    // The list is for staff: a desktop user's token is no user-pool token (401 from the JWT authorizer).
    expect((await api.call('GET', '/v1/support/releases', { auth: admin })).status).toBe(401);
  });

  it('refuses a signed-in staff member: publishing is for the build pipeline, the list and rollouts for staff', async () => {
    const staff = await staffAuth();
    expect((await publish({}, staff)).status).toBe(403);
    expect((await startUpload(uniqueVersion(), {}, staff)).status).toBe(403);
    expect((await api.call('GET', '/v1/support/releases', { auth: staff })).status).toBe(200);
    // The pipeline's signature is no sign-in: it publishes, it does not read staff's list.
    expect((await api.call('GET', '/v1/support/releases', { pipeline: true })).status).toBe(401);
  });

  it('refuses the release list to an agent: releases and rollouts are for staff only', async () => {
    const agent = await createAgent(api, [tenant.customerId]);
    const res = await api.call('GET', '/v1/support/releases', { auth: agent.auth });
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('STAFF_REQUIRED');
    expect(res.body.messages.it).toBe('Solo il personale di assistenza Alturas può eseguire questa operazione.');
  });

  it('refuses a request signed with the wrong secret, or changed after signing', async () => {
    const url = `${api.gateway.url}/v1/support/releases`;
    const wrong = JSON.stringify({ version: uniqueVersion() });
    const wrongSecret = await sigV4Authenticator({
      credentials: { accessKeyId: requireEnv(SECRET_VALUE_ENV.localPipelineAccessKeyId), secretAccessKey: 'not-the-secret' },
      region: LOCAL_REGION,
    })({ method: 'POST', url, body: wrong });
    expect(
      (await fetch(url, { method: 'POST', headers: { ...wrongSecret, 'content-type': 'application/json' }, body: wrong })).status,
    ).toBe(403);

    const signer = sigV4Authenticator({
      credentials: {
        accessKeyId: requireEnv(SECRET_VALUE_ENV.localPipelineAccessKeyId),
        secretAccessKey: requireEnv(SECRET_VALUE_ENV.localPipelineSecretAccessKey),
      },
      region: LOCAL_REGION,
    });
    const body = JSON.stringify({ version: uniqueVersion() });
    const signed = await signer({ method: 'POST', url, body });
    const tampered = await fetch(url, { method: 'POST', headers: { ...signed, 'content-type': 'application/json' }, body: `${body} ` });
    expect(tampered.status).toBe(403);
    const honest = await fetch(url, { method: 'POST', headers: { ...signed, 'content-type': 'application/json' }, body });
    // Past the authorizer: the function validates the (incomplete) body.
    expect(honest.status).toBe(400);
  });
});
