/**
 * `npm run demo`: the manual's three update paths, end to end, against the
 * RUNNING local stack (`npm start`), with the SDK clients a real desktop, real
 * devices and Alturas support would use, printing the notices, grids and push
 * summaries at each step:
 *
 * 1. regular update — startup check → download + verify → START UPDATE → devices
 *    confirm, lock and send unsent data → Avvia → success → Fine aggiornamento →
 *    devices download the mobile package and report it → Aggiornamento concluso;
 * 2. forced update — one device silent (never confirms), one whose push fails,
 *    locked by phone (GENERA/VERIFICA with the device-side module) → Forza (two
 *    steps) → the silent device's late unsent data is refused (VERSION_MISMATCH)
 *    → … → concluded with the second confirmation (when the next release needs a
 *    confirmation code, the "Procedura preliminare" exchange with support comes first);
 * 3. abnormal termination — outcome failed with its log → red notice → Riattiva
 *    (ERROR UPDATE; an unreachable device unlocked by phone) → Segnalazione →
 *    support lists the failed update and resolves it → the notice is normal again.
 *
 * Every path runs on a FRESH customer, so the demo can run again and again.
 * Each one is onboarded the way Alturas support does it, through the support
 * API: the customer (with the manual's first-login `ammin`/`ammin`), its SERVER
 * workstation credential, its licence and its authorised tablets. Everything
 * else goes through the API too: the tablets register with the licence code,
 * the admin changes the first-login password, and so on. The demo exits
 * non-zero when an expectation fails. `runDemo()` is exported for
 * test/integration/client/demo.test.ts.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DesktopClient, type StartupCheck } from '../client/desktop';
import { DeviceClient, LocalPushInbox } from '../client/device';
import { ApiError, ApiUnreachableError, HttpClient } from '../client/http';
import { SupportSession } from '../client/sign-in';
import type { AwsCredentials } from '../client/sigv4';
import { SupportClient } from '../client/support';
import {
  colourEnabled,
  describeCommand,
  describeError,
  formatOperator,
  paint,
  renderGrid,
  renderNotice,
  renderPushSummary,
} from '../client/terminal';
import type { Grid, GridFilter, Operator, PublicRelease } from '../client/types';
import { compareVersions } from '../shared/domain/version';
import type { NoticeKind } from '../shared/feed/notice';

/** An update step: a customer on `from` is offered `to`. */
export interface UpdateStep {
  from: string;
  to: string;
}

export interface DemoReleases {
  /** Paths 1 and 3: a release that needs no confirmation code. */
  plain: UpdateStep;
  /** Path 2: when the next release needs a confirmation code (else path 2 uses `plain`). */
  coded?: UpdateStep;
}

/** A customer onboarded for one path. */
export interface ProvisionedCustomer {
  customerId: string;
  desktopCredential: string;
  licenceCode: string;
}

export interface CustomerSpec {
  customerId: string;
  licenceCode: string;
  desktopVersion: string;
  /** The tablet authorisation table: the devices the customer enabled, before they register. */
  devices: { serial: string; model: string; operator: Operator; phone: string; installedVersion: string }[];
}

export type Provisioner = (spec: CustomerSpec) => Promise<ProvisionedCustomer>;

export interface DemoOptions {
  /** The API, e.g. http://127.0.0.1:3000. */
  apiUrl: string;
  /** The Alturas staff member the demo signs in as (the staff user pool; locally the demo staff user). */
  staff: { username: string; password: string };
  /** AWS credentials of the publishing identity, for `publishMissing` (locally: the pipeline key). */
  pipelineCredentials?: AwsCredentials;
  /** The local SNS endpoint (simulated FCM), e.g. http://127.0.0.1:4575. */
  snsUrl: string;
  /** Simulated devices per customer (at least 3). @default 5 */
  devices?: number;
  /** Which releases to use; default: picked from the catalog. */
  releases?: DemoReleases;
  /** Publish the `releases` that are not in the catalog yet (through the support API). @default false */
  publishMissing?: boolean;
  /** Onboards a fresh customer. @default {@link provisionThroughApi} with this demo's support client */
  provision?: Provisioner;
  /** Where downloads go; a temporary folder (removed at the end) by default. */
  workDir?: string;
  /** Output line by line. @default console.log */
  log?: (line: string) => void;
  colour?: boolean;
  /** The desktop's startup-check budget. @default 5000 */
  feedTimeoutMs?: number;
}

export interface DemoResult {
  /** Expectations checked (all passed). */
  checks: number;
  ms: number;
  customers: { path: string; customerId: string }[];
}

/** An expectation of the demo that did not hold. */
export class DemoExpectationError extends Error {
  override name = 'DemoExpectationError';
}

/** Password the demo gives `ammin` at its first login. */
const ADMIN_NEW_PASSWORD = 'demo-Password-2025';
const OPERATORS = [
  ['Mario', 'Rossi'],
  ['Luigi', 'Bianchi'],
  ['Anna', 'Verdi'],
  ['Giulia', 'Neri'],
  ['Paolo', 'Gallo'],
  ['Sara', 'Conti'],
  ['Marco', 'Ricci'],
  ['Elena', 'Greco'],
] as const;
const MODELS = ['Samsung Galaxy Tab A8', 'Lenovo Tab M10', 'Zebra TC52'];

/**
 * Onboards a customer through the support API, as Alturas does: the customer
 * (its first-login `ammin`/`ammin` comes with it), the SERVER workstation
 * credential, the licence, and the tablet authorisation table (no credential
 * yet: the tablets register themselves).
 */
export const provisionThroughApi =
  (support: SupportClient): Provisioner =>
  async (spec) => {
    await support.createCustomer({ customerId: spec.customerId, name: `Demo ${spec.customerId}`, desktopVersion: spec.desktopVersion });
    const server = await support.issueWorkstation(spec.customerId, { workstation: 'server', label: 'SERVER' });
    const { licenceCode } = await support.issueLicence(spec.customerId, spec.licenceCode);
    for (const d of spec.devices) {
      await support.authoriseTablet(spec.customerId, { serial: d.serial, model: d.model, operator: d.operator, phone: d.phone });
    }
    return { customerId: spec.customerId, desktopCredential: server.credential, licenceCode };
  };

/** Picks releases from the catalog: the first plain step, and the first step into a release needing a code. */
export function pickReleases(catalog: readonly PublicRelease[]): DemoReleases | undefined {
  const sorted = [...catalog].sort((a, b) => compareVersions(a.version, b.version));
  let plain: UpdateStep | undefined;
  let coded: UpdateStep | undefined;
  for (let i = 0; i + 1 < sorted.length; i++) {
    const step = { from: sorted[i]!.version, to: sorted[i + 1]!.version };
    if (!sorted[i + 1]!.requiresConfirmationCode) plain ??= step;
    else coded ??= step;
  }
  return plain ? { plain, ...(coded ? { coded } : {}) } : undefined;
}

type DemoDevice = { client: DeviceClient; label: string; serial: string; token: string | null };

/**
 * Runs the three paths. Resolves with the number of checks when every
 * expectation held; rejects with {@link DemoExpectationError} at the first that
 * did not (or with the SDK error that stopped it).
 */
export async function runDemo(options: DemoOptions): Promise<DemoResult> {
  const started = Date.now();
  const log = options.log ?? ((line: string) => console.log(line));
  const colour = options.colour ?? false;
  const deviceCount = options.devices ?? 5;
  if (!Number.isInteger(deviceCount) || deviceCount < 3 || deviceCount > OPERATORS.length) {
    throw new DemoExpectationError(`devices must be a whole number from 3 to ${OPERATORS.length}`);
  }
  // Support signs in like a person at Alturas would: the staff user pool, a token refreshed when it expires.
  const session = new SupportSession({ apiUrl: options.apiUrl });
  await session.login(options.staff.username, options.staff.password);
  const support = new SupportClient({ apiUrl: options.apiUrl, session, pipelineCredentials: options.pipelineCredentials });
  const provision = options.provision ?? provisionThroughApi(support);
  const inbox = new LocalPushInbox(options.snsUrl);
  const workDir = options.workDir ?? (await mkdtemp(join(tmpdir(), 'mophas-demo-')));
  const ownWorkDir = options.workDir === undefined;
  let checks = 0;
  const customers: DemoResult['customers'] = [];

  const expect = (ok: boolean, what: string, got?: unknown) => {
    checks++;
    if (!ok)
      throw new DemoExpectationError(
        `expected ${what}${got === undefined ? '' : `, got ${typeof got === 'string' ? got : JSON.stringify(got)}`}`,
      );
  };
  const expectApiError = async (promise: Promise<unknown>, code: string, what: string): Promise<ApiError> => {
    try {
      await promise;
    } catch (error) {
      expect(
        error instanceof ApiError && error.code === code,
        `${what} to be refused with ${code}`,
        error instanceof ApiError ? error.code : String(error),
      );
      return error as ApiError;
    }
    expect(false, `${what} to be refused with ${code}`, 'success');
    throw new Error('unreachable');
  };
  const heading = (text: string) => log(`\n${paint(colour, `━━ ${text} ${'━'.repeat(Math.max(0, 74 - text.length))}`, 'bold', 'cyan')}`);
  const stepLine = (text: string) => log(paint(colour, `\n▸ ${text}`, 'bold'));
  const note = (text: string) => log(`  ${text}`);
  const showNotice = (check: StartupCheck) => log(renderNotice(check.notice, { colour, english: false }));
  const expectNotice = (check: StartupCheck, kind: NoticeKind, what: string) => {
    showNotice(check);
    expect(
      check.notice.kind === kind,
      `${what}: notice ${kind}`,
      check.ok ? check.notice.kind : `${check.notice.kind} (${check.reason}: ${check.message})`,
    );
  };

  try {
    // The first call also loads the gateway's handlers: give it longer than a startup check.
    const api = new HttpClient({ baseUrl: options.apiUrl, timeoutMs: 20_000 });
    await api.call('GET /v1/health', {});
    let releases = options.releases;
    if (releases && options.publishMissing) await publishMissing(support, releases, workDir, note);
    if (!releases) {
      const catalog = await support.catalog();
      releases = pickReleases(catalog.releases);
      if (!releases) throw new DemoExpectationError('the catalog needs at least two releases (npm start seeds four)');
    }
    const plain = releases.plain;
    const forced = releases.coded ?? releases.plain;

    // ── shared helpers bound to one customer ─────────────────────────────────
    const newCustomer = async (path: string, step: UpdateStep, tokens: (i: number, serial: string) => string | null) => {
      const customerId = `demo-${path}-${randomUUID().slice(0, 8)}`;
      const licenceCode = `LIC-${customerId.toUpperCase()}`;
      const specs = Array.from({ length: deviceCount }, (_, i) => ({
        serial: `35${String(Math.floor(Math.random() * 1e13)).padStart(13, '0')}`,
        model: MODELS[i % MODELS.length]!,
        operator: { code: `OP0${i + 1}`, name: OPERATORS[i]![0], surname: OPERATORS[i]![1] },
        phone: `+39 333 200 00${String(i + 1).padStart(2, '0')}`,
        installedVersion: step.from,
      }));
      const provisioned = await provision({ customerId, licenceCode, desktopVersion: step.from, devices: specs });
      customers.push({ path, customerId });
      note(
        `cliente ${customerId} (desktop ${step.from}, ${deviceCount} dispositivi, licenza ${licenceCode}) — creato dall'assistenza con le API (cliente, postazione SERVER, licenza, tablet autorizzati)`,
      );
      const desktop = await DesktopClient.open({
        apiUrl: options.apiUrl,
        credential: provisioned.desktopCredential,
        customerId,
        installedVersion: step.from,
        feedTimeoutMs: options.feedTimeoutMs,
      });
      const devices: DemoDevice[] = [];
      for (const [i, spec] of specs.entries()) {
        const token = tokens(i, spec.serial);
        const { client } = await DeviceClient.register(
          { apiUrl: options.apiUrl },
          { serial: spec.serial, licenceCode, installedVersion: step.from, model: spec.model, pushToken: token },
        );
        devices.push({ client, serial: spec.serial, token, label: formatOperator(spec.operator) });
      }
      note(
        `dispositivi registrati (Registra Dispositivo): ${devices.map((d) => `${d.label}${d.token ? (d.token.startsWith('noapp-') ? ' [app non avviata]' : d.token.startsWith('stale-') ? ' [token scaduto]' : '') : ' [senza token push]'}`).join(', ')}`,
      );
      return { customerId, desktop, devices };
    };
    const dev = (d: DemoDevice, text: string) => note(`${paint(colour, '📱', 'dim')} ${d.label}: ${text}`);
    const showGrid = async (desktop: DesktopClient, filter: GridFilter = 'all'): Promise<Grid> => {
      const answer = await desktop.grid(filter);
      if (answer.notModified) throw new DemoExpectationError('a first grid read answered 304');
      log(renderGrid(answer.grid, { colour }));
      return answer.grid;
    };
    const downloadAndReport = async (desktop: DesktopClient, step: UpdateStep) => {
      stepLine('Startup check: an update is on offer, its installer is downloading (yellow)');
      expectNotice(await desktop.startupCheck(), 'download-in-progress', 'before the download');
      stepLine('Download of the installer over the CDN (Range-resumable), SHA-256 checked against the signed answer, reported');
      const got = await desktop.downloadUpdate({ dir: join(workDir, 'desktop', desktop.state.customerId ?? 'x') });
      note(`${got.path} — ${got.size} byte, sha256 ${got.sha256.slice(0, 16)}… verificato e segnalato`);
      expect(got.version === step.to, `the installer of ${step.to}`, got.version);
      stepLine('Startup check: update ready (green)');
      expectNotice(await desktop.startupCheck(), 'update-ready', 'after the download');
    };
    const firstLogin = async (desktop: DesktopClient) => {
      stepLine('Login as ammin/ammin on the SERVER workstation: first login, the password must change');
      const session = await desktop.login('ammin', 'ammin', 'server');
      expect(session.mustChangePassword, 'ammin to be a first-login account');
      const refused = await expectApiError(
        desktop.grid(),
        'PASSWORD_CHANGE_REQUIRED',
        'opening Gestione aggiornamento before the password change',
      );
      note(paint(colour, refused.messages?.it ?? refused.message, 'yellow'));
      const again = await desktop.changePassword('ammin', ADMIN_NEW_PASSWORD);
      expect(again?.role === 'admin' && !again.mustChangePassword, 'a usable admin session after the change', again);
      note('password cambiata, accesso di nuovo come amministratore');
    };
    /** Devices whose push arrived handle it; `others` start the app and check in (DEV-7). */
    const devicesHandlePushes = async (devices: DemoDevice[], options2: { checkIn?: DemoDevice[] } = {}) => {
      for (const d of devices) {
        const pushes = await inbox.receiveNew(d.client);
        if (pushes.length === 0 && !options2.checkIn?.includes(d)) {
          dev(d, 'nessuna notifica ricevuta');
          continue;
        }
        for (const p of pushes) dev(d, `notifica ${p.command.replace('_', ' ')} ricevuta`);
        const answer = await d.client.checkIn();
        if (pushes.length === 0) dev(d, `l'operatore avvia mOphas mobile → ${describeCommand(answer.command)}`);
        if (answer.command.command === 'UPDATE' && answer.command.sessionId && pushes.some((p) => p.command === 'END_UPDATE')) {
          await d.client.ack(answer.command.sessionId, 'END_UPDATE');
        }
        const did = await d.client.follow(answer.command, { dir: join(workDir, 'devices') });
        if (did.did.length) dev(d, did.did.join(' → '));
      }
    };

    // ══ Path 1 ═══════════════════════════════════════════════════════════════
    heading(`Percorso 1 — aggiornamento regolare ${plain.from} → ${plain.to}`);
    const p1 = await newCustomer('regular', plain, (i, serial) => (i === deviceCount - 1 ? null : `fcm-demo-${serial}`));
    {
      const { desktop, devices } = p1;
      stepLine('Startup check with the Alturas servers unreachable (blue): work goes on');
      const offline = await DesktopClient.open({
        apiUrl: 'http://127.0.0.1:9',
        credential: 'dsk_unreachable.x',
        customerId: p1.customerId,
        installedVersion: plain.from,
        feedTimeoutMs: 2000,
      });
      const blue = await offline.startupCheck();
      showNotice(blue);
      expect(!blue.ok && blue.notice.colour === 'blue', 'the blue notice when the feed cannot be reached', blue.notice.kind);

      await downloadAndReport(desktop, plain);
      await firstLogin(desktop);

      stepLine('Gestione aggiornamento — aggiornamento disponibile');
      await showGrid(desktop);

      stepLine('Invia START UPDATE (Si)');
      const start = await desktop.sendStartUpdate();
      log(renderPushSummary('Riepilogo START UPDATE', start.summary, { colour }));
      expect(
        start.session.state === 'preparing' && start.session.targetVersion === plain.to,
        `a session preparing ${plain.to}`,
        start.session,
      );
      expect(
        start.summary.counts?.sent === deviceCount - 1 && start.summary.counts.noToken === 1,
        'every push sent but the tokenless one',
        start.summary.counts,
      );

      stepLine('Every workstation now shows "update in progress" (yellow)');
      expectNotice(await desktop.startupCheck(), 'update-in-progress', 'during phase 1');

      stepLine('Devices: confirm START UPDATE, lock, send unsent data (the tokenless one finds the command at check-in, DEV-7)');
      await devicesHandlePushes(devices, { checkIn: [devices.at(-1)!] });
      const ready = await showGrid(desktop);
      expect(ready.buttons.startUpdate && ready.counts.awaiting === deviceCount, 'every device awaiting and Avvia enabled', ready.counts);
      expect(
        ready.rows.every((r) => r.blocked && r.awaitingUpdate),
        'every row Bloccato and Attesa Aggiornamento',
      );

      stepLine('Avvia aggiornamento → phase 2');
      const updating = await desktop.startUpdate();
      expect(updating.session.state === 'updating', 'the session updating', updating.session.state);
      const early = await expectApiError(
        devices[0]!.client.packageInfo(),
        'UPDATE_IN_PREPARATION',
        'Aggiorna Device before the desktop has finished',
      );
      dev(devices[0]!, `Aggiorna Device troppo presto → "${early.messages?.it ?? early.message}"`);

      stepLine('The installer ends: success');
      const success = await desktop.reportOutcome({ result: 'success', version: plain.to });
      expect(success.session.state === 'mobile-update', 'phase 3', success.session.state);
      expectNotice(await desktop.startupCheck(), 'desktop-updated', 'after the desktop update');

      stepLine('Fine aggiornamento: END UPDATE to every device');
      const end = await desktop.sendEndUpdate();
      log(renderPushSummary('Riepilogo notifiche END UPDATE', end.summary, { colour }));
      await devicesHandlePushes(devices);
      stepLine('Gestione aggiornamento — aggiornamento concluso: the device without push is not updated yet (red)');
      const phase3 = await showGrid(desktop);
      const red = phase3.rows.filter((r) => r.notOnDesktopVersion).map((r) => r.serial);
      expect(red.length === 1 && red[0] === devices.at(-1)!.serial, 'one red row: the tokenless device', red);
      stepLine('Its operator starts mOphas mobile: the update starts without the notification');
      await devicesHandlePushes([devices.at(-1)!], { checkIn: [devices.at(-1)!] });
      const all = await showGrid(desktop, 'not-updated');
      expect(
        all.rows.length === 0,
        'no device left on the old version',
        all.rows.map((r) => r.serial),
      );

      stepLine('Aggiornamento concluso');
      const concluded = await desktop.conclude();
      expect('session' in concluded && concluded.session.state === 'concluded', 'concluded without a second confirmation', concluded);
      for (const d of devices) {
        const owed = await d.client.checkIn();
        expect(owed.command.command === 'NONE', `${d.label} back to normal work`, owed.command);
      }
      note('tutti i dispositivi riprendono la normale operatività');
      stepLine('Next startup: the feed looks for the next version');
      const after = await desktop.startupCheck();
      showNotice(after);
      expect(
        after.ok && !['update-in-progress', 'desktop-updated', 'update-failed'].includes(after.notice.kind),
        'no session notice after the conclusion',
        after.notice.kind,
      );
    }

    // ══ Path 2 ═══════════════════════════════════════════════════════════════
    heading(`Percorso 2 — aggiornamento forzato ${forced.from} → ${forced.to}`);
    const silentAt = deviceCount - 2;
    const phoneAt = deviceCount - 1;
    const p2 = await newCustomer('forced', forced, (i, serial) =>
      i === silentAt ? `noapp-${serial}` : i === phoneAt ? `stale-${serial}` : `fcm-demo-${serial}`,
    );
    {
      const { desktop, devices } = p2;
      const silent = devices[silentAt]!;
      const phone = devices[phoneAt]!;
      const first = await desktop.startupCheck();
      if (first.ok && first.update?.requiresConfirmationCode) {
        stepLine('Startup check: the update needs a confirmation code (white)');
        expectNotice(first, 'contact-support', 'a release needing a code');
        await firstLogin(desktop);
        stepLine('Procedura preliminare di aggiornamento: the challenge is read to support over the phone');
        const challenge = await desktop.openChallenge(forced.to);
        note(`Codice da comunicare al referente: ${paint(colour, challenge.groups.join('  '), 'bold')}`);
        const response = await support.confirmationResponse(p2.customerId, forced.to, challenge.challenge);
        note(`Alturas support (audited): risposta ${paint(colour, response.response, 'bold')}`);
        const typo = response.response.replace(/^(\d)/, (d) => String((Number(d) + 1) % 10));
        try {
          await desktop.submitConfirmation(forced.to, typo);
          expect(false, 'a typo to be caught before any attempt is spent');
        } catch (error) {
          expect((error as { code?: string }).code === 'CODE_TYPO', 'the typo reported as CODE_TYPO', (error as Error).message);
          note(`digitato con un errore → "${(error as Error).message}" (nessun tentativo consumato)`);
        }
        const confirmed = await desktop.submitConfirmation(forced.to, response.response);
        expect(confirmed.confirmed, 'the response accepted');
        note('codice corretto: non verrà più richiesto per questa versione');
        await downloadAndReport(desktop, forced);
      } else {
        await downloadAndReport(desktop, forced);
        await firstLogin(desktop);
      }

      stepLine('Invia START UPDATE: one push fails (token no longer valid), one is accepted but never reaches the app');
      const start = await desktop.sendStartUpdate();
      log(renderPushSummary('Riepilogo START UPDATE', start.summary, { colour }));
      const phoneOutcome = start.summary.devices.find((d) => d.serial === phone.serial);
      expect(
        phoneOutcome?.outcome === 'failed' && phoneOutcome.reasonCode === 'ENDPOINT_DISABLED',
        'the stale-token push to fail',
        phoneOutcome,
      );
      await devicesHandlePushes(devices);

      stepLine(`Blocco manuale for ${phone.label}: code 1 → GENERA → code 2 → device locks → code 3 → VERIFICA`);
      const code1 = await phone.client.beginLockExchange('lock');
      dev(phone, `Gestione Blocco Device, codice 1: ${code1.code1}`);
      const code2 = await desktop.lockGenerate(phone.serial, 'lock', code1.code1);
      note(`GENERA → codice 2: ${code2.code2}`);
      const entered = await phone.client.enterCode2(code2.code2);
      expect(entered.ok && entered.locked, 'the device to accept code 2 offline and lock', entered);
      const code3 = entered.ok ? entered.code3 : '';
      dev(phone, `BLOCCA DEVICE → bloccato, codice di conferma: ${code3}`);
      const verified = await desktop.lockVerify(phone.serial, code3);
      expect(verified.verified && verified.blocked, 'VERIFICA to mark the device blocked', verified);
      note('VERIFICA → la griglia mostra il dispositivo bloccato');
      const owed = await phone.client.checkIn();
      expect(owed.command.command === 'LOCK', 'the phone-locked device to learn the session at check-in', owed.command);
      if (owed.command.command === 'LOCK') await phone.client.sendUnsentData(owed.command.sessionId);
      dev(phone, 'INVIO DATI NON TRASMESSI → in attesa di aggiornamento');

      const grid = await showGrid(desktop);
      const notAwaiting = grid.rows.filter((r) => !r.awaitingUpdate).map((r) => r.serial);
      expect(
        grid.buttons.forceUpdate && notAwaiting.length === 1 && notAwaiting[0] === silent.serial,
        'only the silent device not awaiting, Forza enabled',
        notAwaiting,
      );
      const refused = await expectApiError(desktop.startUpdate(), 'DEVICES_NOT_AWAITING', 'Avvia aggiornamento with a device not awaiting');
      note(`Avvia aggiornamento → ${refused.message}`);

      stepLine('Forza aggiornamento: warning, devices at risk, second authorisation');
      const step1 = await desktop.forceUpdate();
      expect('confirmationRequired' in step1, 'a first step asking for confirmation');
      if ('confirmationRequired' in step1) {
        note(paint(colour, step1.warning.it, 'yellow'));
        for (const d of step1.notAwaiting) note(`  a rischio: ${d.serial} ${formatOperator(d.operator)}`);
        const step2 = await desktop.forceUpdate(step1.confirmToken);
        expect('session' in step2 && step2.session.state === 'updating' && step2.session.forced, 'a forced phase 2', step2);
        note('Forza → Avvia: fase 2 (forzata)');
      }

      stepLine(`${silent.label} starts the app late and sends its unsent data: refused, the versions differ`);
      const late = await silent.client.checkIn();
      dev(silent, describeCommand(late.command));
      const sessionId = late.session?.sessionId ?? '';
      const mismatch = await expectApiError(
        silent.client.sendUnsentData(sessionId),
        'VERSION_MISMATCH',
        'unsent data after a forced update',
      );
      dev(silent, paint(colour, mismatch.messages?.it ?? mismatch.message, 'red'));

      stepLine('The installer ends: success → Fine aggiornamento');
      await desktop.reportOutcome({ result: 'success', version: forced.to });
      const end = await desktop.sendEndUpdate();
      log(renderPushSummary('Riepilogo notifiche END UPDATE', end.summary, { colour }));
      // The phone-locked device has no working push: its operator starts the app. The silent one stays away.
      await devicesHandlePushes(devices, { checkIn: [phone] });
      stepLine('Gestione aggiornamento — filter "non aggiornati"');
      const left = await showGrid(desktop, 'not-updated');
      expect(
        left.rows.length === 1 && left.rows[0]!.serial === silent.serial,
        'only the silent device not updated',
        left.rows.map((r) => r.serial),
      );

      stepLine('Aggiornamento concluso: a device is not updated → warning and second confirmation');
      const c1 = await desktop.conclude();
      expect('confirmationRequired' in c1, 'a warning before concluding with a device not updated');
      if ('confirmationRequired' in c1) {
        note(paint(colour, `Avviso: Fine Aggiornamento — ${c1.warning.it}`, 'yellow'));
        expect(c1.notUpdated.length === 1 && c1.notUpdated[0]!.serial === silent.serial, 'the silent device listed', c1.notUpdated);
        const c2 = await desktop.conclude(c1.confirmToken);
        expect('session' in c2 && c2.session.state === 'concluded', 'concluded after the second confirmation', c2);
        note('OK → OK: aggiornamento concluso');
      }
      stepLine(`${silent.label} starts later: outside the session it is sent to the desktop version (DEV-6)`);
      await devicesHandlePushes([silent], { checkIn: [silent] });
      expect(silent.client.state.installedVersion === forced.to, `the silent device on ${forced.to}`, silent.client.state.installedVersion);
      const after = await desktop.startupCheck();
      showNotice(after);
      expect(
        after.ok && !['update-in-progress', 'desktop-updated'].includes(after.notice.kind),
        'no session notice after the conclusion',
        after.notice.kind,
      );
    }

    // ══ Path 3 ═══════════════════════════════════════════════════════════════
    heading(`Percorso 3 — aggiornamento terminato in modo anomalo ${plain.from} → ${plain.to}`);
    const unreachableAt = deviceCount - 1;
    const p3 = await newCustomer('failed', plain, (i, serial) => (i === unreachableAt ? `noapp-${serial}` : `fcm-demo-${serial}`));
    {
      const { desktop, devices, customerId } = p3;
      const unreachable = devices[unreachableAt]!;
      await downloadAndReport(desktop, plain);
      await firstLogin(desktop);
      stepLine('Invia START UPDATE; devices lock and send their data (one only when its operator starts the app)');
      const start = await desktop.sendStartUpdate();
      log(renderPushSummary('Riepilogo START UPDATE', start.summary, { colour }));
      await devicesHandlePushes(devices, { checkIn: [unreachable] });
      expect((await desktop.startUpdate()).session.state === 'updating', 'phase 2');

      stepLine('The installer stops: TERMINATA IN MODO ANOMALO, its log is sent');
      const failed = await desktop.reportOutcome({
        result: 'failed',
        log: `UPGRADE PROGRAM ${plain.to}\nstep 7/9: database migration\nTERMINATA IN MODO ANOMALO: contattare il servizio di assistenza\n`,
        message: 'installer exit code 3 at step 7/9',
      });
      expect(failed.session.state === 'failed', 'the session failed', failed.session.state);
      expectNotice(await desktop.startupCheck(), 'update-failed', 'after the abnormal termination');
      const retry = await expectApiError(desktop.sendStartUpdate(), 'ACTION_NOT_ALLOWED', 'retrying the update before support resolves it');
      note(`nuovo tentativo → ${retry.message}`);

      stepLine('Riattiva i terminali mobile: ERROR UPDATE to every device');
      const reactivated = await desktop.reactivate();
      log(renderPushSummary('ATTIVA TUTTE LE DEVICE E INVIA PUSH', reactivated.summary, { colour }));
      expect(reactivated.session.state === 'reactivated', 'the session reactivated', reactivated.session.state);
      await devicesHandlePushes(devices);
      for (const d of devices.filter((x) => x !== unreachable)) expect(!d.client.state.locked, `${d.label} unlocked by ERROR UPDATE`);
      expect(unreachable.client.state.locked, `${unreachable.label} still locked (the push never reached it)`);
      const stillBlocked = (await showGrid(desktop)).rows.filter((r) => r.blocked).map((r) => r.serial);
      expect(
        stillBlocked.length === 1 && stillBlocked[0] === unreachable.serial,
        `the grid to show only ${unreachable.label} still Bloccato`,
        stillBlocked,
      );

      stepLine(`Sblocco manuale for ${unreachable.label}: the same phone exchange, unlock`);
      const code1 = await unreachable.client.beginLockExchange('unlock');
      dev(unreachable, `Gestione Blocco/Sblocco Device, codice 1: ${code1.code1}`);
      const code2 = await desktop.lockGenerate(unreachable.serial, 'unlock', code1.code1);
      note(`GENERA → codice 2: ${code2.code2}`);
      const entered = await unreachable.client.enterCode2(code2.code2);
      expect(entered.ok && !entered.locked, 'the device to unlock offline', entered);
      const code3 = entered.ok ? entered.code3 : '';
      dev(unreachable, `SBLOCCA DEVICE → sbloccato, codice di conferma: ${code3}`);
      const verified = await desktop.lockVerify(unreachable.serial, code3);
      expect(verified.verified && !verified.blocked, 'VERIFICA to show the device unblocked', verified);
      const grid = await showGrid(desktop);
      expect(
        grid.rows.every((r) => !r.blocked),
        'no device blocked in the grid',
        grid.rows.filter((r) => r.blocked).map((r) => r.serial),
      );

      stepLine("Invia segnalazione all'assistenza");
      const report = await desktop.reportToSupport('The installer stopped at step 7/9 (database migration).');
      note(`caso ${report.caseId}`);
      expectNotice(await desktop.startupCheck(), 'update-failed', 'until support resolves it');

      stepLine('Alturas support: failed updates and open cases');
      const failedRow = await findFailedUpdate(support, customerId);
      expect(failedRow?.supportCaseId === report.caseId, 'the failed update listed with its case', failedRow);
      note(
        `${paint(colour, 'failed update', 'red')}: ${customerId} ${failedRow?.fromVersion} → ${failedRow?.targetVersion}, ${failedRow?.state}, case ${failedRow?.supportCaseId}`,
      );
      const openCase = await findCase(support, report.caseId);
      expect(openCase?.failureLogKey !== undefined && openCase.customerId === customerId, 'the case with the log key', openCase);
      note(`case ${openCase?.caseId}: ${openCase?.failureMessage} — "${openCase?.message}" (log ${openCase?.failureLogKey})`);
      const resolved = await support.resolve(customerId, 'Database migration fixed remotely; the update may be retried.');
      expect(resolved.session.state === 'available' && resolved.closedCaseIds.includes(report.caseId), 'resolved, case closed', resolved);
      note(`resolve → ${resolved.fromState} → ${resolved.session.state}; casi chiusi: ${resolved.closedCaseIds.join(', ')}`);

      stepLine('Next startup: the notice is back to normal (the installer is still verified: green)');
      const after = await desktop.startupCheck();
      showNotice(after);
      expect(after.ok && after.notice.kind === 'update-ready', 'the green update-ready notice again', after.notice.kind);
      for (const d of devices) {
        const owed = await d.client.checkIn();
        expect(owed.command.command === 'NONE', `${d.label} working normally`, owed.command);
      }
      note('tutti i dispositivi lavorano normalmente; l’aggiornamento può essere ritentato');
    }

    const ms = Date.now() - started;
    log(`\n${paint(colour, `✓ demo completed: 3 paths, ${checks} checks, ${(ms / 1000).toFixed(1)} s`, 'green', 'bold')}`);
    return { checks, ms, customers };
  } finally {
    if (ownWorkDir) await rm(workDir, { recursive: true, force: true });
  }
}

async function findFailedUpdate(support: SupportClient, customerId: string) {
  let cursor: string | undefined;
  for (let page = 0; page < 20; page++) {
    const answer = await support.failedUpdates({ limit: 100, cursor });
    const hit = answer.items.find((f) => f.customerId === customerId);
    if (hit || !answer.cursor) return hit;
    cursor = answer.cursor;
  }
  return undefined;
}

async function findCase(support: SupportClient, caseId: string) {
  let cursor: string | undefined;
  for (let page = 0; page < 20; page++) {
    const answer = await support.cases({ limit: 100, cursor });
    const hit = answer.items.find((c) => c.caseId === caseId);
    if (hit || !answer.cursor) return hit;
    cursor = answer.cursor;
  }
  return undefined;
}

/** Publishes the demo releases missing from the catalog, with small generated packages. */
async function publishMissing(support: SupportClient, releases: DemoReleases, dir: string, note: (line: string) => void) {
  const catalog = await support.catalog();
  const have = new Set(catalog.releases.map((r) => r.version));
  const wanted = new Map<string, boolean>();
  for (const step of [releases.plain, releases.coded]) {
    if (!step) continue;
    if (!wanted.has(step.from)) wanted.set(step.from, false);
    wanted.set(step.to, step === releases.coded);
  }
  for (const [version, requiresCode] of [...wanted].sort(([a], [b]) => compareVersions(a, b))) {
    if (have.has(version)) continue;
    const bytes = (label: string, size: number) => {
      const line = Buffer.from(`mOphas ${label} ${version} — demo package\n`);
      const out = Buffer.alloc(size);
      for (let i = 0; i < size; i += line.length) line.copy(out, i);
      return out;
    };
    const desktop = join(dir, `publish-${version}-desktop-setup.exe`);
    const mobile = join(dir, `publish-${version}-mobile.apk`);
    await writeFile(desktop, bytes('desktop', 96 * 1024));
    await writeFile(mobile, bytes('mobile', 32 * 1024));
    await support.publishRelease({ version, desktop, mobile, notesUrl: `https://wiki.alturas.it/mophas-fix/${version}`, requiresCode });
    note(`pubblicata la versione ${version}${requiresCode ? ' (richiede codice di conferma)' : ''}`);
  }
}

// ── npm run demo ─────────────────────────────────────────────────────────────

async function main() {
  const { Command, InvalidArgumentError } = await import('commander');
  const { localPipelineCredentials, resolveApiUrl } = await import('../cli/lib/config');
  const { LOCAL_PEOPLE } = await import('../local/stack');
  const { readLocalKeys, resolveSnsUrl } = await import('../client/local-config');
  const program = new Command()
    .name('demo')
    .description("The manual's three update paths against the running local stack (npm start)")
    .option('--api <url>', 'API base URL (default: $MOPHAS_API_URL or http://127.0.0.1:3000)')
    .option(
      '--devices <n>',
      'simulated devices per customer (3-8)',
      (v: string) => {
        const n = Number(v);
        if (!Number.isInteger(n) || n < 3 || n > 8) throw new InvalidArgumentError('expected 3 to 8.');
        return n;
      },
      5,
    )
    .option('--debug', 'print stack traces on errors')
    .configureOutput({ outputError: (message, write) => write(`${message.trimEnd()} (see --help)\n`) })
    .parse(process.argv);
  const flags = program.opts<{ api?: string; devices: number; debug?: boolean }>();
  const apiUrl = resolveApiUrl(flags.api);

  try {
    await new HttpClient({ baseUrl: apiUrl, timeoutMs: 3000 }).call('GET /v1/health', {});
  } catch (error) {
    if (error instanceof ApiUnreachableError) {
      process.stderr.write(
        `error: the local stack is not answering at ${apiUrl} (${error.detail}): start it with \`npm start\` in another terminal, then run \`npm run demo\` again.\n`,
      );
      process.exitCode = 1;
      return;
    }
    throw error;
  }
  const colour = colourEnabled(process.stdout);
  const staffPassword = process.env.MOPHAS_SUPPORT_PASSWORD ?? readLocalKeys()?.[LOCAL_PEOPLE.staff.passwordEnv];
  if (!staffPassword) {
    process.stderr.write(
      'error: no staff password: run `npm start` first (it writes .local-data/keys.json) or set MOPHAS_SUPPORT_PASSWORD.\n',
    );
    process.exitCode = 1;
    return;
  }
  await runDemo({
    apiUrl,
    staff: { username: process.env.MOPHAS_SUPPORT_USER ?? LOCAL_PEOPLE.staff.username, password: staffPassword },
    pipelineCredentials: localPipelineCredentials(apiUrl),
    snsUrl: resolveSnsUrl(),
    devices: flags.devices,
    colour,
  });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((error: unknown) => {
    const line = error instanceof DemoExpectationError ? `demo failed: ${error.message}` : describeError(error);
    process.stderr.write(`error: ${line}\n`);
    if (process.argv.includes('--debug')) process.stderr.write(`${(error as Error)?.stack ?? String(error)}\n`);
    process.exitCode = 1;
  });
}
