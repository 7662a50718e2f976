import { health as routes } from '../../shared/api/routes/health';
import { getCatalogHead } from '../../shared/db/catalog';
import { AppError } from '../../shared/errors';
import { httpHandler, implement, ok } from '../../shared/http/handler';
import { logger } from '../../shared/observability';

/** GET /v1/health: answers when the function runs and the table is reachable. */
export const health = implement(routes.health, async () => {
  try {
    const head = await getCatalogHead();
    return ok({ status: 'ok', time: new Date().toISOString(), catalogVersion: head.catalogVersion });
  } catch (error) {
    logger.error('health check: table unreachable', { error: error as Error });
    throw new AppError(503, 'DEPENDENCY_UNAVAILABLE', 'The data store is not reachable right now. Retry in a moment.');
  }
});

export const handler = httpHandler('health', [health]);
