import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { requireEnv } from '../config';

const client = new SecretsManagerClient({});
const cache = new Map<string, Promise<string>>();

/**
 * A secret, read once per execution environment. In AWS the function gets the
 * secret's ARN in `<NAME>_SECRET_ARN` (or `<NAME>_ARN`) and reads Secrets
 * Manager; the local stack and tests give the value itself in `<NAME>`.
 * Missing both is a deployment bug and fails loudly.
 */
export function secret(name: string, arnEnv: string): Promise<string> {
  let value = cache.get(name);
  if (!value) {
    const direct = process.env[name];
    value =
      direct !== undefined && direct !== ''
        ? Promise.resolve(direct)
        : client.send(new GetSecretValueCommand({ SecretId: requireEnv(arnEnv) })).then((r) => {
            if (!r.SecretString) throw new Error(`Secret ${arnEnv} has no string value`);
            return r.SecretString;
          });
    value.catch(() => cache.delete(name));
    cache.set(name, value);
  }
  return value;
}
