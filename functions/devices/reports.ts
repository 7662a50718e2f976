import type { DevicePrincipal } from '../../shared/auth/principals';
import { auditItem, writeAudit } from '../../shared/db/audit';
import { summaryDeviceItems } from '../../shared/db/customer-summary';
import {
  allOf,
  changeDeviceWith,
  heldBy,
  holds,
  notYet,
  type DeviceAttribute,
  type DeviceChange,
  type DeviceCondition,
  type DeviceItem,
  versionStill,
} from '../../shared/db/devices';
import { unauthorized } from '../../shared/errors';
import { owedCommand } from '../../shared/session/state-machine';
import { owedAnswer, sessionView, type OwedAnswer } from './check-in';
import { deviceDisabled, deviceNotRegistered, noUpdateSession, staleSession, versionMismatch } from './device-errors';
import type { AckCommand } from '../../shared/api/routes/devices';
import { putItem, readDeviceContext, sessionCheck, type DeviceContext } from './store';

/**
 * The device row, or what every device route answers for a missing one (404),
 * one the caller's credential no longer holds (401: re-registered or disabled
 * since) or a disabled one (403).
 */
function usableDevice(context: DeviceContext, principal: DevicePrincipal): DeviceItem {
  if (!context.device) throw deviceNotRegistered(principal.serial);
  if (!holds(context.device, principal.credentialId)) throw unauthorized();
  if (!context.device.enabled) throw deviceDisabled(principal.serial);
  return context.device;
}

/** How a report relates to the customer's session. */
interface SessionRule {
  /** ConditionCheck on the session item that must still hold when the device row is written. */
  condition: string;
  values: Record<string, unknown>;
  names?: Record<string, string>;
  /** Throws the refusal for this state of the session, or returns when the report is allowed. */
  refuse(principal: DevicePrincipal, context: DeviceContext & { device: DeviceItem }): Promise<void>;
}

interface SessionReport {
  /** Audit action, e.g. `device.unsent-data-sent`. */
  action: string;
  sessionId: string;
  rule: SessionRule;
  change: DeviceChange;
  /** True when the row already shows this report: nothing is written again (no duplicate note or audit). */
  alreadyDone(device: DeviceItem): boolean;
  /** Device condition that is the negation of `alreadyDone`, so a concurrent duplicate cannot write twice. */
  notDone: DeviceCondition;
}

/** What every session report answers: whether this call recorded it, and what the device owes now. */
export type ReportAnswer = OwedAnswer & { serial: string; sessionId: string; recorded: boolean };

/**
 * A device report bound to the customer's current session. Read first (one
 * BatchGetItem: session, profile, device) so refusals are answered without a
 * write; then one transaction: a ConditionCheck on the session item — the report
 * cannot land after the admin moved the session on — plus the device row update
 * and its audit entry. The session item is never written, so hundreds of devices
 * reporting at once do not contend on it. A cancelled transaction is decided
 * again on fresh state (which then says why).
 */
async function reportInSession(principal: DevicePrincipal, report: SessionReport): Promise<ReportAnswer> {
  const { customerId, serial } = principal;
  for (let attempt = 0; attempt < 3; attempt++) {
    const context = await readDeviceContext(customerId, serial);
    const device = usableDevice(context, principal);
    const answer = (d: DeviceItem, recorded: boolean): ReportAnswer => ({
      serial,
      sessionId: report.sessionId,
      recorded,
      ...owedAnswer(context.session, d, context.desktopVersion),
    });
    if (report.alreadyDone(device)) return answer(device, false);
    await report.rule.refuse(principal, { ...context, device });

    const at = new Date().toISOString();
    const outcome = await changeDeviceWith(customerId, serial, report.change, {
      condition: allOf(heldBy(principal.credentialId), report.notDone),
      notesBefore: device.notes?.length ?? 0,
      others: [
        sessionCheck(customerId, report.rule.condition, report.rule.values, report.rule.names),
        putItem(
          auditItem({
            customerId,
            action: report.action,
            actor: { kind: 'device', id: serial },
            outcome: 'ok',
            fromState: context.session.state,
            details: { serial, sessionId: report.sessionId },
            at,
          }),
        ),
      ],
    });
    if (outcome.ok) return answer({ ...device, ...report.change.set } as DeviceItem, true);
  }
  throw new Error(`${report.action} for ${serial} kept conflicting with concurrent changes`);
}

/** The report must name the customer's current session (any state). */
const currentSession = (sessionId: string): SessionRule => ({
  condition: 'sessionId = :sid',
  values: { ':sid': sessionId },
  async refuse(_principal, { session, device, desktopVersion }) {
    if (session.sessionId !== sessionId) throw staleSession(sessionId, sessionView(session), owedCommand(session, device, desktopVersion));
  },
});

type AckAttribute = Extract<DeviceAttribute, 'startAckSessionId' | 'endAckSessionId' | 'errorAckSessionId'>;

/** Which session each command was last confirmed for. */
const ACK_ATTRIBUTE: Record<AckCommand, AckAttribute> = {
  START_UPDATE: 'startAckSessionId',
  END_UPDATE: 'endAckSessionId',
  ERROR_UPDATE: 'errorAckSessionId',
};

/**
 * The device confirms a pushed command (SES-3/7/10), only for the customer's
 * current session; a stale one gets 409 with the current session and the owed
 * command. START UPDATE sets Notification sent ✓ (`startAckSessionId`). ERROR
 * UPDATE is the device confirming its reactivation: it is unlocked, so Blocked
 * is cleared — until then the grid keeps showing it Blocked (SES-10).
 */
export function acknowledge(
  principal: DevicePrincipal,
  sessionId: string,
  command: AckCommand,
): Promise<ReportAnswer & { acknowledged: AckCommand }> {
  const attribute = ACK_ATTRIBUTE[command];
  return reportInSession(principal, {
    action: `device.ack.${command.toLowerCase().replace('_', '-')}`,
    sessionId,
    rule: currentSession(sessionId),
    change:
      command === 'ERROR_UPDATE'
        ? {
            set: { errorAckSessionId: sessionId, blocked: false, blockedManually: false },
            note: {
              it: 'Riattivazione confermata dal dispositivo (ERROR UPDATE)',
              en: 'Reactivation confirmed by the device (ERROR UPDATE)',
            },
          }
        : { set: { [attribute]: sessionId } },
    alreadyDone: (d) => d[attribute] === sessionId,
    notDone: notYet(attribute, sessionId),
  }).then((answer) => ({ ...answer, acknowledged: command }));
}

/** The device locked itself after START UPDATE (Blocked ✓, DEV-2). */
export function reportLocked(principal: DevicePrincipal, sessionId: string): Promise<ReportAnswer & { blocked: true }> {
  return reportInSession(principal, {
    action: 'device.locked',
    sessionId,
    rule: currentSession(sessionId),
    change: { set: { blocked: true }, note: { it: 'Dispositivo bloccato (START UPDATE)', en: 'Device locked (START UPDATE)' } },
    alreadyDone: (d) => d.blocked === true,
    notDone: notYet('blocked', true),
  }).then((answer) => ({ ...answer, blocked: true as const }));
}

/**
 * DEV-3: unsent data is accepted only during phase 1 of that session. A report
 * after the session moved on (forced update, or past phase 1 at all) is refused
 * with the manual's "versions differ" message and written to the audit trail —
 * support must know which device's data did not make it.
 */
const preparingSession = (sessionId: string): SessionRule => ({
  condition: '#state = :preparing AND sessionId = :sid',
  values: { ':preparing': 'preparing', ':sid': sessionId },
  names: { '#state': 'state' },
  async refuse(principal, { session, device, desktopVersion }) {
    if (session.state === 'preparing' && session.sessionId === sessionId) return;
    const command = owedCommand(session, device, desktopVersion);
    if (session.state === 'preparing') throw staleSession(sessionId, sessionView(session), command);
    if (session.state === 'available' || !session.sessionId) throw noUpdateSession(command);
    await writeAudit({
      customerId: principal.customerId,
      action: 'device.unsent-data-sent',
      actor: { kind: 'device', id: principal.serial },
      outcome: 'refused',
      fromState: session.state,
      details: {
        serial: principal.serial,
        sessionId,
        currentSessionId: session.sessionId,
        forced: Boolean(session.forced),
        reason: 'VERSION_MISMATCH',
      },
    });
    throw versionMismatch({ sessionId: session.sessionId, state: session.state }, Boolean(session.forced), command);
  },
});

/**
 * The device sent its unsent data (DEV-2): Awaiting update ✓ and Blocked ✓ for
 * this session. Repeating it answers the same without writing again.
 */
export function reportUnsentDataSent(
  principal: DevicePrincipal,
  sessionId: string,
): Promise<ReportAnswer & { awaitingUpdate: true; blocked: true }> {
  return reportInSession(principal, {
    action: 'device.unsent-data-sent',
    sessionId,
    rule: preparingSession(sessionId),
    change: {
      set: { awaitingSessionId: sessionId, blocked: true },
      note: { it: 'Dati non trasmessi inviati: in attesa di aggiornamento', en: 'Unsent data sent: awaiting update' },
    },
    alreadyDone: (d) => d.awaitingSessionId === sessionId,
    notDone: notYet('awaitingSessionId', sessionId),
  }).then((answer) => ({ ...answer, awaitingUpdate: true as const, blocked: true as const }));
}

/**
 * The version now installed on the device (DEV-5), e.g. right after the mobile
 * update. When it is the desktop's version the grid gets a note "updated to X".
 * Reporting the version already recorded writes nothing.
 */
export async function reportInstalled(principal: DevicePrincipal, version: string) {
  const { customerId, serial } = principal;
  for (let attempt = 0; attempt < 3; attempt++) {
    const context = await readDeviceContext(customerId, serial);
    const device = usableDevice(context, principal);
    const updated = context.desktopVersion !== undefined && version === context.desktopVersion;
    const answer = (d: DeviceItem, recorded: boolean) => ({
      serial,
      installedVersion: version,
      updated,
      recorded,
      ...owedAnswer(context.session, d, context.desktopVersion),
    });
    if (device.installedVersion === version) return answer(device, false);

    const at = new Date().toISOString();
    const change: DeviceChange = {
      set: { installedVersion: version },
      note: updated ? { it: `Aggiornato alla versione ${version}`, en: `Updated to ${version}` } : undefined,
      at,
    };
    const outcome = await changeDeviceWith(customerId, serial, change, {
      // Conditioned on the version read, so the overview's count moves from exactly that one.
      condition: allOf(heldBy(principal.credentialId), versionStill(device.installedVersion)),
      notesBefore: device.notes?.length ?? 0,
      others: [
        putItem(
          auditItem({
            customerId,
            action: 'device.installed',
            actor: { kind: 'device', id: serial },
            outcome: 'ok',
            fromState: context.session.state,
            details: {
              serial,
              from: device.installedVersion,
              to: version,
              desktopVersion: context.desktopVersion,
              sessionId: context.session.sessionId || undefined,
            },
            at,
          }),
        ),
        ...summaryDeviceItems(
          customerId,
          { enabled: true, installedVersion: device.installedVersion },
          { enabled: true, installedVersion: version },
        ),
      ],
    });
    if (outcome.ok) return answer({ ...device, installedVersion: version }, true);
  }
  throw new Error(`installed report for ${serial} kept conflicting with concurrent changes`);
}
