import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiTag } from '../../../client/local-config';
import { freePort, LOCAL_PEOPLE } from '../../../local/stack';
import { requireEnv } from '../../../shared/config';
import { TestApi } from '../../fixtures/api';
import { ensureRelease } from '../../fixtures/session';
import { createTenant, type Tenant } from '../../fixtures/tenant';

// The client tests own the 93.xx range of the shared test catalog (this file: 93.30.xx).
const FROM = '93.30.00_001';
const TO = '93.30.00_002';
const ROOT = resolve(import.meta.dirname, '../../..');

let api: TestApi;
let dir: string;
let tenant: Tenant;

beforeAll(async () => {
  api = await TestApi.start();
  dir = mkdtempSync(join(tmpdir(), 'mophas-client-cli-'));
  await ensureRelease(FROM);
  await ensureRelease(TO);
  tenant = await createTenant({ desktopVersion: FROM });
});
afterAll(async () => {
  await api.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Runs a CLI as a user would (`node --import tsx cli/<name>.ts …`), with no local stack files to fall back on. */
function run(
  cli: 'desktop' | 'device' | 'support',
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((ok, fail) => {
    const { MOPHAS_API_URL: _a, MOPHAS_SUPPORT_PASSWORD: _k, MOPHAS_DESKTOP_CREDENTIAL: _c, FORCE_COLOR: _f, ...inherited } = process.env;
    const child = spawn(process.execPath, ['--import', 'tsx', `cli/${cli}.ts`, ...args], {
      cwd: ROOT,
      env: { ...inherited, NO_COLOR: '1', LOCAL_DATA_DIR: join(dir, 'no-local-data'), MOPHAS_STATE_DIR: join(dir, 'state'), ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', fail);
    child.on('close', (code) => ok({ code, stdout, stderr }));
  });
}

const desktopArgs = () => ['--api', api.gateway.url, '--credential', tenant.desktopCredential, '--customer', tenant.customerId];

describe('mophas-desktop', () => {
  it('prints the blue notice and exits 0 when the feed cannot be reached', async () => {
    const port = await freePort();
    const r = await run('desktop', [
      'avvio',
      '--api',
      `http://127.0.0.1:${port}`,
      '--credential',
      'dsk_someid.secret',
      '--installed',
      FROM,
      '--feed-timeout',
      '2000',
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Avviso AZZURRO · feed-unreachable');
    expect(r.stdout).toContain('non sono raggiungibili');
  });

  it('checks, downloads and reports; the notice turns green; the grid needs a logged-in admin', async () => {
    const first = await run('desktop', ['avvio', ...desktopArgs(), '--installed', FROM, '--json']);
    expect(first.code).toBe(0);
    expect(JSON.parse(first.stdout)).toMatchObject({ ok: true, notice: { kind: 'download-in-progress' }, update: { version: TO } });

    const download = await run('desktop', ['scarica', ...desktopArgs(), '--json']);
    expect(download.code, download.stderr).toBe(0);
    expect(JSON.parse(download.stdout)).toMatchObject({ version: TO, resumedFrom: 0 });
    expect(download.stderr).toMatch(/download installer: 100%/);

    const green = await run('desktop', ['avvio', ...desktopArgs()]);
    expect(green.stdout).toContain('Avviso VERDE · update-ready');
    expect(green.stdout).toContain('[Gestione aggiornamento †]');

    const refused = await run('desktop', ['gestione', ...desktopArgs()]);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toBe('');
    expect(refused.stderr.trimEnd().split('\n')).toEqual([
      expect.stringMatching(/^error: nobody is logged in on this desktop: log in first/),
    ]);

    const login = await run('desktop', ['login', ...desktopArgs(), '--user', 'admin', '--password', tenant.users.admin!.password]);
    expect(login.code, login.stderr).toBe(0);
    const grid = await run('desktop', ['gestione', ...desktopArgs()]);
    expect(grid.code, grid.stderr).toBe(0);
    expect(grid.stdout).toMatch(/Gestione aggiornamento — nessuna sessione aperta/);

    // gestione --web: the one-time URL of the hosted window, which opens a session once.
    const web = await run('desktop', ['gestione', '--web', ...desktopArgs()]);
    expect(web.code, web.stderr).toBe(0);
    const url = new URL(web.stdout.trim());
    expect(`${url.origin}${url.pathname}`).toBe(`${api.gateway.url}/desktop/`);
    expect(web.stderr).toMatch(/within a minute; it works once/);
    const ticket = url.hash.slice('#ticket='.length);
    const exchange = () => api.call('POST', '/v1/desktop/window-session', { body: { ticket } });
    expect((await exchange()).status).toBe(200);
    expect((await exchange()).body.code).toBe('WINDOW_TICKET_USED');
    // Eight CLI processes, each starting tsx: ~18 s alone, over the default 30 s while the whole suite loads 2 cores.
  }, 120_000);

  it('prints one error line per API refusal, and the stack trace only with --debug', async () => {
    const args = [
      'login',
      '--api',
      api.gateway.url,
      '--credential',
      'dsk_unknownid.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
      '--user',
      'admin',
      '--password',
      'wrong-password-1',
    ];
    const plain = await run('desktop', args);
    expect(plain.code).toBe(1);
    expect(plain.stderr.trimEnd().split('\n')).toEqual([
      expect.stringMatching(/^error: Missing or invalid credentials\. Check --credential .*\(UNAUTHORIZED, HTTP 401\)$/),
    ]);
    const debug = await run('desktop', [...args, '--debug']);
    expect(debug.code).toBe(1);
    expect(debug.stderr).toMatch(/\n\s+at /);
  });
});

describe('mophas-device and mophas-support', () => {
  it('registers a simulated device, checks it in and shows a code 1', async () => {
    const licence = tenant.licenceCode;
    const serial = `35${String(Math.floor(Math.random() * 1e13)).padStart(13, '0')}`;
    const common = ['--serial', serial, '--api', api.gateway.url];
    // Only a tablet the office authorised registers: support (signed in, its own state folder) authorises this one first.
    const signedIn = { MOPHAS_STATE_DIR: join(dir, 'state-tablet') };
    const login = await run('support', ['login', '--user', LOCAL_PEOPLE.staff.username, '--api', api.gateway.url], {
      ...signedIn,
      MOPHAS_SUPPORT_PASSWORD: requireEnv(LOCAL_PEOPLE.staff.passwordEnv),
    });
    expect(login.code, login.stderr).toBe(0);
    const key = ['--api', api.gateway.url];
    const tablet = ['--customer', tenant.customerId, '--serial', serial, '--model', 'Zebra TC52', '--phone', '+39 333 100 0001'];
    const add = await run(
      'support',
      ['tablets', 'add', ...tablet, '--operator-code', 'OP07', '--name', 'Sara', '--surname', 'Conti', ...key],
      signedIn,
    );
    expect(add.code, add.stderr).toBe(0);
    const reg = await run('device', ['registra', ...common, '--licence', licence, '--installed', FROM, '--token', `fcm-cli-${serial}`]);
    expect(reg.code, reg.stderr).toBe(0);
    expect(reg.stdout).toMatch(/registrato \(nuovo\)/);
    const sync = await run('device', ['sincronizza', ...common, '--json']);
    expect(JSON.parse(sync.stdout)).toMatchObject({ command: { command: 'NONE' }, desktopVersion: FROM });
    const code1 = await run('device', ['blocco-manuale', 'codice1', ...common, '--json']);
    expect(JSON.parse(code1.stdout)).toMatchObject({ action: 'lock', code1: expect.stringMatching(/^1\d{4}-\d{5}-\d{5}$/) });
    const unknown = await run('device', ['sincronizza', '--serial', '350000000000001', '--api', api.gateway.url]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(unknown.stderr).toMatch(/^error: no device state in .*: register the device first/);
    // Five CLI processes (support, device): room for a loaded machine, like the desktop walk-through.
  }, 120_000);

  it('signs support in, keeps the tokens in a private state file, lists users, failed updates and the audit trail, and signs out', async () => {
    const at = ['--api', api.gateway.url];
    const before = await run('support', ['users', 'list', '--customer', tenant.customerId, ...at]);
    expect(before.code).toBe(1);
    expect(before.stderr).toBe('error: not signed in: sign in first (mophas-support login --user <name>)\n');

    const staff = LOCAL_PEOPLE.staff.username;
    const login = await run('support', ['login', '--user', staff, ...at], {
      MOPHAS_SUPPORT_PASSWORD: requireEnv(LOCAL_PEOPLE.staff.passwordEnv),
    });
    expect(login.code, login.stderr).toBe(0);
    expect(login.stdout).toMatch(new RegExp(`^Signed in as ${staff.replace('.', '\\.')} \\(staff\\)`));
    expect(statSync(join(dir, 'state', 'support', `${apiTag(api.gateway.url)}.json`)).mode & 0o777).toBe(0o600);

    const [users, failed, audit, whoami] = await Promise.all([
      run('support', ['users', 'list', '--customer', tenant.customerId, ...at]),
      run('support', ['failed-updates', '--json', ...at]),
      run('support', ['audit', '--customer', tenant.customerId, '--json', ...at]),
      run('support', ['whoami', ...at]),
    ]);
    expect(users.code, users.stderr).toBe(0);
    expect(users.stdout).toMatch(/^admin\s+admin\s+no/m);
    expect(failed.code, failed.stderr).toBe(0);
    expect(JSON.parse(failed.stdout)).toHaveProperty('items');
    expect(JSON.parse(audit.stdout).items.map((e: { action: string }) => e.action)).toContain('user.login');
    expect(whoami.stdout.trim()).toBe(`${staff}: staff`);

    const logout = await run('support', ['logout', ...at]);
    expect(logout.stdout.trim()).toBe('Signed out.');
    expect(() => statSync(join(dir, 'state', 'support', `${apiTag(api.gateway.url)}.json`))).toThrow();
    // Each command is its own process (several seconds each on a busy 2-core machine).
  }, 90_000);
});
