import type { z } from 'zod';
import type { DevicePrincipal } from '../../shared/auth/principals';
import { httpHandler, principalOf, type HttpRequest } from '../../shared/http/handler';
import { jsonBody } from '../../shared/http/request';
import { json } from '../../shared/http/response';
import { checkIn } from './check-in';
import { otherDevice } from './device-errors';
import { register } from './registration';
import { acknowledge, reportInstalled, reportLocked, reportUnsentDataSent } from './reports';
import { AckBody, CheckInBody, InstalledBody, RegisterBody, SessionReportBody } from './schemas';

/**
 * The calling device and its validated body. A body may name a serial; it must be
 * the caller's own (AUTH-2: a device only acts on itself). Every key used later
 * comes from the principal, never from the body.
 */
function deviceRequest<S extends z.ZodType<{ serial?: string }>>(request: HttpRequest, schema: S): { device: DevicePrincipal; body: z.infer<S> } {
  const device = principalOf(request, 'device');
  const body = jsonBody(request.event, schema);
  if (body.serial !== undefined && body.serial !== device.serial) throw otherDevice();
  return { device, body };
}

/** POST /v1/device/register: serial + licence code → credential, lock secret, owed command (DEV-1/5/6). */
export const registerDevice = async ({ event }: HttpRequest) => {
  const registration = await register(jsonBody(event, RegisterBody), event);
  return json(registration.registration === 'new' ? 201 : 200, registration);
};

/** POST /v1/device/check-in: version, push token, last sync in; the command owed now out (DEV-7). */
export const checkInDevice = async (request: HttpRequest) => {
  const { device, body } = deviceRequest(request, CheckInBody);
  return json(200, await checkIn(device, body));
};

/** POST /v1/device/ack: START UPDATE / END UPDATE / ERROR UPDATE received (Notification sent ✓). */
export const ack = async (request: HttpRequest) => {
  const { device, body } = deviceRequest(request, AckBody);
  return json(200, await acknowledge(device, body.sessionId, body.command));
};

/** POST /v1/device/locked: the device locked itself (Blocked ✓). */
export const locked = async (request: HttpRequest) => {
  const { device, body } = deviceRequest(request, SessionReportBody);
  return json(200, await reportLocked(device, body.sessionId));
};

/** POST /v1/device/unsent-data-sent: unsent data sent (Awaiting update ✓), phase 1 only (DEV-2/3). */
export const unsentDataSent = async (request: HttpRequest) => {
  const { device, body } = deviceRequest(request, SessionReportBody);
  return json(200, await reportUnsentDataSent(device, body.sessionId));
};

/** POST /v1/device/installed: the version now installed (DEV-5). */
export const installed = async (request: HttpRequest) => {
  const { device, body } = deviceRequest(request, InstalledBody);
  return json(200, await reportInstalled(device, body.version));
};

export const handler = httpHandler('devices', {
  'POST /v1/device/register': registerDevice,
  'POST /v1/device/check-in': checkInDevice,
  'POST /v1/device/ack': ack,
  'POST /v1/device/locked': locked,
  'POST /v1/device/unsent-data-sent': unsentDataSent,
  'POST /v1/device/installed': installed,
});
