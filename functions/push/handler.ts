import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { logger } from '../../shared/observability';

/**
 * Push fan-out worker (SQS). The fan-out itself (SPEC SES-3/7/10) is built by
 * the push issue; until then every message is returned as failed so SQS keeps
 * it (and eventually moves it to the dead-letter queue) instead of dropping it.
 */
export const handler = async (event: SQSEvent): Promise<SQSBatchResponse> => {
  logger.warn('push fan-out not built yet; returning messages to the queue', { count: event.Records.length });
  return { batchItemFailures: event.Records.map((r) => ({ itemIdentifier: r.messageId })) };
};
