/**
 * Environment that keeps the functions' own output — their logs, the CloudWatch
 * embedded metrics (one JSON line per invocation) and the SDK's Node-version
 * warning — out of `npm run bench`, which prints its table only. It must be in
 * place before any function module loads: Powertools reads it when the Logger
 * and Metrics are created.
 */
export const QUIET_FUNCTIONS_ENV = {
  POWERTOOLS_LOG_LEVEL: 'SILENT',
  POWERTOOLS_METRICS_DISABLED: 'true',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
} as const;
