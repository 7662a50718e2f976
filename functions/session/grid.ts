import { createHash } from 'node:crypto';
import type { DeviceAttribute, DeviceItem } from '../../shared/db/devices';
import type { TabletView } from '../../shared/tablets/authorisation';
import {
  allowedActions,
  awaitingUpdate,
  isUpdated,
  notificationAcked,
  startOrForce,
  type GridFilter,
  type Session,
  type SessionContext,
} from '../../shared/session/state-machine';

/** Fields the grid reads: never the lock secret or the credential. */
export const GRID_PROJECTION: readonly (DeviceAttribute | 'serial')[] = [
  'serial',
  'model',
  'operator',
  'phone',
  'enabled',
  'installedVersion',
  'lastSyncAt',
  'lastCheckInAt',
  'notificationsEnabled',
  'blocked',
  'blockedManually',
  'startAckSessionId',
  'awaitingSessionId',
  'notes',
];

/** Shown in the window of a phase-1 session whose release Alturas withdrew. */
export const WITHDRAWN_TEXT = {
  it: "Alturas ha ritirato questa versione: l'aggiornamento non può essere avviato né forzato. Clic su Chiudi aggiornamento per chiudere la procedura; i dispositivi mobile riprenderanno la normale attività.",
  en: 'Alturas has withdrawn this release: the update can be neither started nor forced. Click Close update to end the procedure; the mobile devices resume normal work.',
};

/** One row of "Gestione aggiornamento" (SES-1, SES-7). */
export interface GridRow {
  serial: string;
  device: string | null;
  operator: { code: string; name: string; surname: string } | null;
  phone: string | null;
  lastSync: string | null;
  notificationsEnabled: boolean;
  notificationSent: boolean;
  blocked: boolean;
  awaitingUpdate: boolean;
  notes: string[];
  /** Phase 3 only (SES-7). */
  installedVersion?: string | null;
  /** Phase 3: red rows — not on the desktop's version. */
  notOnDesktopVersion: boolean;
}

/**
 * The admin window as data: session, buttons enabled, rows of enabled devices
 * (disabled ones leave the grid, SES-8), filtered for phase 3.
 */
export function buildGrid(
  session: Session,
  devices: DeviceItem[],
  desktopVersion: string | undefined,
  filter: GridFilter,
  context: SessionContext = {},
) {
  const enabled = devices.filter((d) => d.enabled);
  const phase3 = session.state === 'mobile-update';
  const rows: GridRow[] = enabled
    .filter((d) => filter === 'all' || (filter === 'updated') === isUpdated(d, desktopVersion))
    .map((d) => ({
      serial: d.serial,
      device: d.model ?? null,
      operator: d.operator ?? null,
      phone: d.phone ?? null,
      lastSync: d.lastSyncAt ?? null,
      notificationsEnabled: Boolean(d.notificationsEnabled),
      notificationSent: notificationAcked(d, session),
      blocked: Boolean(d.blocked),
      awaitingUpdate: awaitingUpdate(d, session),
      notes: (d.notes ?? []).slice(-3),
      ...(phase3 ? { installedVersion: d.installedVersion ?? null } : {}),
      notOnDesktopVersion: !isUpdated(d, desktopVersion),
    }))
    .sort((a, b) => a.serial.localeCompare(b.serial));
  const { canStart, notAwaiting } = startOrForce(enabled, session);
  const body = {
    session: {
      sessionId: session.sessionId || null,
      state: session.state,
      version: session.version,
      targetVersion: session.targetVersion ?? null,
      forced: Boolean(session.forced),
      supportCaseId: session.supportCaseId ?? null,
    },
    desktopVersion: desktopVersion ?? null,
    allowedActions: allowedActions(session.state, context),
    buttons: {
      startUpdate: session.state === 'preparing' && !context.releaseWithdrawn && canStart,
      forceUpdate: session.state === 'preparing' && !context.releaseWithdrawn && !canStart,
    },
    // Phase 1 of a release Alturas withdrew: the window says why Avvia/Forza are gone (docs/rollout.md).
    ...(context.releaseWithdrawn ? { releaseWithdrawn: { version: session.targetVersion ?? null, message: WITHDRAWN_TEXT } } : {}),
    counts: {
      devices: enabled.length,
      awaiting: enabled.length - notAwaiting.length,
      updated: enabled.filter((d) => isUpdated(d, desktopVersion)).length,
    },
    filter,
    rows,
  };
  return { body, etag: `"${createHash('sha256').update(JSON.stringify(body)).digest('base64url').slice(0, 27)}"` };
}

/** One tablet of "Gestione Mobile": its tablet authorisation row, and whether it lags the desktop. */
export type MobileDeviceRow = TabletView & {
  /** Installed version differs from the desktop's: the window marks the row. */
  notOnDesktopVersion: boolean;
};

/**
 * "Gestione Mobile" (Gestione autorizzazioni tablet): every authorised tablet,
 * enabled or not, as shared/tablets/authorisation.ts shows it, sorted by serial.
 */
export function buildDeviceList(tablets: TabletView[], desktopVersion: string | undefined) {
  const devices: MobileDeviceRow[] = tablets.map((t) => ({
    ...t,
    notOnDesktopVersion: !isUpdated({ ...t, installedVersion: t.installedVersion ?? undefined }, desktopVersion),
  }));
  return { desktopVersion: desktopVersion ?? null, devices };
}
