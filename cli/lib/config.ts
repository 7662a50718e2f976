import { readLocalKeys } from '../../client/local-config';
import { CliError } from './errors';

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

/** True for an API on this machine (the local stack): only then are the local pipeline keys used. */
const isLoopback = (apiUrl: string) => ['127.0.0.1', 'localhost', '[::1]'].includes(new URL(apiUrl).hostname);

/**
 * The local stack's pipeline key (LOCAL_PIPELINE_* in .local-data/keys.json),
 * standing in for the IAM credentials of the build pipeline — used only for an API
 * on this machine and only when that file exists; otherwise the AWS SDK's default
 * chain applies (AWS_PROFILE / --profile, environment, SSO, instance role).
 */
export function localPipelineCredentials(apiUrl: string): { accessKeyId: string; secretAccessKey: string } | undefined {
  const keys = isLoopback(apiUrl) ? readLocalKeys() : undefined;
  const accessKeyId = keys?.LOCAL_PIPELINE_ACCESS_KEY_ID;
  const secretAccessKey = keys?.LOCAL_PIPELINE_SECRET_ACCESS_KEY;
  return typeof accessKeyId === 'string' && typeof secretAccessKey === 'string' ? { accessKeyId, secretAccessKey } : undefined;
}
