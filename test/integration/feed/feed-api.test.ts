import { createHash } from 'node:crypto';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ddb } from '../../../shared/aws/dynamodb';
import { acceptFeedAnswer, INITIAL_FEED_CLIENT_STATE, verifyPackageBytes } from '../../../shared/client/feed-client-verify';
import { tableName } from '../../../shared/config';
import { deviceKey } from '../../../shared/db/devices';
import { customerKeys } from '../../../shared/db/keys';
import { TestApi } from '../../fixtures/api';
import { createTenant, publishTestRelease, setDesktopVersion, setSessionState, type Tenant } from '../../fixtures/tenant';

// This file owns the 98.xx range: the highest versions in the shared test catalog.
const R = ['98.00.00_001', '98.00.00_002', '98.01.00_001', '98.01.00_010', '98.02.00_000', '98.02.01_000'];
const NEEDS_CODE = R[4]!;

let api: TestApi;
let pinned: string[];
const published = new Map<string, { desktopBytes: Buffer; mobileBytes: Buffer }>();

beforeAll(async () => {
  api = await TestApi.start();
  // Published out of order on purpose: the feed orders by version, not by publication.
  for (const v of [R[3]!, R[0]!, R[5]!, R[1]!, R[4]!, R[2]!]) {
    const { desktopBytes, mobileBytes } = await publishTestRelease(v, { requiresConfirmationCode: v === NEEDS_CODE });
    published.set(v, { desktopBytes, mobileBytes });
  }
  const keys = await api.call('GET', '/v1/feed/keys');
  pinned = keys.body.keys.map((k: { publicKey: string }) => k.publicKey);
});
afterAll(() => api.close());

const check = (tenant: Tenant, installed: string) =>
  api.call('GET', `/v1/desktop/feed?installed=${installed}`, { auth: `Desktop ${tenant.desktopCredential}` });

/** What the desktop client does with the answer: verify, then read the payload. */
async function verified(tenant: Tenant, installed: string, state = INITIAL_FEED_CLIENT_STATE) {
  const res = await check(tenant, installed);
  expect(res.status).toBe(200);
  const result = acceptFeedAnswer(state, res.body.answer, {
    pinnedPublicKeys: pinned,
    customerId: tenant.customerId,
    installedVersion: installed,
    now: new Date(),
  });
  if (!result.ok) throw new Error(`answer refused: ${JSON.stringify(result)}`);
  return { ...result, raw: res.body };
}

describe('desktop startup check (FEED-3/4, PKG-2)', () => {
  it('offers one release at a time, in version order, across six releases', async () => {
    const tenant = await createTenant();
    for (let i = 0; i < R.length - 1; i++) {
      const { payload } = await verified(tenant, R[i]!);
      expect(payload.update?.version).toBe(R[i + 1]);
    }
    const last = await verified(tenant, R[R.length - 1]!);
    expect(last.payload.update).toBeNull();
    expect(last.payload.notice.kind).toBe('none');
    expect(last.raw.installedStatus).toBe('up-to-date');
  });

  it('says so when the installed version is newer than any release', async () => {
    const tenant = await createTenant();
    const { payload, raw } = await verified(tenant, '99.99.99_999');
    expect(payload.update).toBeNull();
    expect(payload.notice.kind).toBe('none');
    expect(raw).toMatchObject({ installedStatus: 'ahead', latestVersion: R[R.length - 1] });
  });

  it('shows yellow while downloading, green once the desktop reports the verified download', async () => {
    const tenant = await createTenant();
    const first = await verified(tenant, R[0]!);
    expect(first.payload.notice).toMatchObject({ kind: 'download-in-progress', colour: 'yellow' });
    // The desktop downloads through the CDN URL from the signed answer and checks it.
    const update = first.payload.update!;
    const download = await fetch(update.desktop.url);
    expect(download.status).toBe(200);
    const bytes = Buffer.from(await download.arrayBuffer());
    expect(bytes.equals(published.get(R[1]!)!.desktopBytes)).toBe(true);
    expect((await verifyPackageBytes([bytes], update.desktop)).ok).toBe(true);
    const report = await api.call('POST', `/v1/desktop/releases/${R[1]}/downloaded`, {
      auth: `Desktop ${tenant.desktopCredential}`,
      body: { sha256: createHash('sha256').update(bytes).digest('hex') },
    });
    expect(report.status).toBe(200);
    const next = await verified(tenant, R[0]!);
    expect(next.payload.notice).toMatchObject({ kind: 'update-ready', colour: 'green' });
    expect(next.payload.notice.actions.map((a: { id: string }) => a.id)).toEqual(
      expect.arrayContaining(['manage-update', 'update-details']),
    );
  });

  it('refuses a download report whose hash is not the release package', async () => {
    const tenant = await createTenant();
    const res = await api.call('POST', `/v1/desktop/releases/${R[1]}/downloaded`, {
      auth: `Desktop ${tenant.desktopCredential}`,
      body: { sha256: '0'.repeat(64) },
    });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('PACKAGE_HASH_MISMATCH');
  });

  it('shows white when the offered release needs a confirmation code not given yet, and not after it is given', async () => {
    const tenant = await createTenant();
    const before = await verified(tenant, R[3]!);
    expect(before.payload.update?.version).toBe(NEEDS_CODE);
    expect(before.payload.notice).toMatchObject({ kind: 'contact-support', colour: 'white' });
    await ddb.send(
      new UpdateCommand({
        TableName: tableName(),
        Key: customerKeys.releaseState(tenant.customerId, NEEDS_CODE),
        UpdateExpression: 'SET confirmedAt = :at',
        ExpressionAttributeValues: { ':at': new Date().toISOString() },
      }),
    );
    const after = await verified(tenant, R[3]!);
    expect(after.payload.notice.kind).toBe('download-in-progress');
  });

  it.each([
    ['preparing', 'update-in-progress', 'yellow'],
    ['updating', 'update-in-progress', 'yellow'],
    ['mobile-update', 'desktop-updated', 'green'],
    ['failed', 'update-failed', 'red'],
  ])('shows the session notice while the session is %s', async (state, kind, colour) => {
    const tenant = await createTenant();
    await setSessionState(tenant.customerId, state, R[1]);
    const { payload } = await verified(tenant, R[0]!);
    expect(payload.notice).toMatchObject({ kind, colour });
  });

  it('binds desktop and mobile digests of the same release in the signed answer, and a client refuses a rolled-back catalog', async () => {
    const tenant = await createTenant();
    const { payload, state } = await verified(tenant, R[0]!);
    const mobile = published.get(R[1]!)!.mobileBytes;
    expect(payload.update?.mobile.sha256).toBe(createHash('sha256').update(mobile).digest('hex'));
    expect(state.lastCatalogVersion).toBe(payload.catalogVersion);
    const res = await check(tenant, R[0]!);
    // The client has seen a newer catalog than this answer's (read from the answer itself:
    // another test file may publish between the two checks).
    const answered = JSON.parse(res.body.answer.payload).catalogVersion as number;
    const rolledBack = acceptFeedAnswer({ lastCatalogVersion: answered + 1 }, res.body.answer, {
      pinnedPublicKeys: pinned,
      customerId: tenant.customerId,
      installedVersion: R[0]!,
      now: new Date(),
    });
    expect(rolledBack.ok).toBe(false);
  });

  it('refuses bad input: missing or malformed installed version (400 naming it), unknown or forged credential (401)', async () => {
    const tenant = await createTenant();
    const missing = await api.call('GET', '/v1/desktop/feed', { auth: `Desktop ${tenant.desktopCredential}` });
    expect(missing.status).toBe(400);
    expect(missing.body.issues[0].field).toBe('installed');
    const malformed = await check(tenant, '3.1.0');
    expect(malformed.status).toBe(400);
    expect(malformed.body.message).toMatch(/installed/);
    const forged = `${tenant.desktopCredential.slice(0, -3)}AAA`;
    expect((await api.call('GET', `/v1/desktop/feed?installed=${R[0]}`, { auth: `Desktop ${forged}` })).status).toBe(401);
    expect(
      (await api.call('GET', `/v1/desktop/feed?installed=${R[0]}`, { auth: 'Desktop dsk_unknownid.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' }))
        .status,
    ).toBe(401);
    expect((await api.call('GET', `/v1/desktop/feed?installed=${R[0]}`)).status).toBe(401);
  });
});

describe('device package lookup (DEV-4/5/6)', () => {
  it("always gives the mobile package of the customer's desktop version, a downgrade included", async () => {
    const tenant = await createTenant({ devices: 1, desktopVersion: R[1] });
    await ddb.send(
      new UpdateCommand({
        TableName: tableName(),
        Key: deviceKey(tenant.customerId, tenant.devices[0]!.serial),
        UpdateExpression: 'SET installedVersion = :newer',
        ExpressionAttributeValues: { ':newer': R[2] },
      }),
    );
    const res = await api.call('GET', '/v1/device/package', { auth: `Device ${tenant.devices[0]!.credential}` });
    expect(res.status).toBe(200);
    expect(res.body.version).toBe(R[1]);
    const bytes = Buffer.from(await (await fetch(res.body.url)).arrayBuffer());
    expect(bytes.equals(published.get(R[1]!)!.mobileBytes)).toBe(true);
    expect(res.body.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
  });

  it('answers UPDATE_IN_PREPARATION with the manual message before the desktop has finished', async () => {
    const tenant = await createTenant({ devices: 1, desktopVersion: R[1] });
    for (const state of ['preparing', 'updating']) {
      await setSessionState(tenant.customerId, state, R[2]);
      const res = await api.call('GET', '/v1/device/package', { auth: `Device ${tenant.devices[0]!.credential}` });
      expect(res.status).toBe(409);
      expect(res.body.code).toBe('UPDATE_IN_PREPARATION');
      expect(res.body.messages.it).toMatch(/Aggiornamento in preparazione.*END UPDATE/);
    }
    await setSessionState(tenant.customerId, 'mobile-update', R[2]);
    await setDesktopVersion(tenant.customerId, R[2]!);
    const after = await api.call('GET', '/v1/device/package', { auth: `Device ${tenant.devices[0]!.credential}` });
    expect(after.body.version).toBe(R[2]);
  });

  it('refuses a disabled device and a desktop credential on the device route', async () => {
    const tenant = await createTenant({ devices: 1, desktopVersion: R[1] });
    await ddb.send(
      new UpdateCommand({
        TableName: tableName(),
        Key: deviceKey(tenant.customerId, tenant.devices[0]!.serial),
        UpdateExpression: 'SET enabled = :f',
        ExpressionAttributeValues: { ':f': false },
      }),
    );
    expect((await api.call('GET', '/v1/device/package', { auth: `Device ${tenant.devices[0]!.credential}` })).status).toBe(403);
    expect((await api.call('GET', '/v1/device/package', { auth: `Desktop ${tenant.desktopCredential}` })).status).toBe(403);
  });
});
