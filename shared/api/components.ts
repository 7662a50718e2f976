import * as z from 'zod';
import { ERROR_CODES } from './error-catalogue';
import { Count, CustomerIdField, RoleField, SerialField, Sha256, VersionField } from './fields';
import { FEED_ANSWER_FORMAT, FEED_ANSWER_TYPE } from '../feed/signed-answer';
import { NOTICE_KINDS } from '../feed/notice';
import { PUSH_REASON_CODES } from '../push/commands';
import { SESSION_ACTIONS, SESSION_STATES } from '../session/state-machine';

/**
 * The shapes integrators reuse, each a named component of the OpenAPI document
 * (`meta({ id })` → `#/components/schemas/<id>`): the signed feed answer, the
 * notice, the session view, the grid row, the push summary, the owed command and
 * the error. Route contracts (shared/api/routes/) build their responses from them.
 */

/** A time as the API writes it: ISO 8601 with a zone (the service writes UTC, `Z`). */
export const Timestamp = z.iso.datetime({ offset: true });

/** An absolute http(s) URL. */
export const Url = z.url({ protocol: /^https?$/ });

/** A text in the manual's language and in English: the desktop and the devices show `it`. */
export const LocalizedText = z
  .object({ it: z.string(), en: z.string() })
  .meta({ id: 'LocalizedText', description: 'A text in Italian (shown to users) and English (logs, support).' });

export const SessionState = z.enum(SESSION_STATES).meta({
  id: 'SessionState',
  description: '`available` and `concluded`: no update open; `preparing` phase 1, `updating` phase 2, `mobile-update` phase 3.',
});

export const SessionAction = z.enum(SESSION_ACTIONS).meta({ id: 'SessionAction' });

// ---------------------------------------------------------------------------
// Feed (FEED-*, PKG-2)

export const NoticeAction = z
  .object({
    id: z.enum(['manage-update', 'update-details', 'finish-update', 'reactivate-devices', 'send-report']),
    label: LocalizedText,
    adminOnly: z.boolean().meta({ description: 'Only an admin on the SERVER workstation may use it (FEED-6).' }),
    url: Url.optional().meta({ description: 'For links (`update-details`): the mOphas fix wiki page.' }),
  })
  .meta({ id: 'NoticeAction' });

export const Notice = z
  .object({
    kind: z.enum(NOTICE_KINDS),
    colour: z.enum(['none', 'blue', 'yellow', 'green', 'white', 'red']),
    text: LocalizedText.nullable().meta({ description: '`null` for `none`: no box is shown.' }),
    actions: z.array(NoticeAction),
    version: VersionField.optional().meta({ description: 'The version the notice is about, when known.' }),
  })
  .meta({ id: 'Notice', description: 'The notice at the bottom of the main screen (FEED-4); docs/feed.md §2.' });

const PackageDigest = z.object({ size: Count, sha256: Sha256 });

/** The payload of a signed feed answer, once its signature is verified and it is parsed. */
export const FeedAnswerPayload = z
  .object({
    type: z.literal(FEED_ANSWER_TYPE),
    format: z.literal(FEED_ANSWER_FORMAT),
    customerId: z.string().min(1),
    installedVersion: VersionField,
    catalogVersion: Count,
    issuedAt: Count.meta({ description: 'Epoch seconds.' }),
    expiresAt: Count.meta({ description: 'Epoch seconds; the answer is refused from this instant on.' }),
    notice: Notice,
    update: z
      .object({
        version: VersionField,
        notesUrl: Url,
        requiresConfirmationCode: z.boolean(),
        desktop: PackageDigest.extend({ url: Url, urlExpiresAt: Count.meta({ description: 'Epoch seconds.' }) }),
        mobile: PackageDigest,
      })
      .nullable(),
  })
  .meta({ id: 'FeedAnswerPayload', description: 'The signed document (canonical JSON in `SignedFeedAnswer.payload`); docs/feed.md §3.' });

export const SignedFeedAnswer = z
  .object({
    payload: z.string().meta({
      description: 'Canonical JSON of a FeedAnswerPayload. Verify the signature over its UTF-8 bytes before parsing it.',
      contentMediaType: 'application/json',
      contentSchema: { $ref: '#/components/schemas/FeedAnswerPayload' },
    }),
    signature: z
      .string()
      .regex(/^[A-Za-z0-9_-]{86}$/)
      .meta({ description: 'base64url (unpadded) Ed25519 signature over `payload`.' }),
    keyId: z
      .string()
      .regex(/^[0-9a-f]{16}$/)
      .meta({ description: 'First 16 hex characters of SHA-256 of the raw public key.' }),
  })
  .meta({ id: 'SignedFeedAnswer', description: 'The signed envelope (PKG-2); docs/feed.md §3 and §5.' });

/** GET /v1/desktop/feed: the signed answer and advisory fields outside the signature. */
export const FeedAnswer = z
  .object({
    answer: SignedFeedAnswer,
    installedStatus: z.enum(['update', 'up-to-date', 'ahead']).meta({
      description:
        'Advisory, not signed: whether a newer release exists, the installed one is the latest, or it is newer than the catalog.',
    }),
    latestVersion: VersionField.optional().meta({ description: 'Only with `ahead`: the newest published release.' }),
  })
  .meta({ id: 'FeedAnswer', description: 'The startup answer exactly as served; docs/feed.md §3.' });

/** A release as anyone may see it (no storage keys). */
export const PublicRelease = z
  .object({
    version: VersionField,
    notesUrl: Url,
    requiresConfirmationCode: z.boolean(),
    publishedAt: Timestamp,
    desktop: PackageDigest,
    mobile: PackageDigest,
  })
  .meta({ id: 'PublicRelease' });

// ---------------------------------------------------------------------------
// Update session and the admin window (SES-*)

export const SessionView = z
  .object({
    sessionId: z.string(),
    state: SessionState,
    version: Count.meta({ description: 'Optimistic-concurrency counter of the session.' }),
    targetVersion: VersionField.nullable(),
    forced: z.boolean(),
  })
  .meta({ id: 'SessionView', description: 'The session as the admin window’s actions return it.' });

export const Operator = z.object({ code: z.string(), name: z.string(), surname: z.string() }).meta({ id: 'Operator' });

/**
 * One row of tablet authorisation management ("Gestione Autorizzazioni Tablet"):
 * what the office typed, whether the tablet registered, and what it last reported.
 * The admin's Gestione Mobile and support's tablet list show the same rows.
 */
export const Tablet = z
  .object({
    serial: SerialField,
    model: z.string().nullable(),
    operator: Operator.nullable(),
    phone: z.string().nullable(),
    enabled: z
      .boolean()
      .meta({ description: 'ABILITATO: a disabled tablet can neither register nor work, and is not in the update grid.' }),
    registered: z.boolean().meta({ description: 'The tablet holds a live credential (it registered with the licence code).' }),
    registrationOpen: z
      .boolean()
      .meta({ description: 'The office re-opened its registration: it may register once without its old credential.' }),
    blocked: z.boolean(),
    installedVersion: VersionField.nullable(),
    lastSync: Timestamp.nullable().meta({ description: 'Ultima Synchro.' }),
    authorisedAt: Timestamp.nullable(),
    registeredAt: Timestamp.nullable(),
  })
  .meta({ id: 'Tablet', description: 'A tablet of tablet authorisation management (never its secrets).' });

export const GridRow = z
  .object({
    serial: SerialField,
    device: z.string().nullable().meta({ description: 'Model, from tablet authorisation management.' }),
    operator: Operator.nullable(),
    phone: z.string().nullable(),
    lastSync: Timestamp.nullable(),
    notificationsEnabled: z.boolean(),
    notificationSent: z.boolean().meta({ description: 'The device acknowledged START UPDATE in this session.' }),
    blocked: z.boolean(),
    awaitingUpdate: z.boolean().meta({ description: 'Unsent data sent in this session.' }),
    notes: z.array(z.string()).meta({ description: 'Written by the system, latest last.' }),
    installedVersion: VersionField.nullable().optional().meta({ description: 'Phase 3 only (SES-7).' }),
    notOnDesktopVersion: z.boolean().meta({ description: 'Phase 3: shown red.' }),
  })
  .meta({ id: 'GridRow', description: 'One row of "Gestione aggiornamento" (SES-1, SES-7).' });

export const Grid = z
  .object({
    session: z.object({
      sessionId: z.string().nullable(),
      state: SessionState,
      version: Count,
      targetVersion: VersionField.nullable(),
      forced: z.boolean(),
      supportCaseId: z.string().nullable(),
    }),
    desktopVersion: VersionField.nullable(),
    allowedActions: z.array(SessionAction),
    buttons: z.object({ startUpdate: z.boolean(), forceUpdate: z.boolean() }),
    releaseWithdrawn: z
      .object({ version: VersionField.nullable(), message: LocalizedText })
      .optional()
      .meta({ description: 'Phase 1 of a release Alturas withdrew: why Avvia/Forza are gone (Chiudi aggiornamento instead).' }),
    counts: z.object({ devices: Count, awaiting: Count, updated: Count }),
    filter: z.enum(['all', 'updated', 'not-updated']),
    rows: z.array(GridRow),
  })
  .meta({ id: 'Grid', description: 'The admin window as data: the session, the buttons enabled, the rows.' });

export const DeviceSummary = z
  .object({
    serial: SerialField,
    operator: Operator.optional(),
    outcome: z.enum(['sent', 'failed', 'skipped-already-sent', 'no-token']),
    reasonCode: z.enum(PUSH_REASON_CODES).optional(),
    reason: z.string().optional().meta({ description: 'Technical reason for support; never the user text.' }),
    messageId: z.string().optional(),
    message: LocalizedText,
  })
  .meta({ id: 'DeviceSummary', description: 'One line of the per-device push summary.' });

export const PushSummary = z
  .object({
    complete: z.boolean().meta({ description: 'False when devices are still being pushed (large fleets: see `queued`).' }),
    counts: z.object({ sent: Count, failed: Count, skippedAlreadySent: Count, noToken: Count }).nullable(),
    devices: z.array(DeviceSummary),
    ignored: z.array(z.object({ serial: SerialField, reason: z.enum(['disabled', 'not-found']) })),
    queued: z
      .object({ jobs: Count, devices: Count })
      .optional()
      .meta({ description: 'Fleets above the inline limit: pushed by the push worker; outcomes appear in the grid.' }),
  })
  .meta({ id: 'PushSummary', description: 'Per-device summary of START UPDATE, END UPDATE or ERROR UPDATE (SES-3/7/10).' });

export const PushAnswer = z.object({ session: SessionView, summary: PushSummary }).meta({ id: 'PushAnswer' });

/** Step one of a double confirmation (Forza, Disabilita, Aggiornamento concluso). */
export const ConfirmationRequired = z
  .object({
    confirmationRequired: z.literal(true),
    confirmToken: z.string().meta({ description: 'Send it back to confirm; stale as soon as the session changes.' }),
    warning: LocalizedText,
  })
  .meta({ id: 'ConfirmationRequired' });

export const SessionAnswer = z.object({ session: SessionView }).meta({ id: 'SessionAnswer' });

// ---------------------------------------------------------------------------
// Devices (DEV-*)

export const OwedCommand = z
  .discriminatedUnion('command', [
    z.object({ command: z.literal('NONE') }).meta({ description: 'Normal work.' }),
    z.object({ command: z.literal('LOCK'), sessionId: z.string() }).meta({ description: 'START UPDATE: confirm, lock, send unsent data.' }),
    z.object({
      command: z.literal('AWAIT'),
      sessionId: z.string(),
      reason: z.enum(['awaiting-desktop', 'awaiting-conclusion', 'update-failed']),
    }),
    z.object({ command: z.literal('UPDATE'), version: VersionField, sessionId: z.string().optional() }).meta({
      description: 'Download and install the mobile package of this version, a downgrade included.',
    }),
    z.object({ command: z.literal('REACTIVATE'), sessionId: z.string() }).meta({ description: 'ERROR UPDATE: unlock, resume work.' }),
  ])
  .meta({ id: 'OwedCommand', description: 'What the device must do now (DEV-7): check-in always returns it.' });

export const DeviceSession = z
  .object({ sessionId: z.string(), state: SessionState })
  .nullable()
  .meta({ id: 'DeviceSession', description: 'The open update session as a device sees it; null when none is open.' });

export const OwedAnswer = z
  .object({ command: OwedCommand, session: DeviceSession, desktopVersion: VersionField.nullable() })
  .meta({ id: 'OwedAnswer', description: 'What every device answer carries.' });

/** ack / locked / unsent-data-sent. */
export const ReportAnswer = OwedAnswer.extend({
  serial: SerialField,
  sessionId: z.string(),
  recorded: z.boolean().meta({ description: 'False when this report was already recorded (a retry).' }),
}).meta({ id: 'ReportAnswer' });

// ---------------------------------------------------------------------------
// Support

export const AuditEntry = z
  .object({
    customerId: CustomerIdField,
    at: Timestamp,
    eventId: z.string(),
    action: z.string(),
    actor: z.object({ kind: z.enum(['desktop', 'user', 'device', 'support', 'pipeline', 'public', 'system']), id: z.string() }),
    outcome: z.enum(['ok', 'refused', 'failed']),
    fromState: z.string().optional(),
    toState: z.string().optional(),
    details: z.record(z.string(), z.unknown()).optional(),
  })
  .meta({ id: 'AuditEntry' });

export const SupportCase = z
  .object({
    caseId: z.string(),
    customerId: CustomerIdField,
    sessionId: z.string(),
    status: z.enum(['open', 'resolved']),
    createdAt: Timestamp,
    targetVersion: VersionField.optional(),
    fromVersion: VersionField.optional(),
    failureMessage: z.string().optional(),
    failureLogKey: z.string().optional(),
    reportedBy: z.string(),
    message: z.string().optional(),
    resolvedAt: Timestamp.optional(),
    resolvedBy: z.string().optional(),
    resolution: z.string().optional(),
  })
  .meta({ id: 'SupportCase' });

export const UserView = z
  .object({
    username: z.string(),
    role: RoleField,
    mustChangePassword: z.boolean(),
    createdAt: Timestamp,
    passwordChangedAt: Timestamp.optional(),
    updatedAt: Timestamp.optional(),
  })
  .meta({ id: 'UserView', description: 'A desktop user as support sees it (never a password or its hash).' });

// ---------------------------------------------------------------------------
// Errors

/** Every error answer: `code` from the error catalogue, `message`, the texts a person reads, and safe details. */
export const ErrorBody = z
  .looseObject({
    code: z.enum(ERROR_CODES).meta({ description: 'Stable machine-readable code (docs/api.md lists them with their texts).' }),
    message: z.string().meta({ description: 'English, safe to show; may be more precise than `messages.en`.' }),
    messages: LocalizedText.meta({ description: 'What a person reads: the desktop and the devices show `it`.' }),
    issues: z
      .array(z.object({ field: z.string(), problem: z.string() }))
      .optional()
      .meta({ description: 'VALIDATION_FAILED: each field and what was wrong.' }),
    retryAfterSeconds: Count.optional().meta({ description: 'Rate limits (429): when to retry.' }),
    attemptsLeft: Count.optional(),
    allowedActions: z.array(SessionAction).optional().meta({ description: 'Conflicts (409): what the current state allows.' }),
  })
  .meta({ id: 'Error', description: 'Every error answer. Conflicts (409) also carry the current state.' });
