import { InvalidArgumentError, type Command } from 'commander';

/** Parses a `--timeout`-style value in milliseconds. */
export function parseMs(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 600_000) throw new InvalidArgumentError('expected milliseconds from 1 to 600000.');
  return n;
}

/** The options every desktop and device command takes (each CLI adds its own first). */
export function sharedOptions(cmd: Command): Command {
  return cmd
    .option('--api <url>', 'API base URL (default: $MOPHAS_API_URL or http://127.0.0.1:3000)')
    .option('--state-dir <dir>', 'state folder (default: $MOPHAS_STATE_DIR or ~/.mophas)')
    .option('--timeout <ms>', 'timeout of each API call', parseMs)
    .option('--json', 'print the answer as JSON on stdout')
    .option('--debug', 'print stack traces on errors');
}

/** One line on stdout. */
export const out = (text: string): void => void process.stdout.write(`${text}\n`);
/** A value as indented JSON on stdout (`--json`). */
export const printJson = (value: unknown) => out(JSON.stringify(value, null, 2));
