import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_PEOPLE } from '../../../local/stack';
import { requireEnv } from '../../../shared/config';
import { TestApi } from '../../fixtures/api';
import { newSerial } from '../../fixtures/tenant';

const ROOT = resolve(import.meta.dirname, '../../..');
let api: TestApi;
let dir: string;

beforeAll(async () => {
  api = await TestApi.start();
  dir = mkdtempSync(join(tmpdir(), 'mophas-onboarding-cli-'));
});
afterAll(async () => {
  await api.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Runs a CLI as a user would (`node --import tsx cli/<name>.ts …`), with no local stack files to fall back on. */
function run(
  cli: 'desktop' | 'support',
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

describe('onboarding from the command lines (mophas-support, mophas-desktop)', () => {
  it('onboards a customer with mophas-support; its admin manages the tablets with mophas-desktop', async () => {
    const supportArgs = ['--api', api.gateway.url];
    // Support signs in first, as a person at Alturas does (the staff user pool; tokens kept in the state folder).
    const login = await run('support', ['login', '--user', LOCAL_PEOPLE.staff.username, ...supportArgs], {
      MOPHAS_SUPPORT_PASSWORD: requireEnv(LOCAL_PEOPLE.staff.passwordEnv),
    });
    expect(login.code, login.stderr).toBe(0);
    const customerId = `cli-${Date.now().toString(36)}`;

    const created = await run('support', [
      'customers',
      'add',
      '--customer',
      customerId,
      '--name',
      'Bar Sport',
      '--desktop-version',
      '03.01.00_030',
      ...supportArgs,
    ]);
    expect(created.stderr).toBe('');
    expect(created.code).toBe(0);
    expect(created.stdout).toContain(`Cliente ${customerId} creato`);
    expect(created.stdout).toContain(`Customer ${customerId} created`);
    expect(created.stdout).toContain('ammin / ammin');

    const server = await run('support', [
      'workstations',
      'issue',
      '--customer',
      customerId,
      '--server',
      '--label',
      'SERVER',
      '--json',
      ...supportArgs,
    ]);
    expect(server.code).toBe(0);
    const credential = JSON.parse(server.stdout).credential as string;
    expect(credential).toMatch(/^dsk_/);
    const neither = await run('support', ['workstations', 'issue', '--customer', customerId, '--label', 'X', ...supportArgs]);
    expect(neither.code).toBe(1);
    expect(neither.stderr).toMatch(/--server or --client/);

    const licence = await run('support', ['licences', 'issue', '--customer', customerId, ...supportArgs]);
    expect(licence.code).toBe(0);
    expect(licence.stdout).toMatch(/Licenza di .*: LIC-/);
    const again = await run('support', ['licences', 'issue', '--customer', customerId, ...supportArgs]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/already has a live licence.*\(LICENCE_EXISTS, HTTP 409\)/);

    // The customer's admin: first login on the SERVER, then Gestione Autorizzazioni Tablet.
    const desktopArgs = ['--api', api.gateway.url, '--credential', credential, '--customer', customerId];
    expect((await run('desktop', ['login', ...desktopArgs])).code).toBe(0);
    expect((await run('desktop', ['password', '--current', 'ammin', '--new', 'bar-sport-admin-1', ...desktopArgs])).code).toBe(0);
    const serial = newSerial();
    const added = await run('desktop', [
      'tablet-aggiungi',
      '--serial',
      serial,
      '--modello',
      'Zebra TC52',
      '--operatore',
      'OP01',
      '--nome',
      'Giulia',
      '--cognome',
      'Neri',
      '--telefono',
      '+39 333 100 0004',
      ...desktopArgs,
    ]);
    expect(added.stderr).toBe('');
    expect(added.stdout).toContain(`Tablet ${serial} autorizzato`);
    const listed = await run('desktop', ['tablet-elenco', ...desktopArgs]);
    expect(listed.stdout).toContain('Gestione Autorizzazioni Tablet');
    expect(listed.stdout).toMatch(new RegExp(`${serial}\\s+Zebra TC52\\s+OP01 Giulia Neri`));

    const supportList = await run('support', ['tablets', 'list', '--customer', customerId, '--json', ...supportArgs]);
    expect(JSON.parse(supportList.stdout)).toEqual([expect.objectContaining({ serial, enabled: true, registered: false })]);
    const disabled = await run('support', ['tablets', 'disable', serial, '--customer', customerId, '--yes', ...supportArgs]);
    expect(disabled.stdout).toContain(`Tablet ${serial} disabilitato`);
  }, 240_000);
});
