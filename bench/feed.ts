import { createTenant, publishTestRelease } from '../test/fixtures/tenant';
import { percentile, round, type Benchmark } from './benchmarks';
import { dynamoCalls, invoke, loadHandler } from './invoke';

const CHECKS = 1000;
const WARMUP = 50;

/**
 * `feed_check_p99_ms`: server-side time of the version-feed handler answering a
 * desktop startup check (auth, catalog freshness, customer state, notice,
 * signed URL, Ed25519 signature), warm, 1,000 checks against DynamoDB Local.
 * `feed_check_ddb_calls`: DynamoDB requests per warm check (counted on the SDK client).
 */
export const feedBenchmark: Benchmark = {
  name: 'feed',
  needsStack: true,
  async run() {
    const calls = await dynamoCalls();
    const handler = await loadHandler('version-feed');
    const versions = ['50.00.00_001', '50.00.00_002', '50.01.00_000', '50.02.00_000'];
    for (const v of versions) await publishTestRelease(v);
    const tenant = await createTenant();
    const times: number[] = [];
    let warmCalls = 0;
    for (let i = 0; i < CHECKS + WARMUP; i++) {
      const before = calls();
      const res = await invoke(handler, {
        method: 'GET',
        url: `/v1/desktop/feed?installed=${versions[i % 3]}`,
        auth: `Desktop ${tenant.desktopCredential}`,
      });
      if (res.status !== 200) throw new Error(`feed check failed: ${JSON.stringify(res.body)}`);
      if (i >= WARMUP) {
        times.push(res.ms);
        warmCalls += calls() - before;
      }
    }
    return [
      {
        name: 'feed_check_p99_ms',
        value: round(percentile(times, 99)),
        unit: `ms p99 of ${CHECKS} (p50 ${round(percentile(times, 50))})`,
        target: '≤ 20',
        max: 20,
      },
      { name: 'feed_check_ddb_calls', value: round(warmCalls / CHECKS, 2), unit: 'DynamoDB calls per warm check', target: '≤ 2', max: 2 },
    ];
  },
};
