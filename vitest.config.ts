import { defineConfig } from 'vitest/config';

/**
 * Two tiers. `unit` (test/unit, test/edge, test/infra) needs no emulator and runs
 * alone with `npm run test:unit`; `integration` starts DynamoDB Local, s3rver and
 * the local stand-ins once for the run (test/global-setup.ts). `npm test` runs both.
 */
export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 90_000,
    pool: 'forks',
    // 2-core machines: keep the emulators responsive.
    maxWorkers: 2,
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          // One module registry per worker for the whole tier: every file imports much the same
          // graph (SDK clients, zod contracts, CDK), and importing it once per worker instead of
          // once per file is most of the tier's time. Files restore what they mock (afterEach).
          isolate: false,
          include: ['test/unit/**/*.test.ts', 'test/edge/**/*.test.ts', 'test/infra/**/*.test.ts'],
          // Unit tests mock the SDK clients (aws-sdk-client-mock); they only need names to put in requests.
          env: {
            POWERTOOLS_LOG_LEVEL: 'SILENT',
            POWERTOOLS_METRICS_DISABLED: 'true',
            AWS_REGION: 'eu-south-1',
            AWS_ACCESS_KEY_ID: 'unit-test',
            AWS_SECRET_ACCESS_KEY: 'unit-test',
            TABLE_NAME: 'unit-test-table',
            // CDK's built-in template validation (a WebAssembly rule engine) costs ~4 s per
            // test file at its first synth; the template tests assert properties themselves,
            // and test/integration/cdk-synth.test.ts runs the real `cdk synth` with it on.
            CDK_VALIDATION: 'false',
          },
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          globalSetup: ['test/global-setup.ts'],
          setupFiles: ['test/setup-env.ts'],
        },
      },
    ],
  },
});
