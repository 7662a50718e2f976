import { getCatalogHead } from '../../shared/db/catalog';
import { AppError } from '../../shared/errors';
import { httpHandler, route } from '../../shared/http/handler';
import { json } from '../../shared/http/response';
import { logger } from '../../shared/observability';

/** GET /v1/health: answers when the function runs and the table is reachable. */
export const health = async () => {
  try {
    const head = await getCatalogHead();
    return json(200, { status: 'ok', time: new Date().toISOString(), catalogVersion: head.catalogVersion });
  } catch (error) {
    logger.error('health check: table unreachable', { error: error as Error });
    throw new AppError(503, 'DEPENDENCY_UNAVAILABLE', 'The data store is not reachable right now. Retry in a moment.');
  }
};

export const handler = httpHandler('health', { 'GET /v1/health': route({}, health) });
