import { ConfigError } from './errors';

/**
 * Reads a required environment variable, throwing a ConfigError naming it when it
 * is missing or empty. Never fall back to a silent default for deployment settings.
 */
export function requireEnv(name: string): string {
  const value = process.env[name];
  if (value === undefined || value.trim() === '') {
    throw new ConfigError(`Missing required environment variable ${name}`);
  }
  return value;
}

/** Reads an optional environment variable; `undefined` when unset or empty. */
export function optionalEnv(name: string): string | undefined {
  const value = process.env[name];
  return value === undefined || value.trim() === '' ? undefined : value;
}

/** Memoises a zero-argument function: configuration is read once, on first use. */
export function once<T>(read: () => T): () => T {
  let cached: { value: T } | undefined;
  return () => (cached ??= { value: read() }).value;
}

/**
 * Environment variable names shared by the CDK stack (infra/) and the code that
 * reads them, so the two cannot drift.
 */
export const ENV = {
  tableName: 'TABLE_NAME',
  bucketName: 'BUCKET_NAME',
  platformApplicationArn: 'PLATFORM_APPLICATION_ARN',
  supportTopicArn: 'SUPPORT_TOPIC_ARN',
  /** Set only for the local stack (s3rver needs path-style addressing). */
  s3ForcePathStyle: 'S3_FORCE_PATH_STYLE',
  /** ARN of the Secrets Manager secret holding the feed signing key (PKG-2). */
  feedSigningKeySecretArn: 'FEED_SIGNING_KEY_SECRET_ARN',
  /** ARN of the Secrets Manager secret holding the confirmation-code master secret (CODE-4). */
  codeMasterSecretArn: 'CODE_MASTER_SECRET_ARN',
  /** ARN of the Secrets Manager secret holding the package URL signing key, base64url (PKG-1). */
  urlSigningKeySecretArn: 'URL_SIGNING_KEY_SECRET_ARN',
  /** ARN of the secret keying the session's two-step confirm tokens (separate from the code master secret). */
  confirmTokenSecretArn: 'CONFIRM_TOKEN_SECRET_ARN',
  /** Base URL packages are downloaded from: the CloudFront distribution (AWS) or the local CDN. */
  packageBaseUrl: 'PACKAGE_BASE_URL',
  /** URL of the SQS queue of device push jobs (shared/push/queue.ts, docs/push.md). */
  pushQueueUrl: 'PUSH_QUEUE_URL',
  /** How staff and agents sign in (JSON, shared/auth/sign-in.ts StaffSignInConfig): the user pool, its clients, its issuer. */
  staffSignIn: 'STAFF_SIGN_IN',
} as const;

/**
 * Variables holding secret values directly: set only by the local stack and the
 * tests. In AWS, the function reads the secret named by the matching *_ARN variable.
 */
export const SECRET_VALUE_ENV = {
  codeMasterSecret: 'CODE_MASTER_SECRET',
  feedSigningSecret: 'FEED_SIGNING_SECRET',
  urlSigningKey: 'URL_SIGNING_KEY',
  confirmTokenSecret: 'CONFIRM_TOKEN_SECRET',
  /**
   * Local stack only: the access key of the local build pipeline, standing in for
   * an IAM user; the local gateway verifies SigV4 signatures with it.
   */
  localPipelineAccessKeyId: 'LOCAL_PIPELINE_ACCESS_KEY_ID',
  localPipelineSecretAccessKey: 'LOCAL_PIPELINE_SECRET_ACCESS_KEY',
  /** Local stack only: passwords of the demo staff user and demo agent the local pool starts with. */
  localStaffPassword: 'LOCAL_STAFF_PASSWORD',
  localAgentPassword: 'LOCAL_AGENT_PASSWORD',
} as const;

/** Name of the single DynamoDB table (see docs/data-model.md). */
export const tableName = once(() => requireEnv(ENV.tableName));
/** Private S3 bucket holding installer packages and desktop update logs. */
export const bucketName = once(() => requireEnv(ENV.bucketName));
