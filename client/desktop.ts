/**
 * The mOphas desktop's side of the API (a thin client, SPEC §2–§6):
 *
 * - {@link DesktopClient.startupCheck}: the check at every start (FEED-4). The
 *   feed's signed answer is verified with pinned keys (docs/feed.md §5); when the
 *   feed cannot be reached, does not answer within `feedTimeoutMs` (default 5 s)
 *   or its answer fails verification, the result is the BLUE notice
 *   (`feedUnreachableNotice()`) and nothing is thrown: work goes on.
 * - {@link DesktopClient.downloadUpdate}: the installer download with HTTP Range
 *   resume and SHA-256 verification, then the `downloaded` report (yellow → green).
 * - login / password change / logout;
 * - the "Gestione aggiornamento" window (grid, START UPDATE, Avvia, Forza,
 *   outcome, Fine aggiornamento, Disabilita, Aggiornamento concluso, Riattiva,
 *   Segnalazione), the "Procedura preliminare di aggiornamento" window
 *   (challenge/response) and GENERA/VERIFICA of the manual lock.
 *
 * State kept between starts ({@link DesktopState}, in a {@link StateStore}):
 * the pinned feed keys, `lastCatalogVersion` (anti-rollback, stored before the
 * answer is acted on), the installed version, the user session token.
 */
import { basename, join } from 'node:path';
import { parseCode } from '../shared/codes/code-format';
import { acceptFeedAnswer, INITIAL_FEED_CLIENT_STATE } from '../shared/client/feed-client-verify';
import { parseVersion } from '../shared/domain/version';
import { feedUnreachableNotice } from '../shared/feed/notice';
import type { FeedAnswerFailure } from '../shared/feed/signed-answer';
import { downloadPackage, DownloadError, type DownloadOptions, type DownloadResult } from './download';
import { ApiError, ApiUnreachableError, HttpClient, MophasClientError } from './http';
import { memoryStore, type StateStore } from './state';
import type {
  ChallengeAnswer,
  Code2Answer,
  ConcludeAnswer,
  ConfirmationAnswer,
  DisableAnswer,
  DownloadedAnswer,
  EnableAnswer,
  FeedAnswerPayload,
  FeedAnswerUpdate,
  FeedReply,
  ForceAnswer,
  Grid,
  GridFilter,
  LoginAnswer,
  Notice,
  Outcome,
  PushAnswer,
  MobileDeviceRow,
  ReportToSupportAnswer,
  SessionAnswer,
  TabletFields,
  TabletView,
  VerifyAnswer,
  WindowTicket,
} from './types';

export type { Outcome };

/** How long the startup check waits for the feed before showing the blue notice. */
export const DEFAULT_FEED_TIMEOUT_MS = 5_000;

/** A feed public key pinned by the desktop. */
export interface PinnedKey {
  readonly keyId?: string;
  /** base64url of the raw 32-byte Ed25519 public key. */
  readonly publicKey: string;
}

/** What the desktop keeps between starts. */
export interface DesktopState {
  readonly format: 1;
  /** The API the state belongs to: keys pinned for one API never verify another's answers. */
  apiUrl?: string;
  /** This installation's customer (configured, or pinned from the first verified answer). */
  customerId?: string;
  /** The mOphas version this desktop runs; changes when the update succeeds. */
  installedVersion?: string;
  /** Feed keys pinned at the first start (fetched once from /v1/feed/keys) unless shipped with the client. */
  pinnedKeys: PinnedKey[];
  /** Anti-rollback mark: the highest catalogVersion ever accepted. */
  lastCatalogVersion: number;
  /** The logged-in user (token valid until `expiresAt`). */
  session?: LoginAnswer;
  /** The last startup check, for `dettagli` and messages. */
  lastCheck?: { at: string; ok: boolean; notice: Notice; update: FeedAnswerUpdate | null; reason?: string };
  /** The installer downloaded and verified, and when it was reported. */
  download?: { version: string; path: string; size: number; sha256: string; verifiedAt: string; reportedAt?: string };
}

export const initialDesktopState = (): DesktopState => ({
  format: 1,
  pinnedKeys: [],
  lastCatalogVersion: INITIAL_FEED_CLIENT_STATE.lastCatalogVersion,
});

export interface DesktopClientOptions {
  /** API base URL, e.g. `http://127.0.0.1:3000`. */
  readonly apiUrl: string;
  /** The installation credential (`dsk_…`), sent as `Authorization: Desktop …`. */
  readonly credential: string;
  /** This installation's customer id; when omitted, pinned from the first answer whose signature verifies. */
  readonly customerId?: string;
  /**
   * The version this desktop runs, when known from outside (first start, or the
   * installer says so): it replaces the one in the state. After a successful
   * update the state holds the new version.
   */
  readonly installedVersion?: string;
  /** Where the state lives. @default memory */
  readonly store?: StateStore<DesktopState>;
  /** Startup-check budget (keys + feed) before the blue notice. @default 5000 */
  readonly feedTimeoutMs?: number;
  /** Timeout of every other call. @default 30000 */
  readonly timeoutMs?: number;
  /** Keys shipped with the desktop (base64url); when omitted, fetched once and pinned. */
  readonly pinnedPublicKeys?: readonly string[];
  readonly now?: () => Date;
  readonly fetch?: typeof fetch;
}

/** Why the startup check shows the blue notice. */
export type StartupFailure = 'UNREACHABLE' | 'TIMEOUT' | 'HTTP_ERROR' | 'NO_KEYS' | FeedAnswerFailure;

export type StartupCheck =
  | {
      readonly ok: true;
      readonly notice: Notice;
      /** The release on offer (signed), or null. */
      readonly update: FeedAnswerUpdate | null;
      readonly payload: FeedAnswerPayload;
      readonly installedVersion: string;
      /** Advisory, unsigned: `ahead` when this desktop runs a version newer than the catalog. */
      readonly installedStatus?: FeedReply['installedStatus'];
    }
  | {
      readonly ok: false;
      /** Always the blue notice. */
      readonly notice: Notice;
      readonly reason: StartupFailure;
      readonly message: string;
      readonly installedVersion: string;
      /** The API error, when the feed answered with one (e.g. 401: wrong credential). */
      readonly error?: unknown;
    };

export interface DownloadedUpdate extends DownloadResult {
  readonly version: string;
  readonly desktopDownloadVerifiedAt: string;
}

export class DesktopClient {
  private readonly http: HttpClient;
  private readonly store: StateStore<DesktopState>;
  private readonly feedTimeoutMs: number;
  private readonly now: () => Date;

  private constructor(
    private readonly options: DesktopClientOptions,
    private current: DesktopState,
  ) {
    this.http = new HttpClient({ baseUrl: options.apiUrl, timeoutMs: options.timeoutMs, fetch: options.fetch });
    this.store = options.store ?? memoryStore<DesktopState>();
    this.feedTimeoutMs = options.feedTimeoutMs ?? DEFAULT_FEED_TIMEOUT_MS;
    this.now = options.now ?? (() => new Date());
  }

  /**
   * Loads the state (or starts a fresh one) and returns a client.
   *
   * @throws MophasClientError `STATE_OTHER_API` when the saved state belongs to another API.
   */
  static async open(options: DesktopClientOptions): Promise<DesktopClient> {
    const store = options.store ?? memoryStore<DesktopState>();
    const saved = await store.load();
    const http = new HttpClient({ baseUrl: options.apiUrl });
    const state: DesktopState = saved ?? { ...initialDesktopState(), apiUrl: http.baseUrl };
    if (state.apiUrl && state.apiUrl !== http.baseUrl) {
      throw new MophasClientError(
        `the desktop state in ${store.location} belongs to ${state.apiUrl}, not ${http.baseUrl}: use another state folder, or reset it (its pinned keys would refuse this API's answers)`,
        'STATE_OTHER_API',
      );
    }
    if (options.customerId && state.customerId && state.customerId !== options.customerId) {
      throw new MophasClientError(
        `the desktop state in ${store.location} belongs to customer ${state.customerId}, not ${options.customerId}: use another state folder or reset it`,
        'STATE_OTHER_API',
      );
    }
    if (options.installedVersion && options.installedVersion !== state.installedVersion) {
      const parsed = parseVersion(options.installedVersion);
      if (!parsed.ok) throw new MophasClientError(`installed version: ${parsed.message}`, 'BAD_VERSION');
      state.installedVersion = options.installedVersion;
      await store.save(state);
    }
    return new DesktopClient({ ...options, store }, state);
  }

  /** A copy of the current state. */
  get state(): Readonly<DesktopState> {
    return structuredClone(this.current);
  }

  /** The version this desktop runs. */
  get installedVersion(): string | undefined {
    return this.current.installedVersion;
  }

  get apiUrl(): string {
    return this.http.baseUrl;
  }

  private async update(change: Partial<DesktopState>) {
    this.current = { ...this.current, ...change };
    await this.store.save(this.current);
  }

  private desktopAuth = () => `Desktop ${this.options.credential}`;

  private requireInstalled(): string {
    const v = this.installedVersion;
    if (!v) {
      throw new MophasClientError(
        'the installed desktop version is unknown: give it once (e.g. --installed 03.01.00_030); it is remembered afterwards',
        'NO_INSTALLED_VERSION',
      );
    }
    return v;
  }

  // ---------------------------------------------------------------------------
  // Startup check (FEED-4/5, PKG-2)
  // ---------------------------------------------------------------------------

  /**
   * The check at every start: fetch (once) and pin the feed keys, ask the feed,
   * verify the signed answer, store the new anti-rollback mark. Never throws for
   * a network problem, a timeout, an error answer or a refused answer: those give
   * the blue notice.
   *
   * @throws MophasClientError only for local configuration (no installed version).
   */
  async startupCheck(): Promise<StartupCheck> {
    const installedVersion = this.requireInstalled();
    const budget = AbortSignal.timeout(this.feedTimeoutMs);
    const blue = async (reason: StartupFailure, message: string, error?: unknown): Promise<StartupCheck> => {
      const notice = feedUnreachableNotice();
      await this.update({ lastCheck: { at: this.now().toISOString(), ok: false, notice, update: null, reason } });
      return { ok: false, notice, reason, message, installedVersion, ...(error === undefined ? {} : { error }) };
    };

    let reply: FeedReply;
    let keys: string[];
    try {
      keys = await this.pinnedKeys(budget);
      reply = await this.http.call(
        'GET /v1/desktop/feed',
        { query: { installed: installedVersion } },
        {
          authorization: this.desktopAuth(),
          signal: budget,
          timeoutMs: this.feedTimeoutMs,
        },
      );
    } catch (error) {
      if (error instanceof ApiError)
        return blue('HTTP_ERROR', `the feed answered ${error.code} (HTTP ${error.status}): ${error.message}`, error);
      if (error instanceof MophasClientError && error.code === 'NO_KEYS') return blue('NO_KEYS', error.message, error);
      if (budget.aborted || (error instanceof ApiUnreachableError && error.reason === 'timeout')) {
        return blue('TIMEOUT', `the feed did not answer within ${this.feedTimeoutMs} ms`, error);
      }
      const detail = error instanceof ApiUnreachableError ? error.detail : ((error as Error)?.message ?? String(error));
      return blue('UNREACHABLE', `the feed at ${this.http.baseUrl} cannot be reached (${detail})`, error);
    }

    const customerId = this.options.customerId ?? this.current.customerId ?? claimedCustomer(reply.answer);
    let verdict;
    try {
      verdict = acceptFeedAnswer({ lastCatalogVersion: this.current.lastCatalogVersion }, reply.answer, {
        pinnedPublicKeys: keys,
        customerId: customerId ?? '',
        installedVersion,
        now: this.now(),
      });
    } catch (error) {
      // A pinned key that is not a key: the state is damaged; the check goes on next start after a reset.
      return blue('NO_KEYS', `a pinned feed key is not valid (${(error as Error).message}): reset the desktop state`, error);
    }
    if (!verdict.ok) return blue(verdict.reason, verdict.message);
    // docs/feed.md §5 step 8: persist the mark before acting on the answer.
    await this.update({
      lastCatalogVersion: verdict.state.lastCatalogVersion,
      customerId: customerId,
      lastCheck: { at: this.now().toISOString(), ok: true, notice: verdict.notice, update: verdict.payload.update },
    });
    return {
      ok: true,
      notice: verdict.notice,
      update: verdict.payload.update,
      payload: verdict.payload,
      installedVersion,
      ...(reply.installedStatus ? { installedStatus: reply.installedStatus } : {}),
    };
  }

  /** The keys to verify with: shipped ones, else pinned ones, else fetched now (once) and pinned. */
  private async pinnedKeys(signal: AbortSignal): Promise<string[]> {
    if (this.options.pinnedPublicKeys?.length) return [...this.options.pinnedPublicKeys];
    if (this.current.pinnedKeys.length > 0) return this.current.pinnedKeys.map((k) => k.publicKey);
    const answer = await this.http.call('GET /v1/feed/keys', {}, { signal, timeoutMs: this.feedTimeoutMs, authorization: null });
    // Checked anyway: a key is pinned for good, so nothing but a well-formed one is kept.
    const keys = (answer?.keys ?? []).filter((k) => typeof k.publicKey === 'string' && /^[A-Za-z0-9_-]{43}$/.test(k.publicKey));
    if (keys.length === 0) throw new MophasClientError('the feed published no usable key to pin', 'NO_KEYS');
    await this.update({ pinnedKeys: keys.map((k) => ({ keyId: k.keyId, publicKey: k.publicKey })) });
    return keys.map((k) => k.publicKey);
  }

  // ---------------------------------------------------------------------------
  // Installer download (PKG-1/2) and the `downloaded` report
  // ---------------------------------------------------------------------------

  /**
   * Downloads the offered release's desktop installer into `dir/<version>/`,
   * resuming a partial file, verifies size and SHA-256 against the signed
   * answer (a wrong file is deleted), then reports it downloaded (the notice
   * turns green at the next start). An expired download link is renewed once
   * with a new startup check.
   *
   * @param check - a successful startup check to use; by default a new one is made.
   * @throws MophasClientError `FEED_UNAVAILABLE` / `NO_UPDATE`, DownloadError, ApiError
   */
  async downloadUpdate(options: { dir: string; check?: StartupCheck } & DownloadOptions): Promise<DownloadedUpdate> {
    let check = options.check ?? (await this.startupCheck());
    for (let attempt = 0; ; attempt++) {
      if (!check.ok) throw new MophasClientError(`the feed could not be checked (${check.reason}): ${check.message}`, 'FEED_UNAVAILABLE');
      const update = check.update;
      if (!update) throw new MophasClientError(`no update is on offer for ${check.installedVersion}: nothing to download`, 'NO_UPDATE');
      const dest = join(options.dir, update.version, installerFileName(update.desktop.url));
      let result: DownloadResult;
      try {
        result = await downloadPackage(update.desktop.url, update.desktop, dest, options);
      } catch (error) {
        if (error instanceof DownloadError && error.reason === 'URL_EXPIRED' && attempt === 0) {
          check = await this.startupCheck();
          continue;
        }
        throw error;
      }
      await this.update({
        download: {
          version: update.version,
          path: result.path,
          size: result.size,
          sha256: result.sha256,
          verifiedAt: this.now().toISOString(),
        },
      });
      const reported = await this.reportDownloaded(update.version, result.sha256);
      return { ...result, version: update.version, desktopDownloadVerifiedAt: reported.desktopDownloadVerifiedAt };
    }
  }

  /** Tells the backend the installer of `version` is downloaded and verified (yellow → green at the next start). */
  async reportDownloaded(version: string, sha256: string): Promise<DownloadedAnswer> {
    const answer = await this.http.call(
      'POST /v1/desktop/releases/{version}/downloaded',
      { params: { version }, body: { sha256 } },
      { authorization: this.desktopAuth() },
    );
    if (this.current.download?.version === version)
      await this.update({ download: { ...this.current.download, reportedAt: this.now().toISOString() } });
    return answer;
  }

  // ---------------------------------------------------------------------------
  // Users (AUTH-1)
  // ---------------------------------------------------------------------------

  /** Logs a user in on this workstation; the session token is kept in the state. */
  async login(username: string, password: string, workstation: 'server' | 'client' = 'server'): Promise<LoginAnswer> {
    const answer = await this.http.call(
      'POST /v1/desktop/login',
      { body: { username, password, workstation } },
      { authorization: this.desktopAuth() },
    );
    await this.update({ session: answer });
    return answer;
  }

  /**
   * Changes the logged-in user's password (required first for a first-login
   * account such as `ammin`). The server ends the session; with `loginAgain`
   * (default) the user is logged in again with the new password.
   */
  async changePassword(
    currentPassword: string,
    newPassword: string,
    options: { loginAgain?: boolean } = {},
  ): Promise<LoginAnswer | undefined> {
    const session = this.requireSession();
    await this.http.call(
      'POST /v1/desktop/password',
      { body: { currentPassword, newPassword } },
      { authorization: `Bearer ${session.token}` },
    );
    await this.update({ session: undefined });
    if (options.loginAgain === false) return undefined;
    return this.login(session.username, newPassword, session.workstation);
  }

  /** Ends the session (here and on the server). */
  async logout(): Promise<void> {
    const session = this.current.session;
    if (session && Date.parse(session.expiresAt) > this.now().getTime()) {
      await this.http.call('POST /v1/desktop/logout', {}, { authorization: `Bearer ${session.token}` }).catch((error: unknown) => {
        if (!(error instanceof ApiError && error.status === 401)) throw error;
      });
    }
    await this.update({ session: undefined });
  }

  private requireSession(): LoginAnswer {
    const session = this.current.session;
    if (!session)
      throw new MophasClientError(
        'nobody is logged in on this desktop: log in first (an administrator, on the SERVER workstation)',
        'NOT_LOGGED_IN',
      );
    if (Date.parse(session.expiresAt) <= this.now().getTime()) {
      throw new MophasClientError(`the session of ${session.username} has expired: log in again`, 'NOT_LOGGED_IN');
    }
    return session;
  }

  private user = () => ({ authorization: `Bearer ${this.requireSession().token}` });

  // ---------------------------------------------------------------------------
  // Gestione aggiornamento (SES-1…10), admin on the SERVER workstation
  // ---------------------------------------------------------------------------

  /**
   * The window's grid. With the ETag of the previous answer, an unchanged grid
   * answers `{ notModified: true }` (the 30-second poll costs little).
   */
  async grid(
    filter: GridFilter = 'all',
    etag?: string,
  ): Promise<{ notModified: true; etag: string } | { notModified: false; etag: string | undefined; grid: Grid }> {
    const res = await this.http.exchange(
      'GET /v1/desktop/update',
      { query: { filter } },
      {
        headers: etag ? { 'if-none-match': etag } : undefined,
        accept: [304],
        ...this.user(),
      },
    );
    if (res.status === 304) return { notModified: true, etag: etag! };
    return { notModified: false, etag: res.headers.get('etag') ?? undefined, grid: res.body as Grid };
  }

  /** Invia START UPDATE to every device, or to one row (`serial`) to retry it. */
  sendStartUpdate(serial?: string): Promise<PushAnswer> {
    return this.http.call('POST /v1/desktop/update/start-update-push', { body: serial ? { serial } : {} }, this.user());
  }

  /** Avvia aggiornamento: only when every device awaits the update. */
  startUpdate(): Promise<SessionAnswer> {
    return this.http.call('POST /v1/desktop/update/start', { body: {} }, this.user());
  }

  /** Forza aggiornamento: without a token, the warning and a token; with it, phase 2 (forced). */
  forceUpdate(confirmToken?: string): Promise<ForceAnswer> {
    return this.http.call('POST /v1/desktop/update/force', { body: confirmToken ? { confirmToken } : {} }, this.user());
  }

  /**
   * The installer's result (phase 2). On success the state's installed version
   * becomes the new one (the desktop now runs it).
   */
  async reportOutcome(outcome: Outcome): Promise<SessionAnswer> {
    const answer = await this.http.call('POST /v1/desktop/update/outcome', { body: outcome }, this.user());
    if (outcome.result === 'success') await this.update({ installedVersion: outcome.version, download: undefined });
    return answer;
  }

  /** Fine aggiornamento (END UPDATE to all), or resend END UPDATE to one row. */
  sendEndUpdate(serial?: string): Promise<PushAnswer> {
    return this.http.call('POST /v1/desktop/update/end-update-push', { body: serial ? { serial } : {} }, this.user());
  }

  /** Aggiornamento concluso: a second confirmation (token) when some devices are not updated. */
  conclude(confirmToken?: string): Promise<ConcludeAnswer> {
    return this.http.call('POST /v1/desktop/update/conclude', { body: confirmToken ? { confirmToken } : {} }, this.user());
  }

  /**
   * Chiudi aggiornamento: ends an update still in preparation whose release
   * Alturas withdrew (Avvia/Forza answer 409 RELEASE_WITHDRAWN); devices are
   * unblocked and woken. docs/rollout.md.
   */
  closeUpdate(): Promise<PushAnswer> {
    return this.http.call('POST /v1/desktop/update/close', { body: {} }, this.user());
  }

  /** Riattiva i terminali mobile: ERROR UPDATE to all, devices unlocked. */
  reactivate(): Promise<PushAnswer> {
    return this.http.call('POST /v1/desktop/update/reactivate', { body: {} }, this.user());
  }

  /** Invia segnalazione all'assistenza: a support case with the session's details and log. */
  reportToSupport(message?: string): Promise<ReportToSupportAnswer> {
    return this.http.call('POST /v1/desktop/update/report', { body: message ? { message } : {} }, this.user());
  }

  /** Disabilita dispositivo: double confirmation. */
  disableDevice(serial: string, confirmToken?: string): Promise<DisableAnswer> {
    return this.http.call(
      'POST /v1/desktop/devices/{serial}/disable',
      { params: { serial }, body: confirmToken ? { confirmToken } : {} },
      this.user(),
    );
  }

  /** Re-enables a device (tablet authorisation management) and re-opens its registration once. */
  enableDevice(serial: string): Promise<EnableAnswer> {
    return this.http.call('POST /v1/desktop/devices/{serial}/enable', { params: { serial }, body: {} }, this.user());
  }

  // ---------------------------------------------------------------------------
  // Gestione Mobile — Gestione Autorizzazioni Tablet
  // ---------------------------------------------------------------------------

  /** The authorised tablets, with installed version and last sync. */
  async tablets(): Promise<MobileDeviceRow[]> {
    return (await this.http.call('GET /v1/desktop/devices', {}, this.user())).devices;
  }

  /** Adds an authorised tablet (IMEI serial, model, operator, phone): it may then register with the licence code. */
  authoriseTablet(tablet: { serial: string } & TabletFields): Promise<TabletView> {
    return this.http.call('POST /v1/desktop/devices', { body: tablet }, this.user());
  }

  /** Changes an authorised tablet's model, operator or phone. */
  editTablet(serial: string, change: Partial<TabletFields>): Promise<TabletView> {
    return this.http.call('PATCH /v1/desktop/devices/{serial}', { params: { serial }, body: change }, this.user());
  }

  // ---------------------------------------------------------------------------
  // The hosted update window (/desktop/)
  // ---------------------------------------------------------------------------

  /**
   * A single-use window ticket (valid about a minute) and the URL that opens the
   * hosted update window with it: `<API origin>/desktop/#ticket=…`. The page and
   * the API share one origin (CloudFront in AWS, the gateway locally); the
   * ticket rides in the fragment, which browsers never send to a server.
   */
  async windowTicket(): Promise<WindowTicket & { url: string }> {
    const answer = await this.http.call('POST /v1/desktop/window-tickets', { body: {} }, this.user());
    return { ...answer, url: `${this.http.baseUrl}${answer.path}` };
  }

  // ---------------------------------------------------------------------------
  // Procedura preliminare di aggiornamento (CODE-1…4)
  // ---------------------------------------------------------------------------

  /** Opens the window: a new challenge to read to support (voids the previous one). */
  openChallenge(version: string): Promise<ChallengeAnswer> {
    return this.http.call('POST /v1/desktop/releases/{version}/challenge', { params: { version }, body: {} }, this.user());
  }

  /**
   * Submits support's response (one string, or the window's three fields). A
   * typo is reported locally first ("group N has a typo"), so no attempt is spent.
   *
   * @throws MophasClientError `CODE_TYPO` / `CODE_FORMAT` before any request; ApiError `CODE_MISMATCH` (422) with `attemptsLeft`.
   */
  submitConfirmation(version: string, response: string | readonly string[]): Promise<ConfirmationAnswer> {
    checkTyped(response);
    return this.http.call(
      'POST /v1/desktop/releases/{version}/confirmation',
      { params: { version }, body: { response: typeof response === 'string' ? response : [...response] } },
      this.user(),
    );
  }

  // ---------------------------------------------------------------------------
  // Blocco / sblocco manuale (LOCK-1): GENERA and VERIFICA
  // ---------------------------------------------------------------------------

  /** GENERA: code 2 for the code 1 the operator read (`action` is what this window does). */
  lockGenerate(serial: string, action: 'lock' | 'unlock', code1: string | readonly string[]): Promise<Code2Answer> {
    checkTyped(code1);
    return this.http.call(
      'POST /v1/desktop/devices/{serial}/lock-exchange',
      { params: { serial }, body: { action, code1: typeof code1 === 'string' ? code1 : [...code1] } },
      this.user(),
    );
  }

  /** VERIFICA: code 3 proves the device acted; the grid shows it blocked (or unblocked). */
  lockVerify(serial: string, code3: string | readonly string[]): Promise<VerifyAnswer> {
    checkTyped(code3);
    return this.http.call(
      'POST /v1/desktop/devices/{serial}/lock-exchange/verify',
      { params: { serial }, body: { code3: typeof code3 === 'string' ? code3 : [...code3] } },
      this.user(),
    );
  }
}

/** A typed code's format and check digits, checked locally (CODE-3): typos never reach the server. */
function checkTyped(code: string | readonly string[]) {
  const parsed = parseCode(code);
  if (!parsed.ok) throw new MophasClientError(parsed.messages.en, parsed.reason === 'TYPO' ? 'CODE_TYPO' : 'CODE_FORMAT');
}

/** The customer id an (as yet unverified) answer claims; only used when none is configured, and only kept if the signature verifies. */
function claimedCustomer(answer: unknown): string | undefined {
  try {
    const payload = (answer as { payload?: unknown })?.payload;
    const id = typeof payload === 'string' ? (JSON.parse(payload) as { customerId?: unknown }).customerId : undefined;
    return typeof id === 'string' ? id : undefined;
  } catch {
    return undefined;
  }
}

/** The installer's file name from its URL path; a safe fallback otherwise. */
function installerFileName(url: string): string {
  try {
    const name = decodeURIComponent(basename(new URL(url).pathname));
    return /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/.test(name) ? name : 'mophas-desktop-setup.bin';
  } catch {
    return 'mophas-desktop-setup.bin';
  }
}
