import { z } from 'zod';
import { LicenceField, SerialField, VersionField } from '../../shared/http/fields';
export { LicenceField, SerialField, VersionField };

/**
 * FCM registration token as read from the OS. Three meanings (the contract,
 * documented in OpenAPI): a token is stored and turns Notifications enabled on;
 * `null` says the device has none (notifications not allowed, no Play services):
 * Notifications enabled off and the stored token forgotten; left out, nothing
 * about the token changes.
 */
export const PushTokenField = z
  .string()
  .regex(/^[\x21-\x7E]{1,1024}$/, 'a push token: printable characters without spaces, at most 1024')
  .nullish()
  .meta({
    description:
      'FCM registration token as read from the OS now. A token: stored, "Notifiche abilitate" on. ' +
      'null: the device has no token (notifications not allowed, no Play services): "Notifiche abilitate" off and the stored token forgotten. ' +
      'Left out: the stored token and "Notifiche abilitate" stay as they are (a new registration without a token has none).',
  });

/** Update session id, as given in the push or the check-in answer. */
export const SessionIdField = z.string().regex(/^[A-Za-z0-9._:-]{1,128}$/, 'a session id as given by the check-in answer');

/** ISO 8601 time with a zone, e.g. 2025-05-01T08:30:00Z. */
export const TimeField = z.iso.datetime({ offset: true, error: 'an ISO 8601 time with a zone, e.g. 2025-05-01T08:30:00Z' });

/** Optional on every authenticated device body: when present it must be the caller's own serial. */
const self = { serial: SerialField.optional() };

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

export const ACK_COMMANDS = ['START_UPDATE', 'END_UPDATE', 'ERROR_UPDATE'] as const;
export type AckCommand = (typeof ACK_COMMANDS)[number];

export const AckBody = z.object({ ...self, sessionId: SessionIdField, command: z.enum(ACK_COMMANDS) });
export const SessionReportBody = z.object({ ...self, sessionId: SessionIdField });
export const InstalledBody = z.object({ ...self, version: VersionField });
