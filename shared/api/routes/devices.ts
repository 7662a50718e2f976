import * as z from 'zod';
import { defineRoute } from '../contract';
import { OwedAnswer, ReportAnswer } from '../components';
import { LicenceField, SerialField, SessionIdField, TimeField, VersionField } from '../fields';
import { PUSH_COMMANDS } from '../../push/commands';

/**
 * FCM registration token as read from the OS. Three meanings (the contract,
 * documented in OpenAPI): a token is stored and turns Notifications enabled on;
 * `null` says the device has none (notifications not allowed, no Play services):
 * Notifications enabled off and the stored token forgotten; left out, nothing
 * about the token changes.
 */
const PushTokenField = z
  .string()
  .regex(/^[\x21-\x7E]{1,1024}$/, 'a push token: printable characters without spaces, at most 1024')
  .nullish()
  .meta({
    description:
      'FCM registration token as read from the OS now. A token: stored, "Notifiche abilitate" on. ' +
      'null: the device has no token (notifications not allowed, no Play services): "Notifiche abilitate" off and the stored token forgotten. ' +
      'Left out: the stored token and "Notifiche abilitate" stay as they are (a new registration without a token has none).',
  });

/** Optional on every authenticated device body: when present it must be the caller's own serial. */
const self = { serial: SerialField.optional().meta({ description: 'When given, the caller’s own serial (403 otherwise).' }) };

export const RegisterBody = z.object({
  serial: SerialField,
  licenceCode: LicenceField,
  model: z.string().trim().min(1).max(100).optional(),
  installedVersion: VersionField,
  pushToken: PushTokenField,
});
export type RegisterInput = z.infer<typeof RegisterBody>;

export const CheckInBody = z.object({
  ...self,
  installedVersion: VersionField,
  pushToken: PushTokenField,
  lastSyncAt: TimeField.optional(),
});
export type CheckInInput = z.infer<typeof CheckInBody>;

/** The commands a device acknowledges. */
export const AckCommand = z.enum(PUSH_COMMANDS);
export type AckCommand = z.infer<typeof AckCommand>;

const SessionReportBody = z.object({ ...self, sessionId: SessionIdField });

/** What the device stores: its credential (shown once), its lock secret (LOCK-2) and what it owes now. */
const Registration = OwedAnswer.extend({
  serial: SerialField,
  credential: z.string().meta({ description: '`dev_<id>.<secret>`: send as `Authorization: Device …`. Shown once.' }),
  lockSecret: z
    .string()
    .meta({ description: 'Per-device secret for the offline lock/unlock codes (LOCK-2); replaced at every registration.' }),
  registration: z.enum(['new', 'renewed']).meta({
    description: '`new`: the authorised tablet registered for the first time (201); `renewed`: its credential was replaced (200).',
  }),
}).meta({ id: 'Registration' });

/** Refusals of a device whose row is gone or disabled, and of a report for another session (DEV-2/3). */
const DEVICE_GONE = { 403: ['DEVICE_DISABLED'], 404: ['DEVICE_NOT_FOUND'] } as const;

/** The `devices` function: what a device calls (DEV-1…7); a device only ever acts on itself. */
export const devices = {
  register: defineRoute({
    method: 'POST',
    path: '/v1/device/register',
    fn: 'devices',
    auth: 'public',
    summary: 'Register with serial and licence code; returns the device credential and lock secret',
    description:
      "Only a serial in the customer's tablet authorisation management (Gestione Autorizzazioni Tablet), enabled, registers (403 DEVICE_NOT_AUTHORISED otherwise). A tablet already registered re-registers with its own credential (`Authorization: Device …`) or after the office re-opens its registration. 201 for a first registration, 200 for a renewed one.",
    maxBodyBytes: 4096,
    body: RegisterBody,
    responses: { 200: Registration, 201: Registration },
    errors: {
      401: ['UNAUTHORIZED'],
      403: ['DEVICE_DISABLED', 'DEVICE_NOT_AUTHORISED', 'REGISTRATION_LOCKED'],
      429: ['TOO_MANY_REGISTRATIONS'],
      503: ['TRY_AGAIN'],
    },
  }),
  checkIn: defineRoute({
    method: 'POST',
    path: '/v1/device/check-in',
    fn: 'devices',
    auth: 'device',
    summary: 'Report version, push token, last sync; returns the command the device owes now',
    maxBodyBytes: 4096,
    body: CheckInBody,
    responses: { 200: OwedAnswer },
    errors: DEVICE_GONE,
  }),
  ack: defineRoute({
    method: 'POST',
    path: '/v1/device/ack',
    fn: 'devices',
    auth: 'device',
    summary: 'Acknowledge a pushed command (START UPDATE → Notification sent ✓)',
    maxBodyBytes: 1024,
    body: z.object({ ...self, sessionId: SessionIdField, command: AckCommand }),
    responses: { 200: ReportAnswer.extend({ acknowledged: AckCommand }) },
    errors: { ...DEVICE_GONE, 409: ['STALE_SESSION'], 503: ['TRY_AGAIN'] },
  }),
  locked: defineRoute({
    method: 'POST',
    path: '/v1/device/locked',
    fn: 'devices',
    auth: 'device',
    summary: 'The device is locked',
    maxBodyBytes: 1024,
    body: SessionReportBody,
    responses: { 200: ReportAnswer.extend({ blocked: z.literal(true) }) },
    errors: { ...DEVICE_GONE, 409: ['STALE_SESSION'], 503: ['TRY_AGAIN'] },
  }),
  unsentDataSent: defineRoute({
    method: 'POST',
    path: '/v1/device/unsent-data-sent',
    fn: 'devices',
    auth: 'device',
    summary: 'Unsent data sent (→ Awaiting update); phase 1 only',
    maxBodyBytes: 1024,
    body: SessionReportBody,
    responses: { 200: ReportAnswer.extend({ awaitingUpdate: z.literal(true), blocked: z.literal(true) }) },
    errors: { ...DEVICE_GONE, 409: ['STALE_SESSION', 'NO_UPDATE_SESSION', 'VERSION_MISMATCH'], 503: ['TRY_AGAIN'] },
  }),
  installed: defineRoute({
    method: 'POST',
    path: '/v1/device/installed',
    fn: 'devices',
    auth: 'device',
    summary: 'The version now installed on the device',
    maxBodyBytes: 1024,
    body: z.object({ ...self, version: VersionField }),
    responses: {
      200: OwedAnswer.extend({
        serial: SerialField,
        installedVersion: VersionField,
        updated: z.boolean().meta({ description: "True when it is the desktop's version." }),
        recorded: z.boolean(),
      }),
    },
    errors: { ...DEVICE_GONE, 503: ['TRY_AGAIN'] },
  }),
};
