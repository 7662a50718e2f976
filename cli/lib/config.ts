import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CliError } from './errors';

const ROOT = resolve(import.meta.dirname, '..', '..');
/** Where `npm start` keeps its data (same rule as local/start.ts). */
const localDataDir = () => process.env.LOCAL_DATA_DIR ?? join(ROOT, '.local-data');

export const DEFAULT_API_URL = 'http://127.0.0.1:3000';

/** The API base URL: --api, else MOPHAS_API_URL, else the local stack's default. */
export function resolveApiUrl(option: string | undefined): string {
  const raw = option ?? process.env.MOPHAS_API_URL ?? DEFAULT_API_URL;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new CliError(`--api "${raw}" is not a URL: pass the API base URL, e.g. ${DEFAULT_API_URL}.`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new CliError(`--api "${raw}" must be an http(s) URL.`);
  return raw.replace(/\/+$/, '');
}

/**
 * The support credential: --support-key, else MOPHAS_SUPPORT_KEY, else the
 * local stack's LOCAL_SUPPORT_KEY from .local-data/keys.json when that file exists.
 */
export function resolveSupportKey(option: string | undefined): string {
  const key = option ?? process.env.MOPHAS_SUPPORT_KEY ?? localKey();
  if (!key) {
    throw new CliError(
      'no support key: pass --support-key <key> or set MOPHAS_SUPPORT_KEY (the local stack writes it to .local-data/keys.json as LOCAL_SUPPORT_KEY).',
    );
  }
  return key;
}

function localKey(): string | undefined {
  const file = join(localDataDir(), 'keys.json');
  if (!existsSync(file)) return undefined;
  try {
    const keys = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    return typeof keys.LOCAL_SUPPORT_KEY === 'string' ? keys.LOCAL_SUPPORT_KEY : undefined;
  } catch {
    throw new CliError(`${file} is not valid JSON: fix or delete it, or pass --support-key.`);
  }
}
