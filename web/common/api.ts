/**
 * The window's API client: the SDK's HttpClient (client/http.ts: typed errors,
 * timeouts, fetch only) on the page's own origin. Each call names its route by
 * the contract's key, so its input and answer are typed by the route contracts
 * (shared/api, type-only imports through client/types.ts: no zod or server code
 * reaches the bundle). The session token lives in this object's memory
 * only — never in storage or the URL — so closing or reloading the page ends it.
 */
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import { HttpClient } from '../../client/http';
import type {
  ChallengeAnswer,
  Code2Answer,
  ConcludeAnswer,
  ConfirmationAnswer,
  DisableAnswer,
  EnableAnswer,
  ForceAnswer,
  Grid,
  GridFilter,
  MobileDeviceList,
  PushAnswer,
  ReportToSupportAnswer,
  SessionAnswer,
  VerifyAnswer,
  WindowNotice,
  WindowSession,
} from '../../client/types';

export { ApiError, ApiUnreachableError } from '../../client/http';
export type * from '../../client/types';

/** Each call gives up after this long (then the page shows the blue notice and Riprova). */
export const REQUEST_TIMEOUT_MS = 20_000;

export type GridAnswer = { notModified: true } | { notModified: false; etag: string | undefined; grid: Grid };

export class WindowApi {
  private token: string | undefined;
  private readonly http: HttpClient;

  constructor(origin: string) {
    this.http = new HttpClient({
      baseUrl: origin,
      timeoutMs: REQUEST_TIMEOUT_MS,
      authorization: () => (this.token ? `Bearer ${this.token}` : undefined),
    });
  }

  /** Exchanges the desktop's ticket (once) for this page's session. */
  async openSession(ticket: string): Promise<WindowSession> {
    const session = await this.http.call('POST /v1/desktop/window-session', { body: { ticket } }, { authorization: null });
    this.token = session.token;
    return session;
  }

  notice(): Promise<WindowNotice> {
    return this.http.call('GET /v1/desktop/notice', {});
  }

  /** The grid; with the last ETag, an unchanged grid answers 304 (`notModified`). */
  async grid(filter: GridFilter, etag?: string): Promise<GridAnswer> {
    const res = await this.http.exchange(
      'GET /v1/desktop/update',
      { query: { filter } },
      { headers: etag ? { 'if-none-match': etag } : undefined, accept: [304] },
    );
    if (res.status === 304) return { notModified: true };
    return { notModified: false, etag: res.headers.get('etag') ?? undefined, grid: res.body };
  }

  sendStartUpdate(serial?: string): Promise<PushAnswer> {
    return this.http.call('POST /v1/desktop/update/start-update-push', { body: serial ? { serial } : {} });
  }

  startUpdate(): Promise<SessionAnswer> {
    return this.http.call('POST /v1/desktop/update/start', { body: {} });
  }

  forceUpdate(confirmToken?: string): Promise<ForceAnswer> {
    return this.http.call('POST /v1/desktop/update/force', { body: confirmToken ? { confirmToken } : {} });
  }

  sendEndUpdate(serial?: string): Promise<PushAnswer> {
    return this.http.call('POST /v1/desktop/update/end-update-push', { body: serial ? { serial } : {} });
  }

  conclude(confirmToken?: string): Promise<ConcludeAnswer> {
    return this.http.call('POST /v1/desktop/update/conclude', { body: confirmToken ? { confirmToken } : {} });
  }

  /** Chiudi aggiornamento: ends a phase-1 session whose release Alturas withdrew (ERROR UPDATE to all). */
  closeUpdate(): Promise<PushAnswer> {
    return this.http.call('POST /v1/desktop/update/close', { body: {} });
  }

  reactivate(): Promise<PushAnswer> {
    return this.http.call('POST /v1/desktop/update/reactivate', { body: {} });
  }

  reportToSupport(message?: string): Promise<ReportToSupportAnswer> {
    return this.http.call('POST /v1/desktop/update/report', { body: message ? { message } : {} });
  }

  disableDevice(serial: string, confirmToken?: string): Promise<DisableAnswer> {
    return this.http.call('POST /v1/desktop/devices/{serial}/disable', { params: { serial }, body: confirmToken ? { confirmToken } : {} });
  }

  enableDevice(serial: string): Promise<EnableAnswer> {
    return this.http.call('POST /v1/desktop/devices/{serial}/enable', { params: { serial }, body: {} });
  }

  devices(): Promise<MobileDeviceList> {
    return this.http.call('GET /v1/desktop/devices', {});
  }

  lockGenerate(serial: string, action: 'lock' | 'unlock', code1: readonly string[]): Promise<Code2Answer> {
    return this.http.call('POST /v1/desktop/devices/{serial}/lock-exchange', { params: { serial }, body: { action, code1: [...code1] } });
  }

  lockVerify(serial: string, code3: readonly string[]): Promise<VerifyAnswer> {
    return this.http.call('POST /v1/desktop/devices/{serial}/lock-exchange/verify', { params: { serial }, body: { code3: [...code3] } });
  }

  openChallenge(version: string): Promise<ChallengeAnswer> {
    return this.http.call('POST /v1/desktop/releases/{version}/challenge', { params: { version }, body: {} });
  }

  submitConfirmation(version: string, response: readonly string[]): Promise<ConfirmationAnswer> {
    return this.http.call('POST /v1/desktop/releases/{version}/confirmation', { params: { version }, body: { response: [...response] } });
  }
}

const ApiContext = createContext<WindowApi | undefined>(undefined);
/** Provides the window's one API client to every window. */
export const ApiProvider = ApiContext.Provider;

/** The window's API client (inside the shell only). */
export function useApi(): WindowApi {
  const api = useContext(ApiContext);
  if (!api) throw new Error('useApi() outside the ApiProvider');
  return api;
}
