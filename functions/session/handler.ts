import { z } from 'zod';
import { parseVersion } from '../../shared/domain/version';
import { httpHandler, principalOf, type HttpRequest } from '../../shared/http/handler';
import { optionalJsonBody, jsonBody, pathParams, queryParams } from '../../shared/http/request';
import { json } from '../../shared/http/response';
import * as window from './window';

const Serial = z.string().regex(/^[A-Za-z0-9-]{1,64}$/, 'a device serial (IMEI)');
const Token = z.string().regex(/^[A-Za-z0-9_-]{16,64}$/, 'the confirmToken from the first step');
const OneRow = z.object({ serial: Serial.optional() });
const Confirm = z.object({ confirmToken: Token.optional() });
const Version = z.string().superRefine((v, ctx) => {
  const parsed = parseVersion(v);
  if (!parsed.ok) ctx.addIssue({ code: 'custom', message: parsed.message });
});
const Outcome = z.discriminatedUnion('result', [
  z.object({ result: z.literal('success'), version: Version }),
  z.object({ result: z.literal('failed'), log: z.string().min(1).max(900 * 1024), message: z.string().max(2000).optional() }),
]);

const admin = (request: HttpRequest) => principalOf(request, 'user');

/** GET /v1/desktop/update: the window's data; 304 when unchanged since the ETag the desktop holds. */
export const grid = async (request: HttpRequest) => {
  const { filter } = queryParams(request.event, z.object({ filter: z.enum(['all', 'updated', 'not-updated']).default('all') }));
  const { body, etag } = await window.grid(admin(request), filter);
  if (request.event.headers['if-none-match'] === etag) {
    return { statusCode: 304, headers: { etag, 'cache-control': 'no-cache' } };
  }
  return json(200, body, { etag, 'cache-control': 'no-cache' });
};

export const handler = httpHandler('session', {
  'GET /v1/desktop/update': grid,
  'POST /v1/desktop/update/start-update-push': async (r) =>
    json(200, await window.sendStartUpdate(admin(r), r.lambda, optionalJsonBody(r.event, OneRow).serial)),
  'POST /v1/desktop/update/start': async (r) => {
    optionalJsonBody(r.event, z.object({}));
    return json(200, await window.startUpdate(admin(r)));
  },
  'POST /v1/desktop/update/force': async (r) => json(200, await window.forceUpdate(admin(r), optionalJsonBody(r.event, Confirm).confirmToken)),
  'POST /v1/desktop/update/outcome': async (r) => json(200, await window.reportOutcome(admin(r), jsonBody(r.event, Outcome))),
  'POST /v1/desktop/update/end-update-push': async (r) =>
    json(200, await window.sendEndUpdate(admin(r), r.lambda, optionalJsonBody(r.event, OneRow).serial)),
  'POST /v1/desktop/update/conclude': async (r) => json(200, await window.conclude(admin(r), optionalJsonBody(r.event, Confirm).confirmToken)),
  'POST /v1/desktop/update/reactivate': async (r) => {
    optionalJsonBody(r.event, z.object({}));
    return json(200, await window.reactivate(admin(r), r.lambda));
  },
  'POST /v1/desktop/update/report': async (r) =>
    json(200, await window.reportToSupport(admin(r), optionalJsonBody(r.event, z.object({ message: z.string().max(4000).optional() })).message)),
  'POST /v1/desktop/devices/{serial}/disable': async (r) => {
    const { serial } = pathParams(r.event, z.object({ serial: Serial }));
    return json(200, await window.disableDevice(admin(r), serial, optionalJsonBody(r.event, Confirm).confirmToken));
  },
  'POST /v1/desktop/devices/{serial}/enable': async (r) => {
    const { serial } = pathParams(r.event, z.object({ serial: Serial }));
    return json(200, await window.enableDevice(admin(r), serial));
  },
});
