import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { PROJECT_ROOT } from '../../infra/constructs/service-function';
import { toEvent } from '../../local/gateway';
import { lambdaContext } from '../../local/lambda-context';

/*
 * Every Lambda wears the same observability middleware (shared/observability.ts):
 * an X-Ray segment per invocation, the Lambda context in its logs, metrics flushed
 * at the end. Checked on each handler module exactly as Lambda loads it.
 */

const LAMBDAS = readdirSync(join(PROJECT_ROOT, 'functions')).filter((name) =>
  existsSync(join(PROJECT_ROOT, 'functions', name, 'handler.ts')),
);

/** An invocation no function needs AWS for: an empty push batch, or an HTTP request no route matches. */
const eventFor = (name: string) =>
  name === 'push' ? { Records: [] } : toEvent({ method: 'GET', url: '/v1/no-such-route', headers: {} }).event;

afterEach(() => {
  vi.restoreAllMocks();
});

describe('observability middleware', () => {
  let observability: typeof import('../../shared/observability');
  beforeAll(async () => {
    // The instances every handler imported below shares (one module registry for the whole describe).
    vi.resetModules();
    observability = await import('../../shared/observability');
  });

  it('finds every Lambda of the project, the push worker included', () => {
    expect(LAMBDAS).toEqual(expect.arrayContaining(['push', 'not-found', 'health', 'version-feed', 'session']));
  });

  it.each(LAMBDAS)('%s: opens a trace, logs with the Lambda context and flushes its metrics', async (name) => {
    const { logger, metrics, tracer } = observability;
    // Tracing is off outside Lambda; pretend it is on to see the middleware act (no X-Ray segment to attach to).
    vi.spyOn(tracer, 'isTracingEnabled').mockReturnValue(true);
    vi.spyOn(tracer, 'getSegment').mockReturnValue(undefined);
    const coldStart = vi.spyOn(tracer, 'annotateColdStart').mockImplementation(() => undefined);
    vi.spyOn(tracer, 'addServiceNameAnnotation').mockImplementation(() => undefined);
    const addResponse = vi.spyOn(tracer, 'addResponseAsMetadata');
    const addContext = vi.spyOn(logger, 'addContext');
    const publish = vi.spyOn(metrics, 'publishStoredMetrics');

    const { handler } = (await import(`../../functions/${name}/handler.ts`)) as {
      handler: (event: unknown, context: unknown) => Promise<unknown>;
    };
    await handler(eventFor(name), lambdaContext(name));

    expect(coldStart).toHaveBeenCalledTimes(1);
    expect(addContext).toHaveBeenCalledWith(expect.objectContaining({ functionName: name }));
    expect(publish).toHaveBeenCalledTimes(1);
    // Answers carry session tokens, device credentials and codes: never copied into traces.
    expect(addResponse).not.toHaveBeenCalled();
  });
});

describe('SDK clients', () => {
  afterEach(() => vi.unstubAllEnvs());
  afterAll(() => vi.resetModules());

  it('are captured by the Tracer when running in Lambda', async () => {
    vi.stubEnv('AWS_EXECUTION_ENV', 'AWS_Lambda_nodejs22.x');
    // The integration tier's global setup turns tracing off for the local stack in the runner's
    // environment, which the unit forks inherit when both tiers run together.
    vi.stubEnv('POWERTOOLS_TRACE_ENABLED', 'true');
    vi.resetModules();
    const { dynamo, ddb } = await import('../../shared/aws/dynamodb');
    const { s3 } = await import('../../shared/aws/s3');
    const { sns, snsPublisher } = await import('../../shared/aws/sns');
    const { sqs } = await import('../../shared/aws/sqs');
    for (const client of [dynamo, ddb, s3, sns, snsPublisher, sqs]) {
      expect(client.middlewareStack.identify().join(' ')).toContain('XRaySDKInstrumentation');
    }
  });

  it('are left untouched outside Lambda (local stack, tests, bench)', async () => {
    vi.stubEnv('AWS_EXECUTION_ENV', '');
    vi.resetModules();
    const { dynamo } = await import('../../shared/aws/dynamodb');
    expect(dynamo.middlewareStack.identify().join(' ')).not.toContain('XRaySDKInstrumentation');
  });
});
