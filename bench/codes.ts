import { randomBytes } from 'node:crypto';
import { createTenant, putTestRelease } from '../test/fixtures/tenant';
import { toEvent } from '../local/gateway';
import { lambdaContext } from '../local/lambda-context';
import { round, percentile, type Benchmark } from './benchmarks';

type Handler = (event: unknown, context: unknown) => Promise<{ statusCode: number; body?: string }>;

const SAMPLES = 300;

/**
 * `code_verify_p99_ms`: server-side time of the confirm-code handler verifying a
 * correct response (auth, release, challenge, verify, transaction + audit),
 * warm, against DynamoDB Local. One fresh release per sample, since a confirmed
 * release is never asked again.
 */
export const codesBenchmark: Benchmark = {
  name: 'codes',
  needsStack: true,
  async run() {
    const { handler } = (await import('../functions/confirm-code/handler')) as unknown as { handler: Handler };
    const users = (await import('../functions/users/handler')) as unknown as { handler: Handler };
    const call = async (fn: Handler, method: string, url: string, auth: string, body: unknown, extra: Record<string, string> = {}) => {
      const { event } = toEvent({
        method,
        url,
        headers: { authorization: auth, 'content-type': 'application/json', ...extra },
        body: Buffer.from(JSON.stringify(body)),
      });
      const started = performance.now();
      const result = await fn(event, lambdaContext('bench'));
      return { ms: performance.now() - started, status: result.statusCode, body: JSON.parse(result.body ?? 'null') };
    };
    // A fresh customer every 15 samples: opening challenges is rate-limited per customer.
    let tenant = await createTenant();
    let admin = '';
    const rotate = async () => {
      tenant = await createTenant();
      const login = await call(users.handler, 'POST', '/v1/desktop/login', `Desktop ${tenant.desktopCredential}`, {
        username: 'admin',
        password: tenant.users.admin!.password,
        workstation: 'server',
      });
      admin = `Bearer ${login.body.token}`;
    };
    const support = `Support ${process.env.LOCAL_SUPPORT_KEY}`;
    const prefix = 60 + (randomBytes(1)[0]! % 30);
    const times: number[] = [];
    for (let i = 0; i < SAMPLES + 20; i++) {
      if (i % 15 === 0) await rotate();
      const version = `${prefix}.${String(Math.floor(i / 100)).padStart(2, '0')}.00_${String(i % 100).padStart(3, '0')}`;
      await putTestRelease(version, true);
      const opened = await call(handler, 'POST', `/v1/desktop/releases/${version}/challenge`, admin, {});
      const response = await call(handler, 'POST', '/v1/support/confirmation-responses', support, {
        customerId: tenant.customerId,
        version,
        challenge: opened.body.challenge,
      }, { 'x-support-principal': `bench-support-${Math.floor(i / 100)}` }); // responses are rate-limited per support principal
      if (response.status !== 200) throw new Error(`response generation failed: ${JSON.stringify(response.body)} ${JSON.stringify(opened.body)}`);
      const verified = await call(handler, 'POST', `/v1/desktop/releases/${version}/confirmation`, admin, { response: response.body.response });
      if (verified.status !== 200) throw new Error(`verification failed: ${JSON.stringify(verified.body)}`);
      if (i >= 20) times.push(verified.ms); // the first 20 warm the function up
    }
    return [
      { name: 'code_verify_p99_ms', value: round(percentile(times, 99)), unit: `ms p99 of ${SAMPLES} (p50 ${round(percentile(times, 50))})`, target: '≤ 20', max: 20 },
    ];
  },
};
