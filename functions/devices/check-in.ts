import type { DevicePrincipal } from '../../shared/auth/principals';
import { recordCheckIn, type DeviceChange, type DeviceItem } from '../../shared/db/devices';
import { isOpen, owedCommand, type OwedCommand, type Session } from '../../shared/session/state-machine';
import { deviceDisabled, deviceNotRegistered, type DeviceSessionView } from './device-errors';
import { endpointNeedsRefresh, refreshEndpoint } from './push-endpoint';
import type { CheckInInput } from './schemas';
import { readDeviceContext } from './store';

/** What every device answer carries: the command owed now, the open session, the desktop's version. */
export interface OwedAnswer {
  command: OwedCommand;
  session: DeviceSessionView;
  desktopVersion: string | null;
}

/** The open session as a device sees it; null when no update is open. */
export const sessionView = (session: Session): DeviceSessionView =>
  isOpen(session.state) && session.sessionId ? { sessionId: session.sessionId, state: session.state } : null;

/** The answer for a device in this state (DEV-7). */
export function owedAnswer(session: Session, device: DeviceItem, desktopVersion: string | undefined): OwedAnswer {
  return { command: owedCommand(session, device, desktopVersion), session: sessionView(session), desktopVersion: desktopVersion ?? null };
}

/**
 * The fields a report of the device's push token sets: the token read from the OS,
 * or none (Notifications enabled ✗, token removed so no push targets a stale one).
 */
export function pushTokenChange(token: string | null | undefined): Pick<DeviceChange, 'set' | 'remove'> {
  return token
    ? { set: { pushToken: token, notificationsEnabled: true } }
    : { set: { notificationsEnabled: false }, remove: ['pushToken'] };
}

/**
 * Check-in (DEV-1, DEV-7): records what the device reports and answers with the
 * command it owes now, so a lost push changes nothing. Warm path: the device write
 * (UpdateItem returning the old row) and the read of session + profile (one
 * BatchGetItem) run in parallel; SNS is called only when the token changed or the
 * device has no endpoint yet.
 */
export async function checkIn(principal: DevicePrincipal, input: CheckInInput, now = new Date()): Promise<OwedAnswer> {
  const { customerId, serial } = principal;
  const tokenChange = pushTokenChange(input.pushToken);
  const change: DeviceChange = {
    set: { lastCheckInAt: now.toISOString(), installedVersion: input.installedVersion, lastSyncAt: input.lastSyncAt, ...tokenChange.set },
    remove: tokenChange.remove,
  };
  const [write, context] = await Promise.all([recordCheckIn(customerId, serial, change), readDeviceContext(customerId, undefined)]);
  if (write.status === 'missing') throw deviceNotRegistered(serial);
  if (write.status === 'disabled') throw deviceDisabled(serial);

  const old = write.old;
  const token = input.pushToken ?? undefined;
  if (token && endpointNeedsRefresh(token, old)) {
    await refreshEndpoint({ customerId, serial, pushToken: token, endpointArn: old.endpointArn }, old.notes);
  }
  const device: DeviceItem = { ...old, installedVersion: input.installedVersion };
  return owedAnswer(context.session, device, context.desktopVersion);
}
