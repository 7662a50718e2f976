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
} as const;
