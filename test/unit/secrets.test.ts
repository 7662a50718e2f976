import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { feedKeyPair, packageUrl } from '../../functions/version-feed/signing';
import { SECRET_MAX_AGE_SECONDS } from '../../shared/aws/secrets';
import { ENV, SECRET_VALUE_ENV } from '../../shared/config';
import { feedKeyPairFromSecret } from '../../shared/feed/signed-answer';

/*
 * Secrets in AWS: read from Secrets Manager through Powertools Parameters (the
 * functions get only the ARN). A failed read must never be kept, and a rotated
 * value must be picked up without a redeploy.
 */

const secretsManager = mockClient(SecretsManagerClient);
// The unit tier shares one module registry per worker: later files get the real client back.
afterAll(() => secretsManager.restore());

const FEED_SECRET = 'feed-signing-secret-0123456789-abcdefghijklmn';
const ROTATED_FEED_SECRET = 'feed-signing-secret-rotated-0123456789-abcdef';
const URL_KEY = Buffer.alloc(33, 7).toString('base64url');

let arnCounter = 0;
/** A fresh secret ARN per test: the provider's cache is per execution environment, like in Lambda. */
const useFreshArns = () => {
  arnCounter++;
  vi.stubEnv(ENV.feedSigningKeySecretArn, `arn:aws:secretsmanager:eu-south-1:123456789012:secret:feed-${arnCounter}`);
  vi.stubEnv(ENV.urlSigningKeySecretArn, `arn:aws:secretsmanager:eu-south-1:123456789012:secret:url-${arnCounter}`);
};
const reads = () => secretsManager.commandCalls(GetSecretValueCommand);
const throttled = () => Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });

beforeEach(() => {
  secretsManager.reset();
  // The ARN path: no value given directly, as in Lambda.
  vi.stubEnv(SECRET_VALUE_ENV.feedSigningSecret, '');
  vi.stubEnv(SECRET_VALUE_ENV.urlSigningKey, '');
  vi.stubEnv(ENV.packageBaseUrl, 'https://cdn.example.test');
  useFreshArns();
});
afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllEnvs();
});

describe('secrets read from Secrets Manager', () => {
  it('signs again after one failed GetSecretValue at cold start: the failure is not kept', async () => {
    secretsManager.on(GetSecretValueCommand).rejectsOnce(throttled()).resolves({ SecretString: FEED_SECRET });

    await expect(feedKeyPair()).rejects.toThrow('Rate exceeded');
    const keys = await feedKeyPair();

    expect(keys.keyId).toBe(feedKeyPairFromSecret(FEED_SECRET).keyId);
    expect(reads()).toHaveLength(2);
    expect(reads()[1]!.args[0].input).toEqual({ SecretId: process.env[ENV.feedSigningKeySecretArn] });
  });

  it('signs package URLs again after one failed read of the URL signing key', async () => {
    secretsManager.on(GetSecretValueCommand).rejectsOnce(throttled()).resolves({ SecretString: URL_KEY });

    await expect(packageUrl('packages/60.00.00_001/desktop.exe', 1_000)).rejects.toThrow();
    const signed = await packageUrl('packages/60.00.00_001/desktop.exe', 1_000);

    expect(signed.url).toMatch(/^https:\/\/cdn\.example\.test\/packages\/60\.00\.00_001\/desktop\.exe\?exp=\d+&sig=[A-Za-z0-9_-]{43}$/);
  });

  it('reads the secret once per max age, then picks up a rotated value without a redeploy', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    secretsManager.on(GetSecretValueCommand).resolves({ SecretString: FEED_SECRET });

    const first = await feedKeyPair();
    expect((await feedKeyPair()).keyId).toBe(first.keyId);
    expect(reads()).toHaveLength(1);

    secretsManager.on(GetSecretValueCommand).resolves({ SecretString: ROTATED_FEED_SECRET });
    vi.advanceTimersByTime((SECRET_MAX_AGE_SECONDS - 1) * 1000);
    expect((await feedKeyPair()).keyId).toBe(first.keyId);

    vi.advanceTimersByTime(2 * 1000);
    const rotated = await feedKeyPair();
    expect(rotated.keyId).toBe(feedKeyPairFromSecret(ROTATED_FEED_SECRET).keyId);
    expect(rotated.keyId).not.toBe(first.keyId);
    expect(reads()).toHaveLength(2);
  });

  it('uses the value given directly (local stack, tests) and never calls Secrets Manager', async () => {
    vi.stubEnv(SECRET_VALUE_ENV.feedSigningSecret, FEED_SECRET);

    expect((await feedKeyPair()).keyId).toBe(feedKeyPairFromSecret(FEED_SECRET).keyId);
    expect(reads()).toHaveLength(0);
  });

  it('fails loudly when neither the value nor the secret ARN is configured', async () => {
    vi.stubEnv(ENV.feedSigningKeySecretArn, '');
    await expect(feedKeyPair()).rejects.toThrow(ENV.feedSigningKeySecretArn);
  });
});
