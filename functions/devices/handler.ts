import { devices as routes } from '../../shared/api/routes/devices';
import type { DevicePrincipal } from '../../shared/auth/principals';
import { httpHandler, implement, ok } from '../../shared/http/handler';
import { checkIn } from './check-in';
import { otherDevice } from './device-errors';
import { register } from './registration';
import { acknowledge, reportInstalled, reportLocked, reportUnsentDataSent } from './reports';

/**
 * The calling device. A body may name a serial; it must be the caller's own
 * (AUTH-2: a device only acts on itself). Every key used later comes from the
 * principal, never from the body.
 */
function callingDevice(device: DevicePrincipal, body: { serial?: string }): DevicePrincipal {
  if (body.serial !== undefined && body.serial !== device.serial) throw otherDevice();
  return device;
}

/** POST /v1/device/register: serial + licence code → credential, lock secret, owed command (DEV-1/5/6). */
export const registerDevice = implement(routes.register, async ({ event, body }) => {
  const registration = await register(body, event);
  return { status: registration.registration === 'new' ? 201 : 200, body: registration };
});

/** POST /v1/device/check-in: version, push token, last sync in; the command owed now out (DEV-7). */
export const checkInDevice = implement(routes.checkIn, async ({ principal, body }) =>
  ok(await checkIn(callingDevice(principal, body), body)),
);

/** POST /v1/device/ack: START UPDATE / END UPDATE / ERROR UPDATE received (Notification sent ✓). */
export const ack = implement(routes.ack, async ({ principal, body }) =>
  ok(await acknowledge(callingDevice(principal, body), body.sessionId, body.command)),
);

/** POST /v1/device/locked: the device locked itself (Blocked ✓). */
export const locked = implement(routes.locked, async ({ principal, body }) =>
  ok(await reportLocked(callingDevice(principal, body), body.sessionId)),
);

/** POST /v1/device/unsent-data-sent: unsent data sent (Awaiting update ✓), phase 1 only (DEV-2/3). */
export const unsentDataSent = implement(routes.unsentDataSent, async ({ principal, body }) =>
  ok(await reportUnsentDataSent(callingDevice(principal, body), body.sessionId)),
);

/** POST /v1/device/installed: the version now installed (DEV-5). */
export const installed = implement(routes.installed, async ({ principal, body }) =>
  ok(await reportInstalled(callingDevice(principal, body), body.version)),
);

export const handler = httpHandler('devices', [registerDevice, checkInDevice, ack, locked, unsentDataSent, installed]);
