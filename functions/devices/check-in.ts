import type { DevicePrincipal } from '../../shared/auth/principals';
import { auditItem } from '../../shared/db/audit';
import { summaryDeviceItems } from '../../shared/db/customer-summary';
import {
  allOf,
  changeDeviceWith,
  getDevice,
  heldBy,
  holds,
  recordCheckIn,
  versionStill,
  type DeviceChange,
  type DeviceItem,
} from '../../shared/db/devices';
import { unauthorized } from '../../shared/errors';
import { logger } from '../../shared/observability';
import { isOpen, owedCommand, type OwedCommand, type Session } from '../../shared/session/state-machine';
import { deviceDisabled, deviceNotRegistered, type DeviceSessionView } from './device-errors';
import { endpointNeedsRefresh, refreshEndpoint } from './push-endpoint';
import type { CheckInInput } from '../../shared/api/routes/devices';
import { putItem, readDeviceContext, sessionCheck } from './store';

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
 * What a report of the device's push token changes on its row:
 * - a token (read from the OS just now): stored, Notifications enabled ✓;
 * - `null` (the device says it has none: notifications not allowed, no Play
 *   services): Notifications enabled ✗ and the token forgotten, so no push
 *   targets a stale one;
 * - left out: nothing — the device did not report on its token this time.
 */
export function pushTokenChange(token: string | null | undefined): Pick<DeviceChange, 'set' | 'remove'> {
  if (token === undefined) return {};
  return token === null
    ? { set: { notificationsEnabled: false }, remove: ['pushToken'] }
    : { set: { pushToken: token, notificationsEnabled: true } };
}

/**
 * Check-in (DEV-1, DEV-7): records what the device reports and answers with the
 * command it owes now, so a lost push changes nothing. Warm path: the device write
 * (UpdateItem returning the old row) and the read of session + profile (one
 * BatchGetItem) run in parallel; SNS is called only when the token changed or the
 * device has no endpoint yet. A new installed version (rare: after an update) is
 * written by a second, transactional write that also moves the overview's count.
 */
export async function checkIn(principal: DevicePrincipal, input: CheckInInput, now = new Date()): Promise<OwedAnswer> {
  const { customerId, serial } = principal;
  const tokenChange = pushTokenChange(input.pushToken);
  const change: DeviceChange = {
    set: { lastCheckInAt: now.toISOString(), lastSyncAt: input.lastSyncAt, ...tokenChange.set },
    remove: tokenChange.remove,
  };
  const [write, context] = await Promise.all([
    recordCheckIn(customerId, serial, principal.credentialId, change),
    readDeviceContext(customerId, undefined),
  ]);
  if (write.status === 'missing') throw deviceNotRegistered(serial);
  // Replaced by a re-registration or removed by a disable: a revoked credential, whatever the function remembers.
  if (write.status === 'not-held') throw unauthorized();
  if (write.status === 'disabled') throw deviceDisabled(serial);

  const old = write.old;
  if (old.installedVersion !== input.installedVersion) await recordInstalledVersion(principal, old, input.installedVersion);
  // Left out, the stored token stands, and so does a refresh of its endpoint still owed from a failed one.
  const token = input.pushToken === undefined ? old.pushToken : (input.pushToken ?? undefined);
  if (token && endpointNeedsRefresh(token, old)) {
    await refreshEndpoint({ customerId, serial, pushToken: token, endpointArn: old.endpointArn }, old.notes);
  }
  const device: DeviceItem = { ...old, installedVersion: input.installedVersion };
  const answer = owedAnswer(context.session, device, context.desktopVersion);
  if (answer.command.command === 'REACTIVATE' && old.blocked) await confirmReactivation(principal, context.session, old, now);
  return answer;
}

/** Conditional writes of a check-in's new version before leaving the version a concurrent writer set. */
const VERSION_ATTEMPTS = 3;

/**
 * The check-in's new installed version, in one transaction with the summary's
 * count (exactly once, as every device write that moves a count): conditioned on
 * the row still enabled with the version read, read again if another write
 * (installed report, registration, disable) changed it meanwhile. Never fails
 * the check-in: a tablet disabled or registered again meanwhile, or a version that keeps changing,
 * leaves the row as that other write left it (the device reports it again).
 */
async function recordInstalledVersion(principal: DevicePrincipal, read: DeviceItem, version: string): Promise<void> {
  const { customerId, serial, credentialId } = principal;
  let row: DeviceItem | undefined = read;
  for (let attempt = 0; attempt < VERSION_ATTEMPTS; attempt++) {
    if (!row?.enabled || !holds(row, credentialId) || row.installedVersion === version) return;
    const outcome = await changeDeviceWith(
      customerId,
      serial,
      { set: { installedVersion: version } },
      {
        condition: allOf(heldBy(credentialId), versionStill(row.installedVersion)),
        others: summaryDeviceItems(
          customerId,
          { enabled: true, installedVersion: row.installedVersion },
          { enabled: true, installedVersion: version },
        ),
      },
    );
    if (outcome.ok) return;
    row = await getDevice(customerId, serial, { consistent: true });
  }
  logger.warn('check-in: installed version not recorded, the row kept changing', { customerId, serial, version });
}

/**
 * SES-10: the check-in answer carries REACTIVATE, so the device unlocks now — the
 * reactivation reached it even if the ERROR UPDATE push did not. Blocked is
 * cleared only while the session is still this reactivated one (a transaction
 * with a check on the session item), with a grid note and an audit entry.
 */
async function confirmReactivation(principal: DevicePrincipal, session: Session, old: DeviceItem, now: Date): Promise<void> {
  const { customerId, serial } = principal;
  await changeDeviceWith(
    customerId,
    serial,
    {
      set: { blocked: false, blockedManually: false },
      note: { it: 'Riattivazione ricevuta dal dispositivo al collegamento', en: 'Reactivation received by the device at check-in' },
      at: now,
    },
    {
      condition: allOf(heldBy(principal.credentialId), { expression: '#blocked = :blockedTrue', values: { ':blockedTrue': true } }),
      notesBefore: old.notes?.length ?? 0,
      others: [
        sessionCheck(
          customerId,
          '#state = :reactivated AND sessionId = :sid',
          { ':reactivated': 'reactivated', ':sid': session.sessionId },
          { '#state': 'state' },
        ),
        putItem(
          auditItem({
            customerId,
            action: 'device.reactivated',
            actor: { kind: 'device', id: serial },
            outcome: 'ok',
            fromState: session.state,
            details: { serial, sessionId: session.sessionId, by: 'check-in' },
            at: now.toISOString(),
          }),
        ),
      ],
    },
  );
}
