import { toEvent } from '../local/gateway';
import { lambdaContext } from '../local/lambda-context';
import { createTenant, publishTestRelease } from '../test/fixtures/tenant';
import { percentile, round, type Benchmark } from './benchmarks';

type Handler = (event: unknown, context: unknown) => Promise<{ statusCode: number; body?: string }>;

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
    const { dynamo } = await import('../shared/aws/clients');
    let calls = 0;
    dynamo.middlewareStack.add(
      (next) => async (args) => {
        calls++;
        return next(args);
      },
      { step: 'initialize', name: 'benchCallCounter' },
    );
    const { handler } = (await import('../functions/version-feed/handler')) as unknown as { handler: Handler };
    const versions = ['50.00.00_001', '50.00.00_002', '50.01.00_000', '50.02.00_000'];
    for (const v of versions) await publishTestRelease(v);
    const tenant = await createTenant();
    const times: number[] = [];
    let warmCalls = 0;
    for (let i = 0; i < CHECKS + WARMUP; i++) {
      const { event } = toEvent({
        method: 'GET',
        url: `/v1/desktop/feed?installed=${versions[i % 3]}`,
        headers: { authorization: `Desktop ${tenant.desktopCredential}` },
      });
      const before = calls;
      const started = performance.now();
      const result = await handler(event, lambdaContext('version-feed'));
      const ms = performance.now() - started;
      if (result.statusCode !== 200) throw new Error(`feed check failed: ${result.body}`);
      if (i >= WARMUP) {
        times.push(ms);
        warmCalls += calls - before;
      }
    }
    return [
      { name: 'feed_check_p99_ms', value: round(percentile(times, 99)), unit: `ms p99 of ${CHECKS} (p50 ${round(percentile(times, 50))})`, target: '≤ 20', max: 20 },
      { name: 'feed_check_ddb_calls', value: round(warmCalls / CHECKS, 2), unit: 'DynamoDB calls per warm check', target: '≤ 2', max: 2 },
    ];
  },
};
