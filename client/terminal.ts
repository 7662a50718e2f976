/**
 * Terminal rendering shared by the CLIs (cli/desktop.ts, cli/device.ts,
 * cli/support.ts) and the demo: the desktop's coloured notice box, the
 * "Gestione aggiornamento" grid with red rows, per-device push summaries, and
 * the one-line error message every CLI prints. Plain ANSI codes; colour only on
 * a terminal (NO_COLOR / FORCE_COLOR respected).
 */
import { createInterface } from 'node:readline/promises';
import { CliError } from '../cli/lib/errors';
import type { Notice } from './types';
import { DownloadError } from './download';
import { ApiError, ApiUnreachableError, MophasClientError } from './http';
import type { DeviceSummary, Grid, GridRow, Operator, OwedCommand, PushSummary } from './types';

/** True when output to `stream` should be coloured. */
export function colourEnabled(stream: NodeJS.WriteStream = process.stdout): boolean {
  if (process.env.FORCE_COLOR !== undefined && process.env.FORCE_COLOR !== '0') return true;
  if (process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== '') return false;
  return Boolean(stream.isTTY);
}

const SGR = {
  reset: '\x1b[0m',
  bold: '\x1b[1m',
  dim: '\x1b[2m',
  red: '\x1b[31m',
  green: '\x1b[32m',
  yellow: '\x1b[33m',
  blue: '\x1b[34m',
  cyan: '\x1b[36m',
  black: '\x1b[30m',
  bgRed: '\x1b[41m',
  bgGreen: '\x1b[42m',
  bgYellow: '\x1b[43m',
  bgBlue: '\x1b[44m',
  bgWhite: '\x1b[47m',
  white: '\x1b[97m',
} as const;
type Style = keyof typeof SGR;

/** Applies styles when colour is on. */
export function paint(colour: boolean, text: string, ...styles: Style[]): string {
  if (!colour || styles.length === 0) return text;
  return `${styles.map((s) => SGR[s]).join('')}${text}${SGR.reset}`;
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI colour codes start with ESC.
const ANSI = /\x1b\[[0-9;]*m/g;
/** Printed width of a string (ANSI codes removed; every code point counts one column). */
export const visibleLength = (s: string) => [...s.replace(ANSI, '')].length;
const pad = (s: string, width: number) => s + ' '.repeat(Math.max(0, width - visibleLength(s)));
const truncate = (s: string, max: number) => ([...s].length > max ? `${[...s].slice(0, max - 1).join('')}…` : s);

function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    if (line && visibleLength(line) + 1 + visibleLength(word) > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines;
}

const NOTICE_STYLE: Record<Exclude<Notice['colour'], 'none'>, { label: string; styles: Style[] }> = {
  blue: { label: 'AZZURRO', styles: ['bgBlue', 'white', 'bold'] },
  yellow: { label: 'GIALLO', styles: ['bgYellow', 'black'] },
  green: { label: 'VERDE', styles: ['bgGreen', 'black'] },
  white: { label: 'BIANCO', styles: ['bgWhite', 'black'] },
  red: { label: 'ROSSO', styles: ['bgRed', 'white', 'bold'] },
};

/**
 * The notice at the bottom of the desktop's main screen, as a box in the
 * notice's colour: the Italian text the desktop shows, the English one dimmed,
 * and its buttons († = administrator on the SERVER workstation only).
 */
export function renderNotice(notice: Notice, options: { colour: boolean; width?: number; english?: boolean }): string {
  const width = options.width ?? 78;
  const { colour } = options;
  if (notice.colour === 'none' || !notice.text) {
    return paint(colour, '(nessun avviso — mOphas è aggiornato; no notice: the latest version is installed)', 'dim');
  }
  const style = NOTICE_STYLE[notice.colour];
  const title = ` Avviso ${style.label} · ${notice.kind}${notice.version ? ` · ${notice.version}` : ''} `;
  const body = wrap(notice.text.it, width - 6);
  const lines = [title, ...body.map((l) => `  ${l}`)];
  const boxed = lines.map((l) => paint(colour, pad(l, width), ...style.styles));
  if (!colour) {
    const rule = `+${'-'.repeat(width - 2)}+`;
    boxed.splice(0, boxed.length, rule, ...lines.map((l) => `|${pad(l, width - 2)}|`), rule);
  }
  const out = [...boxed];
  if (options.english !== false) for (const l of wrap(notice.text.en, width - 2)) out.push(paint(colour, `  ${l}`, 'dim'));
  if (notice.actions.length > 0) {
    const buttons = notice.actions.map((a) => `[${a.label.it}${a.adminOnly ? ' †' : ''}]${a.url ? ` ${a.url}` : ''}`);
    out.push(`  ${paint(colour, buttons.join('  '), 'bold')}`);
  }
  return out.join('\n');
}

export interface TableOptions {
  colour: boolean;
  /** Styles for a whole row (e.g. red for devices not on the desktop's version). */
  rowStyle?: (index: number) => Style[] | undefined;
}

/** A plain table: header, rule, rows; columns as wide as their widest cell. */
export function renderTable(headers: string[], rows: string[][], options: TableOptions): string {
  const widths = headers.map((h, i) => Math.max(visibleLength(h), ...rows.map((r) => visibleLength(r[i] ?? ''))));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => pad(c, widths[i]!))
      .join('  ')
      .trimEnd();
  const out = [paint(options.colour, line(headers), 'bold'), widths.map((w) => '─'.repeat(w)).join('  ')];
  rows.forEach((r, i) => {
    const styles = options.rowStyle?.(i);
    out.push(styles ? paint(options.colour, line(r), ...styles) : line(r));
  });
  return out.join('\n');
}

export const formatOperator = (o: Operator | null | undefined) => (o ? `${o.code} ${o.name} ${o.surname}` : '—');
/** A grid note without its timestamp, in Italian only (notes are written `<time> UTC <it> / <en>`). */
const noteText = (note: string | undefined) => (note ?? '').replace(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC /, '').split(' / ')[0] ?? '';
const tick = (b: boolean) => (b ? '✓' : '·');
const when = (iso: string | null) => (iso ? iso.replace('T', ' ').slice(0, 16) : '—');

const PHASE: Record<string, string> = {
  available: 'nessuna sessione aperta',
  preparing: 'fase 1 — preparazione',
  updating: 'fase 2 — aggiornamento desktop',
  'mobile-update': 'fase 3 — aggiornamento dispositivi mobile',
  failed: 'aggiornamento terminato in modo anomalo',
  reactivated: 'terminato in modo anomalo — dispositivi riattivati',
  concluded: 'aggiornamento concluso',
};

/**
 * "Gestione aggiornamento": the session line, the buttons' state and the grid
 * (SES-1; phase 3 adds Versione installata and paints red the devices not on the
 * desktop's version, SES-7). Without colour a `*` marks those rows.
 */
export function renderGrid(grid: Grid, options: { colour: boolean }): string {
  const { colour } = options;
  const s = grid.session;
  const phase3 = s.state === 'mobile-update';
  const head = [
    `${paint(colour, 'Gestione aggiornamento', 'bold')} — ${PHASE[s.state] ?? s.state}${s.targetVersion ? ` · versione ${s.targetVersion}` : ''}${s.forced ? ' · FORZATO' : ''}`,
    `desktop ${grid.desktopVersion ?? '?'} · dispositivi ${grid.counts.devices} · in attesa ${grid.counts.awaiting} · aggiornati ${grid.counts.updated}` +
      (grid.filter !== 'all' ? ` · filtro: ${grid.filter}` : '') +
      (s.supportCaseId ? ` · segnalazione ${s.supportCaseId}` : ''),
  ];
  if (s.state === 'preparing') {
    const state = (on: boolean) => (on ? paint(colour, 'attivo', 'green', 'bold') : paint(colour, 'non attivo', 'dim'));
    head.push(`Avvia aggiornamento: ${state(grid.buttons.startUpdate)} · Forza aggiornamento: ${state(grid.buttons.forceUpdate)}`);
  }
  if (grid.rows.length === 0) return [...head, paint(colour, '(nessun dispositivo abilitato in elenco)', 'dim')].join('\n');
  const headers = [
    'Seriale',
    'Device',
    'Operatore',
    'Telefono',
    'Ultima Synchro',
    'Notif.abil.',
    'Notif.inviata',
    'Bloccato',
    'Attesa Agg.',
    ...(phase3 ? ['Versione installata'] : []),
    'Note',
  ];
  const red = (r: GridRow) => phase3 && r.notOnDesktopVersion;
  const rows = grid.rows.map((r) => [
    `${!colour && red(r) ? '*' : ''}${r.serial}`,
    r.device ?? '—',
    formatOperator(r.operator),
    r.phone ?? '—',
    when(r.lastSync),
    tick(r.notificationsEnabled),
    tick(r.notificationSent),
    tick(r.blocked),
    tick(r.awaitingUpdate),
    ...(phase3 ? [r.installedVersion ?? '—'] : []),
    truncate(noteText(r.notes.at(-1)), 60),
  ]);
  const table = renderTable(headers, rows, { colour, rowStyle: (i) => (red(grid.rows[i]!) ? ['red'] : undefined) });
  const legend = phase3 && !colour && grid.rows.some(red) ? ['* = versione diversa da mOphas Desktop (riga rossa)'] : [];
  return [...head, table, ...legend].join('\n');
}

/** The per-device summary of a push ("Riepilogo notifiche"), one line per device, in Italian. */
export function renderPushSummary(title: string, summary: PushSummary, options: { colour: boolean }): string {
  const { colour } = options;
  const mark = (d: DeviceSummary) =>
    d.outcome === 'sent' || d.outcome === 'skipped-already-sent' ? paint(colour, '✓', 'green', 'bold') : paint(colour, '✗', 'red', 'bold');
  const { counts, queued } = summary;
  // Large fleets are pushed by the push worker: no per-device lines yet, the grid shows the outcomes.
  const tally = counts
    ? `inviate ${counts.sent}, non riuscite ${counts.failed}, già inviate ${counts.skippedAlreadySent}, senza token ${counts.noToken}`
    : `in invio a ${queued?.devices ?? '?'} dispositivi: gli esiti compaiono nella griglia`;
  const lines = [`${paint(colour, title, 'bold')} — ${tally}${summary.complete || !counts ? '' : ' (incompleto: premere di nuovo)'}`];
  for (const d of summary.devices) {
    lines.push(
      `  ${mark(d)} ${pad(formatOperator(d.operator), 22)} ${d.serial}  ${d.message.it}${d.reasonCode ? paint(colour, ` [${d.reasonCode}]`, 'dim') : ''}`,
    );
  }
  for (const i of summary.ignored) lines.push(paint(colour, `  - ${i.serial}: ignorato (${i.reason})`, 'dim'));
  return lines.join('\n');
}

/** The owed command in the app's words. */
export function describeCommand(c: OwedCommand): string {
  switch (c.command) {
    case 'NONE':
      return 'NESSUN COMANDO — normale operatività';
    case 'LOCK':
      return `START UPDATE — concludere l'operazione in corso, bloccare il dispositivo, INVIO DATI NON TRASMESSI (sessione ${c.sessionId})`;
    case 'AWAIT':
      return {
        'awaiting-desktop': 'DEVICE BLOCCATA — in attesa dell’aggiornamento della sede (END UPDATE)',
        'awaiting-conclusion': 'AGGIORNATO — in attesa che la sede concluda l’aggiornamento',
        'update-failed': 'DEVICE BLOCCATA — aggiornamento della sede non riuscito, in attesa di ERROR UPDATE',
      }[c.reason];
    case 'UPDATE':
      return `AGGIORNA DEVICE — scaricare e installare la versione ${c.version}`;
    case 'REACTIVATE':
      return 'ERROR UPDATE — riattivare il dispositivo e riprendere la normale attività';
  }
}

/** Hints added to an API error's message, by error code. */
export type ErrorHints = Readonly<Record<string, string | ((error: ApiError) => string)>>;

/**
 * The one line a CLI prints for an error: what was wrong and what to do. API
 * errors carry their code and status; known codes get a hint.
 */
export function describeError(error: unknown, hints: ErrorHints = {}): string {
  if (error instanceof ApiUnreachableError) {
    const origin = safeOrigin(error.url);
    return error.reason === 'timeout'
      ? `the API at ${origin} did not answer in time (${error.detail}): check that it is running, or raise --timeout.`
      : `cannot reach the API at ${origin} (${error.detail}): start the local stack (npm start) or pass --api / set MOPHAS_API_URL.`;
  }
  if (error instanceof ApiError) {
    const hint = hints[error.code];
    const extra = typeof hint === 'function' ? hint(error) : hint;
    const conflict =
      error.body.allowedActions && !extra ? ` Allowed now: ${(error.body.allowedActions as string[]).join(', ') || 'nothing'}.` : '';
    return `${error.message}${extra ? ` ${extra}` : conflict} (${error.code}, HTTP ${error.status})`;
  }
  if (error instanceof DownloadError || error instanceof MophasClientError || error instanceof CliError) return error.message;
  const message = error instanceof Error ? error.message : String(error);
  return `unexpected failure: ${message.split('\n')[0]} (run again with --debug for details)`;
}

function safeOrigin(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return url;
  }
}

/**
 * Asks a yes/no question on the terminal (the manual's "Si / No" dialogs).
 * `assumeYes` (--yes) answers yes; without a terminal and without it, fails
 * with a message saying to add the flag.
 */
export async function confirm(question: string, options: { assumeYes?: boolean; flag?: string } = {}): Promise<boolean> {
  if (options.assumeYes) return true;
  if (!process.stdin.isTTY || !process.stderr.isTTY) {
    throw new MophasClientError(
      `this needs a confirmation ("${question}"): run it on a terminal or add ${options.flag ?? '--yes'}`,
      'CONFIRMATION_NEEDED',
    );
  }
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await rl.question(`${question} [s/N] `);
    return /^(s|si|sì|y|yes)$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}

/**
 * Asks for a secret on the terminal without echoing it; undefined when there is
 * no terminal (scripts pass the secret another way).
 */
export async function askSecret(question: string): Promise<string | undefined> {
  const stdin = process.stdin;
  if (!stdin.isTTY || !process.stderr.isTTY) return undefined;
  process.stderr.write(question);
  stdin.setRawMode(true);
  stdin.resume();
  try {
    return await new Promise<string | undefined>((resolve) => {
      let value = '';
      const onData = (chunk: Buffer) => {
        for (const ch of chunk.toString('utf8')) {
          if (ch === '\r' || ch === '\n' || ch === '\u0004') {
            stdin.off('data', onData);
            return resolve(value);
          }
          if (ch === '\u0003') {
            stdin.off('data', onData);
            return resolve(undefined);
          }
          value = ch === '\u007f' || ch === '\b' ? value.slice(0, -1) : value + ch;
        }
      };
      stdin.on('data', onData);
    });
  } finally {
    stdin.setRawMode(false);
    stdin.pause();
    process.stderr.write('\n');
  }
}
