/**
 * Where the CLIs and the demo find their settings when no flag gives them:
 * environment variables, then the files the local stack writes (`npm start`:
 * `.local-data/demo-credentials.json`, `.local-data/keys.json`), and the state
 * folder the simulated desktop and devices keep (default `~/.mophas`).
 */
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { MophasClientError } from './http';

const ROOT = resolve(import.meta.dirname, '..');

/** The local stack's data folder (same rule as local/start.ts). */
export const localDataDir = () => process.env.LOCAL_DATA_DIR ?? join(ROOT, '.local-data');

/** What `npm start` writes to `.local-data/demo-credentials.json` (local/seed.ts DemoCredentials). */
export interface LocalDemoCredentials {
  customerId: string;
  desktopCredential: string;
  licenceCode: string;
  admin: { username: string; password: string; mustChangePassword: boolean };
  devices: { serial: string; operator: string; pushToken?: string }[];
}

/** The demo credentials of the local stack, when that file exists. */
export function readDemoCredentials(): LocalDemoCredentials | undefined {
  const file = join(localDataDir(), 'demo-credentials.json');
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as LocalDemoCredentials;
  } catch {
    throw new MophasClientError(`${file} is not valid JSON: delete the .local-data folder and run npm start again`, 'BAD_LOCAL_DATA');
  }
}

/** The secrets `npm start` generated (`.local-data/keys.json`: pipeline key, demo passwords), when that file exists. */
export function readLocalKeys(): Record<string, string> | undefined {
  const file = join(localDataDir(), 'keys.json');
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>;
  } catch {
    throw new MophasClientError(`${file} is not valid JSON: delete the .local-data folder and run npm start again`, 'BAD_LOCAL_DATA');
  }
}

/** Base folder of the simulated clients' state: --state-dir, else MOPHAS_STATE_DIR, else ~/.mophas. */
export const stateBaseDir = (option?: string) => option ?? process.env.MOPHAS_STATE_DIR ?? join(homedir(), '.mophas');

/** `127.0.0.1_3000`: a file-name-safe tag of an API URL, so states of different stacks never mix. */
export function apiTag(apiUrl: string): string {
  const url = new URL(apiUrl);
  return `${url.hostname}_${url.port || (url.protocol === 'https:' ? '443' : '80')}${url.pathname.replace(/\/+$/, '').replace(/[^A-Za-z0-9]+/g, '_')}`;
}

/** The desktop installation credential: flag, else MOPHAS_DESKTOP_CREDENTIAL, else the local demo customer's. */
export function resolveDesktopCredential(option: string | undefined): { credential: string; fromDemo: boolean } {
  const explicit = option ?? process.env.MOPHAS_DESKTOP_CREDENTIAL;
  if (explicit) return { credential: explicit, fromDemo: false };
  const demo = readDemoCredentials();
  if (demo) return { credential: demo.desktopCredential, fromDemo: true };
  throw new MophasClientError(
    'no desktop credential: pass --credential dsk_… or set MOPHAS_DESKTOP_CREDENTIAL (the local stack writes the demo one to .local-data/demo-credentials.json)',
    'NO_CREDENTIAL',
  );
}

/** This installation's customer: flag, else MOPHAS_CUSTOMER_ID, else the demo customer when the demo credential is used. */
export function resolveCustomerId(option: string | undefined, credentialFromDemo: boolean): string | undefined {
  return option ?? process.env.MOPHAS_CUSTOMER_ID ?? (credentialFromDemo ? readDemoCredentials()?.customerId : undefined);
}

/** The local SNS endpoint (simulated FCM): flag, else AWS_ENDPOINT_URL_SNS, else http://127.0.0.1:$SNS_PORT (4575). */
export const resolveSnsUrl = (option?: string) =>
  option ?? process.env.AWS_ENDPOINT_URL_SNS ?? `http://127.0.0.1:${process.env.SNS_PORT ?? '4575'}`;

/** The id part of a credential (`dsk_<id>.<secret>` → `<id>`), safe to show and to use in file names. */
export function credentialId(credential: string): string {
  const match = /^[a-z]{3}_([A-Za-z0-9_-]+)\./.exec(credential);
  if (!match) throw new MophasClientError('the credential is not in the form dsk_<id>.<secret>: copy it again', 'BAD_CREDENTIAL');
  return match[1]!;
}
