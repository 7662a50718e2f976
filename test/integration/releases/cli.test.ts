import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../../local/stack';
import { requireEnv, SECRET_VALUE_ENV } from '../../../shared/config';
import { TestApi } from '../../fixtures/api';
import { staffAuth } from '../../fixtures/sign-in';
import { MiB, bytesOf, readObject, sha256, uniqueVersion } from './helpers';

const ROOT = resolve(import.meta.dirname, '../../..');
let api: TestApi;
let dir: string;

beforeAll(async () => {
  api = await TestApi.start();
  dir = mkdtempSync(join(tmpdir(), 'mophas-cli-'));
});
afterAll(async () => {
  await api.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The build pipeline's AWS credentials, as a CI job has them: the standard environment variables. */
const pipelineEnv = () => ({
  AWS_ACCESS_KEY_ID: requireEnv(SECRET_VALUE_ENV.localPipelineAccessKeyId),
  AWS_SECRET_ACCESS_KEY: requireEnv(SECRET_VALUE_ENV.localPipelineSecretAccessKey),
});

/**
 * Runs the CLI as a user would (`node --import tsx cli/support.ts …`), with the
 * pipeline's credentials in the environment (the AWS SDK's default chain finds
 * them; no local key file). Async spawn: the gateway it talks to runs in this
 * test process.
 */
function cli(
  args: string[],
  env: Record<string, string | undefined> = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((ok, fail) => {
    const { MOPHAS_API_URL: _a, AWS_PROFILE: _p, ...inherited } = process.env;
    const child = spawn(process.execPath, ['--import', 'tsx', 'cli/support.ts', ...args], {
      cwd: ROOT,
      env: { ...inherited, LOCAL_DATA_DIR: join(dir, 'no-local-data'), ...pipelineEnv(), ...env },
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

const file = (name: string, bytes: Buffer) => {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
};
const publishArgs = (version: string, desktop: string, mobile: string, ...extra: string[]) => [
  'publish-release',
  version,
  '--desktop',
  desktop,
  '--mobile',
  mobile,
  '--notes-url',
  `https://wiki.alturas.it/mophas-fix/${version}`,
  '--api',
  api.gateway.url,
  ...extra,
];
/** The only lines on stderr are the error; never a stack trace. */
const oneLineError = (stderr: string) => {
  const lines = stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^error: /);
  expect(stderr).not.toMatch(/\n\s+at /);
  return lines[0]!;
};

describe('mophas-support publish-release (CLI)', () => {
  it('uploads a multipart desktop package and a small mobile package, publishes, and prints --json', async () => {
    const version = uniqueVersion();
    const desktopBytes = bytesOf(20 * MiB + 7);
    const mobileBytes = bytesOf(150 * 1024);
    const run = await cli(
      publishArgs(version, file('mophas-setup.exe', desktopBytes), file('mophas.apk', mobileBytes), '--requires-code', '--json'),
    );
    expect(run.stderr).not.toMatch(/^error/m);
    expect(run.code).toBe(0);

    const result = JSON.parse(run.stdout);
    expect(result).toMatchObject({
      version,
      requiresConfirmationCode: true,
      catalogVersion: expect.any(Number),
      desktop: { size: desktopBytes.length, sha256: sha256(desktopBytes) },
      mobile: { size: mobileBytes.length, sha256: sha256(mobileBytes) },
    });
    // Not a terminal here: progress is plain lines on stderr, ending at 100%.
    expect(run.stderr).toMatch(/uploading desktop mophas-setup\.exe \(20\.0 MiB, 3 parts of 8\.0 MiB\)/);
    expect(run.stderr).toMatch(/^upload desktop: 100% \(20\.0 MiB of 20\.0 MiB\)$/m);
    expect(run.stderr).toMatch(/^upload mobile: 100%/m);

    const listing = await api.call('GET', '/v1/support/releases', { auth: await staffAuth() });
    const release = listing.body.releases.find((r: { version: string }) => r.version === version);
    expect(sha256(await readObject(release.desktop.key))).toBe(sha256(desktopBytes));
    expect((await readObject(release.mobile.key)).equals(mobileBytes)).toBe(true);
  });

  it('prints a readable summary without --json, taking the API from the environment', async () => {
    const version = uniqueVersion();
    const args = publishArgs(version, file('d.exe', bytesOf(4096)), file('m.apk', bytesOf(2048))).filter(
      (a, i, all) => a !== '--api' && all[i - 1] !== '--api',
    );
    const run = await cli(args, { MOPHAS_API_URL: api.gateway.url });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`Published mOphas ${version} (catalog version `);
    expect(run.stdout).toMatch(/desktop {2}d\.exe +4\.0 KiB {2}sha256 [0-9a-f]{64}/);
    expect(run.stdout).toContain('confirmation code required: no');
  });

  it('fails with one line and a non-zero exit for a missing file, before calling the API', async () => {
    const run = await cli(publishArgs(uniqueVersion(), join(dir, 'nope.exe'), file('m2.apk', bytesOf(10))));
    expect(run.code).not.toBe(0);
    expect(oneLineError(run.stderr)).toBe(`error: desktop package ${join(dir, 'nope.exe')} does not exist: check the --desktop path.`);
    expect(run.stdout).toBe('');

    const usage = await cli(['publish-release', uniqueVersion(), '--mobile', 'm.apk']);
    expect(usage.code).toBe(1);
    expect(oneLineError(usage.stderr)).toBe("error: required option '--desktop <file>' not specified (see --help)");
  });

  it('fails with one line for a malformed version, a published version and credentials that do not sign right', async () => {
    const d = file('d3.exe', bytesOf(100));
    const m = file('m3.apk', bytesOf(100));
    const malformed = await cli(publishArgs('3.1', d, m));
    expect(malformed.code).toBe(1);
    expect(oneLineError(malformed.stderr)).toMatch(/^error: version: "3\.1" is not a version code/);

    const version = uniqueVersion();
    expect((await cli(publishArgs(version, d, m))).code).toBe(0);
    const again = await cli(publishArgs(version, d, m));
    expect(again.code).toBe(1);
    expect(
      oneLineError(
        again.stderr
          .split('\n')
          .filter((l) => l.startsWith('error'))
          .join('\n'),
      ),
    ).toMatch(new RegExp(`^error: Release ${version} is already published .* It was published at .*\\(RELEASE_EXISTS, HTTP 409\\)$`));

    const wrongKey = await cli(publishArgs(uniqueVersion(), d, m), { AWS_SECRET_ACCESS_KEY: 'not-the-secret' });
    expect(wrongKey.code).toBe(1);
    expect(
      oneLineError(
        wrongKey.stderr
          .split('\n')
          .filter((l) => l.startsWith('error'))
          .join('\n'),
      ),
    ).toMatch(/refused the request signature or identity.*\(FORBIDDEN, HTTP 403\)$/);
  });

  it('says what to do when the API cannot be reached, and shows the stack only with --debug', async () => {
    const d = file('d4.exe', bytesOf(100));
    const m = file('m4.apk', bytesOf(100));
    const nobody = `http://127.0.0.1:${await freePort()}`;
    const args = publishArgs(uniqueVersion(), d, m).map((a) => (a === api.gateway.url ? nobody : a));
    const run = await cli(args);
    expect(run.code).toBe(1);
    expect(run.stderr.split('\n').filter((l) => l.startsWith('error'))).toEqual([
      `error: cannot reach the API at ${nobody} (ECONNREFUSED): start the local stack (npm start) or pass --api / set MOPHAS_API_URL.`,
    ]);
    expect(run.stderr).not.toMatch(/\n\s+at /);
    const debug = await cli([...args, '--debug']);
    expect(debug.stderr).toMatch(/\n\s+at /);
  });
});
