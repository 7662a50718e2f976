#!/usr/bin/env -S node --import tsx
/**
 * Alturas support command line.
 *
 * People (staff, agents) sign in with the staff user pool; the tokens are kept in
 * the state folder and refreshed when they expire:
 *   node --import tsx cli/support.ts login --user staff.demo      (password: --password, $MOPHAS_SUPPORT_PASSWORD or asked)
 *   … whoami · logout · mfa setup · mfa enable --code 123456
 *   … confirmation-response --customer demo --release 03.02.00_040 --challenge 12340-56786-90129
 *   … customers list|add|show|update · licences list|issue|revoke · workstations list|issue|revoke|rotate
 *   … tablets list|add|edit|disable|enable (onboarding: docs/operations.md)
 *   … users list|add|set-role|reset-password --customer demo …
 *   … failed-updates · cases · resolve --customer demo --resolution "…" · audit --customer demo
 *   … agents list|show|assign|unassign (staff)
 *   … releases · rollout <version> · rollout-plan <version> --file plan.json (staff)
 *   … rollout-pause|rollout-resume|rollout-advance <version> · withdraw <version> --reason "…" (staff)
 *
 * The build pipeline's command signs with AWS credentials (SigV4; --profile, or the
 * AWS SDK's default chain; on the local stack its pipeline key):
 *   … publish-release 03.03.00_050 --desktop ./mophas-setup.exe --mobile ./mophas.apk \
 *       --notes-url https://wiki.alturas.it/mophas-fix/03.03.00_050 [--requires-code] [--json]
 *
 * Errors print one line (`error: …`) and exit non-zero; --debug adds the stack trace.
 */
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { SupportApi } from './lib/api';
import { localPipelineCredentials, resolveApiUrl } from './lib/config';
import { CliError, describeError as describeCliError } from './lib/errors';
import { formatBytes } from './lib/files';
import { out, parseMs, printJson } from './lib/common';
import { createProgress } from './lib/progress';
import { publishRelease, summary } from './lib/publish-release';
import { MophasClientError } from '../client/http';
import { apiTag, stateBaseDir } from '../client/local-config';
import { SupportSession, type SupportTokens } from '../client/sign-in';
import { fileStore } from '../client/state';
import { pipelineAuthenticator, SupportClient } from '../client/support';
import { askSecret, colourEnabled, confirm, describeError, paint, renderTable, type ErrorHints } from '../client/terminal';
import type { CustomerView, IssuedWorkstation, RolloutPlan, RolloutView, TabletView } from '../client/types';

interface SupportFlags {
  api?: string;
  stateDir?: string;
  timeout?: number;
  json?: boolean;
  debug?: boolean;
}

interface PipelineFlags extends SupportFlags {
  profile?: string;
  region?: string;
}

interface PublishFlags extends PipelineFlags {
  desktop: string;
  mobile: string;
  notesUrl: string;
  requiresCode?: boolean;
  concurrency: number;
}

const program = new Command()
  .name('mophas-support')
  .description('Alturas support tools for mOphas Update Cloud')
  // Usage errors stay on one line too.
  .configureOutput({ outputError: (message, write) => write(`${message.trimEnd()} (see --help)\n`) });

const colour = colourEnabled(process.stdout);
const json = printJson;

const HINTS: ErrorHints = {
  UNAUTHORIZED: 'Sign in again (mophas-support login --user <name>); publishing needs AWS credentials (--profile).',
  STAFF_REQUIRED: 'Ask Alturas support staff: this needs the staff group.',
  CHALLENGE_NOT_OPEN: 'Ask the customer to read the code shown in the window again.',
  NOT_FAILED: 'Only a failed update can be resolved: see mophas-support failed-updates.',
  NOT_AN_AGENT: 'Add the user to the "agent" group of the staff user pool first (docs/operations.md).',
  SERVER_CREDENTIAL_EXISTS: 'Rotate it (workstations rotate <id>) or revoke it first: see workstations list.',
  LICENCE_EXISTS: (e) => (e.body.licenceCode ? `Live licence: ${e.body.licenceCode} (licences revoke to replace it).` : ''),
  WORKSTATION_EXISTS: 'See workstations list: rotate that credential, or pick another --label.',
  ROLLOUT_CONFLICT: 'Someone changed the rollout meanwhile: look at it again (mophas-support rollout <version>) and repeat.',
};

/** The options every support command takes. */
function supportOptions(cmd: Command): Command {
  return cmd
    .option('--api <url>', 'API base URL (default: $MOPHAS_API_URL or http://127.0.0.1:3000)')
    .option('--state-dir <dir>', 'where the sign-in is kept (default: $MOPHAS_STATE_DIR or ~/.mophas)')
    .option('--timeout <ms>', 'timeout of each API call', parseMs)
    .option('--json', 'print the answer as JSON on stdout')
    .option('--debug', 'print stack traces on errors');
}

/** The options of the build pipeline's commands (signed with AWS credentials). */
function pipelineOptions(cmd: Command): Command {
  return supportOptions(cmd)
    .option(
      '--profile <name>',
      'AWS profile of the publishing identity (default: the AWS SDK default chain; locally the local pipeline key)',
    )
    .option('--region <region>', "AWS region to sign for (default: the API URL's, $AWS_REGION, or the API's)");
}

/** The person's sign-in for this API, kept like the desktop keeps its session (a 0600 file in the state folder). */
function session(flags: SupportFlags): SupportSession {
  const apiUrl = resolveApiUrl(flags.api);
  const file = join(stateBaseDir(flags.stateDir), 'support', `${apiTag(apiUrl)}.json`);
  return new SupportSession({ apiUrl, store: fileStore<SupportTokens>(file), timeoutMs: flags.timeout });
}

/** How the pipeline commands sign: an explicit profile, else the local stack's pipeline key, else the default chain. */
function pipelineCredentials(apiUrl: string, flags: PipelineFlags) {
  return flags.profile ? undefined : localPipelineCredentials(apiUrl);
}

const supportClient = (flags: PipelineFlags) => {
  const apiUrl = resolveApiUrl(flags.api);
  return new SupportClient({
    apiUrl,
    session: session(flags),
    pipelineCredentials: pipelineCredentials(apiUrl, flags),
    profile: flags.profile,
    region: flags.region,
    timeoutMs: flags.timeout,
  });
};

function parseRole(value: string): 'admin' | 'user' {
  if (value !== 'admin' && value !== 'user') throw new InvalidArgumentError("expected 'admin' or 'user'.");
  return value;
}

function parseLimit(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 500) throw new InvalidArgumentError('expected a whole number from 1 to 500.');
  return n;
}

pipelineOptions(
  program
    .command('publish-release')
    .description('Upload the desktop and mobile packages of a new release and publish it (immutable once published)')
    .argument('<version>', 'version code, e.g. 03.03.00_050')
    .requiredOption('--desktop <file>', 'desktop installer package')
    .requiredOption('--mobile <file>', 'mobile package')
    .requiredOption('--notes-url <url>', 'https link to the release notes / manual page ("Dettagli aggiornamento")')
    .option('--requires-code', 'installing this release needs a confirmation code', false)
    .option('--concurrency <n>', 'parallel part uploads', parsePositiveInt, 4),
).action(async (version: string, flags: PublishFlags) => {
  const apiUrl = resolveApiUrl(flags.api);
  const sign = pipelineAuthenticator({
    apiUrl,
    pipelineCredentials: pipelineCredentials(apiUrl, flags),
    profile: flags.profile,
    region: flags.region,
  });
  const api = new SupportApi(apiUrl, sign);
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

supportOptions(
  program
    .command('login')
    .description('Signs a person (staff or agent) in with the staff user pool; the tokens are kept in the state folder')
    .requiredOption('--user <name>', 'user name in the staff user pool')
    .option('--password <password>', 'password (default: $MOPHAS_SUPPORT_PASSWORD, or asked on a terminal)')
    .option('--new-password <password>', 'first sign-in with a temporary password: the new password')
    .option('--mfa-code <code>', 'the current code of the authenticator app (accounts with MFA)'),
).action(async (flags: SupportFlags & { user: string; password?: string; newPassword?: string; mfaCode?: string }) => {
  const password = flags.password ?? process.env.MOPHAS_SUPPORT_PASSWORD ?? (await askSecret(`Password for ${flags.user}: `));
  if (!password)
    throw new MophasClientError('no password: pass --password, set MOPHAS_SUPPORT_PASSWORD, or run on a terminal', 'NO_PASSWORD');
  const signedIn = await session(flags).login(flags.user, password, { newPassword: flags.newPassword, mfaCode: flags.mfaCode });
  if (flags.json) return json(signedIn);
  out(
    `Signed in as ${signedIn.username} (${signedIn.groups.join(', ') || 'no group'}); the access token is renewed automatically until the sign-in expires.`,
  );
});

supportOptions(program.command('whoami').description('The signed-in person, as the API sees it (role, customers)')).action(
  async (flags: SupportFlags) => {
    const me = await supportClient(flags).me();
    if (flags.json) return json(me);
    out(
      `${me.username}: ${me.role}${me.role === 'agent' ? `, customers ${me.customers === 'all' ? 'all' : me.customers.join(', ') || '(none assigned yet)'}` : ''}`,
    );
  },
);

supportOptions(program.command('logout').description('Signs out: revokes the refresh token and forgets the kept tokens')).action(
  async (flags: SupportFlags) => {
    const was = await session(flags).logout();
    if (flags.json) return json({ signedOut: was });
    out(was ? 'Signed out.' : 'Nobody was signed in.');
  },
);

const mfa = program.command('mfa').description('Two-step sign-in with an authenticator app (TOTP) for the signed-in person');
supportOptions(mfa.command('setup').description('Step 1: a new authenticator secret to add to the app')).action(
  async (flags: SupportFlags) => {
    const setup = await session(flags).startTotpSetup();
    if (flags.json) return json(setup);
    out(`Add this secret to the authenticator app (or open the link): ${setup.secret}`);
    out(`  ${setup.uri}`);
    out('Then: mophas-support mfa enable --code <the code the app shows>');
  },
);
supportOptions(
  mfa
    .command('enable')
    .description('Step 2: confirm with the current code; every later sign-in asks for a code')
    .requiredOption('--code <code>', 'the code the authenticator app shows now'),
).action(async (flags: SupportFlags & { code: string }) => {
  await session(flags).finishTotpSetup(flags.code);
  if (flags.json) return json({ mfa: 'enabled' });
  out('MFA enabled: sign in with --mfa-code from now on.');
});

const agents = program.command('agents').description('Agents and the customers assigned to them (staff only; every change is audited)');
supportOptions(
  agents
    .command('list')
    .description('Agents with assignments, by user name')
    .option('--limit <n>', 'page size', parseLimit)
    .option('--cursor <cursor>', 'next page, from a previous answer'),
).action(async (flags: SupportFlags & { limit?: number; cursor?: string }) => {
  const page = await supportClient(flags).agents({ limit: flags.limit, cursor: flags.cursor });
  if (flags.json) return json(page);
  if (page.items.length === 0) return out('No agent has been assigned a customer yet.');
  out(
    renderTable(
      ['Agent', 'Customers', 'Changed', 'By'],
      page.items.map((a) => [a.username, a.customers.join(', ') || '—', a.updatedAt ?? '—', a.updatedBy ?? '—']),
      { colour },
    ),
  );
  if (page.cursor) out(`more: --cursor ${page.cursor}`);
});
supportOptions(agents.command('show').description("One agent's customers").argument('<username>', 'the agent')).action(
  async (username: string, flags: SupportFlags) => {
    const agent = await supportClient(flags).agent(username);
    if (flags.json) return json(agent);
    out(`${agent.username}: ${agent.customers.join(', ') || '(no customer assigned)'}`);
  },
);
supportOptions(
  agents
    .command('assign')
    .description('Lets an agent act for a customer')
    .argument('<username>', 'the agent (a user in the "agent" group)')
    .requiredOption('--customer <id>', 'the customer'),
).action(async (username: string, flags: SupportFlags & { customer: string }) => {
  const answer = await supportClient(flags).assignAgent(username, flags.customer);
  if (flags.json) return json(answer);
  out(
    answer.changed
      ? `${answer.agent.username} now acts for ${flags.customer}.`
      : `${answer.agent.username} already acts for ${flags.customer}.`,
  );
});
supportOptions(
  agents
    .command('unassign')
    .description('Stops an agent acting for a customer (from its next request)')
    .argument('<username>', 'the agent')
    .requiredOption('--customer <id>', 'the customer'),
).action(async (username: string, flags: SupportFlags & { customer: string }) => {
  const answer = await supportClient(flags).unassignAgent(username, flags.customer);
  if (flags.json) return json(answer);
  out(
    answer.changed
      ? `${answer.agent.username} no longer acts for ${flags.customer}.`
      : `${answer.agent.username} did not act for ${flags.customer}.`,
  );
});

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

// ── Onboarding (docs/operations.md): customers, licences, workstation credentials, tablets ──

/** A sentence in both languages: Italian first, like the manual. */
const both = (it: string, en: string) => `${it}\n${paint(colour, en, 'dim')}`;
const dash = (v: string | null | undefined) => v ?? '—';

const customers = program.command('customers').description('Customers (onboarding by Alturas support)');
const customerRows = (list: CustomerView[]) =>
  renderTable(
    ['Cliente/Customer', 'Nome/Name', 'Desktop', 'Licenza/Licence', 'SERVER', 'Creato/Created'],
    list.map((c) => [
      c.customerId,
      c.name,
      dash(c.desktopVersion),
      dash(c.licenceCode),
      c.serverCredentialId ? '✓' : '—',
      dash(c.createdAt),
    ]),
    { colour },
  );
supportOptions(
  customers
    .command('list')
    .description('Customers by id (an agent sees its own)')
    .option('--limit <n>', 'page size', parseLimit)
    .option('--cursor <cursor>', 'next page, from a previous answer'),
).action(async (flags: SupportFlags & { limit?: number; cursor?: string }) => {
  const page = await supportClient(flags).customers({ limit: flags.limit, cursor: flags.cursor });
  if (flags.json) return json(page);
  out(page.items.length ? customerRows(page.items) : both('Nessun cliente.', 'No customers.'));
  if (page.cursor) out(`more: --cursor ${page.cursor}`);
});
supportOptions(
  customers
    .command('add')
    .description("Creates a customer with the manual's first-login admin (ammin / ammin); staff only")
    .requiredOption('--customer <id>', "the customer's id (letters, digits, - and _), used in every later command")
    .requiredOption('--name <name>', "the customer's name")
    .requiredOption('--desktop-version <version>', 'the mOphas desktop version installed, e.g. 03.01.00_030'),
).action(async (flags: SupportFlags & { customer: string; name: string; desktopVersion: string }) => {
  const created = await supportClient(flags).createCustomer({
    customerId: flags.customer,
    name: flags.name,
    desktopVersion: flags.desktopVersion,
  });
  if (flags.json) return json(created);
  out(
    both(
      `Cliente ${created.customer.customerId} creato (desktop ${created.customer.desktopVersion}). Primo accesso: ${created.firstLogin.username} / ${created.firstLogin.password} (la password va cambiata al primo accesso).`,
      `Customer ${created.customer.customerId} created. First login: ${created.firstLogin.username} / ${created.firstLogin.password} (must be changed at the first login).`,
    ),
  );
  out(
    `  next: workstations issue --customer ${created.customer.customerId} --server --label SERVER · licences issue --customer ${created.customer.customerId}`,
  );
});
supportOptions(customers.command('show').description('One customer').requiredOption('--customer <id>', 'the customer')).action(
  async (flags: SupportFlags & { customer: string }) => {
    const customer = await supportClient(flags).customer(flags.customer);
    if (flags.json) return json(customer);
    out(customerRows([customer]));
  },
);
supportOptions(
  customers
    .command('update')
    .description("Changes a customer's name or the desktop version the service knows (not during an update)")
    .requiredOption('--customer <id>', 'the customer')
    .option('--name <name>', 'new name')
    .option('--desktop-version <version>', 'the desktop version actually installed'),
).action(async (flags: SupportFlags & { customer: string; name?: string; desktopVersion?: string }) => {
  const customer = await supportClient(flags).updateCustomer(flags.customer, { name: flags.name, desktopVersion: flags.desktopVersion });
  if (flags.json) return json(customer);
  out(both(`Cliente ${customer.customerId} aggiornato.`, `Customer ${customer.customerId} updated.`));
  out(customerRows([customer]));
});

const licences = program.command('licences').description("A customer's licence code: tablets register with it (one live licence)");
supportOptions(licences.command('list').description("A customer's licences").requiredOption('--customer <id>', 'the customer')).action(
  async (flags: SupportFlags & { customer: string }) => {
    const list = await supportClient(flags).licences(flags.customer);
    if (flags.json) return json(list);
    if (list.length === 0) return out(both(`Nessuna licenza per ${flags.customer}.`, `No licences for ${flags.customer}.`));
    out(
      renderTable(
        ['Licenza/Licence', 'Stato/State', 'Emessa/Issued', 'Da/By', 'Revocata/Revoked'],
        list.map((l) => [
          l.licenceCode,
          l.revoked ? 'revocata/revoked' : 'attiva/live',
          dash(l.createdAt),
          dash(l.createdBy),
          dash(l.revokedAt),
        ]),
        { colour, rowStyle: (i) => (list[i]!.revoked ? ['dim'] : undefined) },
      ),
    );
  },
);
supportOptions(
  licences
    .command('issue')
    .description("Issues the customer's licence (generated, or --code for an existing mOphas licence)")
    .requiredOption('--customer <id>', 'the customer')
    .option('--code <licence>', 'an existing mOphas licence code'),
).action(async (flags: SupportFlags & { customer: string; code?: string }) => {
  const licence = await supportClient(flags).issueLicence(flags.customer, flags.code);
  if (flags.json) return json(licence);
  out(
    both(
      `Licenza di ${flags.customer}: ${paint(colour, licence.licenceCode, 'bold')} — da digitare in Registra Dispositivo sui tablet autorizzati.`,
      `Licence of ${flags.customer}: ${licence.licenceCode} — typed in "Registra Dispositivo" on the authorised tablets.`,
    ),
  );
});
supportOptions(
  licences
    .command('revoke')
    .description('Revokes a licence: no tablet registers with it any more (registered ones keep working)')
    .requiredOption('--customer <id>', 'the customer')
    .argument('<licence>', 'the licence code'),
).action(async (code: string, flags: SupportFlags & { customer: string }) => {
  const licence = await supportClient(flags).revokeLicence(flags.customer, code);
  if (flags.json) return json(licence);
  out(both(`Licenza ${licence.licenceCode} revocata.`, `Licence ${licence.licenceCode} revoked.`));
});

const workstations = program.command('workstations').description('Desktop workstation credentials (SERVER and client workstations)');
const printIssued = (issued: IssuedWorkstation, customerId: string) => {
  out(
    both(
      `Credenziali della postazione ${issued.workstation === 'server' ? 'SERVER' : 'client'} "${issued.label}" di ${customerId} (mostrate solo ora, conservarle):`,
      `Credential of the ${issued.workstation === 'server' ? 'SERVER' : 'client'} workstation "${issued.label}" of ${customerId} (shown only now, keep it):`,
    ),
  );
  out(`  ${paint(colour, issued.credential, 'bold')}`);
  out(`  MOPHAS_DESKTOP_CREDENTIAL=${issued.credential}`);
};
supportOptions(
  workstations
    .command('list')
    .description("A customer's workstation credentials (never their secrets)")
    .requiredOption('--customer <id>', 'the customer'),
).action(async (flags: SupportFlags & { customer: string }) => {
  const list = await supportClient(flags).workstations(flags.customer);
  if (flags.json) return json(list);
  if (list.length === 0) return out(both(`Nessuna postazione per ${flags.customer}.`, `No workstations for ${flags.customer}.`));
  out(
    renderTable(
      ['Id', 'Postazione/Workstation', 'Etichetta/Label', 'Stato/State', 'Emessa/Issued', 'Revocata/Revoked', 'Sostituita da/Replaced by'],
      list.map((w) => [
        w.credentialId,
        w.workstation === 'server' ? 'SERVER' : 'client',
        dash(w.label),
        w.revoked ? 'revocata/revoked' : 'attiva/live',
        dash(w.createdAt),
        dash(w.revokedAt),
        dash(w.replacedBy),
      ]),
      { colour, rowStyle: (i) => (list[i]!.revoked ? ['dim'] : undefined) },
    ),
  );
});
supportOptions(
  workstations
    .command('issue')
    .description('Issues a workstation credential: --server (the central computer, one per customer) or --client')
    .requiredOption('--customer <id>', 'the customer')
    .requiredOption('--label <label>', 'what the customer calls the workstation, e.g. SERVER or "Ufficio 2"')
    .option('--server', 'the SERVER workstation (updates are managed there)')
    .option('--client', 'a client workstation (notices only)'),
).action(async (flags: SupportFlags & { customer: string; label: string; server?: boolean; client?: boolean }) => {
  if (Boolean(flags.server) === Boolean(flags.client)) throw new CliError('say which workstation: --server or --client.');
  const issued = await supportClient(flags).issueWorkstation(flags.customer, {
    workstation: flags.server ? 'server' : 'client',
    label: flags.label,
  });
  if (flags.json) return json(issued);
  printIssued(issued, flags.customer);
});
supportOptions(
  workstations
    .command('revoke')
    .description('Revokes a workstation credential')
    .requiredOption('--customer <id>', 'the customer')
    .argument('<credentialId>', 'the id from workstations list'),
).action(async (credentialId: string, flags: SupportFlags & { customer: string }) => {
  const revoked = await supportClient(flags).revokeWorkstation(flags.customer, credentialId);
  if (flags.json) return json(revoked);
  out(
    both(
      `Credenziali ${revoked.credentialId} revocate (entro 5 minuti).`,
      `Credential ${revoked.credentialId} revoked (stops within 5 minutes).`,
    ),
  );
});
supportOptions(
  workstations
    .command('rotate')
    .description('Rotates a workstation credential: a new secret, the old one revoked')
    .requiredOption('--customer <id>', 'the customer')
    .argument('<credentialId>', 'the id from workstations list'),
).action(async (credentialId: string, flags: SupportFlags & { customer: string }) => {
  const issued = await supportClient(flags).rotateWorkstation(flags.customer, credentialId);
  if (flags.json) return json(issued);
  printIssued(issued, flags.customer);
  out(both(`  Le credenziali ${credentialId} sono revocate.`, `  Credential ${credentialId} is revoked.`));
});

const tablets = program.command('tablets').description('Gestione Autorizzazioni Tablet: the tablets that may register');
const tabletRows = (list: TabletView[]) =>
  renderTable(
    ['Seriale', 'Modello', 'Operatore', 'Telefono', 'Abilitato', 'Registrato', 'Versione', 'Ultima Synchro'],
    list.map((t) => [
      t.serial,
      dash(t.model),
      t.operator ? `${t.operator.code} ${t.operator.name} ${t.operator.surname}` : '—',
      dash(t.phone),
      t.enabled ? '✓' : '·',
      t.registered ? '✓' : t.registrationOpen ? '(aperta/open)' : '·',
      dash(t.installedVersion),
      t.lastSync ? t.lastSync.replace('T', ' ').slice(0, 16) : '—',
    ]),
    { colour, rowStyle: (i) => (list[i]!.enabled ? undefined : ['dim']) },
  );
const tabletFields = (flags: { model?: string; operatorCode?: string; name?: string; surname?: string; phone?: string }) => {
  const operator = flags.operatorCode ?? flags.name ?? flags.surname;
  if (operator !== undefined && (flags.operatorCode === undefined || flags.name === undefined || flags.surname === undefined))
    throw new CliError('an operator needs --operator-code, --name and --surname together.');
  return {
    ...(flags.model !== undefined ? { model: flags.model } : {}),
    ...(operator !== undefined ? { operator: { code: flags.operatorCode!, name: flags.name!, surname: flags.surname! } } : {}),
    ...(flags.phone !== undefined ? { phone: flags.phone } : {}),
  };
};
const withTabletOptions = (cmd: Command) =>
  cmd
    .option('--model <model>', "model (the grid's Device column)")
    .option('--operator-code <code>', 'operator code')
    .option('--name <name>', "operator's name")
    .option('--surname <surname>', "operator's surname")
    .option('--phone <phone>', "operator's phone");
supportOptions(tablets.command('list').description("A customer's tablets").requiredOption('--customer <id>', 'the customer')).action(
  async (flags: SupportFlags & { customer: string }) => {
    const list = await supportClient(flags).tablets(flags.customer);
    if (flags.json) return json(list);
    out(
      list.length
        ? tabletRows(list)
        : both(`Nessun tablet autorizzato per ${flags.customer}.`, `No authorised tablets for ${flags.customer}.`),
    );
  },
);
supportOptions(
  withTabletOptions(
    tablets
      .command('add')
      .description('Authorises a tablet: it may then register with the licence code')
      .requiredOption('--customer <id>', 'the customer')
      .requiredOption('--serial <imei>', 'IMEI serial'),
  ),
).action(
  async (
    flags: SupportFlags & {
      customer: string;
      serial: string;
      model?: string;
      operatorCode?: string;
      name?: string;
      surname?: string;
      phone?: string;
    },
  ) => {
    const fields = tabletFields(flags);
    if (!fields.model || !fields.operator || !fields.phone)
      throw new CliError('a tablet needs --model, --operator-code, --name, --surname and --phone.');
    const tablet = await supportClient(flags).authoriseTablet(flags.customer, {
      serial: flags.serial,
      model: fields.model,
      operator: fields.operator,
      phone: fields.phone,
    });
    if (flags.json) return json(tablet);
    out(
      both(
        `Tablet ${tablet.serial} autorizzato: può registrarsi con la licenza.`,
        `Tablet ${tablet.serial} authorised: it may register with the licence.`,
      ),
    );
  },
);
supportOptions(
  withTabletOptions(
    tablets
      .command('edit')
      .description("Changes a tablet's model, operator or phone")
      .requiredOption('--customer <id>', 'the customer')
      .argument('<serial>', 'the tablet'),
  ),
).action(
  async (
    serial: string,
    flags: SupportFlags & { customer: string; model?: string; operatorCode?: string; name?: string; surname?: string; phone?: string },
  ) => {
    const tablet = await supportClient(flags).editTablet(flags.customer, serial, tabletFields(flags));
    if (flags.json) return json(tablet);
    out(both(`Tablet ${tablet.serial} modificato.`, `Tablet ${tablet.serial} changed.`));
    out(tabletRows([tablet]));
  },
);
supportOptions(
  tablets
    .command('disable')
    .description('Disables a tablet: its credential stops, it leaves the grid')
    .requiredOption('--customer <id>', 'the customer')
    .argument('<serial>', 'the tablet')
    .option('--yes', 'do not ask for confirmation'),
).action(async (serial: string, flags: SupportFlags & { customer: string; yes?: boolean }) => {
  if (!(await confirm(`Disabilitare il tablet ${serial} di ${flags.customer}? / Disable tablet ${serial}?`, { assumeYes: flags.yes })))
    return out(both('Annullato.', 'Cancelled.'));
  const tablet = await supportClient(flags).disableTablet(flags.customer, serial);
  if (flags.json) return json(tablet);
  out(both(`Tablet ${tablet.serial} disabilitato: non può più operare.`, `Tablet ${tablet.serial} disabled: it can no longer work.`));
});
supportOptions(
  tablets
    .command('enable')
    .description('Enables a tablet and re-opens its registration once')
    .requiredOption('--customer <id>', 'the customer')
    .argument('<serial>', 'the tablet'),
).action(async (serial: string, flags: SupportFlags & { customer: string }) => {
  const tablet = await supportClient(flags).enableTablet(flags.customer, serial);
  if (flags.json) return json(tablet);
  out(both(`Tablet ${tablet.serial} abilitato: può registrarsi di nuovo.`, `Tablet ${tablet.serial} enabled: it may register again.`));
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
      ['Version', 'Published', 'Code', 'Desktop', 'Mobile', 'Rollout', 'Notes'],
      answer.releases.map((r) => [
        r.version,
        r.publishedAt,
        r.requiresConfirmationCode ? 'yes' : 'no',
        formatBytes(r.desktop.size),
        formatBytes(r.mobile.size),
        r.rolloutPhase ?? '—',
        r.notesUrl,
      ]),
      { colour },
    ),
  );
});

// Staged rollouts (docs/rollout.md).
const phase = (v: RolloutView) => `${v.phaseText.it} / ${v.phaseText.en}`;

function printRolloutState(v: RolloutView) {
  out(
    `Release ${v.version} — ${paint(colour, phase(v), v.phase === 'halted' || v.phase === 'withdrawn' ? 'red' : 'bold')} (revision ${v.revision})`,
  );
  if (v.startsAt && v.openWave === null) out(`  Inizio programmato / scheduled start: ${v.startsAt}`);
  if (v.openWave !== null) out(`  Ondata aperta / open wave: ${v.openWave === 0 ? 'pilota / pilot' : v.openWave} since ${v.waveOpenedAt}`);
  if (v.nextWaveAt) out(`  Prossima ondata / next wave opens: ${v.nextWaveAt}`);
  if (v.halt) {
    out(
      `  Fermato / halted ${v.halt.at}: ${v.halt.failed} falliti su ${v.halt.started} avviati / ${v.halt.failed} of ${v.halt.started} failed (${v.halt.failedPercent}%)`,
    );
  }
  if (v.withdrawnAt) out(`  Ritirato / withdrawn ${v.withdrawnAt}${v.withdrawReason ? `: ${v.withdrawReason}` : ''}`);
  out(`  Azioni possibili / allowed: ${v.allowedActions.join(', ') || '—'}`);
}

supportOptions(
  program
    .command('rollout')
    .description(
      "A release's staged rollout: phase, plan and per-wave progress (customers, offered, downloaded, started, concluded, failed)",
    )
    .argument('<version>', 'the release'),
).action(async (version: string, flags: SupportFlags) => {
  const progress = await supportClient(flags).rollout(version);
  if (flags.json) return json(progress);
  printRolloutState(progress);
  if (!progress.plan) return;
  const threshold = progress.plan.errorThreshold;
  out(
    `  Soglia d'errore / error threshold: ${threshold.percent}% falliti con almeno ${threshold.minStarted} avviati / failed with at least ${threshold.minStarted} started`,
  );
  out(
    renderTable(
      [
        'Ondata/Wave',
        'Chi/Who',
        'Aperta/Open',
        'Clienti/Customers',
        'Offerta/Offered',
        'Scaricata/Downloaded',
        'Avviati/Started',
        'Conclusi/Concluded',
        'Falliti/Failed',
      ],
      progress.waves.map((w) => [
        String(w.wave),
        w.kind === 'pilot' ? 'pilota/pilot' : `${w.percent}%`,
        w.open ? 'sì/yes' : 'no',
        String(w.customers),
        String(w.offered),
        String(w.downloaded),
        String(w.started),
        String(w.concluded),
        String(w.failed),
      ]),
      { colour, rowStyle: (i) => (progress.waves[i]!.failed > 0 ? ['yellow'] : undefined) },
    ),
  );
  const t = progress.totals;
  out(
    `  Totale / total: ${t.started} avviati/started, ${t.concluded} conclusi/concluded, ${t.failed} falliti/failed (${t.failedPercent}%)`,
  );
});

supportOptions(
  program
    .command('rollout-plan')
    .description('Sets or changes the rollout plan of a release from a JSON file (docs/rollout.md has the format)')
    .argument('<version>', 'the release')
    .requiredOption('--file <plan.json>', 'the plan: { startAt?, pilot: { customers, soak, minConcluded }, waves: [...], errorThreshold }')
    .option('--revision <n>', 'the revision you read (default: the current one)', parseNonNegativeInt),
).action(async (version: string, flags: SupportFlags & { file: string; revision?: number }) => {
  let plan: RolloutPlan;
  try {
    plan = JSON.parse(readFileSync(flags.file, 'utf8')) as RolloutPlan;
  } catch (error) {
    throw new CliError(`cannot read the plan ${flags.file} (${(error as Error).message}): check the path and that the file is JSON.`);
  }
  const view = await supportClient(flags).setRolloutPlan(version, plan, flags.revision);
  if (flags.json) return json(view);
  printRolloutState(view);
});

for (const [action, description] of [
  ['pause', 'Pauses the rollout: the open waves stay open, no further wave opens'],
  ['resume', 'Resumes a paused or halted rollout (the open wave soaks again from now)'],
  ['advance', 'Opens the next wave now'],
] as const) {
  supportOptions(
    program
      .command(`rollout-${action}`)
      .description(description)
      .argument('<version>', 'the release')
      .option('--revision <n>', 'the revision you read (default: the current one)', parseNonNegativeInt),
  ).action(async (version: string, flags: SupportFlags & { revision?: number }) => {
    const view = await supportClient(flags).rolloutAction(version, action, flags.revision);
    if (flags.json) return json(view);
    printRolloutState(view);
  });
}

supportOptions(
  program
    .command('withdraw')
    .alias('ritira')
    .description('Withdraws a release: no customer is offered it any more (customers already on it are untouched; final)')
    .argument('<version>', 'the release')
    .option('--reason <text>', 'why (kept in the audit trail)')
    .option('--revision <n>', 'the revision you read (default: the current one)', parseNonNegativeInt),
).action(async (version: string, flags: SupportFlags & { reason?: string; revision?: number }) => {
  const view = await supportClient(flags).withdrawRelease(version, { reason: flags.reason, revision: flags.revision });
  if (flags.json) return json(view);
  printRolloutState(view);
});

function parseNonNegativeInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected a whole number of 0 or more.');
  return n;
}

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
