/**
 * The support console's API client: the SDK's HttpClient on the page's own
 * origin, every call named by its route contract's key (types only: no zod in
 * the bundle), every call carrying the session's credential (web/support/session.ts).
 */
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { Answer, Body, CallInput, RouteKey } from '../../client/api';
import { HttpClient } from '../../client/http';
import type { StaffSession } from './session';

export { ApiError, ApiUnreachableError } from '../../client/http';

export const REQUEST_TIMEOUT_MS = 20_000;

export type CustomerMatch = Answer<'GET /v1/support/customer-search'>['customers'][number];
export type CustomerUpdate = Answer<'GET /v1/support/customers/{customerId}/update'>;
export type CustomerOverviewRow = Answer<'GET /v1/support/customer-overview'>['customers'][number];
export type ReleaseList = Answer<'GET /v1/support/releases'>;
export type RolloutProgress = Answer<'GET /v1/support/releases/{version}/rollout'>;
export type RolloutView = Answer<'POST /v1/support/releases/{version}/withdraw'>;
export type FailedUpdate = Answer<'GET /v1/support/failed-updates'>['failedUpdates'][number];
export type SupportCase = Answer<'GET /v1/support/cases'>['cases'][number];
export type AuditEntry = Answer<'GET /v1/support/customers/{customerId}/audit'>['entries'][number];
export type ResponseAnswer = Answer<'POST /v1/support/confirmation-responses'>;
export type ResolveAnswer = Answer<'POST /v1/support/customers/{customerId}/session/resolve'>;
export type SessionLog = Answer<'GET /v1/support/customers/{customerId}/session/log'>;
export type UserRole = 'admin' | 'user';
export type TabletInput = Body<'POST /v1/support/customers/{customerId}/devices'>;
export type IssuedWorkstation = Answer<'POST /v1/support/customers/{customerId}/workstations'>;
export type StagedUpload = Answer<'POST /v1/support/console/releases/{version}/uploads'>;
export type PublishInput = Body<'POST /v1/support/console/releases'>;
export type PublishedRelease = Answer<'POST /v1/support/console/releases'>;
export type CustomerCard = {
  users: Answer<'GET /v1/support/customers/{customerId}/users'>['users'];
  workstations: Answer<'GET /v1/support/customers/{customerId}/workstations'>['workstations'];
  licences: Answer<'GET /v1/support/customers/{customerId}/licences'>['licences'];
  tablets: Answer<'GET /v1/support/customers/{customerId}/devices'>['devices'];
};

export class ConsoleApi {
  private readonly http: HttpClient;

  constructor(
    origin: string,
    private readonly session: StaffSession,
  ) {
    this.http = new HttpClient({ baseUrl: origin, timeoutMs: REQUEST_TIMEOUT_MS, authorization: () => session.authorization() });
  }

  private call<K extends RouteKey>(key: K, input: CallInput<K>): Promise<Answer<K>> {
    return this.http.call(key, input, { headers: this.session.headers() });
  }

  /** The signed-in person: staff or agent, and an agent's customers. */
  me() {
    return this.call('GET /v1/support/me', {});
  }

  searchCustomers(q: string) {
    return this.call('GET /v1/support/customer-search', { query: { q } });
  }

  /** Every customer the person may see, with its summary (the customers overview). */
  customerOverview() {
    return this.call('GET /v1/support/customer-overview', {});
  }

  customerUpdate(customerId: string) {
    return this.call('GET /v1/support/customers/{customerId}/update', { params: { customerId } });
  }

  releases() {
    return this.call('GET /v1/support/releases', {});
  }

  confirmationResponse(customerId: string, version: string, challenge: readonly string[]) {
    return this.call('POST /v1/support/confirmation-responses', { body: { customerId, version, challenge: [...challenge] } });
  }

  failedUpdates(cursor?: string) {
    return this.call('GET /v1/support/failed-updates', { query: { limit: 50, cursor } });
  }

  cases(cursor?: string) {
    return this.call('GET /v1/support/cases', { query: { limit: 50, cursor } });
  }

  audit(customerId: string, action?: string, cursor?: string, limit = 100) {
    return this.call('GET /v1/support/customers/{customerId}/audit', { params: { customerId }, query: { limit, action, cursor } });
  }

  sessionLog(customerId: string) {
    return this.call('GET /v1/support/customers/{customerId}/session/log', { params: { customerId } });
  }

  resolve(customerId: string, resolution: string) {
    return this.call('POST /v1/support/customers/{customerId}/session/resolve', { params: { customerId }, body: { resolution } });
  }

  /** Users, workstation credentials, licences and tablets of a customer (read in parallel). */
  async customerCard(customerId: string): Promise<CustomerCard> {
    const params = { customerId };
    const [users, workstations, licences, tablets] = await Promise.all([
      this.call('GET /v1/support/customers/{customerId}/users', { params }),
      this.call('GET /v1/support/customers/{customerId}/workstations', { params }),
      this.call('GET /v1/support/customers/{customerId}/licences', { params }),
      this.call('GET /v1/support/customers/{customerId}/devices', { params }),
    ]);
    return { users: users.users, workstations: workstations.workstations, licences: licences.licences, tablets: tablets.devices };
  }

  // ── The customer card's management actions (the same routes as mophas-support) ──

  createUser(customerId: string, body: { username: string; password: string; role: UserRole }) {
    return this.call('POST /v1/support/customers/{customerId}/users', { params: { customerId }, body });
  }

  /** A new role, or a password reset (the user must change it at the next login). */
  updateUser(customerId: string, username: string, body: { role?: UserRole; password?: string }) {
    return this.call('PATCH /v1/support/customers/{customerId}/users/{username}', { params: { customerId, username }, body });
  }

  issueWorkstation(customerId: string, body: { workstation: 'server' | 'client'; label: string }) {
    return this.call('POST /v1/support/customers/{customerId}/workstations', { params: { customerId }, body });
  }

  rotateWorkstation(customerId: string, credentialId: string) {
    return this.call('POST /v1/support/customers/{customerId}/workstations/{credentialId}/rotate', {
      params: { customerId, credentialId },
      body: {},
    });
  }

  revokeWorkstation(customerId: string, credentialId: string) {
    return this.call('POST /v1/support/customers/{customerId}/workstations/{credentialId}/revoke', {
      params: { customerId, credentialId },
      body: {},
    });
  }

  /** A generated licence code, or the existing mOphas code typed in. */
  issueLicence(customerId: string, licenceCode?: string) {
    return this.call('POST /v1/support/customers/{customerId}/licences', {
      params: { customerId },
      body: licenceCode ? { licenceCode } : {},
    });
  }

  revokeLicence(customerId: string, licenceCode: string) {
    return this.call('POST /v1/support/customers/{customerId}/licences/revoke', { params: { customerId }, body: { licenceCode } });
  }

  authoriseTablet(customerId: string, body: TabletInput) {
    return this.call('POST /v1/support/customers/{customerId}/devices', { params: { customerId }, body });
  }

  setTabletEnabled(customerId: string, serial: string, enabled: boolean) {
    return enabled
      ? this.call('POST /v1/support/customers/{customerId}/devices/{serial}/enable', { params: { customerId, serial }, body: {} })
      : this.call('POST /v1/support/customers/{customerId}/devices/{serial}/disable', { params: { customerId, serial }, body: {} });
  }

  // ── Publishing a release (staff): the pipeline's domain functions behind the staff routes ──

  startUpload(version: string, body: { kind: 'desktop' | 'mobile'; filename: string; size: number; sha256: string }) {
    return this.call('POST /v1/support/console/releases/{version}/uploads', { params: { version }, body });
  }

  publish(body: PublishInput) {
    return this.call('POST /v1/support/console/releases', { body });
  }

  rollout(version: string) {
    return this.call('GET /v1/support/releases/{version}/rollout', { params: { version } });
  }

  rolloutAction(version: string, action: 'pause' | 'resume', revision: number) {
    return this.call(`POST /v1/support/releases/{version}/rollout/${action}`, { params: { version }, body: { revision } });
  }

  withdraw(version: string, revision: number, reason?: string) {
    return this.call('POST /v1/support/releases/{version}/withdraw', {
      params: { version },
      body: { revision, ...(reason ? { reason } : {}) },
    });
  }
}

const ApiContext = createContext<ConsoleApi | undefined>(undefined);
export const ConsoleApiProvider = ApiContext.Provider;

/** The console's API client (inside the shell only). */
export function useConsoleApi(): ConsoleApi {
  const api = useContext(ApiContext);
  if (!api) throw new Error('useConsoleApi() outside the ConsoleApiProvider');
  return api;
}
