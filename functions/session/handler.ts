import { z } from 'zod';
import { SerialField, VersionField } from '../../shared/http/fields';
import { httpHandler, principalOf, route, type HttpRequest } from '../../shared/http/handler';
import { json } from '../../shared/http/response';
import * as window from './window';

const Token = z.string().regex(/^[A-Za-z0-9_-]{16,64}$/, 'the confirmToken from the first step');
const OneRow = z.object({ serial: SerialField.optional() });
const Confirm = z.object({ confirmToken: Token.optional() });
const Outcome = z.discriminatedUnion('result', [
  z.object({ result: z.literal('success'), version: VersionField }),
  z.object({
    result: z.literal('failed'),
    log: z
      .string()
      .min(1)
      .max(900 * 1024),
    message: z.string().max(2000).optional(),
  }),
]);

const admin = (request: HttpRequest) => principalOf(request, 'user');
const NoBody = { body: z.object({}), bodyOptional: true } as const;
const SerialPath = z.object({ serial: SerialField });

/** GET /v1/desktop/update: the window's data; 304 when unchanged since the ETag the desktop holds. */
export const grid = route({ query: z.object({ filter: z.enum(['all', 'updated', 'not-updated']).default('all') }) }, async (request) => {
  const { body, etag } = await window.grid(admin(request), request.input.query.filter);
  if (request.event.headers['if-none-match'] === etag) {
    return { statusCode: 304, headers: { etag, 'cache-control': 'no-cache' } };
  }
  return json(200, body, { etag, 'cache-control': 'no-cache' });
});

export const handler = httpHandler('session', {
  'GET /v1/desktop/update': grid,
  'POST /v1/desktop/update/start-update-push': route({ body: OneRow, bodyOptional: true }, async (r) =>
    json(200, await window.sendStartUpdate(admin(r), r.lambda, r.input.body.serial)),
  ),
  'POST /v1/desktop/update/start': route(NoBody, async (r) => json(200, await window.startUpdate(admin(r)))),
  'POST /v1/desktop/update/force': route({ body: Confirm, bodyOptional: true }, async (r) =>
    json(200, await window.forceUpdate(admin(r), r.input.body.confirmToken)),
  ),
  'POST /v1/desktop/update/outcome': route({ body: Outcome }, async (r) => json(200, await window.reportOutcome(admin(r), r.input.body))),
  'POST /v1/desktop/update/end-update-push': route({ body: OneRow, bodyOptional: true }, async (r) =>
    json(200, await window.sendEndUpdate(admin(r), r.lambda, r.input.body.serial)),
  ),
  'POST /v1/desktop/update/conclude': route({ body: Confirm, bodyOptional: true }, async (r) =>
    json(200, await window.conclude(admin(r), r.input.body.confirmToken)),
  ),
  'POST /v1/desktop/update/reactivate': route(NoBody, async (r) => json(200, await window.reactivate(admin(r), r.lambda))),
  'POST /v1/desktop/update/close': route(NoBody, async (r) => json(200, await window.closeUpdate(admin(r), r.lambda))),
  'POST /v1/desktop/update/report': route({ body: z.object({ message: z.string().max(4000).optional() }), bodyOptional: true }, async (r) =>
    json(200, await window.reportToSupport(admin(r), r.input.body.message)),
  ),
  'POST /v1/desktop/devices/{serial}/disable': route({ path: SerialPath, body: Confirm, bodyOptional: true }, async (r) =>
    json(200, await window.disableDevice(admin(r), r.input.path.serial, r.input.body.confirmToken)),
  ),
  'GET /v1/desktop/devices': route({}, async (r) => json(200, await window.mobileDevices(admin(r)))),
  'POST /v1/desktop/devices/{serial}/enable': route({ path: SerialPath, ...NoBody }, async (r) =>
    json(200, await window.enableDevice(admin(r), r.input.path.serial)),
  ),
});
