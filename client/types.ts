/**
 * Shapes of the API's answers, as the clients read them. The server-side
 * sources are named on each type; shared contract types (notices, owed
 * commands, push summaries, audit entries, support cases) are imported as
 * types only, so the SDK loads no server code.
 */
import type { SupportCase } from '../shared/db/cases';
import type { AuditEntry } from '../shared/db/audit';
import type { Notice } from '../shared/feed/notice';
import type { FeedAnswerPayload, FeedAnswerUpdate } from '../shared/feed/signed-answer';
import type { Operator } from '../shared/db/devices';
import type { DeviceSummary, FanOutResult } from '../shared/push/request';
import type { OwedCommand, SessionState } from '../shared/session/state-machine';
import type { LocalizedMessages } from './http';

export type { AuditEntry, DeviceSummary, FeedAnswerPayload, FeedAnswerUpdate, Notice, Operator, OwedCommand, SessionState, SupportCase };

/** The session as the admin window's actions return it (functions/session/window.ts `view`). */
export interface SessionView {
  sessionId: string;
  state: SessionState;
  version: number;
  targetVersion: string | null;
  forced: boolean;
}

/** Per-device summary of a push (SES-3/7/10), docs/push.md "Summary". */
export interface PushSummary {
  complete: boolean;
  counts: FanOutResult['counts'];
  devices: DeviceSummary[];
  ignored: FanOutResult['ignored'];
}

/** Answer of the push buttons: Invia START UPDATE, Fine aggiornamento / END UPDATE, Riattiva. */
export interface PushAnswer {
  session: SessionView;
  summary: PushSummary;
}

/** One row of "Gestione aggiornamento": the server's own type (type-only import, nothing loaded at run time). */
import type { GridRow } from '../functions/session/grid';
export type { GridRow };

export type GridFilter = 'all' | 'updated' | 'not-updated';

/** GET /v1/desktop/update. */
export interface Grid {
  session: {
    sessionId: string | null;
    state: SessionState;
    version: number;
    targetVersion: string | null;
    forced: boolean;
    supportCaseId: string | null;
  };
  desktopVersion: string | null;
  allowedActions: string[];
  buttons: { startUpdate: boolean; forceUpdate: boolean };
  /** Phase 1 of a release Alturas withdrew: why Avvia/Forza are gone (Chiudi aggiornamento instead). */
  releaseWithdrawn?: { version: string | null; message: LocalizedMessages };
  counts: { devices: number; awaiting: number; updated: number };
  filter: GridFilter;
  rows: GridRow[];
}

/** First step of a double confirmation (Forza, Disabilita, Aggiornamento concluso). */
export interface ConfirmationRequired {
  confirmationRequired: true;
  /** Send it back to confirm; stale as soon as the session changes. */
  confirmToken: string;
  warning: LocalizedMessages;
}

export type ForceAnswer =
  | (ConfirmationRequired & { notAwaiting: { serial: string; operator: Operator | null }[] })
  | { confirmationRequired?: undefined; session: SessionView };
export type ConcludeAnswer =
  | (ConfirmationRequired & { notUpdated: { serial: string; operator: Operator | null; installedVersion: string | null }[] })
  | { confirmationRequired?: undefined; session: SessionView };
export type DisableAnswer = ConfirmationRequired | { confirmationRequired?: undefined; serial: string; enabled: false };

/** POST /v1/desktop/login. */
export interface LoginAnswer {
  token: string;
  expiresAt: string;
  username: string;
  role: 'admin' | 'user';
  workstation: 'server' | 'client';
  mustChangePassword: boolean;
}

/** Procedura preliminare di aggiornamento: the challenge (CODE-1). */
export interface ChallengeAnswer {
  version: string;
  challenge: string;
  groups: string[];
  expiresAt: string;
  attemptsLeft: number;
}

/** GENERA. */
export interface Code2Answer {
  serial: string;
  action: 'lock' | 'unlock';
  code2: string;
  expiresAt: string;
}

/** VERIFICA. */
export interface VerifyAnswer {
  serial: string;
  action: 'lock' | 'unlock';
  verified: true;
  blocked: boolean;
}

/** The desktop's startup answer before verification (functions/version-feed/feed.ts). */
export interface FeedReply {
  answer: unknown;
  installedStatus?: 'update' | 'up-to-date' | 'ahead';
  latestVersion?: string;
}

/** What every device answer carries (functions/devices/check-in.ts). */
export interface OwedAnswer {
  command: OwedCommand;
  session: { sessionId: string; state: SessionState } | null;
  desktopVersion: string | null;
}

/** POST /v1/device/register. */
export interface Registration extends OwedAnswer {
  serial: string;
  credential: string;
  lockSecret: string;
  registration: 'new' | 'renewed';
}

/** ack / locked / unsent-data-sent. */
export type ReportAnswer = OwedAnswer & { serial: string; sessionId: string; recorded: boolean };

/** POST /v1/device/installed. */
export type InstalledAnswer = OwedAnswer & { serial: string; installedVersion: string; updated: boolean; recorded: boolean };

/** GET /v1/device/package. */
export interface DevicePackage {
  version: string;
  size: number;
  sha256: string;
  url: string;
  urlExpiresAt: number;
}

/** A catalog entry as support lists it (GET /v1/support/releases). */
export interface CatalogRelease {
  version: string;
  notesUrl: string;
  requiresConfirmationCode: boolean;
  publishedAt: string;
  catalogVersion?: number;
  desktop: { size: number; sha256: string; key?: string };
  mobile: { size: number; sha256: string; key?: string };
  /** Support's listing only: the release's rollout phase (docs/rollout.md). */
  rolloutPhase?: string;
}

/** A desktop user as support sees it (never a password or hash). */
export interface UserView {
  username: string;
  role: 'admin' | 'user';
  mustChangePassword: boolean;
  createdAt: string;
  passwordChangedAt?: string;
  updatedAt?: string;
}

/** One row of support's failed-updates list: the server's own type. */
import type { FailedUpdate } from '../functions/support/failed-updates';
export type { FailedUpdate };

export interface ResolveAnswer {
  customerId: string;
  session: { sessionId: string; state: SessionState; version: number };
  fromState: SessionState;
  resolvedAt: string;
  resolvedBy: string;
  closedCaseIds: string[];
}

export interface ConfirmationResponseAnswer {
  customerId: string;
  version: string;
  challenge: string;
  response: string;
}

/** A release's rollout as support sees it (functions/releases/rollout.ts, type-only). */
import type { rolloutProgress, rolloutView } from '../functions/releases/rollout';
import type { RolloutPlan } from '../shared/rollout/plan';
export type { RolloutPlan };
export type RolloutView = ReturnType<typeof rolloutView>;
/** GET /v1/support/releases/{version}/rollout: the view plus per-wave progress. */
export type RolloutProgress = Awaited<ReturnType<typeof rolloutProgress>>;

/** POST /v1/desktop/window-tickets: opens the hosted update window (`<api origin><path>`). */
export interface WindowTicket {
  ticket: string;
  expiresAt: string;
  /** `/desktop/#ticket=…`: the ticket rides in the fragment, never sent to a server. */
  path: string;
}

/** GET /v1/desktop/notice: the window's startup notice, for the desktop version the backend knows. */
export interface WindowNotice {
  notice: Notice;
  desktopVersion: string;
  update: { version: string; notesUrl: string; requiresConfirmationCode: boolean } | null;
}

/** One tablet of Gestione Mobile: the server's own type. */
import type { MobileDeviceRow } from '../functions/session/grid';
export type { MobileDeviceRow };

/** GET /v1/desktop/devices. */
export interface MobileDeviceList {
  desktopVersion: string | null;
  devices: MobileDeviceRow[];
}
