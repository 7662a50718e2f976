/**
 * The per-customer update session (SPEC SES-1…11), as a pure state machine.
 * docs/update-session.md has the diagram. Storage (shared/db/session.ts) applies
 * each transition as a conditional write on the session's `version` attribute.
 *
 *   available ──START UPDATE push──▶ preparing ──start / force──▶ updating
 *   updating ──desktop success──▶ mobile-update ──Aggiornamento concluso──▶ concluded
 *   updating ──abnormal termination──▶ failed ──reactivate──▶ reactivated
 *   failed | reactivated ──support resolves──▶ available
 *   preparing ──Chiudi aggiornamento (release withdrawn)──▶ available
 */

/** Session states; `available` and `concluded` mean no session is open. */
export const SESSION_STATES = ['available', 'preparing', 'updating', 'mobile-update', 'failed', 'reactivated', 'concluded'] as const;
export type SessionState = (typeof SESSION_STATES)[number];

/** Everything an admin (or support) can ask of a session. */
export const SESSION_ACTIONS = [
  'send-start-update',
  'start-update',
  'force-update',
  'report-success',
  'report-failure',
  'send-end-update',
  'conclude',
  'reactivate-devices',
  'report-to-support',
  'resolve',
  'disable-device',
  'close-update',
] as const;
export type SessionAction = (typeof SESSION_ACTIONS)[number];

/** Which actions each state allows (SES-2…10). Disabling a device is allowed in every open session phase. */
export const ALLOWED_ACTIONS: Readonly<Record<SessionState, readonly SessionAction[]>> = {
  available: ['send-start-update', 'disable-device'],
  concluded: ['send-start-update', 'disable-device'],
  preparing: ['send-start-update', 'start-update', 'force-update', 'disable-device'],
  updating: ['report-success', 'report-failure', 'disable-device'],
  'mobile-update': ['send-end-update', 'conclude', 'disable-device'],
  failed: ['reactivate-devices', 'report-to-support', 'resolve', 'disable-device'],
  reactivated: ['reactivate-devices', 'report-to-support', 'resolve', 'disable-device'],
};

/** What else decides the actions, beyond the state. */
export interface SessionContext {
  /** Alturas withdrew the release the session installs (docs/rollout.md). */
  readonly releaseWithdrawn?: boolean;
}

/**
 * The actions allowed now. A phase-1 session whose release Alturas withdrew can
 * no longer start or force the update: its admin closes it (Chiudi
 * aggiornamento), which frees the devices. Later phases are not affected: the
 * installer already ran, and the session ends the usual way.
 */
export function allowedActions(state: SessionState, context: SessionContext = {}): readonly SessionAction[] {
  if (state === 'preparing' && context.releaseWithdrawn) return ['close-update', 'disable-device'];
  return ALLOWED_ACTIONS[state];
}

/** The state an action leads to (actions not listed keep the state). */
export const NEXT_STATE: Partial<Record<SessionAction, Partial<Record<SessionState, SessionState>>>> = {
  'send-start-update': { available: 'preparing', concluded: 'preparing' },
  'start-update': { preparing: 'updating' },
  'force-update': { preparing: 'updating' },
  'report-success': { updating: 'mobile-update' },
  'report-failure': { updating: 'failed' },
  conclude: { 'mobile-update': 'concluded' },
  'reactivate-devices': { failed: 'reactivated' },
  resolve: { failed: 'available', reactivated: 'available' },
  'close-update': { preparing: 'available' },
};

/** True when a session is open (an update is under way or awaits support). */
export const isOpen = (state: SessionState) => state !== 'available' && state !== 'concluded';

export const isAllowed = (state: SessionState, action: SessionAction, context?: SessionContext) =>
  allowedActions(state, context).includes(action);

/** The state after `action`, or the same state for actions that do not move the session. */
export const nextState = (state: SessionState, action: SessionAction): SessionState => NEXT_STATE[action]?.[state] ?? state;

/** The session as stored (one item per customer). */
export interface Session {
  customerId: string;
  /** New for every update attempt (first START UPDATE push). */
  sessionId: string;
  state: SessionState;
  /** Optimistic-concurrency counter: every transition and admin action increments it. */
  version: number;
  /** The release being installed. */
  targetVersion?: string;
  /** The desktop version when the session opened. */
  fromVersion?: string;
  forced?: boolean;
  startedAt?: string;
  startedBy?: string;
  updatedAt: string;
  /** Attempt counters, part of each push command's idempotency key (a resend is a new attempt). */
  pushAttempts?: Partial<Record<'START_UPDATE' | 'END_UPDATE' | 'ERROR_UPDATE', number>>;
  /** The rollout wave the customer was counted in when the update started (releases with a rollout plan). */
  rolloutWave?: number;
  /** S3 key of the desktop's log after an abnormal termination. */
  failureLogKey?: string;
  failureMessage?: string;
  supportCaseId?: string;
}

/** A session that has never been opened. */
export function initialSession(customerId: string, at: string): Session {
  return { customerId, sessionId: '', state: 'available', version: 0, updatedAt: at };
}

/** The device fields the session logic reads. */
export interface DeviceState {
  serial: string;
  enabled: boolean;
  installedVersion?: string;
  blocked?: boolean;
  /** The session whose START UPDATE the device acknowledged (Notification sent ✓). */
  startAckSessionId?: string;
  /** The session in which the device sent its unsent data (Awaiting update ✓). */
  awaitingSessionId?: string;
}

export const notificationAcked = (d: DeviceState, s: Session) => Boolean(s.sessionId) && d.startAckSessionId === s.sessionId;
export const awaitingUpdate = (d: DeviceState, s: Session) => Boolean(s.sessionId) && d.awaitingSessionId === s.sessionId;

/** SES-5: Start update only when every enabled device awaits the update; Force update otherwise. */
export function startOrForce(devices: readonly DeviceState[], session: Session): { canStart: boolean; notAwaiting: string[] } {
  const notAwaiting = devices.filter((d) => d.enabled && !awaitingUpdate(d, session)).map((d) => d.serial);
  return { canStart: notAwaiting.length === 0, notAwaiting };
}

/** What a device must do now (DEV-7: check-in always returns it, so a lost push changes nothing). */
export type OwedCommand =
  /** Normal work. */
  | { command: 'NONE' }
  /** START UPDATE: confirm, finish the operation in progress, lock, send unsent data (DEV-2). */
  | { command: 'LOCK'; sessionId: string }
  /** Locked; unsent data already sent: wait for END UPDATE (DEV-4). */
  | { command: 'AWAIT'; sessionId: string; reason: 'awaiting-desktop' | 'awaiting-conclusion' | 'update-failed' }
  /** Download and install the mobile package of this version (DEV-5/6), a downgrade included. */
  | { command: 'UPDATE'; version: string; sessionId?: string }
  /** ERROR UPDATE: unlock and resume normal work (SES-10). */
  | { command: 'REACTIVATE'; sessionId: string };

/**
 * The command a device owes, from the session, its own row and the desktop's
 * installed version. Pure: the same inputs always give the same command.
 */
export function owedCommand(session: Session, device: DeviceState, desktopVersion: string | undefined): OwedCommand {
  const differs = desktopVersion !== undefined && device.installedVersion !== desktopVersion;
  switch (session.state) {
    case 'preparing':
      return awaitingUpdate(device, session)
        ? { command: 'AWAIT', sessionId: session.sessionId, reason: 'awaiting-desktop' }
        : { command: 'LOCK', sessionId: session.sessionId };
    case 'updating':
      return { command: 'AWAIT', sessionId: session.sessionId, reason: 'awaiting-desktop' };
    case 'mobile-update':
      return differs
        ? { command: 'UPDATE', version: desktopVersion!, sessionId: session.sessionId }
        : { command: 'AWAIT', sessionId: session.sessionId, reason: 'awaiting-conclusion' };
    case 'failed':
      return { command: 'AWAIT', sessionId: session.sessionId, reason: 'update-failed' };
    case 'reactivated':
      return { command: 'REACTIVATE', sessionId: session.sessionId };
    case 'available':
    case 'concluded':
      // DEV-6: outside a session a device on another version (older or newer) goes to the desktop's.
      return differs ? { command: 'UPDATE', version: desktopVersion! } : { command: 'NONE' };
  }
}

/** Grid filters of phase 3 (SES-7). */
export type GridFilter = 'all' | 'updated' | 'not-updated';

/** A device is "updated" when its installed version equals the desktop's. */
export const isUpdated = (d: DeviceState, desktopVersion: string | undefined) =>
  desktopVersion !== undefined && d.installedVersion === desktopVersion;
