import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DesktopClient } from '../../../client/desktop';
import { DeviceClient, LocalPushInbox } from '../../../client/device';
import { ApiError } from '../../../client/http';
import type { SupportClient } from '../../../client/support';
import { TestApi } from '../../fixtures/api';
import { staffClient } from '../../fixtures/sign-in';

/*
 * Issue 11, done when: through the API only, from a fresh stack, Alturas
 * onboards a second customer — customer, SERVER credential, licence, two
 * authorised tablets — the tablets register, and an update session runs to its
 * conclusion. Nothing here writes the table: releases are published, the
 * customer onboarded and the update run with the SDK clients (client/), as the
 * CLIs and a real desktop and tablets do. This file owns the 64.xx releases.
 */
const FROM = '64.00.00_001';
const TO = '64.00.00_002';

let api: TestApi;
let support: SupportClient;
let workDir: string;

beforeAll(async () => {
  api = await TestApi.start();
  support = await staffClient(api.gateway.url);
  workDir = await mkdtemp(join(tmpdir(), 'mophas-second-customer-'));
  // Alturas publishes the two releases (publish-release's code: presigned uploads, verified server-side).
  const published = new Set((await support.catalog()).releases.map((r) => r.version));
  for (const version of [FROM, TO]) {
    if (published.has(version)) continue;
    const desktop = join(workDir, `desktop-${version}.exe`);
    const mobile = join(workDir, `mobile-${version}.apk`);
    await writeFile(desktop, Buffer.alloc(8192, `desktop ${version} `));
    await writeFile(mobile, Buffer.alloc(4096, `mobile ${version} `));
    await support.publishRelease({ version, desktop, mobile, notesUrl: `https://wiki.alturas.it/mophas-fix/${version}` });
  }
});
afterAll(async () => {
  await api.close();
  await rm(workDir, { recursive: true, force: true });
});

const refusedWith = async (promise: Promise<unknown>, code: string): Promise<ApiError> => {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ApiError);
  expect((error as ApiError).code).toBe(code);
  return error as ApiError;
};

describe('a second customer, onboarded and updated through the API only', () => {
  it('creates the customer, its SERVER credential, licence and two authorised tablets, registers them and runs an update to its conclusion', async () => {
    const customerId = `acme-${Date.now().toString(36)}`;

    // ── Alturas support onboards the customer ──────────────────────────────
    const { customer, firstLogin } = await support.createCustomer({ customerId, name: 'Acme Vending S.p.A.', desktopVersion: FROM });
    expect(customer).toMatchObject({ customerId, desktopVersion: FROM, serverCredentialId: null, licenceCode: null });
    expect(firstLogin).toEqual({ username: 'ammin', password: 'ammin', mustChangePassword: true });
    const server = await support.issueWorkstation(customerId, { workstation: 'server', label: 'SERVER' });
    expect(server).toMatchObject({ workstation: 'server', label: 'SERVER', credential: expect.stringMatching(/^dsk_/) });
    const { licenceCode } = await support.issueLicence(customerId);
    expect(licenceCode).toMatch(/^LIC-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/);
    const onboarded = await support.customer(customerId);
    expect(onboarded).toMatchObject({ serverCredentialId: server.credentialId, licenceCode });

    // ── The customer's admin on the SERVER workstation: first login, then Gestione Autorizzazioni Tablet ─
    const desktop = await DesktopClient.open({
      apiUrl: api.gateway.url,
      credential: server.credential,
      customerId,
      installedVersion: FROM,
    });
    expect((await desktop.startupCheck()).notice.kind).toBe('download-in-progress');
    await desktop.downloadUpdate({ dir: join(workDir, 'desktop') });
    expect((await desktop.startupCheck()).notice.kind).toBe('update-ready');
    const first = await desktop.login(firstLogin.username, firstLogin.password, 'server');
    expect(first.mustChangePassword).toBe(true);
    await refusedWith(desktop.tablets(), 'PASSWORD_CHANGE_REQUIRED');
    await desktop.changePassword(firstLogin.password, 'acme-admin-password');

    const rossi = {
      serial: '356938035649001',
      model: 'Samsung Galaxy Tab A8',
      operator: { code: 'OP01', name: 'Mario', surname: 'Rossi' },
      phone: '+39 333 1',
    };
    const verdi = {
      serial: '356938035649019',
      model: 'Zebra TC52',
      operator: { code: 'OP02', name: 'Anna', surname: 'Verdi' },
      phone: '+39 333 2',
    };
    // One tablet authorised by the admin, the other by support: the same table.
    expect(await desktop.authoriseTablet(rossi)).toMatchObject({ serial: rossi.serial, enabled: true, registered: false });
    expect(await support.authoriseTablet(customerId, verdi)).toMatchObject({ serial: verdi.serial, enabled: true, registered: false });

    // ── The tablets register with the licence; a tablet nobody authorised cannot ─
    const intruder = await refusedWith(
      DeviceClient.register({ apiUrl: api.gateway.url }, { serial: '356938035649027', licenceCode, installedVersion: FROM }),
      'DEVICE_NOT_AUTHORISED',
    );
    expect(intruder.messages?.it).toMatch(/^Dispositivo non autorizzato: chiedere all'ufficio di abilitarlo/);
    const tablets: DeviceClient[] = [];
    for (const t of [rossi, verdi]) {
      const { client, registration } = await DeviceClient.register(
        { apiUrl: api.gateway.url },
        { serial: t.serial, licenceCode, installedVersion: FROM, pushToken: `fcm-acme-${t.serial}` },
      );
      expect(registration).toMatchObject({ registration: 'new', command: { command: 'NONE' } });
      tablets.push(client);
    }
    const listed = await desktop.tablets();
    expect(listed.map((t) => [t.serial, t.registered, t.installedVersion])).toEqual([
      [rossi.serial, true, FROM],
      [verdi.serial, true, FROM],
    ]);

    // ── The update session, as the manual describes it ─────────────────────
    const inbox = new LocalPushInbox(process.env.AWS_ENDPOINT_URL_SNS!);
    const followPushes = async () => {
      for (const tablet of tablets) {
        await inbox.receiveNew(tablet);
        const owed = await tablet.checkIn();
        if (owed.command.command === 'UPDATE' && owed.command.sessionId) await tablet.ack(owed.command.sessionId, 'END_UPDATE');
        await tablet.follow(owed.command, { dir: join(workDir, 'tablets') });
      }
    };
    const start = await desktop.sendStartUpdate();
    expect(start.session).toMatchObject({ state: 'preparing', targetVersion: TO });
    expect(start.summary.counts?.sent).toBe(2);
    await followPushes();
    const grid = await desktop.grid();
    if (grid.notModified) throw new Error('first grid read answered 304');
    expect(grid.grid.rows.map((r) => [r.serial, r.device, r.operator?.surname, r.awaitingUpdate])).toEqual([
      [rossi.serial, rossi.model, 'Rossi', true],
      [verdi.serial, verdi.model, 'Verdi', true],
    ]);
    expect(grid.grid.buttons.startUpdate).toBe(true);
    expect((await desktop.startUpdate()).session.state).toBe('updating');
    expect((await desktop.reportOutcome({ result: 'success', version: TO })).session.state).toBe('mobile-update');
    expect((await desktop.sendEndUpdate()).summary.counts?.sent).toBe(2);
    await followPushes();
    const concluded = await desktop.conclude();
    expect('confirmationRequired' in concluded).toBe(false);
    if ('session' in concluded) expect(concluded.session.state).toBe('concluded');
    for (const tablet of tablets) expect((await tablet.checkIn()).command.command).toBe('NONE');
    expect((await desktop.tablets()).map((t) => t.installedVersion)).toEqual([TO, TO]);
    expect((await support.customer(customerId)).desktopVersion).toBe(TO);

    // ── Disabling a tablet stops its credential at once ────────────────────
    await support.disableTablet(customerId, verdi.serial);
    const stopped = await tablets[1]!.checkIn().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(stopped).toBeInstanceOf(ApiError);
    expect((stopped as ApiError).status).toBe(401);
    expect((await tablets[0]!.checkIn()).command.command).toBe('NONE');

    // Every onboarding step is in the customer's audit trail, with who did it.
    const audit = await support.audit(customerId, { limit: 200 });
    const actions = audit.items.map((e) => `${e.action}:${e.actor.kind}`);
    expect(actions).toEqual(
      expect.arrayContaining([
        'customer.created:support',
        'workstation.issued:support',
        'licence.issued:support',
        'device.authorised:user',
        'device.authorised:support',
        'device.registration.refused:device',
        'device.registered:device',
        'device.disabled:support',
      ]),
    );
  }, 180_000);
});
