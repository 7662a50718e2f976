import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { type ENV, optionalEnv, requireEnv, type SECRET_VALUE_ENV } from '../config';
import { ConfigError } from '../errors';
import { tracer } from '../observability';

/**
 * How long a secret value read from Secrets Manager is reused before it is read
 * again: a rotated value (`put-secret-value`) is picked up within this time,
 * without a redeploy. Five minutes keeps GetSecretValue calls to a handful per
 * hour per execution environment.
 */
export const SECRET_MAX_AGE_SECONDS = 300;

/**
 * Powertools Parameters caches only values it obtained: a failed GetSecretValue is
 * never kept, so one transient failure costs one request, not the environment.
 */
const provider = new SecretsProvider({ awsSdkV3Client: tracer.captureAWSv3Client(new SecretsManagerClient({})) });

type SecretValueEnv = (typeof SECRET_VALUE_ENV)[keyof typeof SECRET_VALUE_ENV];
type SecretArnEnv = (typeof ENV)[keyof typeof ENV];

/**
 * A secret's current text. In AWS the function gets the secret's ARN in `arnEnv`
 * and reads Secrets Manager (reused for {@link SECRET_MAX_AGE_SECONDS}); the local
 * stack and tests give the value itself in `valueEnv`. Missing both is a
 * deployment bug and fails loudly.
 */
export async function secret(valueEnv: SecretValueEnv, arnEnv: SecretArnEnv): Promise<string> {
  const direct = optionalEnv(valueEnv);
  if (direct !== undefined) return direct;
  const value = await provider.get(requireEnv(arnEnv), { maxAge: SECRET_MAX_AGE_SECONDS });
  if (typeof value !== 'string' || value === '') throw new ConfigError(`Secret ${arnEnv} has no string value`);
  return value;
}

/**
 * A key derived from a secret (decoded, or a key pair), derived again only when
 * the secret's text changes (rotation). Nothing is memoised until a read
 * succeeds, so a failed read is retried by the next call — never a kept
 * rejected promise.
 */
export function derivedSecret<T>(valueEnv: SecretValueEnv, arnEnv: SecretArnEnv, derive: (text: string) => T): () => Promise<T> {
  let last: { text: string; value: T } | undefined;
  return async () => {
    const text = await secret(valueEnv, arnEnv);
    if (last?.text !== text) last = { text, value: derive(text) };
    return last.value;
  };
}
