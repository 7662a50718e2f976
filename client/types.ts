/**
 * The types the SDK exposes for requests and answers. Every one is derived from
 * the route contracts (shared/api) by type-only imports — none is written by
 * hand here — so a change to a contract changes them, and the build fails where
 * the SDK or a command line no longer fits.
 */
import type { z } from 'zod';
import type { DeepReadonly } from '../shared/api';
import type * as C from '../shared/api/components';
import type { Answer, AnswerOf, Body } from './api';

type Of<S extends z.ZodType> = z.output<S>;

/** A text in Italian (shown to users) and English (logs, support). */
export type LocalizedText = Of<typeof C.LocalizedText>;

// Feed (the notice and the signed payload come out of the shared verifier, hence read-only).
export type Notice = DeepReadonly<Of<typeof C.Notice>>;
export type FeedAnswerPayload = DeepReadonly<Of<typeof C.FeedAnswerPayload>>;
export type FeedAnswerUpdate = NonNullable<FeedAnswerPayload['update']>;
/** GET /v1/desktop/feed, before its signature is verified. */
export type FeedReply = Answer<'GET /v1/desktop/feed'>;
export type FeedKeys = Answer<'GET /v1/feed/keys'>;
export type DownloadedAnswer = Answer<'POST /v1/desktop/releases/{version}/downloaded'>;

// Desktop users
export type LoginAnswer = Answer<'POST /v1/desktop/login'>;

// The admin window (SES-*)
export type SessionState = Of<typeof C.SessionState>;
export type SessionView = Of<typeof C.SessionView>;
export type Grid = AnswerOf<'GET /v1/desktop/update', 200>;
export type GridRow = Of<typeof C.GridRow>;
export type GridFilter = Grid['filter'];
export type Operator = Of<typeof C.Operator>;
export type DeviceSummary = Of<typeof C.DeviceSummary>;
export type PushSummary = Of<typeof C.PushSummary>;
export type PushAnswer = Of<typeof C.PushAnswer>;
export type SessionAnswer = Of<typeof C.SessionAnswer>;
export type ForceAnswer = Answer<'POST /v1/desktop/update/force'>;
export type ConcludeAnswer = Answer<'POST /v1/desktop/update/conclude'>;
export type DisableAnswer = Answer<'POST /v1/desktop/devices/{serial}/disable'>;
export type EnableAnswer = Answer<'POST /v1/desktop/devices/{serial}/enable'>;
export type ReportToSupportAnswer = Answer<'POST /v1/desktop/update/report'>;
export type Outcome = Body<'POST /v1/desktop/update/outcome'>;

// Confirmation codes and the manual lock (CODE-*, LOCK-*)
export type ChallengeAnswer = Answer<'POST /v1/desktop/releases/{version}/challenge'>;
export type ConfirmationAnswer = Answer<'POST /v1/desktop/releases/{version}/confirmation'>;
export type Code2Answer = Answer<'POST /v1/desktop/devices/{serial}/lock-exchange'>;
export type VerifyAnswer = Answer<'POST /v1/desktop/devices/{serial}/lock-exchange/verify'>;

// Devices (DEV-*)
export type OwedCommand = Of<typeof C.OwedCommand>;
export type OwedAnswer = Of<typeof C.OwedAnswer>;
export type Registration = Answer<'POST /v1/device/register'>;
export type ReportAnswer = Of<typeof C.ReportAnswer>;
export type AckAnswer = Answer<'POST /v1/device/ack'>;
export type InstalledAnswer = Answer<'POST /v1/device/installed'>;
export type DevicePackage = Answer<'GET /v1/device/package'>;

// Support
export type CatalogRelease = Answer<'GET /v1/support/releases'>['releases'][number];
export type PublicRelease = Answer<'GET /v1/catalog'>['releases'][number];
export type PublishedRelease = Answer<'POST /v1/support/releases'>;
export type StagedUpload = Answer<'POST /v1/support/releases/{version}/uploads'>;
export type UserView = Of<typeof C.UserView>;
export type FailedUpdate = Answer<'GET /v1/support/failed-updates'>['failedUpdates'][number];
export type SupportCase = Of<typeof C.SupportCase>;
export type AuditEntry = Of<typeof C.AuditEntry>;
export type ResolveAnswer = Answer<'POST /v1/support/customers/{customerId}/session/resolve'>;
export type ConfirmationResponseAnswer = Answer<'POST /v1/support/confirmation-responses'>;

// Sign-in for people on the Alturas side, and agent assignments
/** GET /v1/support/sign-in: how staff and agents sign in (the pool, its clients, the hosted sign-in). */
export type SignInInfo = Answer<'GET /v1/support/sign-in'>;
export type SupportMe = Answer<'GET /v1/support/me'>;
/** One agent and the customers staff assigned to it. */
export type AgentView = Answer<'GET /v1/support/agents/{username}'>;
/** An assignment change: the agent as it now is, and whether anything changed. */
export type AgentChange = Answer<'PUT /v1/support/agents/{username}/customers/{customerId}'>;

// Staged rollouts (docs/rollout.md)
export type RolloutPlan = Body<'PUT /v1/support/releases/{version}/rollout'>['plan'];
export type RolloutView = Answer<'PUT /v1/support/releases/{version}/rollout'>;
/** GET /v1/support/releases/{version}/rollout: the view plus per-wave progress. */
export type RolloutProgress = Answer<'GET /v1/support/releases/{version}/rollout'>;

// The hosted update window (/desktop/)
/** POST /v1/desktop/window-tickets: opens the hosted update window (`<api origin><path>`). */
export type WindowTicket = Answer<'POST /v1/desktop/window-tickets'>;
/** POST /v1/desktop/window-session: the page's own user session. */
export type WindowSession = Answer<'POST /v1/desktop/window-session'>;
/** GET /v1/desktop/notice: the window's startup notice, for the desktop version the backend knows. */
export type WindowNotice = Answer<'GET /v1/desktop/notice'>;
/** GET /v1/desktop/devices (Gestione Mobile). */
export type MobileDeviceList = Answer<'GET /v1/desktop/devices'>;
export type MobileDeviceRow = MobileDeviceList['devices'][number];

// Onboarding by support and tablet authorisation (issue 11).

/** POST /v1/support/customers: the customer and the manual's first-login admin. */
export type CreatedCustomer = Answer<'POST /v1/support/customers'>;
export type CustomerView = Answer<'GET /v1/support/customers/{customerId}'>;
export type LicenceView = Answer<'POST /v1/support/customers/{customerId}/licences'>;
export type WorkstationView = Answer<'POST /v1/support/customers/{customerId}/workstations/{credentialId}/revoke'>;
/** The only answer that shows a workstation credential's secret. */
export type IssuedWorkstation = Answer<'POST /v1/support/customers/{customerId}/workstations'>;
/** One row of tablet authorisation management (Gestione Autorizzazioni Tablet). */
export type TabletView = Answer<'POST /v1/desktop/devices'>;
/** What the office types for a tablet besides its serial: model, operator, phone. */
export type TabletFields = Omit<Body<'POST /v1/desktop/devices'>, 'serial'>;
