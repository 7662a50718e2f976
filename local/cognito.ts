/**
 * The local stand-in for Amazon Cognito: cognito-local (npm, dev only), run as
 * its own process. It answers the user-pool JSON API (CreateUserPool,
 * InitiateAuth, RespondToAuthChallenge, Admin*, …), signs RS256 tokens with the
 * issuer `http://127.0.0.1:<port>/<poolId>` and serves their keys at
 * `/<poolId>/.well-known/jwks.json`. Its state is a folder of JSON files
 * (`<dir>/.cognito/`), so users and pools survive a restart of `npm start`.
 *
 * Behaviour checked against the real service (and what differs):
 * - access tokens carry `client_id`, `username`, `scope`, `cognito:groups`, no
 *   `aud`; ID tokens carry `aud` — as in Cognito;
 * - the password policy is not enforced, passwords are stored in clear; the
 *   signing key is a public test key shipped in the package: local only;
 * - USER_PASSWORD_AUTH, REFRESH_TOKEN_AUTH, NEW_PASSWORD_REQUIRED and
 *   SOFTWARE_TOKEN_MFA (TOTP) work; SRP and the hosted OAuth pages do not.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

export interface LocalCognito {
  /** `http://127.0.0.1:<port>`: the endpoint and the issuer's base. */
  url: string;
  close(): Promise<void>;
}

/** Starts cognito-local on 127.0.0.1:port with its state under `dir`; resolves once it answers. */
export async function startLocalCognito(options: { port: number; dir: string; timeoutMs?: number }): Promise<LocalCognito> {
  const stateDir = join(options.dir, '.cognito');
  mkdirSync(stateDir, { recursive: true });
  // Plain user names (the default would demand e-mail addresses as user names), like the deployed pool.
  writeFileSync(join(stateDir, 'config.json'), JSON.stringify({ UserPoolDefaults: { UsernameAttributes: [] } }, null, 2));

  const bin = createRequire(import.meta.url).resolve('cognito-local/lib/bin/start.js');
  const log = openSync(join(options.dir, 'cognito-local.log'), 'a');
  const child: ChildProcess = spawn(process.execPath, [bin], {
    cwd: options.dir,
    // HOST also makes the issuer http://127.0.0.1:<port>/<poolId>.
    env: { ...process.env, PORT: String(options.port), HOST: '127.0.0.1', NODE_NO_WARNINGS: '1' },
    stdio: ['ignore', log, log],
  });
  closeSync(log);
  const url = `http://127.0.0.1:${options.port}`;
  const stop = () =>
    new Promise<void>((ok) => {
      if (child.exitCode !== null || child.signalCode !== null) return ok();
      child.once('exit', () => ok());
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 3000).unref();
    });

  const deadline = Date.now() + (options.timeoutMs ?? 20_000);
  for (;;) {
    if (child.exitCode !== null) {
      // The folder may be gone by the time someone reads the error (test runs clean up): quote the log's end.
      const tail = readFileSync(join(options.dir, 'cognito-local.log'), 'utf8').split('\n').slice(-15).join('\n');
      throw new Error(`cognito-local exited with code ${child.exitCode}:\n${tail}`);
    }
    try {
      const res = await fetch(`${url}/health`, { signal: AbortSignal.timeout(1000) });
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`cognito-local did not answer on ${url} in time: see ${join(options.dir, 'cognito-local.log')}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { url, close: stop };
}
