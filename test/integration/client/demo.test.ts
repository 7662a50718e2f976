import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDemo } from '../../../scripts/demo';
import { LOCAL_PEOPLE } from '../../../local/stack';
import { ENV, requireEnv, SECRET_VALUE_ENV } from '../../../shared/config';
import { TestApi } from '../../fixtures/api';

// The client tests own the 93.xx range of the shared test catalog (this file: 93.20.xx).
const RELEASES = {
  plain: { from: '93.20.00_001', to: '93.20.00_002' },
  coded: { from: '93.20.00_002', to: '93.20.00_003' },
};

let api: TestApi;
beforeAll(async () => {
  api = await TestApi.start();
});
afterAll(() => api.close());

describe("npm run demo: the manual's three paths against the gateway", () => {
  it('runs the regular, forced and abnormal-termination paths with every expectation met', async () => {
    const lines: string[] = [];
    try {
      const result = await runDemo({
        apiUrl: api.gateway.url,
        staff: { username: LOCAL_PEOPLE.staff.username, password: requireEnv(LOCAL_PEOPLE.staff.passwordEnv) },
        pipelineCredentials: {
          accessKeyId: requireEnv(SECRET_VALUE_ENV.localPipelineAccessKeyId),
          secretAccessKey: requireEnv(SECRET_VALUE_ENV.localPipelineSecretAccessKey),
        },
        snsUrl: process.env.AWS_ENDPOINT_URL_SNS!,
        releases: RELEASES,
        // The shared test catalog has no demo releases: published through the support API (publish-release's code).
        publishMissing: true,
        devices: 5,
        log: (line) => lines.push(line),
      });
      expect(result.customers.map((c) => c.path)).toEqual(['regular', 'forced', 'failed']);
      expect(result.checks).toBeGreaterThan(60);
    } catch (error) {
      // The demo's own narration is the best failure report.
      throw new Error(`${(error as Error).message}\n--- demo output (last 60 lines) ---\n${lines.slice(-60).join('\n')}`);
    }
    const text = lines.join('\n');
    expect(text).toContain('Avviso AZZURRO');
    expect(text).toContain('Avviso BIANCO'); // 93.20.00_003 needs a confirmation code
    expect(text).toContain('Avviso ROSSO');
    expect(text).toMatch(/versioni di mOphas installate su mobile e su desktop risultano differenti/);
    expect(process.env[ENV.packageBaseUrl]).toBeTruthy();
  }, 90_000);
});
