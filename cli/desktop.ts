#!/usr/bin/env -S node --import tsx
/**
 * mOphas desktop, from a terminal: the startup check and its coloured notice,
 * the installer download, login, and every window and button of the manual's
 * update procedure. Commands are named after the manual's windows and buttons
 * (English aliases in brackets):
 *
 *   avvio (startup)                      startup check: prints the notice
 *   scarica (download)                   download + verify the installer, report it (yellow → green)
 *   dettagli (details)                   "Dettagli aggiornamento": the release's notes link
 *   login / password / logout            users (the first-login ammin must change its password)
 *   codice-conferma (confirmation-code)  "Procedura preliminare di aggiornamento": challenge / --response
 *   gestione (manage)                    "Gestione aggiornamento": the grid (filters, red rows); --web: the hosted window's URL
 *   invia-start-update (send-start-update) [--serial]
 *   blocco-manuale genera|verifica (manual-lock generate|verify)   GENERA / VERIFICA
 *   avvia (start) · forza (force) · esito successo|fallito (outcome success|failed)
 *   fine-aggiornamento (finish-update) · invia-end-update --serial (send-end-update)
 *   disabilita / abilita --serial (disable / enable) · aggiornamento-concluso (conclude)
 *   tablet-elenco (tablets) · tablet-aggiungi (tablet-add) · tablet-modifica (tablet-edit)
 *                                        "Gestione Mobile — Gestione Autorizzazioni Tablet" (admin on the SERVER)
 *   riattiva (reactivate) · chiudi-aggiornamento (close-update) · segnalazione (report) · stato (status) · reset
 *
 * Settings: flags, else MOPHAS_API_URL, MOPHAS_DESKTOP_CREDENTIAL, MOPHAS_CUSTOMER_ID,
 * MOPHAS_STATE_DIR, else the local stack's .local-data/demo-credentials.json.
 * `--json` prints the API's answer for scripts. Errors: one line, exit 1;
 * --debug adds the stack trace.
 */
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Command, Option } from 'commander';
import { resolveApiUrl } from './lib/config';
import { formatBytes } from './lib/files';
import { out, parseMs, printJson, sharedOptions } from './lib/common';
import { downloadProgress } from './lib/progress';
import { DesktopClient, type DesktopState, type StartupCheck } from '../client/desktop';
import { fileStore } from '../client/state';
import { MophasClientError, type ApiError } from '../client/http';
import { apiTag, credentialId, resolveCustomerId, resolveDesktopCredential, stateBaseDir } from '../client/local-config';
import {
  colourEnabled,
  confirm,
  describeError,
  formatOperator,
  paint,
  renderGrid,
  renderNotice,
  renderPushSummary,
  renderTable,
  type ErrorHints,
} from '../client/terminal';
import type { GridFilter, PushAnswer, TabletView } from '../client/types';

interface Common {
  api?: string;
  credential?: string;
  customer?: string;
  installed?: string;
  stateDir?: string;
  timeout?: number;
  feedTimeout?: number;
  json?: boolean;
  debug?: boolean;
  yes?: boolean;
}

const colour = colourEnabled(process.stdout);
const info = (text: string): void => void process.stderr.write(`${text}\n`);

const HINTS: ErrorHints = {
  UNAUTHORIZED: 'Check --credential / MOPHAS_DESKTOP_CREDENTIAL, or log in again (mophas-desktop login).',
  PASSWORD_CHANGE_REQUIRED: 'Change it first: mophas-desktop password --current <old> --new <new>.',
  ADMIN_REQUIRED: 'Log in as an administrator: mophas-desktop login --user <admin>.',
  SERVER_WORKSTATION_REQUIRED: 'Log in with --workstation server on the central computer.',
  DOWNLOAD_NOT_VERIFIED: 'Download it first: mophas-desktop scarica.',
  CONFIRMATION_REQUIRED: 'Get the confirmation code first: mophas-desktop codice-conferma.',
  DEVICES_NOT_AWAITING:
    'Wait for every device (mophas-desktop gestione), lock the silent ones by phone (blocco-manuale), or use Forza aggiornamento (mophas-desktop forza).',
  STALE_CONFIRMATION: 'The session changed meanwhile: run the command again.',
  DEVICE_EXISTS: 'Già presente: mophas-desktop tablet-modifica --serial … per cambiarlo (already there: edit it).',
  CODE_MISMATCH: (e: ApiError) => (typeof e.body.attemptsLeft === 'number' ? `Attempts left: ${e.body.attemptsLeft}.` : ''),
};

/** The options every command takes. */
function common(cmd: Command): Command {
  return sharedOptions(
    cmd
      .option('--credential <dsk>', 'desktop installation credential (default: $MOPHAS_DESKTOP_CREDENTIAL or the local demo customer)')
      .option('--customer <id>', "this installation's customer id (default: $MOPHAS_CUSTOMER_ID, the demo's, or pinned at the first start)")
      .option('--installed <version>', 'the mOphas version this desktop runs (remembered in the state)'),
  );
}

async function client(flags: Common): Promise<DesktopClient> {
  const apiUrl = resolveApiUrl(flags.api);
  const { credential, fromDemo } = resolveDesktopCredential(flags.credential);
  const file = join(stateBaseDir(flags.stateDir), 'desktop', `${apiTag(apiUrl)}-${credentialId(credential)}.json`);
  return DesktopClient.open({
    apiUrl,
    credential,
    customerId: resolveCustomerId(flags.customer, fromDemo),
    installedVersion: flags.installed ?? process.env.MOPHAS_INSTALLED_VERSION,
    store: fileStore<DesktopState>(file),
    timeoutMs: flags.timeout,
    feedTimeoutMs: flags.feedTimeout,
  });
}

const packagesDir = (flags: Common) => join(stateBaseDir(flags.stateDir), 'desktop', 'packages');
const json = printJson;

function printCheck(check: StartupCheck) {
  out(renderNotice(check.notice, { colour }));
  if (!check.ok) {
    out(paint(colour, `  (${check.reason}: ${check.message}; work goes on, the check runs again at the next start)`, 'dim'));
    if (check.reason === 'HTTP_ERROR') info(`hint: ${describeError(check.error, HINTS)}`);
    return;
  }
  if (check.update) {
    const u = check.update;
    out(
      paint(
        colour,
        `  Installato ${check.installedVersion} → disponibile ${u.version}: installer ${formatBytes(u.desktop.size)}${u.requiresConfirmationCode ? ', richiede codice di conferma' : ''}`,
        'dim',
      ),
    );
  } else {
    out(
      paint(
        colour,
        `  Installato ${check.installedVersion}${check.installedStatus === 'ahead' ? ' (più recente del catalogo)' : ''}`,
        'dim',
      ),
    );
  }
}

function printPush(title: string, answer: PushAnswer) {
  out(renderPushSummary(title, answer.summary, { colour }));
}

/** Hands a URL to the system's browser (the desktop's embedded WebView in production). */
function openInBrowser(url: string) {
  const [command, args] =
    process.platform === 'win32'
      ? ['cmd', ['/c', 'start', '""', url]]
      : process.platform === 'darwin'
        ? ['open', [url]]
        : ['xdg-open', [url]];
  const child = spawn(command, args as string[], { detached: true, stdio: 'ignore' });
  child.on('error', () => info(`could not start a browser (${command}): open the link above yourself.`));
  child.unref();
}

const program = new Command()
  .name('mophas-desktop')
  .description('mOphas desktop (thin client) for mOphas Update Cloud: startup check, download, update management')
  .configureOutput({ outputError: (message, write) => write(`${message.trimEnd()} (see --help)\n`) });

common(
  program
    .command('avvio')
    .alias('startup')
    .description('Startup check: asks the feed, verifies the signed answer and prints the notice (blue when the feed cannot be reached)')
    .option('--feed-timeout <ms>', 'how long to wait for the feed before the blue notice (default 5000)', parseMs),
).action(async (flags: Common) => {
  const desktop = await client(flags);
  const check = await desktop.startupCheck();
  if (flags.json) {
    json({ ...check, error: undefined, catalogVersion: desktop.state.lastCatalogVersion });
    return;
  }
  printCheck(check);
});

common(
  program
    .command('scarica')
    .alias('download')
    .description('Downloads the offered installer (resuming a partial file), verifies size and SHA-256, and reports it downloaded')
    .option('--dir <dir>', 'where packages are kept (default: <state-dir>/desktop/packages)')
    .option('--feed-timeout <ms>', 'startup-check budget', parseMs),
).action(async (flags: Common & { dir?: string }) => {
  const desktop = await client(flags);
  const progress = downloadProgress('download installer');
  const result = await desktop
    .downloadUpdate({ dir: flags.dir ?? packagesDir(flags), onProgress: progress.onProgress })
    .finally(progress.stop);
  if (flags.json) return json(result);
  out(`Installer ${result.version} scaricato e verificato: ${result.path}`);
  out(
    `  ${formatBytes(result.size)} · sha256 ${result.sha256}${result.resumedFrom > 0 ? ` · ripreso da ${formatBytes(result.resumedFrom)}` : ''}`,
  );
  out('  Segnalato al server: al prossimo avvio l’avviso diventa verde (Gestione aggiornamento).');
});

common(
  program.command('dettagli').alias('details').description('"Dettagli aggiornamento": the offered release and the link to its manuals'),
).action(async (flags: Common) => {
  const desktop = await client(flags);
  const check = await desktop.startupCheck();
  if (flags.json) return json({ ok: check.ok, update: check.ok ? check.update : null });
  if (!check.ok)
    throw new MophasClientError(`the feed could not be checked (${check.reason}): ${check.message}; try again later`, 'FEED_UNAVAILABLE');
  if (!check.update) return out(`Nessun aggiornamento disponibile per ${check.installedVersion}.`);
  const u = check.update;
  out(`mOphas ${u.version}${u.requiresConfirmationCode ? ' (richiede un codice di conferma)' : ''}`);
  out(`  Dettagli aggiornamento: ${u.notesUrl}`);
  out(`  desktop ${formatBytes(u.desktop.size)} sha256 ${u.desktop.sha256}`);
  out(`  mobile  ${formatBytes(u.mobile.size)} sha256 ${u.mobile.sha256}`);
});

common(
  program
    .command('login')
    .description('Logs a user in on this workstation (the token is kept in the state)')
    .option('--user <name>', 'user name (default: $MOPHAS_USER or ammin)')
    .option('--password <password>', 'password (default: $MOPHAS_PASSWORD, or ammin for ammin)')
    .addOption(
      new Option('--workstation <kind>', 'SERVER (central computer) or client workstation').choices(['server', 'client']).default('server'),
    ),
).action(async (flags: Common & { user?: string; password?: string; workstation: 'server' | 'client' }) => {
  const desktop = await client(flags);
  const user = flags.user ?? process.env.MOPHAS_USER ?? 'ammin';
  const password = flags.password ?? process.env.MOPHAS_PASSWORD ?? (user === 'ammin' ? 'ammin' : undefined);
  if (!password) throw new MophasClientError('no password: pass --password or set MOPHAS_PASSWORD', 'NO_PASSWORD');
  const session = await desktop.login(user, password, flags.workstation);
  if (flags.json) return json({ ...session, token: undefined });
  out(
    `Accesso: ${session.username} (${session.role === 'admin' ? 'amministratore' : 'utente'}, postazione ${session.workstation.toUpperCase()}) fino alle ${session.expiresAt}`,
  );
  if (session.mustChangePassword)
    out(paint(colour, '  Primo accesso: modificare la password (mophas-desktop password --current … --new …).', 'yellow'));
});

common(
  program
    .command('password')
    .description("Changes the logged-in user's password, then logs in again with it")
    .requiredOption('--current <password>', 'current password')
    .requiredOption('--new <password>', 'new password (at least 10 characters)'),
).action(async (flags: Common & { current: string; new: string }) => {
  const desktop = await client(flags);
  const session = await desktop.changePassword(flags.current, flags.new);
  if (flags.json) return json({ changed: true, session: session ? { ...session, token: undefined } : null });
  out(`Password modificata; accesso di nuovo come ${session?.username} (${session?.role}).`);
});

common(program.command('logout').description('Ends the user session')).action(async (flags: Common) => {
  const desktop = await client(flags);
  await desktop.logout();
  if (flags.json) return json({ loggedOut: true });
  out('Disconnesso.');
});

common(
  program
    .command('codice-conferma')
    .alias('confirmation-code')
    .description('"Procedura preliminare di aggiornamento": opens a challenge to read to support, or submits their --response')
    .option('--release <version>', 'the release (default: the one on offer)')
    .option('--response <code>', "support's response, NNNNN-NNNNN-NNNNN"),
).action(async (flags: Common & { release?: string; response?: string }) => {
  const desktop = await client(flags);
  let version = flags.release ?? desktop.state.lastCheck?.update?.version;
  if (!version) {
    const check = await desktop.startupCheck();
    version = check.ok ? check.update?.version : undefined;
  }
  if (!version) throw new MophasClientError('no release on offer needs a code: pass --release <version>', 'NO_UPDATE');
  if (flags.response) {
    const confirmed = await desktop.submitConfirmation(version, flags.response);
    if (flags.json) return json(confirmed);
    return out(`Codice corretto: l'aggiornamento ${version} è confermato e il codice non verrà più richiesto.`);
  }
  const challenge = await desktop.openChallenge(version);
  if (flags.json) return json(challenge);
  out(`Procedura preliminare di aggiornamento — versione ${version}`);
  out(`  Codice da comunicare al referente:  ${paint(colour, challenge.groups.join('  '), 'bold')}`);
  out(`  Valido fino alle ${challenge.expiresAt}; ${challenge.attemptsLeft} tentativi. Riaprire la finestra genera un nuovo codice.`);
  out(`  Poi: mophas-desktop codice-conferma --release ${version} --response NNNNN-NNNNN-NNNNN`);
});

const FILTERS: Record<string, GridFilter> = {
  tutti: 'all',
  all: 'all',
  aggiornati: 'updated',
  updated: 'updated',
  'non-aggiornati': 'not-updated',
  'not-updated': 'not-updated',
};

common(
  program
    .command('gestione')
    .aliases(['manage', 'grid'])
    .description('"Gestione aggiornamento": the devices grid (phase 3: red rows are devices not on the desktop version)')
    .addOption(
      new Option('--filter <which>', 'tutti|aggiornati|non-aggiornati (all|updated|not-updated)')
        .choices(Object.keys(FILTERS))
        .default('tutti'),
    )
    .option('--watch [seconds]', 'refresh periodically (default every 30 s; only changes are printed)')
    .option('--web', 'open the window as the hosted page instead: prints its one-time URL (valid 60 s)')
    .option('--open', "with --web: also open the URL in the system's browser"),
).action(async (flags: Common & { filter: string; watch?: string | boolean; web?: boolean; open?: boolean }) => {
  const desktop = await client(flags);
  if (flags.web || flags.open) {
    const window = await desktop.windowTicket();
    if (flags.json) json({ url: window.url, expiresAt: window.expiresAt });
    else {
      out(window.url);
      info(`Gestione aggiornamento: open this link within a minute; it works once (a new one: run this command again).`);
    }
    if (flags.open) openInBrowser(window.url);
    return;
  }
  const filter = FILTERS[flags.filter]!;
  const every = flags.watch === undefined ? 0 : flags.watch === true ? 30 : Number(flags.watch);
  if (!Number.isFinite(every) || every < 0) throw new MophasClientError('--watch takes a number of seconds', 'BAD_OPTION');
  let etag: string | undefined;
  for (;;) {
    const answer = await desktop.grid(filter, etag);
    if (!answer.notModified) {
      etag = answer.etag;
      if (flags.json) json(answer.grid);
      else out(`${every ? `\n${new Date().toISOString()}\n` : ''}${renderGrid(answer.grid, { colour })}`);
    }
    if (!every) return;
    await sleep(every * 1000);
  }
});

common(
  program
    .command('invia-start-update')
    .alias('send-start-update')
    .description('Invia START UPDATE to every device, or to one row (--serial) to retry it')
    .option('--serial <serial>', 'only this device')
    .option('--yes', 'answer Si to the confirmation'),
).action(async (flags: Common & { serial?: string }) => {
  const desktop = await client(flags);
  const question = flags.serial
    ? `Inviare START UPDATE al dispositivo ${flags.serial}?`
    : 'Inviare la notifica START UPDATE a tutti i dispositivi?';
  if (!(await confirm(question, { assumeYes: flags.yes }))) return out('Annullato: nulla è stato inviato.');
  const answer = await desktop.sendStartUpdate(flags.serial);
  if (flags.json) return json(answer);
  printPush(`START UPDATE — sessione ${answer.session.state}, versione ${answer.session.targetVersion}`, answer);
});

const manual = program
  .command('blocco-manuale')
  .alias('manual-lock')
  .description('Blocco / sblocco manuale dispositivo (phone procedure): GENERA and VERIFICA');
common(
  manual
    .command('genera')
    .alias('generate')
    .description('GENERA: code 2 for the code 1 the operator reads')
    .requiredOption('--serial <serial>', 'the device')
    .requiredOption('--code1 <code>', 'code 1 shown on the device')
    .option('--unlock', 'this is the unlock window (Sblocco)'),
).action(async (flags: Common & { serial: string; code1: string; unlock?: boolean }) => {
  const desktop = await client(flags);
  const answer = await desktop.lockGenerate(flags.serial, flags.unlock ? 'unlock' : 'lock', flags.code1);
  if (flags.json) return json(answer);
  out(
    `Codice 2 da comunicare all'operatore (${answer.action === 'lock' ? 'blocco' : 'sblocco'} ${answer.serial}):  ${paint(colour, answer.code2, 'bold')}`,
  );
  out(`  Valido fino alle ${answer.expiresAt}. Poi: mophas-desktop blocco-manuale verifica --serial ${answer.serial} --code3 …`);
});
common(
  manual
    .command('verifica')
    .alias('verify')
    .description('VERIFICA: code 3 read by the operator proves the device acted')
    .requiredOption('--serial <serial>', 'the device')
    .requiredOption('--code3 <code>', 'code 3 shown on the device'),
).action(async (flags: Common & { serial: string; code3: string }) => {
  const desktop = await client(flags);
  const answer = await desktop.lockVerify(flags.serial, flags.code3);
  if (flags.json) return json(answer);
  out(
    `Verificato: il dispositivo ${answer.serial} risulta ${answer.blocked ? 'BLOCCATO' : 'SBLOCCATO'}.${answer.blocked ? " Chiedere all'operatore di eseguire INVIO DATI NON TRASMESSI." : ''}`,
  );
});

common(
  program
    .command('avvia')
    .alias('start')
    .description('Avvia aggiornamento: only when every device awaits the update')
    .option('--yes', 'answer Si'),
).action(async (flags: Common) => {
  const desktop = await client(flags);
  if (!(await confirm('Avviare l’aggiornamento? (chiudere mOphas e ONDA su tutte le postazioni)', { assumeYes: flags.yes })))
    return out('Annullato.');
  const answer = await desktop.startUpdate();
  if (flags.json) return json(answer);
  out(`Fase 2 — aggiornamento avviato (${answer.session.targetVersion}): eseguire l'installer, poi mophas-desktop esito successo|fallito.`);
});

common(
  program
    .command('forza')
    .alias('force')
    .description('Forza aggiornamento: double authorisation, some devices are not awaiting')
    .option('--yes', 'answer Forza to both confirmations'),
).action(async (flags: Common) => {
  const desktop = await client(flags);
  const step1 = await desktop.forceUpdate();
  if (!('confirmationRequired' in step1)) return flags.json ? json(step1) : out(`Aggiornamento forzato: ${step1.session.state}`);
  if (!flags.json) {
    out(paint(colour, step1.warning.it, 'yellow'));
    for (const d of step1.notAwaiting) out(`  - ${d.serial} ${formatOperator(d.operator)}: non in attesa di aggiornamento`);
  }
  if (!(await confirm('Forzare l’aggiornamento?', { assumeYes: flags.yes }))) return out('Annullato.');
  const step2 = await desktop.forceUpdate(step1.confirmToken);
  if (flags.json) return json({ warning: step1.warning, notAwaiting: step1.notAwaiting, ...step2 });
  out(`Fase 2 — aggiornamento FORZATO avviato (${'session' in step2 ? step2.session.targetVersion : '?'}).`);
});

const outcome = program.command('esito').alias('outcome').description("The installer's result (end of phase 2)");
common(
  outcome
    .command('successo')
    .alias('success')
    .description('The desktop installed the new version')
    .option('--release <version>', 'the version now installed (default: the session target)'),
).action(async (flags: Common & { release?: string }) => {
  const desktop = await client(flags);
  const version =
    flags.release ?? (await desktop.grid('all').then((g) => (g.notModified ? undefined : (g.grid.session.targetVersion ?? undefined))));
  if (!version) throw new MophasClientError('no version to report: pass --release <version>', 'NO_VERSION');
  const answer = await desktop.reportOutcome({ result: 'success', version });
  if (flags.json) return json(answer);
  out(`Aggiornamento programma - Termine: desktop ${version}. Al riavvio l'avviso verde invita a Fine aggiornamento.`);
});
common(
  outcome
    .command('fallito')
    .alias('failed')
    .description('The update ended abnormally (TERMINATA IN MODO ANOMALO): sends its log')
    .requiredOption('--log <file>', "the installer's log file")
    .option('--message <text>', 'what happened'),
).action(async (flags: Common & { log: string; message?: string }) => {
  const desktop = await client(flags);
  let log: string;
  try {
    log = await readFile(flags.log, 'utf8');
  } catch (error) {
    throw new MophasClientError(
      `cannot read the log ${flags.log} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}): check the --log path`,
      'BAD_LOG',
    );
  }
  if (!log) throw new MophasClientError(`the log ${flags.log} is empty: pass the installer's log`, 'BAD_LOG');
  const answer = await desktop.reportOutcome({ result: 'failed', log, ...(flags.message ? { message: flags.message } : {}) });
  if (flags.json) return json(answer);
  out(paint(colour, 'Aggiornamento terminato in modo anomalo: contattare il servizio di assistenza.', 'red', 'bold'));
  out('  Ora: mophas-desktop riattiva (ERROR UPDATE ai dispositivi) e mophas-desktop segnalazione.');
});

common(program.command('fine-aggiornamento').alias('finish-update').description('Fine aggiornamento: END UPDATE to every device')).action(
  async (flags: Common) => {
    const desktop = await client(flags);
    const answer = await desktop.sendEndUpdate();
    if (flags.json) return json(answer);
    printPush('Riepilogo notifiche END UPDATE', answer);
  },
);

common(
  program
    .command('invia-end-update')
    .alias('send-end-update')
    .description('Resends END UPDATE to one device')
    .requiredOption('--serial <serial>', 'the device'),
).action(async (flags: Common & { serial: string }) => {
  const desktop = await client(flags);
  const answer = await desktop.sendEndUpdate(flags.serial);
  if (flags.json) return json(answer);
  printPush('END UPDATE', answer);
});

common(
  program
    .command('disabilita')
    .aliases(['disable', 'tablet-disabilita'])
    .description('Disabilita dispositivo (double confirmation): it leaves the grid and can no longer work')
    .requiredOption('--serial <serial>', 'the device')
    .option('--yes', 'answer OK to both confirmations'),
).action(async (flags: Common & { serial: string }) => {
  const desktop = await client(flags);
  const step1 = await desktop.disableDevice(flags.serial);
  if (!('confirmationRequired' in step1)) return flags.json ? json(step1) : out(`Dispositivo ${flags.serial} disabilitato.`);
  if (!flags.json) out(paint(colour, step1.warning.it, 'yellow'));
  if (!(await confirm(`Disabilitare il dispositivo ${flags.serial}?`, { assumeYes: flags.yes }))) return out('Annullato.');
  if (!(await confirm('Confermare di nuovo: il dispositivo non potrà più operare.', { assumeYes: flags.yes }))) return out('Annullato.');
  const step2 = await desktop.disableDevice(flags.serial, step1.confirmToken);
  if (flags.json) return json(step2);
  out(
    `Dispositivo ${flags.serial} disabilitato (riabilitabile da Gestione Autorizzazioni Tablet: mophas-desktop abilita --serial ${flags.serial}).`,
  );
});

common(
  program
    .command('abilita')
    .aliases(['enable', 'tablet-abilita'])
    .description('Re-enables a device and re-opens its registration once (Gestione Autorizzazioni Tablet)')
    .requiredOption('--serial <serial>', 'the device'),
).action(async (flags: Common & { serial: string }) => {
  const desktop = await client(flags);
  const answer = await desktop.enableDevice(flags.serial);
  if (flags.json) return json(answer);
  out(`Dispositivo ${answer.serial} abilitato: può registrarsi di nuovo con la licenza.`);
  out(paint(colour, `  Device ${answer.serial} enabled: it may register again with the licence.`, 'dim'));
});

// ── Gestione Mobile — Gestione Autorizzazioni Tablet ─────────────────────────

const dash = (v: string | null | undefined) => v ?? '—';
const tabletTable = (list: TabletView[]) =>
  renderTable(
    ['Seriale', 'Modello', 'Operatore', 'Telefono', 'Abilitato', 'Registrato', 'Versione installata', 'Ultima Synchro'],
    list.map((t) => [
      t.serial,
      dash(t.model),
      formatOperator(t.operator),
      dash(t.phone),
      t.enabled ? '✓' : '·',
      t.registered ? '✓' : t.registrationOpen ? '(in attesa)' : '·',
      dash(t.installedVersion),
      t.lastSync ? t.lastSync.replace('T', ' ').slice(0, 16) : '—',
    ]),
    { colour, rowStyle: (i) => (list[i]!.enabled ? undefined : ['dim']) },
  );
const tabletOptions = (cmd: Command) =>
  cmd
    .option('--modello <model>', "Modello (the grid's Device column)")
    .option('--operatore <code>', 'codice operatore (operator code)')
    .option('--nome <name>', 'nome operatore (name)')
    .option('--cognome <surname>', 'cognome operatore (surname)')
    .option('--telefono <phone>', 'telefono (phone)');
type TabletFlags = Common & { serial: string; modello?: string; operatore?: string; nome?: string; cognome?: string; telefono?: string };
function tabletChange(flags: TabletFlags) {
  const some = flags.operatore ?? flags.nome ?? flags.cognome;
  if (some !== undefined && (flags.operatore === undefined || flags.nome === undefined || flags.cognome === undefined)) {
    throw new MophasClientError(
      'operatore: indicare --operatore, --nome e --cognome insieme (operator code, name and surname together)',
      'BAD_OPTION',
    );
  }
  return {
    ...(flags.modello !== undefined ? { model: flags.modello } : {}),
    ...(some !== undefined ? { operator: { code: flags.operatore!, name: flags.nome!, surname: flags.cognome! } } : {}),
    ...(flags.telefono !== undefined ? { phone: flags.telefono } : {}),
  };
}

common(
  program
    .command('tablet-elenco')
    .aliases(['tablets', 'gestione-mobile'])
    .description('"Gestione Mobile": the authorised tablets with installed version and last sync'),
).action(async (flags: Common) => {
  const desktop = await client(flags);
  const list = await desktop.tablets();
  if (flags.json) return json(list);
  out(paint(colour, 'Gestione Autorizzazioni Tablet', 'bold'));
  out(list.length ? tabletTable(list) : paint(colour, '(nessun tablet autorizzato — no authorised tablets)', 'dim'));
  if (list.some((t) => t.enabled && t.registered))
    out(paint(colour, '  SBLOCCO DEVICE anche fuori dall’aggiornamento: mophas-desktop blocco-manuale genera --unlock --serial …', 'dim'));
});

common(
  tabletOptions(
    program
      .command('tablet-aggiungi')
      .alias('tablet-add')
      .description('Adds an authorised tablet: it may then register with the licence code (Registra Dispositivo)')
      .requiredOption('--serial <imei>', 'Seriale (IMEI)'),
  ),
).action(async (flags: TabletFlags) => {
  const change = tabletChange(flags);
  if (!change.model || !change.operator || !change.phone) {
    throw new MophasClientError(
      'un tablet richiede --modello, --operatore, --nome, --cognome e --telefono (a tablet needs model, operator and phone)',
      'BAD_OPTION',
    );
  }
  const desktop = await client(flags);
  const tablet = await desktop.authoriseTablet({
    serial: flags.serial,
    model: change.model,
    operator: change.operator,
    phone: change.phone,
  });
  if (flags.json) return json(tablet);
  out(`Tablet ${tablet.serial} autorizzato: l'operatore può eseguire Registra Dispositivo con il codice di licenza.`);
  out(paint(colour, `  Tablet ${tablet.serial} authorised: the operator may register it with the licence code.`, 'dim'));
});

common(
  tabletOptions(
    program
      .command('tablet-modifica')
      .alias('tablet-edit')
      .description("Changes an authorised tablet's model, operator or phone")
      .requiredOption('--serial <imei>', 'Seriale (IMEI)'),
  ),
).action(async (flags: TabletFlags) => {
  const change = tabletChange(flags);
  if (Object.keys(change).length === 0)
    throw new MophasClientError(
      'nulla da modificare: --modello, --operatore/--nome/--cognome o --telefono (nothing to change)',
      'BAD_OPTION',
    );
  const desktop = await client(flags);
  const tablet = await desktop.editTablet(flags.serial, change);
  if (flags.json) return json(tablet);
  out(`Tablet ${tablet.serial} modificato.`);
  out(tabletTable([tablet]));
});

common(
  program
    .command('aggiornamento-concluso')
    .alias('conclude')
    .description('Aggiornamento concluso: a warning and a second confirmation when devices are not updated')
    .option('--yes', 'answer OK to the warning'),
).action(async (flags: Common) => {
  const desktop = await client(flags);
  let answer = await desktop.conclude();
  if ('confirmationRequired' in answer) {
    if (!flags.json) {
      out(paint(colour, `Avviso: Fine Aggiornamento — ${answer.warning.it}`, 'yellow'));
      for (const d of answer.notUpdated) out(`  - ${d.serial} ${formatOperator(d.operator)}: versione ${d.installedVersion ?? '?'}`);
    }
    if (!(await confirm('Concludere comunque l’aggiornamento?', { assumeYes: flags.yes }))) return out('Annullato.');
    answer = await desktop.conclude(answer.confirmToken);
  }
  if (flags.json) return json(answer);
  out(
    'Aggiornamento concluso: i dispositivi aggiornati riprendono la normale operatività; al prossimo avvio si cercano nuovi aggiornamenti.',
  );
});

common(
  program
    .command('chiudi-aggiornamento')
    .alias('close-update')
    .description('Chiudi aggiornamento: ends an update in preparation whose release Alturas withdrew'),
).action(async (flags: Common) => {
  const desktop = await client(flags);
  const answer = await desktop.closeUpdate();
  if (flags.json) return json(answer);
  printPush('AGGIORNAMENTO CHIUSO (versione ritirata da Alturas) — ERROR UPDATE', answer);
  out('  I dispositivi riprendono la normale attività; al prossimo avvio si cerca la versione successiva.');
});

common(
  program.command('riattiva').alias('reactivate').description('Riattiva i terminali mobile: ERROR UPDATE to all, devices unlocked'),
).action(async (flags: Common) => {
  const desktop = await client(flags);
  const answer = await desktop.reactivate();
  if (flags.json) return json(answer);
  printPush('ATTIVA TUTTE LE DEVICE E INVIA PUSH — ERROR UPDATE', answer);
  out('  Dispositivi non raggiunti: procedura di SBLOCCO DEVICE (mophas-desktop blocco-manuale genera --unlock …).');
});

common(
  program
    .command('segnalazione')
    .alias('report')
    .description("Invia segnalazione all'assistenza: a support case with the session and its log")
    .option('--message <text>', 'a note for support'),
).action(async (flags: Common & { message?: string }) => {
  const desktop = await client(flags);
  const answer = await desktop.reportToSupport(flags.message);
  if (flags.json) return json(answer);
  out(`Segnalazione inviata all'assistenza: caso ${answer.caseId}.`);
});

common(program.command('stato').alias('status').description('What this desktop keeps: version, pinned keys, catalog mark, user')).action(
  async (flags: Common) => {
    const desktop = await client(flags);
    const s = desktop.state;
    const view = { ...s, session: s.session ? { ...s.session, token: '(hidden)' } : undefined };
    if (flags.json) return json(view);
    out(`API ${s.apiUrl} · cliente ${s.customerId ?? '(not pinned yet)'} · installato ${desktop.installedVersion ?? '?'}`);
    out(
      `  chiavi del feed: ${s.pinnedKeys.map((k) => k.keyId ?? k.publicKey.slice(0, 8)).join(', ') || '(none yet)'} · lastCatalogVersion ${s.lastCatalogVersion}`,
    );
    out(
      `  utente: ${s.session ? `${s.session.username} (${s.session.role}, ${s.session.workstation}) until ${s.session.expiresAt}` : '(none)'}`,
    );
    if (s.lastCheck)
      out(
        `  ultimo avvio ${s.lastCheck.at}: ${s.lastCheck.notice.kind}${s.lastCheck.update ? ` (offerta ${s.lastCheck.update.version})` : ''}`,
      );
    if (s.download) out(`  installer ${s.download.version}: ${s.download.path}${s.download.reportedAt ? ' (segnalato)' : ''}`);
  },
);

common(program.command('reset').description('Forgets the state (pinned keys, catalog mark, user, installed version)')).action(
  async (flags: Common) => {
    const apiUrl = resolveApiUrl(flags.api);
    const { credential } = resolveDesktopCredential(flags.credential);
    const file = join(stateBaseDir(flags.stateDir), 'desktop', `${apiTag(apiUrl)}-${credentialId(credential)}.json`);
    await fileStore(file).clear();
    if (flags.json) return json({ reset: file });
    out(`State removed: ${file}`);
  },
);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  process.stderr.write(`error: ${describeError(error, HINTS)}\n`);
  if (process.argv.includes('--debug')) process.stderr.write(`${(error as Error)?.stack ?? String(error)}\n`);
  process.exitCode = 1;
}
