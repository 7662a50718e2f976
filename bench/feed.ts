import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { ddb } from '../shared/aws/dynamodb';
import { tableName } from '../shared/config';
import { customerListKeys } from '../shared/db/customers';
import { credentialKeys, customerKeys } from '../shared/db/keys';
import { issueCredential } from '../shared/domain/secrets';
import { publishTestRelease } from '../test/fixtures/tenant';
import { percentile, round, type Benchmark } from './benchmarks';
import { dynamoCalls, invoke, loadHandler } from './invoke';

const CUSTOMERS = 2000;
const PILOTS = 100;

/** `CUSTOMERS` customers with a profile and a SERVER workstation credential, written 25 items at a time. */
async function createCustomers(desktopVersion: string): Promise<{ customerId: string; credential: string }[]> {
  const at = new Date().toISOString();
  const customers: { customerId: string; credential: string }[] = [];
  const items: Record<string, unknown>[] = [];
  for (let i = 0; i < CUSTOMERS; i++) {
    const customerId = `bench-${String(i).padStart(5, '0')}`;
    const credential = issueCredential('dsk');
    customers.push({ customerId, credential: credential.token });
    items.push(
      {
        ...customerKeys.profile(customerId),
        ...customerListKeys(customerId),
        type: 'customer',
        customerId,
        name: customerId,
        desktopVersion,
        createdAt: at,
      },
      {
        ...credentialKeys.desktop(credential.id),
        type: 'desktopCredential',
        customerId,
        secretHash: credential.secretHash,
        workstation: 'server',
        createdAt: at,
      },
    );
  }
  for (let i = 0; i < items.length; i += 25) {
    let batch: Record<string, unknown>[] | undefined = items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } }));
    while (batch?.length) {
      const result = await ddb.send(new BatchWriteCommand({ RequestItems: { [tableName()]: batch as never } }));
      batch = result.UnprocessedItems?.[tableName()] as Record<string, unknown>[] | undefined;
    }
  }
  return customers;
}

/**
 * `feed_check_p99_ms`: server-side time of the version-feed handler answering a
 * desktop startup check (auth, catalog freshness, customer state, rollout wave,
 * notice, signed URL, Ed25519 signature), warm, against DynamoDB Local.
 * `feed_check_ddb_calls`: DynamoDB requests per warm check (counted on the SDK client).
 *
 * The catalog holds a release with a 5-wave rollout plan (100 pilot customers,
 * then 10/20/30/40 %, the first percentage wave open) and the checks come from
 * 2,000 different customers, so each computes its own wave. One warm-up pass
 * over every customer fills the credential cache and records each first offer
 * (a one-time write per customer and release); the measured pass is the
 * steady state every later startup sees.
 */
export const feedBenchmark: Benchmark = {
  name: 'feed',
  needsStack: true,
  async run() {
    const calls = await dynamoCalls();
    const handler = await loadHandler('version-feed');
    const releases = await loadHandler('releases');
    const versions = ['50.00.00_001', '50.00.00_002', '50.01.00_000', '50.02.00_000'];
    for (const v of versions) await publishTestRelease(v);
    const customers = await createCustomers(versions[0]!);

    // Rollouts are staff-only: the stack's staff user, signed in for real.
    const { staffAuth } = await import('../test/fixtures/sign-in');
    const support = { auth: await staffAuth() };
    const planned = versions[1]!;
    const plan = {
      pilot: { customers: customers.slice(0, PILOTS).map((c) => c.customerId), soak: 'P1D', minConcluded: 10 },
      waves: [
        { percent: 10, soak: 'P1D', minConcluded: 20 },
        { percent: 20, soak: 'P1D', minConcluded: 40 },
        { percent: 30, soak: 'P1D', minConcluded: 60 },
        { percent: 40 },
      ],
      errorThreshold: { percent: 10, minStarted: 20 },
    };
    const set = await invoke(releases, {
      method: 'PUT',
      url: `/v1/support/releases/${planned}/rollout`,
      ...support,
      body: { revision: 0, plan },
    });
    if (set.status !== 200) throw new Error(`rollout plan refused: ${JSON.stringify(set.body)}`);
    const advanced = await invoke(releases, {
      method: 'POST',
      url: `/v1/support/releases/${planned}/rollout/advance`,
      ...support,
      body: { revision: set.body.revision },
    });
    if (advanced.status !== 200) throw new Error(`rollout advance refused: ${JSON.stringify(advanced.body)}`);

    const check = (i: number) =>
      invoke(handler, {
        method: 'GET',
        url: `/v1/desktop/feed?installed=${versions[i % 3]}`,
        auth: `Desktop ${customers[i % CUSTOMERS]!.credential}`,
      });
    let offered = 0;
    for (let i = 0; i < CUSTOMERS; i++) {
      const res = await check(i);
      if (res.status !== 200) throw new Error(`feed check failed: ${JSON.stringify(res.body)}`);
      if (JSON.parse(res.body.answer.payload).update?.version === planned) offered++;
    }
    // Sanity: the plan is in force — some customers are offered the planned release, most are not yet.
    if (offered === 0 || offered > CUSTOMERS / 2) throw new Error(`unexpected rollout reach: ${offered} of ${CUSTOMERS} checks`);

    const times: number[] = [];
    let warmCalls = 0;
    for (let i = 0; i < CUSTOMERS; i++) {
      const before = calls();
      const res = await check(i);
      if (res.status !== 200) throw new Error(`feed check failed: ${JSON.stringify(res.body)}`);
      times.push(res.ms);
      warmCalls += calls() - before;
    }
    return [
      {
        name: 'feed_check_p99_ms',
        value: round(percentile(times, 99)),
        unit: `ms p99 of ${CUSTOMERS} customers, 5-wave rollout in the catalog (p50 ${round(percentile(times, 50))})`,
        target: '≤ 20',
        max: 20,
      },
      {
        name: 'feed_check_ddb_calls',
        value: round(warmCalls / CUSTOMERS, 2),
        unit: 'DynamoDB calls per warm check',
        target: '= 1',
        max: 1,
      },
    ];
  },
};
