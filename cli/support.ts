#!/usr/bin/env -S node --import tsx
/**
 * Alturas support command line.
 *
 *   node --import tsx cli/support.ts publish-release 03.03.00_050 \
 *     --desktop ./mophas-setup.exe --mobile ./mophas.apk \
 *     --notes-url https://wiki.alturas.it/mophas-fix/03.03.00_050 [--requires-code] [--json]
 *   … confirmation-response --customer demo --release 03.02.00_040 --challenge 12340-56786-90129
 *   … users list|add|set-role|reset-password --customer demo …
 *   … failed-updates · cases · resolve --customer demo --resolution "…" · audit --customer demo · releases
 *
 * Errors print one line (`error: …`) and exit non-zero; --debug adds the stack trace.
 */
import { basename } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { SupportApi } from './lib/api';
import { resolveApiUrl, resolveSupportKey } from './lib/config';
import { CliError, describeError as describeCliError } from './lib/errors';
import { formatBytes } from './lib/files';
import { out, printJson } from './lib/common';
import { createProgress } from './lib/progress';
import { publishRelease, summary } from './lib/publish-release';
import { SupportClient } from '../client/support';
import { colourEnabled, describeError, paint, renderTable, type ErrorHints } from '../client/terminal';

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
    process.stdout.write(
      flags.json
        ? `${JSON.stringify(release, null, 2)}\n`
        : `${summary(release, { desktop: basename(flags.desktop), mobile: basename(flags.mobile) })}\n`,
    );
  });

interface SupportFlags {
  api?: string;
  supportKey?: string;
  principal?: string;
  json?: boolean;
  debug?: boolean;
}

const colour = colourEnabled(process.stdout);
const json = printJson;

const HINTS: ErrorHints = {
  UNAUTHORIZED: 'Check --support-key or MOPHAS_SUPPORT_KEY (locally: LOCAL_SUPPORT_KEY in .local-data/keys.json).',
  CHALLENGE_NOT_OPEN: 'Ask the customer to read the code shown in the window again.',
  NOT_FAILED: 'Only a failed update can be resolved: see mophas-support failed-updates.',
};

/** The options every support command takes. */
function supportOptions(cmd: Command): Command {
  return cmd
    .option('--api <url>', 'API base URL (default: $MOPHAS_API_URL or http://127.0.0.1:3000)')
    .option('--support-key <key>', 'support credential (default: $MOPHAS_SUPPORT_KEY or .local-data/keys.json)')
    .option('--principal <id>', 'local stack only: act as this support/agent identity')
    .option('--json', 'print the answer as JSON on stdout')
    .option('--debug', 'print stack traces on errors');
}

const supportClient = (flags: SupportFlags) =>
  new SupportClient({ apiUrl: resolveApiUrl(flags.api), supportKey: resolveSupportKey(flags.supportKey), principal: flags.principal });

function parseRole(value: string): 'admin' | 'user' {
  if (value !== 'admin' && value !== 'user') throw new InvalidArgumentError("expected 'admin' or 'user'.");
  return value;
}

function parseLimit(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 500) throw new InvalidArgumentError('expected a whole number from 1 to 500.');
  return n;
}

supportOptions(
  program
    .command('confirmation-response')
    .alias('risposta-conferma')
    .description('Turns the challenge a customer reads over the phone into the response (audited)')
    .requiredOption('--customer <id>', 'the customer')
    .requiredOption('--release <version>', 'the release the code is for')
    .requiredOption('--challenge <code>', "the code shown in the customer's window, NNNNN-NNNNN-NNNNN"),
).action(async (flags: SupportFlags & { customer: string; release: string; challenge: string }) => {
  const answer = await supportClient(flags).confirmationResponse(flags.customer, flags.release, flags.challenge);
  if (flags.json) return json(answer);
  out(`Codice da comunicare al cliente ${answer.customerId} per ${answer.version}:  ${paint(colour, answer.response, 'bold')}`);
  out(`  (challenge ${answer.challenge})`);
});

const users = program.command('users').description("A customer's desktop users (the manual: requests to vending@alturas.it)");
const userRows = (list: { username: string; role: string; mustChangePassword: boolean; createdAt: string; passwordChangedAt?: string }[]) =>
  renderTable(
    ['User', 'Role', 'Must change password', 'Created', 'Password changed'],
    list.map((u) => [u.username, u.role, u.mustChangePassword ? 'yes' : 'no', u.createdAt, u.passwordChangedAt ?? '—']),
    { colour },
  );
supportOptions(users.command('list').description("Lists a customer's users").requiredOption('--customer <id>', 'the customer')).action(
  async (flags: SupportFlags & { customer: string }) => {
    const list = await supportClient(flags).listUsers(flags.customer);
    if (flags.json) return json(list);
    out(list.length ? userRows(list) : `No users for ${flags.customer}.`);
  },
);
supportOptions(
  users
    .command('add')
    .description('Adds a user; they change the password at the first login')
    .requiredOption('--customer <id>', 'the customer')
    .requiredOption('--username <name>', 'user name')
    .requiredOption('--password <password>', 'first password (at least 10 characters)')
    .requiredOption('--role <role>', "'admin' or 'user'", parseRole),
).action(async (flags: SupportFlags & { customer: string; username: string; password: string; role: 'admin' | 'user' }) => {
  const user = await supportClient(flags).addUser(flags.customer, { username: flags.username, password: flags.password, role: flags.role });
  if (flags.json) return json(user);
  out(`Added ${user.username} (${user.role}) to ${flags.customer}; the password must be changed at the first login.`);
});
supportOptions(
  users
    .command('set-role')
    .description("Changes a user's role (from the user's next login)")
    .requiredOption('--customer <id>', 'the customer')
    .argument('<username>', 'the user')
    .argument('<role>', "'admin' or 'user'", parseRole),
).action(async (username: string, role: 'admin' | 'user', flags: SupportFlags & { customer: string }) => {
  const user = await supportClient(flags).updateUser(flags.customer, username, { role });
  if (flags.json) return json(user);
  out(`${user.username} is now ${user.role} (from the next login).`);
});
supportOptions(
  users
    .command('reset-password')
    .description("Resets a user's password; they change it at the next login")
    .requiredOption('--customer <id>', 'the customer')
    .requiredOption('--password <password>', 'the new password (at least 10 characters)')
    .argument('<username>', 'the user'),
).action(async (username: string, flags: SupportFlags & { customer: string; password: string }) => {
  const user = await supportClient(flags).updateUser(flags.customer, username, { password: flags.password });
  if (flags.json) return json(user);
  out(`Password of ${user.username} reset; it must be changed at the next login.`);
});

supportOptions(
  program
    .command('failed-updates')
    .description('Customers whose update failed and awaits support (red notice), newest first')
    .option('--limit <n>', 'page size', parseLimit)
    .option('--cursor <cursor>', 'next page, from a previous answer'),
).action(async (flags: SupportFlags & { limit?: number; cursor?: string }) => {
  const page = await supportClient(flags).failedUpdates({ limit: flags.limit, cursor: flags.cursor });
  if (flags.json) return json(page);
  if (page.items.length === 0) return out('No failed updates awaiting support.');
  out(
    renderTable(
      ['Customer', 'State', 'From', 'To', 'Since', 'Case', 'Session'],
      page.items.map((f) => [
        f.customerId,
        f.state,
        f.fromVersion ?? '—',
        f.targetVersion ?? '—',
        f.since,
        f.supportCaseId ?? '—',
        f.sessionId,
      ]),
      { colour, rowStyle: () => ['red'] },
    ),
  );
  if (page.cursor) out(`more: --cursor ${page.cursor}`);
});

supportOptions(
  program
    .command('cases')
    .description("Open support cases (Invia segnalazione all'assistenza), newest first")
    .option('--limit <n>', 'page size', parseLimit)
    .option('--cursor <cursor>', 'next page, from a previous answer'),
).action(async (flags: SupportFlags & { limit?: number; cursor?: string }) => {
  const page = await supportClient(flags).cases({ limit: flags.limit, cursor: flags.cursor });
  if (flags.json) return json(page);
  if (page.items.length === 0) return out('No open cases.');
  out(
    renderTable(
      ['Case', 'Customer', 'From → to', 'Reported by', 'Created', 'Failure', 'Message', 'Log'],
      page.items.map((c) => [
        c.caseId,
        c.customerId,
        `${c.fromVersion ?? '?'} → ${c.targetVersion ?? '?'}`,
        c.reportedBy,
        c.createdAt,
        c.failureMessage ?? '—',
        c.message ?? '—',
        c.failureLogKey ?? '—',
      ]),
      { colour },
    ),
  );
  if (page.cursor) out(`more: --cursor ${page.cursor}`);
});

supportOptions(
  program
    .command('resolve')
    .description("Marks a customer's failed update resolved: the red notice goes at the next start and the update may be retried")
    .requiredOption('--customer <id>', 'the customer')
    .requiredOption('--resolution <text>', 'how the failure was resolved'),
).action(async (flags: SupportFlags & { customer: string; resolution: string }) => {
  const answer = await supportClient(flags).resolve(flags.customer, flags.resolution);
  if (flags.json) return json(answer);
  out(
    `Resolved ${answer.customerId}: ${answer.fromState} → ${answer.session.state}${answer.closedCaseIds.length ? `; closed case(s) ${answer.closedCaseIds.join(', ')}` : ''}.`,
  );
});

supportOptions(
  program
    .command('audit')
    .description("A customer's audit trail, newest first")
    .requiredOption('--customer <id>', 'the customer')
    .option('--action <prefix>', 'only actions starting with this, e.g. session. or lock.')
    .option('--limit <n>', 'page size', parseLimit)
    .option('--cursor <cursor>', 'next page, from a previous answer'),
).action(async (flags: SupportFlags & { customer: string; action?: string; limit?: number; cursor?: string }) => {
  const page = await supportClient(flags).audit(flags.customer, { action: flags.action, limit: flags.limit, cursor: flags.cursor });
  if (flags.json) return json(page);
  if (page.items.length === 0) return out(`No audit entries for ${flags.customer}${flags.action ? ` starting with ${flags.action}` : ''}.`);
  out(
    renderTable(
      ['When', 'Action', 'Actor', 'Outcome', 'State', 'Details'],
      page.items.map((e) => [
        e.at,
        e.action,
        `${e.actor.kind}:${e.actor.id}`,
        e.outcome,
        e.fromState ? `${e.fromState}${e.toState && e.toState !== e.fromState ? ` → ${e.toState}` : ''}` : '—',
        e.details ? JSON.stringify(e.details).slice(0, 80) : '',
      ]),
      { colour, rowStyle: (i) => (page.items[i]!.outcome === 'ok' ? undefined : ['yellow']) },
    ),
  );
  if (page.cursor) out(`more: --cursor ${page.cursor}`);
});

supportOptions(program.command('releases').description('Published releases, oldest first')).action(async (flags: SupportFlags) => {
  const answer = await supportClient(flags).listReleases();
  if (flags.json) return json(answer);
  out(`Catalog version ${answer.catalogVersion}`);
  out(
    renderTable(
      ['Version', 'Published', 'Code', 'Desktop', 'Mobile', 'Notes'],
      answer.releases.map((r) => [
        r.version,
        r.publishedAt,
        r.requiresConfirmationCode ? 'yes' : 'no',
        formatBytes(r.desktop.size),
        formatBytes(r.mobile.size),
        r.notesUrl,
      ]),
      { colour },
    ),
  );
});

function parsePositiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a whole number of 1 or more.');
  return n;
}

try {
  await program.parseAsync(process.argv);
} catch (error) {
  // publish-release keeps its own messages (cli/lib/errors.ts); the other commands use the SDK's.
  process.stderr.write(`error: ${error instanceof CliError ? describeCliError(error) : describeError(error, HINTS)}\n`);
  if (process.argv.includes('--debug')) process.stderr.write(`${(error as Error)?.stack ?? String(error)}\n`);
  process.exitCode = 1;
}
