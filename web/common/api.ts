/**
 * The window's API client: the SDK's HttpClient (client/http.ts: typed errors,
 * timeouts, fetch only) on the page's own origin, with the answer shapes of
 * client/types.ts (type-only). The session token lives in this object's memory
 * only — never in storage or the URL — so closing or reloading the page ends it.
 */
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import { HttpClient, seg } from '../../client/http';
import type {
  ChallengeAnswer,
  Code2Answer,
  ConcludeAnswer,
  DisableAnswer,
  ForceAnswer,
  Grid,
  GridFilter,
  LoginAnswer,
  MobileDeviceList,
  PushAnswer,
  SessionView,
  VerifyAnswer,
  WindowNotice,
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
  async openSession(ticket: string): Promise<LoginAnswer> {
    const session = await this.http.post<LoginAnswer>('/v1/desktop/window-session', { ticket }, { authorization: null });
    this.token = session.token;
    return session;
  }

  notice(): Promise<WindowNotice> {
    return this.http.get('/v1/desktop/notice');
  }

  /** The grid; with the last ETag, an unchanged grid answers 304 (`notModified`). */
  async grid(filter: GridFilter, etag?: string): Promise<GridAnswer> {
    const res = await this.http.send<Grid>('GET', '/v1/desktop/update', {
      query: { filter },
      headers: etag ? { 'if-none-match': etag } : undefined,
      accept: [304],
    });
    if (res.status === 304) return { notModified: true };
    return { notModified: false, etag: res.headers.get('etag') ?? undefined, grid: res.body };
  }

  sendStartUpdate(serial?: string): Promise<PushAnswer> {
    return this.http.post('/v1/desktop/update/start-update-push', serial ? { serial } : {});
  }

  startUpdate(): Promise<{ session: SessionView }> {
    return this.http.post('/v1/desktop/update/start', {});
  }

  forceUpdate(confirmToken?: string): Promise<ForceAnswer> {
    return this.http.post('/v1/desktop/update/force', confirmToken ? { confirmToken } : {});
  }

  sendEndUpdate(serial?: string): Promise<PushAnswer> {
    return this.http.post('/v1/desktop/update/end-update-push', serial ? { serial } : {});
  }

  conclude(confirmToken?: string): Promise<ConcludeAnswer> {
    return this.http.post('/v1/desktop/update/conclude', confirmToken ? { confirmToken } : {});
  }

  /** Chiudi aggiornamento: ends a phase-1 session whose release Alturas withdrew (ERROR UPDATE to all). */
  closeUpdate(): Promise<PushAnswer> {
    return this.http.post('/v1/desktop/update/close', {});
  }

  reactivate(): Promise<PushAnswer> {
    return this.http.post('/v1/desktop/update/reactivate', {});
  }

  reportToSupport(message?: string): Promise<{ session: SessionView; caseId: string }> {
    return this.http.post('/v1/desktop/update/report', message ? { message } : {});
  }

  disableDevice(serial: string, confirmToken?: string): Promise<DisableAnswer> {
    return this.http.post(`/v1/desktop/devices/${seg(serial)}/disable`, confirmToken ? { confirmToken } : {});
  }

  enableDevice(serial: string): Promise<{ serial: string; enabled: true }> {
    return this.http.post(`/v1/desktop/devices/${seg(serial)}/enable`, {});
  }

  devices(): Promise<MobileDeviceList> {
    return this.http.get('/v1/desktop/devices');
  }

  lockGenerate(serial: string, action: 'lock' | 'unlock', code1: readonly string[]): Promise<Code2Answer> {
    return this.http.post(`/v1/desktop/devices/${seg(serial)}/lock-exchange`, { action, code1 });
  }

  lockVerify(serial: string, code3: readonly string[]): Promise<VerifyAnswer> {
    return this.http.post(`/v1/desktop/devices/${seg(serial)}/lock-exchange/verify`, { code3 });
  }

  openChallenge(version: string): Promise<ChallengeAnswer> {
    return this.http.post(`/v1/desktop/releases/${seg(version)}/challenge`, {});
  }

  submitConfirmation(version: string, response: readonly string[]): Promise<{ version: string; confirmed: true; confirmedAt: string }> {
    return this.http.post(`/v1/desktop/releases/${seg(version)}/confirmation`, { response });
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
