import type { DevicePrincipal } from '../../shared/auth/principals';
import { httpHandler, principalOf, route, type HttpRequest } from '../../shared/http/handler';
import { json } from '../../shared/http/response';
import { checkIn } from './check-in';
import { otherDevice } from './device-errors';
import { register } from './registration';
import { acknowledge, reportInstalled, reportLocked, reportUnsentDataSent } from './reports';
import { AckBody, CheckInBody, InstalledBody, RegisterBody, SessionReportBody } from './schemas';

/**
 * The calling device. A body may name a serial; it must be the caller's own
 * (AUTH-2: a device only acts on itself). Every key used later comes from the
 * principal, never from the body.
 */
function callingDevice(request: HttpRequest, body: { serial?: string }): DevicePrincipal {
  const device = principalOf(request, 'device');
  if (body.serial !== undefined && body.serial !== device.serial) throw otherDevice();
  return device;
}

/** POST /v1/device/register: serial + licence code → credential, lock secret, owed command (DEV-1/5/6). */
export const registerDevice = route({ body: RegisterBody }, async ({ event, input }) => {
  const registration = await register(input.body, event);
  return json(registration.registration === 'new' ? 201 : 200, registration);
});

/** POST /v1/device/check-in: version, push token, last sync in; the command owed now out (DEV-7). */
export const checkInDevice = route({ body: CheckInBody }, async (request) =>
  json(200, await checkIn(callingDevice(request, request.input.body), request.input.body)),
);

/** POST /v1/device/ack: START UPDATE / END UPDATE / ERROR UPDATE received (Notification sent ✓). */
export const ack = route({ body: AckBody }, async (request) =>
  json(200, await acknowledge(callingDevice(request, request.input.body), request.input.body.sessionId, request.input.body.command)),
);

/** POST /v1/device/locked: the device locked itself (Blocked ✓). */
export const locked = route({ body: SessionReportBody }, async (request) =>
  json(200, await reportLocked(callingDevice(request, request.input.body), request.input.body.sessionId)),
);

/** POST /v1/device/unsent-data-sent: unsent data sent (Awaiting update ✓), phase 1 only (DEV-2/3). */
export const unsentDataSent = route({ body: SessionReportBody }, async (request) =>
  json(200, await reportUnsentDataSent(callingDevice(request, request.input.body), request.input.body.sessionId)),
);

/** POST /v1/device/installed: the version now installed (DEV-5). */
export const installed = route({ body: InstalledBody }, async (request) =>
  json(200, await reportInstalled(callingDevice(request, request.input.body), request.input.body.version)),
);

export const handler = httpHandler('devices', {
  'POST /v1/device/register': registerDevice,
  'POST /v1/device/check-in': checkInDevice,
  'POST /v1/device/ack': ack,
  'POST /v1/device/locked': locked,
  'POST /v1/device/unsent-data-sent': unsentDataSent,
  'POST /v1/device/installed': installed,
});
