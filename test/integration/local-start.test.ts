import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SupportSession } from '../../client/sign-in';
import { SupportClient } from '../../client/support';
import { freePort } from '../../local/stack';

const ROOT = resolve(import.meta.dirname, '../..');
const dataDir = mkdtempSync(join(tmpdir(), 'mophas-start-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

interface Started {
  child: ChildProcess;
  output: () => string;
}

/** Runs `local/start.ts` (what `npm start` runs) and waits for its banner. */
async function start(env: Record<string, string>): Promise<Started> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'local/start.ts'], {
    cwd: ROOT,
    env: { ...process.env, ...env, LOCAL_DATA_DIR: dataDir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  await new Promise<void>((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`no banner within 120 s (a loaded machine):\n${out}`)), 120_000);
    const check = () => {
      if (out.includes('Press Ctrl-C to stop.')) {
        clearTimeout(timer);
        ok();
      }
    };
    child.stdout!.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      fail(new Error(`exited with ${code}:\n${out}`));
    });
  });
  return { child, output: () => out };
}

function interrupt(s: Started): Promise<number | null> {
  return new Promise((ok) => {
    s.child.removeAllListeners('exit');
    s.child.once('exit', (code) => ok(code));
    s.child.kill('SIGINT');
  });
}

describe('npm start (local/start.ts)', () => {
  it('serves health with demo data, stops on Ctrl-C, and keeps its data across a restart', async () => {
    const env = {
      PORT: String(await freePort()),
      DYNAMODB_PORT: String(await freePort()),
      S3_PORT: String(await freePort()),
      SNS_PORT: String(await freePort()),
      CDN_PORT: String(await freePort()),
      SQS_PORT: String(await freePort()),
      COGNITO_PORT: String(await freePort()),
    };
    const first = await start(env);
    const credential = /Desktop credential\s+(\S+)/.exec(first.output())?.[1];
    expect(credential).toMatch(/^dsk_/);
    expect(first.output()).toContain('ammin / ammin');
    const health = await (await fetch(`http://127.0.0.1:${env.PORT}/v1/health`)).json();
    expect(health).toMatchObject({ status: 'ok', catalogVersion: 4 });
    // The banner's demo staff member and agent sign in for real (cognito-local); the agent acts for the demo customer.
    const person = (role: 'Staff' | 'Agent', output: string) => {
      const m = new RegExp(`^\\s+${role}\\s+(\\S+) / (\\S+)`, 'm').exec(output);
      expect(m, `${role} line in the banner`).not.toBeNull();
      return { username: m![1]!, password: m![2]! };
    };
    const api = `http://127.0.0.1:${env.PORT}`;
    const signedIn = async (p: { username: string; password: string }) => {
      const session = new SupportSession({ apiUrl: api });
      await session.login(p.username, p.password);
      return new SupportClient({ apiUrl: api, session }).me();
    };
    const staff = person('Staff', first.output());
    expect(await signedIn(staff)).toMatchObject({ role: 'staff', customers: 'all' });
    expect(await signedIn(person('Agent', first.output()))).toMatchObject({ role: 'agent', customers: ['demo'] });
    expect(first.output()).not.toMatch(/Authorization: Support/);
    // The demo customer was onboarded through the API: support sees it, its licence and its authorised tablets.
    const staffSession = new SupportSession({ apiUrl: api });
    await staffSession.login(staff.username, staff.password);
    const asSupport = async (path: string) =>
      (await fetch(`${api}/v1/support/customers/demo${path}`, { headers: await staffSession.authenticate() })).json();
    expect(await asSupport('')).toMatchObject({
      customerId: 'demo',
      licenceCode: 'LIC-DEMO-0001',
      desktopVersion: '03.01.00_030',
      createdBy: staff.username,
    });
    const tablets = (await asSupport('/devices')) as { devices: { enabled: boolean; registered: boolean }[] };
    expect(tablets.devices).toHaveLength(5);
    expect(tablets.devices.every((t) => t.enabled && !t.registered)).toBe(true);
    const audit = (await asSupport('/audit')) as { entries: { action: string }[] };
    expect(audit.entries.map((e) => e.action)).toEqual(
      expect.arrayContaining(['customer.created', 'workstation.issued', 'licence.issued', 'device.authorised']),
    );
    // The update window is served beside the API, with its security headers.
    const window = await fetch(`http://127.0.0.1:${env.PORT}/desktop/`);
    expect(window.status).toBe(200);
    expect(window.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(await window.text()).toContain('<script type="module" src="./app.js">');
    expect((await fetch(`http://127.0.0.1:${env.PORT}/desktop/app.js`)).headers.get('content-type')).toMatch(/^text\/javascript/);
    expect(first.output()).toContain(`http://127.0.0.1:${env.PORT}/desktop/`);
    expect(await interrupt(first)).toBe(0);
    expect(first.output()).toContain('Stopped.');

    // The port is in use → one-line error, non-zero exit.
    const blocker = await start(env);
    const second = spawn(process.execPath, ['--import', 'tsx', 'local/start.ts'], {
      cwd: ROOT,
      env: { ...process.env, ...env, LOCAL_DATA_DIR: dataDir },
    });
    let err = '';
    second.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const code = await new Promise((ok) => second.once('exit', ok));
    expect(code).toBe(1);
    expect(err.trim().split('\n').at(-1)).toMatch(/^Cannot start: Port \d+ \(api\) is already in use/);

    // The restarted stack still has the first run's data and did not seed twice.
    expect(/Desktop credential\s+(\S+)/.exec(blocker.output())?.[1]).toBe(credential);
    const catalog = (await (await fetch(`http://127.0.0.1:${env.PORT}/v1/catalog`)).json()) as {
      catalogVersion: number;
      releases: { version: string }[];
    };
    expect(catalog.catalogVersion).toBe(4);
    expect(catalog.releases.map((r: { version: string }) => r.version)).toEqual([
      '03.00.00_020',
      '03.01.00_030',
      '03.01.00_032',
      '03.02.00_040',
    ]);
    // The pool survived the restart: the same person signs in with the same password.
    expect(person('Staff', blocker.output())).toEqual(staff);
    expect(await signedIn(staff)).toMatchObject({ role: 'staff' });
    expect(await interrupt(blocker)).toBe(0);
  }, 300_000);
});
