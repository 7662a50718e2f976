import { randomBytes } from 'node:crypto';
import { createTenant, putTestRelease } from '../test/fixtures/tenant';
import { percentile, round, type Benchmark } from './benchmarks';
import { adminAuth, invoke, loadHandler } from './invoke';

const SAMPLES = 300;
// DynamoDB Local compiles its hot paths over the first few hundred requests (see bench/devices.ts).
const WARMUP = 100;

/**
 * `code_verify_p99_ms`: server-side time of the confirm-code handler verifying a
 * correct response (auth, release, challenge, verify, transaction + audit),
 * warm, against DynamoDB Local. One fresh release per sample, since a confirmed
 * release is never asked again; a fresh customer every 15 samples, since opening
 * challenges is rate-limited per customer.
 */
export const codesBenchmark: Benchmark = {
  name: 'codes',
  needsStack: true,
  async run() {
    const handler = await loadHandler('confirm-code');
    // Responses are rate-limited per support principal: a few staff members (signed in for real) share the load.
    const { createPerson } = await import('../test/fixtures/sign-in');
    const staff: string[] = [];
    for (let n = 0; n <= Math.floor((SAMPLES + WARMUP) / 100); n++) staff.push((await createPerson('staff', 'bench-staff')).auth);
    const prefix = 60 + (randomBytes(1)[0]! % 30);
    let tenant = await createTenant();
    let admin = '';
    const times: number[] = [];
    for (let i = 0; i < SAMPLES + WARMUP; i++) {
      if (i % 15 === 0) {
        tenant = await createTenant();
        admin = await adminAuth(tenant);
      }
      const version = `${prefix}.${String(Math.floor(i / 100)).padStart(2, '0')}.00_${String(i % 100).padStart(3, '0')}`;
      await putTestRelease(version, true);
      const opened = await invoke(handler, { method: 'POST', url: `/v1/desktop/releases/${version}/challenge`, auth: admin, body: {} });
      const response = await invoke(handler, {
        method: 'POST',
        url: '/v1/support/confirmation-responses',
        auth: staff[Math.floor(i / 100)],
        body: { customerId: tenant.customerId, version, challenge: opened.body.challenge },
      });
      if (response.status !== 200) throw new Error(`response generation failed: ${JSON.stringify(response.body)}`);
      const verified = await invoke(handler, {
        method: 'POST',
        url: `/v1/desktop/releases/${version}/confirmation`,
        auth: admin,
        body: { response: response.body.response },
      });
      if (verified.status !== 200) throw new Error(`verification failed: ${JSON.stringify(verified.body)}`);
      if (i >= WARMUP) times.push(verified.ms);
    }
    return [
      {
        name: 'code_verify_p99_ms',
        value: round(percentile(times, 99)),
        unit: `ms p99 of ${SAMPLES} (p50 ${round(percentile(times, 50))})`,
        target: '≤ 20',
        max: 20,
      },
    ];
  },
};
