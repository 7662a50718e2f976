/**
 * Push fan-out at fleet scale: 10,000 devices of one customer in DynamoDB Local,
 * SNS stubbed with a 25 ms Publish (roughly a regional SNS round trip), so the
 * figures measure the fan-out itself — device paging, concurrency, rate limiter,
 * and one conditional outcome write per device against a real DynamoDB engine.
 * Runs with the production configuration (DEFAULT_PUSH_CONFIG): concurrency 25
 * and 1,000 publishes/s, both sized to the ~1,000 writes/s one customer's
 * partition sustains; the ideal time is 10,000 × 25 ms / 25 = 10 s.
 */
import { randomUUID } from 'node:crypto';
import { PublishCommand } from '@aws-sdk/client-sns';
import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { ddb } from '../shared/aws/dynamodb';
import { snsPublisher } from '../shared/aws/sns';
import { tableName } from '../shared/config';
import { deviceItem } from '../shared/db/devices';
import { fanOut } from '../shared/push/fanout';
import { DEFAULT_PUSH_CONFIG } from '../shared/push/limits';
import { round, type Benchmark } from './benchmarks';

const DEVICES = 10_000;
const PUBLISH_MS = 25;
const CONCURRENCY = DEFAULT_PUSH_CONFIG.concurrency;
const RATE_PER_SECOND = DEFAULT_PUSH_CONFIG.ratePerSecond;

async function seedDevices(customerId: string): Promise<void> {
  const items = Array.from({ length: DEVICES }, (_, i) => {
    const serial = `35693803${String(i).padStart(7, '0')}`;
    return deviceItem({
      customerId,
      serial,
      model: 'Zebra TC52',
      operator: { code: `OP${i}`, name: 'Mario', surname: 'Rossi' },
      phone: '+39 333 100 0001',
      enabled: true,
      installedVersion: '03.01.00_030',
      lastSyncAt: new Date().toISOString(),
      pushToken: `fcm-bench-${i}`,
      endpointArn: `arn:aws:sns:eu-south-1:000000000000:endpoint/GCM/mophas-mobile/${randomUUID()}`,
      notificationsEnabled: true,
      notes: [],
    });
  });
  const batches: Record<string, unknown>[][] = [];
  for (let i = 0; i < items.length; i += 25) batches.push(items.slice(i, i + 25));
  const writer = async () => {
    for (let batch = batches.pop(); batch; batch = batches.pop()) {
      let requests: unknown[] = batch.map((Item) => ({ PutRequest: { Item } }));
      while (requests.length > 0) {
        const out = await ddb.send(new BatchWriteCommand({ RequestItems: { [tableName()]: requests as never } }));
        requests = (out.UnprocessedItems?.[tableName()] as unknown[] | undefined) ?? [];
      }
    }
  };
  await Promise.all(Array.from({ length: 8 }, writer));
}

export const pushBenchmark: Benchmark = {
  name: 'push',
  needsStack: true,
  async run() {
    const customerId = `bench-${randomUUID().slice(0, 8)}`;
    await seedDevices(customerId);

    const snsMock = mockClient(snsPublisher);
    let published = 0;
    snsMock.on(PublishCommand).callsFake(async () => {
      await new Promise((r) => setTimeout(r, PUBLISH_MS));
      published++;
      return { MessageId: randomUUID() };
    });

    const baselineRss = process.memoryUsage.rss();
    let peakRss = baselineRss;
    const sampler = setInterval(() => {
      peakRss = Math.max(peakRss, process.memoryUsage.rss());
    }, 20);
    const start = performance.now();
    let result;
    try {
      result = await fanOut(
        { customerId, sessionId: 'bench', sessionVersion: 1, command: 'START_UPDATE', commandId: 'bench:START_UPDATE:1' },
        { config: { concurrency: CONCURRENCY, ratePerSecond: RATE_PER_SECOND, burst: CONCURRENCY } },
      );
    } finally {
      clearInterval(sampler);
      snsMock.restore();
    }
    const seconds = (performance.now() - start) / 1000;
    peakRss = Math.max(peakRss, process.memoryUsage.rss());
    if (!result.complete || result.counts.sent !== DEVICES || published !== DEVICES) {
      throw new Error(
        `push bench: expected ${DEVICES} sent, got ${JSON.stringify(result.counts)} with ${published} publishes (complete=${result.complete})`,
      );
    }
    const idealSeconds = (DEVICES * PUBLISH_MS) / CONCURRENCY / 1000;
    return [
      {
        name: 'push_fanout_10k_s',
        value: round(seconds, 2),
        unit: `s (10,000 devices, ${PUBLISH_MS} ms stub Publish, concurrency ${CONCURRENCY})`,
        target: '≤ 15',
        max: 15,
      },
      {
        name: 'push_fanout_efficiency',
        value: round(idealSeconds / seconds, 2),
        unit: `ideal ${round(idealSeconds, 2)} s (10,000 × ${PUBLISH_MS} ms / ${CONCURRENCY}) ÷ measured`,
        target: '≥ 0.8',
        min: 0.8,
      },
      {
        name: 'push_fanout_peak_rss_mb',
        value: round(peakRss / 1024 / 1024, 1),
        unit: `MB peak RSS of the process during the run (${round(baselineRss / 1024 / 1024, 1)} MB before it: SDKs, emulators' Node side)`,
        target: '≤ 512',
        max: 512,
      },
    ];
  },
};
