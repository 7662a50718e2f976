import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { LOCAL_PEOPLE } from '../../../local/stack';
import { requireEnv } from '../../../shared/config';
import { TestApi } from '../../fixtures/api';
import { ensureRelease } from '../../fixtures/session';
import { createTenant } from '../../fixtures/tenant';
import { pilotPlan } from './helpers';

// This file owns 88.xx of the shared catalog.
vi.setConfig({ testTimeout: 120_000 });

const ROOT = resolve(import.meta.dirname, '../../..');
let api: TestApi;
let dir: string;

beforeAll(async () => {
  api = await TestApi.start();
  dir = mkdtempSync(join(tmpdir(), 'mophas-rollout-cli-'));
  // Rollouts are staff-only: sign in once, as a person does; the tokens stay in the state folder.
  const login = await support(['login', '--user', LOCAL_PEOPLE.staff.username], {
    MOPHAS_SUPPORT_PASSWORD: requireEnv(LOCAL_PEOPLE.staff.passwordEnv),
  });
  if (login.code !== 0) throw new Error(`login failed: ${login.stderr}`);
});
afterAll(async () => {
  await api.close();
  rmSync(dir, { recursive: true, force: true });
});

/** `mophas-support …` as a person runs it, against this process's gateway. */
function support(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((ok, fail) => {
    const { MOPHAS_SUPPORT_PASSWORD: _p, ...inherited } = process.env;
    const child = spawn(process.execPath, ['--import', 'tsx', 'cli/support.ts', ...args, '--api', api.gateway.url], {
      cwd: ROOT,
      env: { ...inherited, NO_COLOR: '1', LOCAL_DATA_DIR: join(dir, 'none'), MOPHAS_STATE_DIR: join(dir, 'state'), ...env },
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

describe('mophas-support rollout commands', () => {
  const R = '88.00.00_002';

  it('sets a plan from a file, shows the per-wave progress in Italian and English, pauses and withdraws', async () => {
    await ensureRelease(R);
    const pilot = await createTenant({ desktopVersion: '88.00.00_001' });
    const planFile = join(dir, 'plan.json');
    writeFileSync(planFile, JSON.stringify(pilotPlan([pilot.customerId])));

    const set = await support(['rollout-plan', R, '--file', planFile]);
    expect(set.stderr).toBe('');
    expect(set.code).toBe(0);
    expect(set.stdout).toContain(`Release ${R} — in corso / running (revision 1)`);

    const shown = await support(['rollout', R]);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(/Ondata\/Wave\s+Chi\/Who\s+Aperta\/Open\s+Clienti\/Customers/);
    expect(shown.stdout).toMatch(/0\s+pilota\/pilot\s+sì\/yes\s+1\s+0/);
    expect(shown.stdout).toMatch(/1\s+100%\s+no/);

    // A stale revision: someone else changed it (here: this very plan) — one line, the hint, exit 1.
    const stale = await support(['rollout-pause', R, '--revision', '0']);
    expect(stale.code).toBe(1);
    expect(stale.stderr).toMatch(/^error: .*ROLLOUT_CONFLICT/);
    expect(stale.stderr).toContain('look at it again');

    expect((await support(['rollout-pause', R])).stdout).toContain('in pausa / paused');
    const withdrawn = await support(['withdraw', R, '--reason', 'bad installer']);
    expect(withdrawn.stdout).toContain('ritirato / withdrawn');
    expect(withdrawn.stdout).toContain('bad installer');
    const json = await support(['rollout', R, '--json']);
    expect(JSON.parse(json.stdout)).toMatchObject({ phase: 'withdrawn', allowedActions: [] });
  });
});
