import * as z from 'zod';
import { defineRoute } from '../contract';
import { ConfirmationRequired, Grid, Operator, PushAnswer, SessionAnswer, SessionView, Tablet } from '../components';
import { AuthoriseTabletBody, EditTabletBody } from '../tablets';
import { SerialField, VersionField } from '../fields';

const ConfirmToken = z.string().regex(/^[A-Za-z0-9_-]{16,64}$/, 'the confirmToken from the first step');
const OneRow = z.object({ serial: SerialField.optional().meta({ description: 'One row (a resend); all devices when left out.' }) });
const Confirm = z.object({
  confirmToken: ConfirmToken.optional().meta({ description: 'Second step: the token of the first answer.' }),
});
const NoBody = { body: z.object({}), bodyOptional: true } as const;
const SerialPath = z.object({ serial: SerialField });

/** 409s of every action on the session: the current state and what it allows come with them (SES-11). */
const SESSION_RACES = ['ACTION_NOT_ALLOWED', 'SESSION_CONFLICT'] as const;

/** The `session` function: the admin window "Gestione aggiornamento" (admin on the SERVER workstation) and phase 2. */
export const session = {
  grid: defineRoute({
    method: 'GET',
    path: '/v1/desktop/update',
    fn: 'session',
    auth: 'admin',
    summary: 'The session and the device grid (?filter=all|updated|not-updated), with ETag',
    description: 'Polled every 30 s: send the last ETag as If-None-Match; 304 when nothing changed.',
    query: z.object({ filter: z.enum(['all', 'updated', 'not-updated']).default('all') }),
    responses: { 200: Grid, 304: null },
    responseHeaders: { ETag: 'Version of this answer: send it back as If-None-Match.' },
  }),
  startUpdatePush: defineRoute({
    method: 'POST',
    path: '/v1/desktop/update/start-update-push',
    fn: 'session',
    auth: 'admin',
    summary: 'Send START UPDATE to all devices or one row (opens the session)',
    maxBodyBytes: 1024,
    body: OneRow,
    bodyOptional: true,
    responses: { 200: PushAnswer },
    errors: {
      404: ['NOT_FOUND'],
      409: [...SESSION_RACES, 'RELEASE_WITHDRAWN', 'NO_DESKTOP_VERSION', 'UP_TO_DATE', 'CONFIRMATION_REQUIRED', 'DOWNLOAD_NOT_VERIFIED'],
    },
  }),
  start: defineRoute({
    method: 'POST',
    path: '/v1/desktop/update/start',
    fn: 'session',
    auth: 'admin',
    summary: 'Avvia aggiornamento: every device awaits the update',
    maxBodyBytes: 1024,
    ...NoBody,
    responses: { 200: SessionAnswer },
    errors: { 409: [...SESSION_RACES, 'RELEASE_WITHDRAWN', 'DEVICES_NOT_AWAITING', 'DEVICES_CHANGED'] },
  }),
  force: defineRoute({
    method: 'POST',
    path: '/v1/desktop/update/force',
    fn: 'session',
    auth: 'admin',
    summary: 'Forza aggiornamento: two steps (confirm token bound to the session state)',
    maxBodyBytes: 1024,
    body: Confirm,
    bodyOptional: true,
    responses: {
      200: z
        .union([
          ConfirmationRequired.extend({ notAwaiting: z.array(z.object({ serial: SerialField, operator: Operator.nullable() })) }),
          SessionAnswer,
        ])
        .meta({ id: 'ForceAnswer', description: 'First step: the devices at risk and a confirm token; second step: the session.' }),
    },
    errors: { 409: [...SESSION_RACES, 'RELEASE_WITHDRAWN', 'ALL_DEVICES_AWAITING', 'STALE_CONFIRMATION', 'DEVICES_CHANGED'] },
  }),
  outcome: defineRoute({
    method: 'POST',
    path: '/v1/desktop/update/outcome',
    fn: 'session',
    auth: 'admin',
    summary: 'Phase 2 result: success with the new version, or abnormal termination with its log',
    maxBodyBytes: 1024 * 1024,
    body: z.discriminatedUnion('result', [
      z.object({ result: z.literal('success'), version: VersionField }),
      z.object({
        result: z.literal('failed'),
        log: z
          .string()
          .min(1)
          .max(900 * 1024),
        message: z.string().max(2000).optional(),
      }),
    ]),
    responses: { 200: SessionAnswer },
    errors: { 409: [...SESSION_RACES, 'VERSION_MISMATCH'] },
  }),
  endUpdatePush: defineRoute({
    method: 'POST',
    path: '/v1/desktop/update/end-update-push',
    fn: 'session',
    auth: 'admin',
    summary: 'Fine aggiornamento: END UPDATE to all devices or one row',
    maxBodyBytes: 1024,
    body: OneRow,
    bodyOptional: true,
    responses: { 200: PushAnswer },
    errors: { 404: ['NOT_FOUND'], 409: SESSION_RACES },
  }),
  conclude: defineRoute({
    method: 'POST',
    path: '/v1/desktop/update/conclude',
    fn: 'session',
    auth: 'admin',
    summary: 'Aggiornamento concluso (second confirmation when devices are not updated)',
    maxBodyBytes: 1024,
    body: Confirm,
    bodyOptional: true,
    responses: {
      200: z
        .union([
          ConfirmationRequired.extend({
            notUpdated: z.array(
              z.object({ serial: SerialField, operator: Operator.nullable(), installedVersion: VersionField.nullable() }),
            ),
          }),
          SessionAnswer,
        ])
        .meta({
          id: 'ConcludeAnswer',
          description: 'With devices not updated, first a warning and a confirm token; then (or at once) the session.',
        }),
    },
    errors: { 409: [...SESSION_RACES, 'STALE_CONFIRMATION', 'DEVICES_CHANGED'] },
  }),
  reactivate: defineRoute({
    method: 'POST',
    path: '/v1/desktop/update/reactivate',
    fn: 'session',
    auth: 'admin',
    summary: 'Reactivate mobile devices: ERROR UPDATE to all, devices unlocked',
    maxBodyBytes: 1024,
    ...NoBody,
    responses: { 200: PushAnswer },
    errors: { 409: SESSION_RACES },
  }),
  close: defineRoute({
    method: 'POST',
    path: '/v1/desktop/update/close',
    fn: 'session',
    auth: 'admin',
    summary: 'Chiudi aggiornamento: end a phase-1 session whose release Alturas withdrew',
    description:
      'Only in phase 1 of a release Alturas withdrew (docs/rollout.md): the session closes, the devices are unblocked and woken with ERROR UPDATE.',
    maxBodyBytes: 1024,
    ...NoBody,
    responses: { 200: PushAnswer },
    errors: { 409: SESSION_RACES },
  }),
  report: defineRoute({
    method: 'POST',
    path: '/v1/desktop/update/report',
    fn: 'session',
    auth: 'admin',
    summary: 'Send report to support: a support case with the session and its log',
    maxBodyBytes: 8 * 1024,
    body: z.object({ message: z.string().max(4000).optional() }),
    bodyOptional: true,
    responses: { 200: z.object({ session: SessionView, caseId: z.string() }) },
    errors: { 409: [...SESSION_RACES, 'ALREADY_REPORTED'] },
  }),
  disableDevice: defineRoute({
    method: 'POST',
    path: '/v1/desktop/devices/{serial}/disable',
    fn: 'session',
    auth: 'admin',
    summary: 'Disable device (double confirmation)',
    maxBodyBytes: 1024,
    params: SerialPath,
    body: Confirm,
    bodyOptional: true,
    responses: {
      200: z
        .union([ConfirmationRequired, z.object({ serial: SerialField, enabled: z.literal(false) })])
        .meta({ id: 'DisableAnswer', description: 'First step: the warning and a confirm token; second step: the device, disabled.' }),
    },
    errors: { 404: ['NOT_FOUND'], 409: ['DEVICE_DISABLED', 'STALE_CONFIRMATION', 'DEVICE_CHANGED'] },
  }),
  mobileDevices: defineRoute({
    method: 'GET',
    path: '/v1/desktop/devices',
    fn: 'session',
    auth: 'admin',
    summary: 'Gestione Mobile: every authorised tablet (enabled or not), its installed version and last sync',
    description:
      'The tablet authorisation table (Gestione Autorizzazioni Tablet): tablets registered or not yet, disabled ones too, sorted by serial; support sees the same rows.',
    responses: {
      200: z
        .object({
          desktopVersion: VersionField.nullable(),
          devices: z.array(
            Tablet.extend({
              notOnDesktopVersion: z.boolean().meta({ description: "Its installed version is not the desktop's." }),
            }).meta({ id: 'MobileDeviceRow', description: 'One tablet of "Gestione Mobile" (tablet authorisation management).' }),
          ),
        })
        .meta({ id: 'MobileDevices' }),
    },
  }),
  authoriseTablet: defineRoute({
    method: 'POST',
    path: '/v1/desktop/devices',
    fn: 'session',
    auth: 'admin',
    summary: 'Authorise a tablet (serial, model, operator, phone): it may then register with the licence code',
    description:
      'Gestione Autorizzazioni Tablet. A serial already in the table is 409 DEVICE_EXISTS with the row as it is (a retry never adds twice).',
    maxBodyBytes: 2048,
    body: AuthoriseTabletBody,
    responses: { 201: Tablet },
    errors: { 409: ['DEVICE_EXISTS'] },
  }),
  editTablet: defineRoute({
    method: 'PATCH',
    path: '/v1/desktop/devices/{serial}',
    fn: 'session',
    auth: 'admin',
    summary: "Edit an authorised tablet's model, operator or phone",
    maxBodyBytes: 2048,
    params: SerialPath,
    body: EditTabletBody,
    responses: { 200: Tablet },
    errors: { 404: ['NOT_FOUND'] },
  }),
  enableDevice: defineRoute({
    method: 'POST',
    path: '/v1/desktop/devices/{serial}/enable',
    fn: 'session',
    auth: 'admin',
    summary: 'Re-enable a device (tablet authorisation management)',
    maxBodyBytes: 1024,
    params: SerialPath,
    ...NoBody,
    responses: { 200: z.object({ serial: SerialField, enabled: z.literal(true), registrationOpen: z.literal(true) }) },
    errors: { 404: ['NOT_FOUND'], 409: ['DEVICE_CHANGED'] },
  }),
};
