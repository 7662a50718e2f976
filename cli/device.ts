#!/usr/bin/env -S node --import tsx
/**
 * A simulated mOphas mobile device for the local stack (one state file per
 * serial). Commands follow the app's menus (English aliases in brackets):
 *
 *   registra (register)               Registra Dispositivo: serial + licence code → credential, lock secret
 *   sincronizza (check-in)            reports version/token/last sync; prints the command owed (DEV-7)
 *   notifiche (pushes)                pushes received (the local SNS endpoint stands in for FCM)
 *   conferma (ack)                    confirms START/END/ERROR UPDATE
 *   blocca (locked)                   the device locked itself
 *   invia-dati (send-unsent-data)     INVIO DATI NON TRASMESSI
 *   aggiorna (update)                 Aggiorna Device: download + verify + install + report + register again
 *   installato (installed)            reports the installed version
 *   blocco-manuale codice1|codice2    Gestione Blocco/Sblocco Device (offline): code 1, then code 2 → code 3
 *   segui (follow)                    does what the owed command says (LOCK / UPDATE / REACTIVATE)
 *   stato (status) · reset
 *
 * Settings: --serial (or MOPHAS_DEVICE_SERIAL), --api / MOPHAS_API_URL,
 * --licence / MOPHAS_LICENCE_CODE (else the local demo's), --sns /
 * AWS_ENDPOINT_URL_SNS, --state-dir / MOPHAS_STATE_DIR. Errors: one line,
 * exit 1 (the app's Italian message when the API gives one); --debug adds the
 * stack trace.
 */
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Command, Option } from 'commander';
import { resolveApiUrl } from './lib/config';
import { formatBytes } from './lib/files';
import { out, printJson, sharedOptions } from './lib/common';
import { downloadProgress } from './lib/progress';
import { DeviceClient, LocalPushInbox, type AckCommand, type DeviceState } from '../client/device';
import { ApiError, MophasClientError } from '../client/http';
import { apiTag, readDemoCredentials, resolveSnsUrl, stateBaseDir } from '../client/local-config';
import { fileStore } from '../client/state';
import { colourEnabled, describeCommand, describeError, paint, type ErrorHints } from '../client/terminal';
import type { OwedAnswer } from '../client/types';

interface Common {
  api?: string;
  serial?: string;
  stateDir?: string;
  timeout?: number;
  json?: boolean;
  debug?: boolean;
}

const colour = colourEnabled(process.stdout);
const json = printJson;

/** What the device shows: the API's Italian text when it gives one. */
const HINTS: ErrorHints = {
  UNAUTHORIZED: 'The device credential is not valid any more: register again (mophas-device registra).',
  VERSION_MISMATCH: (e) => e.messages?.it ?? '',
  UPDATE_IN_PREPARATION: (e) => e.messages?.it ?? '',
  DEVICE_DISABLED: (e) => e.messages?.it ?? '',
  STALE_SESSION: (e) => `${e.messages?.it ?? ''} Run: mophas-device sincronizza.`,
};

function common(cmd: Command): Command {
  return sharedOptions(cmd.option('--serial <serial>', 'the device (IMEI) (default: $MOPHAS_DEVICE_SERIAL)'));
}

function serialOf(flags: Common): string {
  const serial = flags.serial ?? process.env.MOPHAS_DEVICE_SERIAL;
  if (!serial) throw new MophasClientError('which device? pass --serial <IMEI> or set MOPHAS_DEVICE_SERIAL', 'NO_SERIAL');
  if (!/^[A-Za-z0-9-]{1,64}$/.test(serial))
    throw new MophasClientError(`--serial "${serial}" is not a device serial: letters, digits and dashes, at most 64`, 'BAD_SERIAL');
  return serial;
}

function storeOf(flags: Common, apiUrl: string) {
  return fileStore<DeviceState>(join(stateBaseDir(flags.stateDir), 'devices', apiTag(apiUrl), `${serialOf(flags)}.json`));
}

async function device(flags: Common): Promise<DeviceClient> {
  const apiUrl = resolveApiUrl(flags.api);
  return DeviceClient.open({ apiUrl, store: storeOf(flags, apiUrl), timeoutMs: flags.timeout });
}

const packagesDir = (flags: Common) => join(stateBaseDir(flags.stateDir), 'devices', 'packages');

function printOwed(answer: OwedAnswer) {
  out(`Comando: ${paint(colour, describeCommand(answer.command), 'bold')}`);
  out(
    paint(
      colour,
      `  sessione ${answer.session ? `${answer.session.sessionId} (${answer.session.state})` : 'nessuna'} · desktop ${answer.desktopVersion ?? '?'}`,
      'dim',
    ),
  );
}

/** The session a report is about: --session, else the one the last answer named. */
function sessionOf(d: DeviceClient, option?: string): string {
  const owed = d.state.owed;
  const id =
    option ??
    owed?.session?.sessionId ??
    ('sessionId' in (owed?.command ?? {}) ? (owed!.command as { sessionId?: string }).sessionId : undefined);
  if (!id)
    throw new MophasClientError(
      'no update session known to this device: run mophas-device sincronizza first, or pass --session',
      'NO_SESSION',
    );
  return id;
}

const program = new Command()
  .name('mophas-device')
  .description('Simulated mOphas mobile device for mOphas Update Cloud (local stack)')
  .configureOutput({ outputError: (message, write) => write(`${message.trimEnd()} (see --help)\n`) });

common(
  program
    .command('registra')
    .alias('register')
    .description('Registra Dispositivo: serial and licence code → device credential and lock secret')
    .option('--licence <code>', 'licence code (default: $MOPHAS_LICENCE_CODE or the local demo customer)')
    .option('--installed <version>', 'the mOphas mobile version installed (default: the saved one)')
    .option('--model <model>', 'device model')
    .option('--token <fcm>', 'push token (a "noapp-" token is never delivered, "stale-" is rejected by FCM)')
    .option('--no-token', 'the device has no push token (notifications not allowed)'),
).action(async (flags: Common & { licence?: string; installed?: string; model?: string; token?: string | false }) => {
  const apiUrl = resolveApiUrl(flags.api);
  const store = storeOf(flags, apiUrl);
  const saved = await store.load().catch(() => undefined);
  const licenceCode = flags.licence ?? process.env.MOPHAS_LICENCE_CODE ?? saved?.licenceCode ?? readDemoCredentials()?.licenceCode;
  if (!licenceCode) throw new MophasClientError('no licence code: pass --licence or set MOPHAS_LICENCE_CODE', 'NO_LICENCE');
  const installedVersion = flags.installed ?? saved?.installedVersion;
  if (!installedVersion)
    throw new MophasClientError('which version is installed? pass --installed 03.01.00_030 (remembered afterwards)', 'NO_VERSION');
  const pushToken = flags.token === false ? null : (flags.token ?? saved?.pushToken ?? `fcm-sim-${serialOf(flags)}`);
  const { registration } = await DeviceClient.register(
    { apiUrl, store, timeoutMs: flags.timeout },
    { serial: serialOf(flags), licenceCode, installedVersion, model: flags.model ?? saved?.model, pushToken },
  );
  if (flags.json) return json({ ...registration, credential: '(saved)', lockSecret: '(saved)' });
  out(
    `Dispositivo ${registration.serial} registrato (${registration.registration === 'new' ? 'nuovo' : 'di nuovo'}); credenziale e segreto di blocco salvati in ${store.location}.`,
  );
  printOwed(registration);
});

common(
  program
    .command('sincronizza')
    .alias('check-in')
    .description('Check-in: reports version, push token and last sync; prints the command the device owes now')
    .option('--token <fcm>', 'a new push token read from the OS'),
).action(async (flags: Common & { token?: string }) => {
  const d = await device(flags);
  const answer = await d.checkIn(flags.token ? { pushToken: flags.token } : {});
  if (flags.json) return json(answer);
  printOwed(answer);
});

common(
  program
    .command('notifiche')
    .alias('pushes')
    .description('Push notifications received (from the local SNS endpoint, the stand-in for FCM)')
    .option('--sns <url>', 'local SNS endpoint (default: $AWS_ENDPOINT_URL_SNS or http://127.0.0.1:4575)')
    .option('--all', 'also those already seen'),
).action(async (flags: Common & { sns?: string; all?: boolean }) => {
  const d = await device(flags);
  const inbox = new LocalPushInbox(resolveSnsUrl(flags.sns));
  const token = d.state.pushToken;
  if (!token) throw new MophasClientError('this device has no push token: register it with --token, or check in', 'NO_TOKEN');
  const pushes = flags.all ? await inbox.receive(token) : await inbox.receiveNew(d);
  if (flags.json) return json(pushes);
  if (pushes.length === 0) return out(`Nessuna nuova notifica per ${token}.`);
  for (const p of pushes)
    out(
      `${p.at}  ${paint(colour, p.command.replace('_', ' '), 'bold')}  sessione ${p.sessionId}${p.targetVersion ? `  versione ${p.targetVersion}` : ''}`,
    );
});

common(
  program
    .command('conferma')
    .alias('ack')
    .description('Confirms a pushed command (START UPDATE → "Notifica inviata" ✓ in the grid)')
    .addOption(new Option('--command <command>', 'which command').choices(['START_UPDATE', 'END_UPDATE', 'ERROR_UPDATE']))
    .option('--session <id>', 'the update session (default: the last one seen)'),
).action(async (flags: Common & { command?: AckCommand; session?: string }) => {
  const d = await device(flags);
  const owed = d.state.owed?.command.command;
  const command: AckCommand = flags.command ?? (owed === 'REACTIVATE' ? 'ERROR_UPDATE' : owed === 'UPDATE' ? 'END_UPDATE' : 'START_UPDATE');
  const answer = await d.ack(sessionOf(d, flags.session), command);
  if (flags.json) return json(answer);
  out(`${command.replace('_', ' ')} confermato${answer.recorded ? '' : ' (già registrato)'}.`);
  printOwed(answer);
});

common(
  program
    .command('blocca')
    .alias('locked')
    .description('Reports the device locked (Bloccato ✓)')
    .option('--session <id>', 'the update session'),
).action(async (flags: Common & { session?: string }) => {
  const d = await device(flags);
  const answer = await d.reportLocked(sessionOf(d, flags.session));
  if (flags.json) return json(answer);
  out('Device bloccata: restano solo INVIO DATI NON TRASMESSI e Blocco/Sblocco.');
});

common(
  program
    .command('invia-dati')
    .alias('send-unsent-data')
    .description('INVIO DATI NON TRASMESSI (phase 1 only)')
    .option('--session <id>', 'the update session'),
).action(async (flags: Common & { session?: string }) => {
  const d = await device(flags);
  const answer = await d.sendUnsentData(sessionOf(d, flags.session));
  if (flags.json) return json(answer);
  out('Invio dati avvenuto correttamente: dispositivo in attesa di aggiornamento.');
  printOwed(answer);
});

common(
  program
    .command('aggiorna')
    .alias('update')
    .description('Aggiorna Device: downloads, verifies and installs the mobile package of the desktop version, then reports it')
    .option('--dir <dir>', 'download folder'),
).action(async (flags: Common & { dir?: string }) => {
  const d = await device(flags);
  const progress = downloadProgress('download mobile package');
  const done = await d.installUpdate({ dir: flags.dir ?? packagesDir(flags), onProgress: progress.onProgress }).finally(progress.stop);
  if (flags.json)
    return json({
      package: { ...done.package, url: undefined },
      download: done.download,
      installed: done.installed,
      registration: { ...done.registration, credential: '(saved)', lockSecret: '(saved)' },
    });
  out(
    `Installata la versione ${done.package.version} (${formatBytes(done.download.size)}, sha256 verificato${done.download.resumedFrom ? `, ripreso da ${formatBytes(done.download.resumedFrom)}` : ''}); dispositivo registrato di nuovo.`,
  );
  printOwed(done.registration);
});

common(
  program
    .command('installato')
    .alias('installed')
    .description('Reports the version installed')
    .requiredOption('--release <version>', 'the version'),
).action(async (flags: Common & { release: string }) => {
  const d = await device(flags);
  const answer = await d.reportInstalled(flags.release);
  if (flags.json) return json(answer);
  out(`Versione ${answer.installedVersion} segnalata${answer.updated ? ' (uguale al desktop)' : ''}.`);
  printOwed(answer);
});

const manual = program
  .command('blocco-manuale')
  .alias('manual-lock')
  .description('Gestione Blocco / Sblocco Device: the phone exchange, computed offline');
common(
  manual
    .command('codice1')
    .alias('code1')
    .description('Shows code 1 to read to the office')
    .option('--unlock', 'Sblocco device instead of Blocco'),
).action(async (flags: Common & { unlock?: boolean }) => {
  const d = await device(flags);
  const c = await d.beginLockExchange(flags.unlock ? 'unlock' : 'lock');
  if (flags.json) return json(c);
  out(`Codice da comunicare alla sede (${c.action === 'lock' ? 'blocco' : 'sblocco'}):  ${paint(colour, c.code1, 'bold')}`);
  out(`  Poi: mophas-device blocco-manuale codice2 <codice della sede> --serial ${d.serial}`);
});
common(
  manual
    .command('codice2')
    .alias('code2')
    .description('Types the code from the office: locks/unlocks and shows code 3')
    .argument('<code2>', 'code 2, NNNNN-NNNNN-NNNNN'),
).action(async (code2: string, flags: Common) => {
  const d = await device(flags);
  const r = await d.enterCode2(code2);
  if (flags.json) return json(r);
  if (!r.ok) {
    throw new MophasClientError(
      `${r.messages.it}${r.discarded ? ' — troppi tentativi: generare un nuovo codice 1' : r.reason === 'MISMATCH' ? ` (tentativi rimasti: ${r.attemptsLeft})` : ''}`,
      `CODE2_${r.reason}`,
    );
  }
  out(`Dispositivo ${r.locked ? 'BLOCCATO' : 'SBLOCCATO'}. Codice di conferma da comunicare alla sede:  ${paint(colour, r.code3, 'bold')}`);
  if (r.locked) out('  Poi eseguire INVIO DATI NON TRASMESSI: mophas-device sincronizza && mophas-device invia-dati');
});

common(
  program
    .command('segui')
    .alias('follow')
    .description('Checks in and does what the command says, as an operator confirming every dialog (LOCK, UPDATE, REACTIVATE)')
    .option('--dir <dir>', 'download folder')
    .option('--watch [seconds]', 'keep following (default every 10 s)'),
).action(async (flags: Common & { dir?: string; watch?: string | boolean }) => {
  const d = await device(flags);
  const every = flags.watch === undefined ? 0 : flags.watch === true ? 10 : Number(flags.watch);
  for (;;) {
    const answer = await d.checkIn();
    const result = await d.follow(answer.command, { dir: flags.dir ?? packagesDir(flags) });
    if (flags.json) json({ command: answer.command, did: result.did });
    else {
      printOwed(answer);
      for (const step of result.did) out(`  → ${step}`);
    }
    if (!every) return;
    await sleep(every * 1000);
  }
});

common(program.command('stato').alias('status').description('What the device keeps (secrets hidden)')).action(async (flags: Common) => {
  const d = await device(flags);
  const s = d.state;
  const view = { ...s, credential: s.credential ? '(saved)' : undefined, lockSecret: s.lockSecret ? '(saved)' : undefined };
  if (flags.json) return json(view);
  out(
    `Dispositivo ${s.serial} · versione ${s.installedVersion} · token ${s.pushToken ?? '(none)'} · ${s.locked ? 'BLOCCATO' : 'operativo'}`,
  );
  if (s.owed) printOwed(s.owed);
  if (s.exchange) out(`  scambio ${s.exchange.action} in corso dal ${s.exchange.startedAt} (${s.exchange.wrongAttempts} codici errati)`);
});

common(program.command('reset').description("Forgets this device's state")).action(async (flags: Common) => {
  const store = storeOf(flags, resolveApiUrl(flags.api));
  await store.clear();
  if (flags.json) return json({ reset: store.location });
  out(`State removed: ${store.location}`);
});

try {
  await program.parseAsync(process.argv);
} catch (error) {
  // The app shows the API's Italian text; the English message and code follow for support.
  const line =
    error instanceof ApiError && error.messages
      ? `${error.messages.it} (${error.code}, HTTP ${error.status})`
      : describeError(error, HINTS);
  process.stderr.write(`error: ${line}\n`);
  if (process.argv.includes('--debug')) process.stderr.write(`${(error as Error)?.stack ?? String(error)}\n`);
  process.exitCode = 1;
}
