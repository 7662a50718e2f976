import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { METRIC, METRIC_DIMENSIONS, METRICS_NAMESPACE } from '../../shared/metric-names';
import { metrics } from '../../shared/observability';
import { TestApi } from '../fixtures/api';
import { readyTenant, setDeviceFields } from '../fixtures/session';

/*
 * The custom metrics the CloudWatch alarms and dashboard read
 * (infra/constructs/service-monitoring.ts), emitted by the real handlers.
 */

// This file owns the 61.xx range of the shared test catalog.
const FROM = '61.00.00_001';
const TO = '61.00.00_002';

let api: TestApi;
beforeAll(async () => {
  api = await TestApi.start();
});
afterAll(() => api.close());
afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
});

const post = (auth: string, path: string, body?: unknown) => api.call('POST', `/v1/desktop/update${path}`, { auth, body });

/** Counts added to the function's metrics (flushed as EMF at the end of each invocation in Lambda). */
function countedMetrics() {
  const added = vi.spyOn(metrics, 'addMetric');
  return (name: string) => added.mock.calls.filter(([n]) => n === name).reduce((sum, [, , value]) => sum + Number(value), 0);
}

/** EMF lines written to stdout (the session-transition metric is flushed at once, with its own dimension). */
function emfLines() {
  const lines: Record<string, any>[] = [];
  const write = process.stdout.write.bind(process.stdout);
  vi.spyOn(process.stdout, 'write').mockImplementation(((chunk: string | Uint8Array, ...rest: unknown[]) => {
    const text = chunk.toString();
    if (text.startsWith('{"_aws"')) {
      lines.push(JSON.parse(text));
      return true;
    }
    return (write as (...a: unknown[]) => boolean)(chunk, ...rest);
  }) as typeof process.stdout.write);
  return lines;
}

describe('custom metrics', () => {
  it('counts each session transition under the state entered; a failed update is state=failed', async () => {
    // Metrics are off in the local stack; a single metric reads the switch when it is created.
    vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'false');
    const lines = emfLines();
    const { admin, tenant } = await readyTenant(api, FROM, TO, 2);
    const opened = await post(admin, '/start-update-push');
    for (const d of tenant.devices) {
      await setDeviceFields(tenant.customerId, d.serial, {
        awaitingSessionId: opened.body.session.sessionId,
        blocked: true,
        startAckSessionId: opened.body.session.sessionId,
      });
    }
    expect((await post(admin, '/start')).body.session.state).toBe('updating');
    expect((await post(admin, '/outcome', { result: 'failed', log: 'TERMINATA IN MODO ANOMALO' })).body.session.state).toBe('failed');

    const transitions = lines.filter((l) => l[METRIC.sessionTransitions] !== undefined);
    expect(transitions.map((l) => l[METRIC_DIMENSIONS.state])).toEqual(['preparing', 'updating', 'failed']);
    for (const line of transitions) {
      expect(line._aws.CloudWatchMetrics[0]).toMatchObject({
        Namespace: METRICS_NAMESPACE,
        Dimensions: [[METRIC_DIMENSIONS.service, METRIC_DIMENSIONS.state]],
        Metrics: [{ Name: METRIC.sessionTransitions, Unit: 'Count' }],
      });
      expect(line[METRIC.sessionTransitions]).toBe(1);
    }
  });

  it('counts desktop startup checks and the devices a push did not reach', async () => {
    const counted = countedMetrics();
    const { admin, tenant } = await readyTenant(api, FROM, TO, 3);
    await api.call('GET', `/v1/desktop/feed?installed=${FROM}`, { auth: `Desktop ${tenant.desktopCredential}` });
    expect(counted(METRIC.feedChecks)).toBe(1);

    // Test devices have no push token: all three are counted as not reached.
    const opened = await post(admin, '/start-update-push');
    expect(opened.body.summary.counts).toMatchObject({ sent: 0, noToken: 3 });
    expect(counted(METRIC.pushFailed)).toBe(3);
    expect(counted(METRIC.pushSent)).toBe(0);
  });
});
