/**
 * Names of the custom CloudWatch metrics, shared by the code that emits them
 * (Powertools Metrics, shared/observability.ts) and the CDK alarms and dashboard
 * that read them (infra/constructs/service-monitoring.ts), so the two cannot drift.
 * Pure constants: infra imports this without loading any runtime instrumentation.
 */

/** Namespace of every custom metric. */
export const METRICS_NAMESPACE = 'MophasUpdateCloud';

/** Prefix of every function's Powertools service name; the metrics' `service` dimension is `<prefix><function folder>`. */
export const SERVICE_NAME_PREFIX = 'mophas-update-cloud-';

/** The `service` dimension (and POWERTOOLS_SERVICE_NAME) of the function in `functions/<name>/`. */
export const serviceNameOf = (functionName: string) => `${SERVICE_NAME_PREFIX}${functionName}`;

/** Dimensions the code adds besides Powertools' default `service`. */
export const METRIC_DIMENSIONS = {
  service: 'service',
  /** On {@link METRIC.sessionTransitions}: the state the session entered. */
  state: 'state',
} as const;

/** Custom metrics (all of unit Count). */
export const METRIC = {
  /** A request routed to a handler (HTTP functions). */
  requests: 'Requests',
  /** A request answered 5xx (HTTP functions). */
  serverErrors: 'ServerErrors',
  /** A request refused with 4xx: part of the job (typos, conflicts), counted, not alarmed on. */
  clientErrors: 'ClientErrors',
  /** A desktop startup check (GET /v1/desktop/feed). */
  feedChecks: 'FeedChecks',
  /** A session moved to another state; dimension `state` = the new state. `state=failed` is a failed update (SES-10). */
  sessionTransitions: 'SessionTransitions',
  /** Devices a push reached (admin request or push queue). */
  pushSent: 'PushSent',
  /** Devices a push could not reach (SNS failure, no push token). */
  pushFailed: 'PushFailed',
  /** Devices handed to the push queue (large fleets). */
  pushQueuedDevices: 'PushQueuedDevices',
} as const;
