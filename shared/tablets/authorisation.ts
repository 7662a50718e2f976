/**
 * Tablet authorisation management ("Gestione Autorizzazioni Tablet", menu
 * "Gestione Mobile" of mOphas desktop): the table of the customer's authorised
 * tablets — IMEI serial, model, operator (code, name, surname), phone, enabled.
 * Only a serial in this table, enabled, can register with the licence code
 * (functions/devices/registration.ts). The customer's admin on the SERVER
 * workstation and Alturas support use the same operations; every change is
 * audited in the same transaction, and every change to the set of enabled
 * tablets bumps the device-set counter Start/Force/Concluso are conditioned on.
 */
import type { Principal } from '../auth/principals';
import { actorOf, auditPutItem } from '../db/audit';
import { summaryDeviceItems } from '../db/customer-summary';
import { customerExistsItem } from '../db/customers';
import { revokeDeviceCredentialItem } from '../db/credentials';
import { deviceSetChangedItem } from '../db/device-set';
import {
  allOf,
  changeDeviceWith,
  createDevice,
  DEVICE_ENABLED,
  DEVICE_EXISTS,
  getDevice,
  listDevices,
  type DeviceItem,
  type Operator,
  versionStill,
} from '../db/devices';
import { failedAt } from '../db/table';
import { AppError, conflict } from '../errors';

/** The fields of the tablet authorisation table the office fills in. */
export interface TabletFields {
  model: string;
  operator: Operator;
  phone: string;
}

/** One row of the tablet authorisation table as the admin and support see it (never secrets). */
export interface TabletView {
  serial: string;
  model: string | null;
  operator: { code: string; name: string; surname: string } | null;
  phone: string | null;
  /** The manual's ABILITATO flag: a disabled tablet cannot register nor work. */
  enabled: boolean;
  /** The tablet holds a live credential (it registered with the licence code). */
  registered: boolean;
  /** The office re-opened its registration: it may register once without its old credential. */
  registrationOpen: boolean;
  /** Blocked (lock exchange, SBLOCCO DEVICE in Gestione Mobile unblocks it). */
  blocked: boolean;
  installedVersion: string | null;
  /** Ultima Synchro. */
  lastSync: string | null;
  authorisedAt: string | null;
  registeredAt: string | null;
}

/** Attributes the table view reads (never the lock secret). */
const VIEW_PROJECTION = [
  'serial',
  'model',
  'operator',
  'phone',
  'enabled',
  'credentialId',
  'registrationOpen',
  'blocked',
  'installedVersion',
  'lastSyncAt',
  'authorisedAt',
  'registeredAt',
] as const;

export function tabletView(d: DeviceItem): TabletView {
  return {
    serial: d.serial,
    model: d.model ?? null,
    operator: d.operator ?? null,
    phone: d.phone ?? null,
    enabled: d.enabled,
    registered: Boolean(d.credentialId),
    registrationOpen: Boolean(d.registrationOpen),
    blocked: Boolean(d.blocked),
    installedVersion: d.installedVersion ?? null,
    lastSync: d.lastSyncAt ?? null,
    authorisedAt: d.authorisedAt ?? null,
    registeredAt: d.registeredAt ?? null,
  };
}

/** 404 in both languages: the serial is not in this customer's table. */
export const tabletNotFound = (serial: string) =>
  new AppError(
    404,
    'NOT_FOUND',
    `Tablet ${serial} is not in tablet authorisation management.`,
    { serial },
    `Il dispositivo ${serial} non è presente in Gestione Autorizzazioni Tablet.`,
  );

const customerNotFound = (customerId: string) =>
  new AppError(404, 'NOT_FOUND', `Customer ${customerId} not found.`, { customerId }, `Cliente ${customerId} non trovato.`);

/** The customer's tablets, sorted by serial: the "Gestione Mobile" window (installed version, last sync). */
export async function listTablets(customerId: string): Promise<TabletView[]> {
  const rows = await listDevices(customerId, { projection: VIEW_PROJECTION });
  return rows.map(tabletView).sort((a, b) => a.serial.localeCompare(b.serial));
}

/**
 * Adds an authorised, enabled tablet. A serial already in the table is 409
 * DEVICE_EXISTS with the row as it is (a retry never adds twice).
 * `checkCustomer`: support names the customer in the path, so it must exist.
 */
export async function authoriseTablet(
  actor: Principal,
  customerId: string,
  serial: string,
  fields: TabletFields,
  options: { checkCustomer?: boolean } = {},
): Promise<TabletView> {
  const by = { id: actorOf(actor).id, at: new Date().toISOString() };
  const row: DeviceItem = {
    customerId,
    serial,
    ...fields,
    // Enabled and not registered yet: no credential until the tablet registers with the licence code.
    enabled: true,
    blocked: false,
    notificationsEnabled: false,
    notes: [],
    authorisedAt: by.at,
    authorisedBy: by.id,
  };
  const outcome = await createDevice(row, [
    deviceSetChangedItem(customerId),
    audit(actor, customerId, 'device.authorised', by.at, { serial, model: fields.model, operatorCode: fields.operator.code }),
    ...(options.checkCustomer ? [customerExistsItem(customerId)] : []),
    // Last, so the indexes above stay the ones failedAt reads.
    ...summaryDeviceItems(customerId, undefined, { enabled: true }),
  ]);
  if (failedAt(outcome, 3)) throw customerNotFound(customerId);
  if (failedAt(outcome, 0)) {
    const existing = await getDevice(customerId, serial);
    throw conflict(
      'DEVICE_EXISTS',
      `Tablet ${serial} is already in tablet authorisation management.`,
      { device: existing ? tabletView(existing) : { serial } },
      `Il dispositivo ${serial} è già presente in Gestione Autorizzazioni Tablet.`,
    );
  }
  if (!outcome.ok) throw new Error(`tablet authorisation cancelled: ${outcome.reasons.join(', ')}`);
  return tabletView(row);
}

/** Changes a tablet's model, operator or phone (no effect on its credential or the device set). */
export async function editTablet(actor: Principal, customerId: string, serial: string, fields: Partial<TabletFields>): Promise<TabletView> {
  const at = new Date().toISOString();
  const outcome = await changeDeviceWith(
    customerId,
    serial,
    { set: { ...fields, editedAt: at } },
    {
      condition: DEVICE_EXISTS,
      others: [
        audit(actor, customerId, 'device.edited', at, {
          serial,
          changed: Object.keys(fields).filter((k) => fields[k as keyof TabletFields]),
        }),
      ],
    },
  );
  if (failedAt(outcome, 0)) throw tabletNotFound(serial);
  const row = await getDevice(customerId, serial);
  if (!row) throw tabletNotFound(serial);
  return tabletView(row);
}

/**
 * Disables a tablet (the manual: it loses the ABILITATO flag and can no longer
 * work): its credential is revoked in the same transaction, so it stops at once
 * on every device route; it leaves the grid and the device set changes.
 * Already disabled → 409 DEVICE_CHANGED "already disabled". The write is
 * conditioned on the row as read (enabled, credential, installed version, so the
 * summary's count moves from exactly that version): when the tablet changes in
 * between (a version report, a re-registration) it is read again and tried
 * again; if it keeps changing, 409 DEVICE_CHANGED carries the row as it is now.
 */
export async function disableTablet(actor: Principal, customerId: string, serial: string, fromState?: string): Promise<TabletView> {
  for (let attempt = 0; attempt < DISABLE_ATTEMPTS; attempt++) {
    // The first read may be eventually consistent; after a failed condition, read what made it fail.
    const row = await getDevice(customerId, serial, { consistent: attempt > 0 });
    if (!row) throw tabletNotFound(serial);
    if (!row.enabled) throw alreadyIn(serial, false);
    const at = new Date().toISOString();
    const outcome = await changeDeviceWith(
      customerId,
      serial,
      // The row forgets its credential, revoked in the same transaction: a disabled tablet stops at once.
      {
        set: { enabled: false },
        remove: ['credentialId', 'registrationOpen'],
        note: { it: 'Dispositivo disabilitato', en: 'Device disabled' },
        at,
      },
      {
        condition: allOf(
          DEVICE_ENABLED,
          row.credentialId
            ? { expression: '#credentialId = :read', values: { ':read': row.credentialId } }
            : { expression: 'attribute_not_exists(#credentialId)' },
          versionStill(row.installedVersion),
        ),
        notesBefore: row.notes?.length ?? 0,
        others: [
          deviceSetChangedItem(customerId),
          audit(actor, customerId, 'device.disabled', at, { serial, revokedCredentialId: row.credentialId }, fromState),
          ...(row.credentialId ? [revokeDeviceCredentialItem(row.credentialId, at, 'device-disabled')] : []),
          ...summaryDeviceItems(
            customerId,
            { enabled: true, installedVersion: row.installedVersion },
            { enabled: false, installedVersion: row.installedVersion },
          ),
        ],
      },
    );
    if (outcome.ok) return tabletView({ ...row, enabled: false, credentialId: undefined, registrationOpen: false });
    if (!failedAt(outcome, 0)) throw new Error(`tablet disable cancelled: ${outcome.reasons.join(', ')}`);
    // Disabled meanwhile, re-registered with a new credential, or updated: decide again on the row as it is now.
  }
  const now = await getDevice(customerId, serial, { consistent: true });
  if (!now) throw tabletNotFound(serial);
  if (!now.enabled) throw alreadyIn(serial, false);
  throw changedMeanwhile(now);
}

/** Reads and conditional writes of a disable before answering that the tablet keeps changing. */
const DISABLE_ATTEMPTS = 4;

/**
 * Enables a tablet and re-opens its registration once (the manual: it is
 * enabled again from tablet authorisation management; a tablet that lost its
 * credential registers again). An enabled tablet only gets its registration
 * re-opened. Either way the answer is the row as it is now.
 */
export async function enableTablet(actor: Principal, customerId: string, serial: string, fromState?: string): Promise<TabletView> {
  const row = await getDevice(customerId, serial);
  if (!row) throw tabletNotFound(serial);
  const at = new Date().toISOString();
  const outcome = row.enabled
    ? await changeDeviceWith(
        customerId,
        serial,
        {
          set: { registrationOpen: true },
          note: { it: 'Registrazione del dispositivo riaperta', en: 'Device registration re-opened' },
          at,
        },
        {
          condition: DEVICE_ENABLED,
          notesBefore: row.notes?.length ?? 0,
          others: [audit(actor, customerId, 'device.registration.reopened', at, { serial }, fromState)],
        },
      )
    : await changeDeviceWith(
        customerId,
        serial,
        { set: { enabled: true, registrationOpen: true }, note: { it: 'Dispositivo riabilitato', en: 'Device re-enabled' }, at },
        {
          condition: allOf(DEVICE_EXISTS, { expression: '#enabled = :was', values: { ':was': false } }, versionStill(row.installedVersion)),
          notesBefore: row.notes?.length ?? 0,
          // A re-enabled tablet joins the set Start update decides on.
          others: [
            deviceSetChangedItem(customerId),
            audit(actor, customerId, 'device.enabled', at, { serial }, fromState),
            ...summaryDeviceItems(
              customerId,
              { enabled: false, installedVersion: row.installedVersion },
              { enabled: true, installedVersion: row.installedVersion },
            ),
          ],
        },
      );
  if (!outcome.ok) throw alreadyIn(serial, !row.enabled);
  return tabletView({ ...row, enabled: true, registrationOpen: true });
}

const alreadyIn = (serial: string, enabled: boolean) =>
  conflict(
    'DEVICE_CHANGED',
    `The device is already ${enabled ? 'enabled' : 'disabled'}.`,
    { serial, enabled },
    `Il dispositivo è già ${enabled ? 'abilitato' : 'disabilitato'}.`,
  );

/** 409 DEVICE_CHANGED (the catalogue's "changed meanwhile: check and retry") with the row as it is now. */
const changedMeanwhile = (row: DeviceItem) =>
  conflict(
    'DEVICE_CHANGED',
    'The device changed meanwhile: check the grid and retry.',
    {
      device: tabletView(row),
    },
    'Il dispositivo è cambiato nel frattempo: controllare la griglia e riprovare.',
  );

const audit = (actor: Principal, customerId: string, action: string, at: string, details: Record<string, unknown>, fromState?: string) =>
  auditPutItem({ customerId, action, actor: actorOf(actor), outcome: 'ok', details, at, ...(fromState ? { fromState } : {}) });
