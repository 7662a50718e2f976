import { fromEnv } from '@aws-sdk/credential-provider-env';
import type { AwsCredentialIdentityProvider } from '@smithy/types';

/**
 * What the Lambda bundles use instead of the SDK's default credential chain
 * (`@aws-sdk/credential-provider-node`, swapped in by the bundler's alias in
 * infra/bundling.ts): in Lambda the execution role's credentials are always in
 * the environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN),
 * so the chain's other links (profiles, SSO, web identity, container and instance
 * metadata) never run there — but they and the STS/SSO clients they bring weigh
 * about 100 KB in every bundle, compiled at every cold start. The local stack,
 * the CLIs and tests run from source and keep the full chain.
 */
export const defaultProvider = (init?: Parameters<typeof fromEnv>[0]): AwsCredentialIdentityProvider => fromEnv(init);
