import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import type { MiddlewareObj } from '@middy/core';
import { METRIC, METRIC_DIMENSIONS, METRICS_NAMESPACE } from './metric-names';

const serviceName = process.env.POWERTOOLS_SERVICE_NAME ?? 'mophas-update-cloud';

/**
 * The one Logger, Metrics and Tracer instance of a function. Service name comes
 * from POWERTOOLS_SERVICE_NAME (set by the CDK construct); structured JSON logs.
 * Never log codes, tokens, passwords or credentials.
 */
export const logger = new Logger({ serviceName });

export const metrics = new Metrics({
  namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? METRICS_NAMESPACE,
  serviceName,
  // Its warnings (e.g. an invocation that counted nothing) go through the Logger, so POWERTOOLS_LOG_LEVEL filters them.
  logger,
});

/**
 * X-Ray traces (the function runs with active tracing). The Tracer turns itself
 * off outside Lambda (no AWS_EXECUTION_ENV: the local stack, tests, the bench) or
 * with POWERTOOLS_TRACE_ENABLED=false; then every capture is a no-op.
 */
export const tracer = new Tracer({ serviceName });

/**
 * The middleware every function wears, HTTP or not: an X-Ray segment per
 * invocation, the Lambda context in every log line, metrics flushed at the end.
 * Responses are never put into traces: they carry session tokens, device
 * credentials and codes.
 */
export const observability = (): MiddlewareObj<any, any>[] => [
  captureLambdaHandler(tracer, { captureResponse: false }),
  injectLambdaContext(logger, { resetKeys: true }),
  logMetrics(metrics),
];

/** Counts one occurrence of a custom metric (names in shared/metric-names.ts). */
export const countMetric = (name: (typeof METRIC)[keyof typeof METRIC], value = 1) => metrics.addMetric(name, MetricUnit.Count, value);

/**
 * Counts a session entering `state` (dashboard "sessions by state"; the failed-update
 * alarm watches `state=failed`). Its own EMF line, because the dimension differs
 * from the function's other metrics.
 */
export function countSessionTransition(state: string): void {
  const single = metrics.singleMetric();
  single.addDimension(METRIC_DIMENSIONS.state, state);
  single.addMetric(METRIC.sessionTransitions, MetricUnit.Count, 1);
}

/** Devices a push reached and did not reach (inline in the admin's request or from the push queue). */
export function countPushOutcome(counts: { sent: number; failed: number; noToken: number }): void {
  countMetric(METRIC.pushSent, counts.sent);
  countMetric(METRIC.pushFailed, counts.failed + counts.noToken);
}
