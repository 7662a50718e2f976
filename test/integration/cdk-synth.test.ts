import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../infra/constructs/service-function';

// The real `cdk synth`, bundling every function with esbuild: what `cdk deploy` runs first.
// Kept out of the fast tier (it takes ~20 s); the template's properties are asserted in test/infra.
describe('cdk CLI', () => {
  it('synthesizes the stack offline with no AWS credentials (cdk.json app entry)', () => {
    const env = { ...process.env };
    for (const name of Object.keys(env)) if (name.startsWith('AWS_')) delete env[name];
    const result = spawnSync('npx', ['cdk', 'synth', '--quiet', '--output', 'cdk.out/cli-test'], {
      cwd: PROJECT_ROOT,
      env: { ...env, CDK_DISABLE_VERSION_CHECK: 'true' },
      encoding: 'utf8',
      // Generous: on a loaded 2-core machine bundling every function takes minutes.
      timeout: 240_000,
    });
    if (result.status !== 0) console.error(result.stdout, result.stderr);
    expect(result.status).toBe(0);
    expect(result.stderr).not.toMatch(/Error/);

    // Every function bundle the template deploys carries the environment credential
    // provider only (infra/bundling.ts alias), not the default chain's STS/SSO clients.
    const out = join(PROJECT_ROOT, 'cdk.out/cli-test');
    const template = readdirSync(out).find((f) => f.endsWith('.template.json'))!;
    const assets = [...new Set(readFileSync(join(out, template), 'utf8').match(/[a-f0-9]{64}(?=\.zip)/g))];
    const bundles = assets.map((hash) => join(out, `asset.${hash}`, 'index.mjs')).filter((file) => existsSync(file));
    expect(bundles.length).toBeGreaterThanOrEqual(10);
    for (const file of bundles) {
      const code = readFileSync(file, 'utf8');
      expect(code, file).toContain('AWS_SECRET_ACCESS_KEY');
      expect(code, file).not.toContain('AssumeRoleWithWebIdentity');
    }
  }, 270_000);
});
