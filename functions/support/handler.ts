import { z } from 'zod';
import { supportCanAccess } from '../../shared/auth/principals';
import { listAudit } from '../../shared/db/audit';
import { forbidden } from '../../shared/errors';
import { httpHandler, principalOf, type HttpRequest } from '../../shared/http/handler';
import { pathParams, queryParams } from '../../shared/http/request';
import { json } from '../../shared/http/response';

const CustomerPath = z.object({ customerId: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'a customer id') });
const AuditQuery = z.object({
  limit: z.coerce.number().int().min(1).max(500).optional(),
  cursor: z.string().max(2048).regex(/^[A-Za-z0-9_-]+$/, 'an opaque cursor from a previous page').optional(),
  action: z.string().max(64).regex(/^[a-z0-9.]+$/, 'an action prefix like code. or session.').optional(),
});

/** GET /v1/support/customers/{customerId}/audit: a customer's audit trail, newest first. */
export const audit = async (request: HttpRequest) => {
  const support = principalOf(request, 'support');
  const { customerId } = pathParams(request.event, CustomerPath);
  if (!supportCanAccess(support, customerId)) throw forbidden('You are not authorised for this customer.');
  const query = queryParams(request.event, AuditQuery);
  return json(200, await listAudit(customerId, query));
};

export const handler = httpHandler('support', {
  'GET /v1/support/customers/{customerId}/audit': audit,
});
