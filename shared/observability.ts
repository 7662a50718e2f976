import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';

/**
 * The one Logger and Metrics instance of a function. Service name comes from
 * POWERTOOLS_SERVICE_NAME (set by the CDK construct); structured JSON logs.
 * Never log codes, tokens, passwords or credentials.
 */
export const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'mophas-update-cloud' });

export const metrics = new Metrics({
  namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? 'MophasUpdateCloud',
  serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'mophas-update-cloud',
});
