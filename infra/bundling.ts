/**
 * How every Lambda is bundled (esbuild): shared by the CDK construct and the
 * benchmark, so `npm run bench` measures the bundles that are deployed.
 */
export const LAMBDA_BUNDLE = {
  target: 'node22',
  mainFields: ['module', 'main'],
  // ESM output still meets CommonJS dependencies that call require().
  banner: "import { createRequire } from 'module'; const require = createRequire(import.meta.url);",
  minify: true,
  /**
   * Packages replaced in the bundles (paths relative to the project root). The
   * SDK's default credential chain becomes the environment provider: in Lambda
   * the role's credentials are always in the environment, and the chain's other
   * links cost ~100 KB of code compiled at every cold start (shared/aws/lambda-credentials.ts).
   */
  alias: { '@aws-sdk/credential-provider-node': 'shared/aws/lambda-credentials.ts' },
} as const;
