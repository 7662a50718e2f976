import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');

describe('cdk CLI', () => {
  it('synthesizes the stack offline with no AWS credentials (cdk.json app entry)', () => {
    const env = { ...process.env };
    for (const name of Object.keys(env)) if (name.startsWith('AWS_')) delete env[name];
    const result = spawnSync('npx', ['cdk', 'synth', '--quiet', '--output', 'cdk.out/cli-test'], {
      cwd: ROOT,
      env: { ...env, CDK_DISABLE_VERSION_CHECK: 'true' },
      encoding: 'utf8',
      timeout: 120_000,
    });
    expect(result.stderr).not.toMatch(/Error/);
    expect(result.status).toBe(0);
  }, 150_000);
});
