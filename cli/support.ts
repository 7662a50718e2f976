/**
 * Alturas support command line.
 *
 *   node --import tsx cli/support.ts publish-release 03.03.00_050 \
 *     --desktop ./mophas-setup.exe --mobile ./mophas.apk \
 *     --notes-url https://wiki.alturas.it/mophas-fix/03.03.00_050 [--requires-code] [--json]
 *
 * Errors print one line (`error: …`) and exit non-zero; --debug adds the stack trace.
 */
import { basename } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { SupportApi } from './lib/api';
import { resolveApiUrl, resolveSupportKey } from './lib/config';
import { describeError } from './lib/errors';
import { createProgress } from './lib/progress';
import { publishRelease, summary } from './lib/publish-release';

interface PublishFlags {
  desktop: string;
  mobile: string;
  notesUrl: string;
  requiresCode?: boolean;
  api?: string;
  supportKey?: string;
  json?: boolean;
  debug?: boolean;
  concurrency: number;
}

const program = new Command()
  .name('mophas-support')
  .description('Alturas support tools for mOphas Update Cloud')
  // Usage errors stay on one line too.
  .configureOutput({ outputError: (message, write) => write(`${message.trimEnd()} (see --help)\n`) });

program
  .command('publish-release')
  .description('Upload the desktop and mobile packages of a new release and publish it (immutable once published)')
  .argument('<version>', 'version code, e.g. 03.03.00_050')
  .requiredOption('--desktop <file>', 'desktop installer package')
  .requiredOption('--mobile <file>', 'mobile package')
  .requiredOption('--notes-url <url>', 'https link to the release notes / manual page ("Dettagli aggiornamento")')
  .option('--requires-code', 'installing this release needs a confirmation code', false)
  .option('--api <url>', 'API base URL (default: $MOPHAS_API_URL or http://127.0.0.1:3000)')
  .option('--support-key <key>', 'support credential (default: $MOPHAS_SUPPORT_KEY or .local-data/keys.json)')
  .option('--concurrency <n>', 'parallel part uploads', parsePositiveInt, 4)
  .option('--json', 'print the published release as JSON on stdout')
  .option('--debug', 'print stack traces on errors')
  .action(async (version: string, flags: PublishFlags) => {
    const api = new SupportApi(resolveApiUrl(flags.api), resolveSupportKey(flags.supportKey));
    const log = (line: string) => process.stderr.write(`${line}\n`);
    const release = await publishRelease(
      api,
      {
        version,
        desktop: flags.desktop,
        mobile: flags.mobile,
        notesUrl: flags.notesUrl,
        requiresCode: flags.requiresCode === true,
        concurrency: flags.concurrency,
      },
      createProgress(),
      log,
    );
    process.stdout.write(flags.json ? `${JSON.stringify(release, null, 2)}\n` : `${summary(release, { desktop: basename(flags.desktop), mobile: basename(flags.mobile) })}\n`);
  });

function parsePositiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a whole number of 1 or more.');
  return n;
}

try {
  await program.parseAsync(process.argv);
} catch (error) {
  process.stderr.write(`error: ${describeError(error)}\n`);
  if (process.argv.includes('--debug')) process.stderr.write(`${(error as Error)?.stack ?? String(error)}\n`);
  process.exitCode = 1;
}
