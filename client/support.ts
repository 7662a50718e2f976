/**
 * Alturas support's side of the API: onboarding customers (licences,
 * workstation credentials, tablet authorisation), publishing releases, turning a
 * customer's challenge into the confirmation response (CODE-2/4), desktop users,
 * failed updates and their cases (SES-10), resolving them, and the audit trail.
 *
 * Locally the support routes take `Authorization: Support <key>` (the local
 * stack's LOCAL_SUPPORT_KEY); `principal` sets `x-support-principal` to act as
 * an agent identity. In AWS these routes are IAM-authorised (SigV4), which this
 * client does not sign yet — the same limit as `publish-release`.
 */
import { SupportApi } from '../cli/lib/api';
import { ApiError as CliApiError, CliError } from '../cli/lib/errors';
import type { Progress } from '../cli/lib/progress';
import { publishRelease, type PublishedRelease } from '../cli/lib/publish-release';
import type { Body } from './api';
import { ApiError, HttpClient, MophasClientError, type LocalizedMessages } from './http';
import type {
  AuditEntry,
  CatalogRelease,
  ConfirmationResponseAnswer,
  CreatedCustomer,
  CustomerView,
  FailedUpdate,
  IssuedWorkstation,
  LicenceView,
  PublicRelease,
  ResolveAnswer,
  RolloutPlan,
  RolloutProgress,
  RolloutView,
  SupportCase,
  TabletFields,
  TabletView,
  UserView,
  WorkstationView,
} from './types';

export type { PublishedRelease };

export interface SupportClientOptions {
  readonly apiUrl: string;
  /** The support credential (locally: LOCAL_SUPPORT_KEY). */
  readonly supportKey: string;
  /** Local stack only: act as this support/agent identity (`x-support-principal`). */
  readonly principal?: string;
  readonly timeoutMs?: number;
  readonly fetch?: typeof fetch;
}

export interface PublishReleaseInput {
  version: string;
  /** Path of the desktop installer file. */
  desktop: string;
  /** Path of the mobile package file. */
  mobile: string;
  /** https link of the release notes ("Dettagli aggiornamento"). */
  notesUrl: string;
  requiresCode?: boolean;
  /** Parallel part uploads. @default 4 */
  concurrency?: number;
}

export interface Page<T> {
  items: T[];
  /** Pass it back for the next page; absent on the last one. */
  cursor?: string;
}

const SILENT_PROGRESS: Progress = { start() {}, advance() {}, stop() {} };

export class SupportClient {
  private readonly http: HttpClient;

  constructor(private readonly options: SupportClientOptions) {
    this.http = new HttpClient({
      baseUrl: options.apiUrl,
      authorization: `Support ${options.supportKey}`,
      headers: options.principal ? { 'x-support-principal': options.principal } : undefined,
      timeoutMs: options.timeoutMs,
      fetch: options.fetch,
    });
  }

  get apiUrl(): string {
    return this.http.baseUrl;
  }

  /**
   * Publishes a release (docs/releases.md): hashes both files, uploads them
   * through presigned URLs and asks the API to verify and publish. The same code
   * as `mophas-support publish-release` (cli/lib/publish-release.ts).
   *
   * @throws ApiError from the API (e.g. 409 RELEASE_EXISTS); MophasClientError for a local problem (missing file, bad version…).
   */
  async publishRelease(
    input: PublishReleaseInput,
    hooks: { progress?: Progress; log?: (line: string) => void } = {},
  ): Promise<PublishedRelease> {
    const api = new SupportApi(this.http.baseUrl, this.options.supportKey);
    try {
      return await publishRelease(
        api,
        { ...input, requiresCode: input.requiresCode ?? false, concurrency: input.concurrency ?? 4 },
        hooks.progress ?? SILENT_PROGRESS,
        hooks.log ?? (() => undefined),
      );
    } catch (error) {
      if (error instanceof CliApiError) {
        const m = error.body.messages as LocalizedMessages | undefined;
        throw new ApiError(error.status, error.code, error.apiMessage, m, error.body, {
          method: 'POST',
          url: `${this.http.baseUrl}/v1/support/releases`,
        });
      }
      if (error instanceof CliError) throw new MophasClientError(error.message, 'PUBLISH_REFUSED', { cause: error });
      throw error;
    }
  }

  /** Published releases with storage details, oldest first. */
  listReleases(): Promise<{ catalogVersion: number; latestVersion: string | null; releases: CatalogRelease[] }> {
    return this.http.call('GET /v1/support/releases', {});
  }

  /** A release's rollout: plan, phase and per wave the customers, offered, downloaded, started, concluded, failed. */
  rollout(version: string): Promise<RolloutProgress> {
    return this.http.call('GET /v1/support/releases/{version}/rollout', { params: { version } });
  }

  /**
   * Sets or changes a release's rollout plan. Changes are conditional on the
   * revision the caller read: pass the one you looked at, or leave it out to
   * use the current one (then a change made meanwhile by someone else is not
   * noticed). 409 ROLLOUT_CONFLICT carries the rollout as it now is.
   */
  async setRolloutPlan(version: string, plan: RolloutPlan, revision?: number): Promise<RolloutView> {
    return this.http.call('PUT /v1/support/releases/{version}/rollout', {
      params: { version },
      body: { revision: revision ?? (await this.rollout(version)).revision, plan },
    });
  }

  /** pause · resume · advance (open the next wave now); `revision` as for setRolloutPlan. */
  async rolloutAction(version: string, action: 'pause' | 'resume' | 'advance', revision?: number): Promise<RolloutView> {
    return this.http.call(`POST /v1/support/releases/{version}/rollout/${action}`, {
      params: { version },
      body: { revision: revision ?? (await this.rollout(version)).revision },
    });
  }

  /** Withdraws a release: no customer is offered it any more (final). `revision` as for setRolloutPlan. */
  async withdrawRelease(version: string, options: { reason?: string; revision?: number } = {}): Promise<RolloutView> {
    return this.http.call('POST /v1/support/releases/{version}/withdraw', {
      params: { version },
      body: { revision: options.revision ?? (await this.rollout(version)).revision, ...(options.reason ? { reason: options.reason } : {}) },
    });
  }

  /** The public catalog (no credential needed). */
  catalog(): Promise<{ catalogVersion: number; releases: PublicRelease[] }> {
    return this.http.call('GET /v1/catalog', {}, { authorization: null });
  }

  /** Turns the challenge the customer read over the phone into the response (audited; CODE-2/4). */
  confirmationResponse(customerId: string, version: string, challenge: string | readonly string[]): Promise<ConfirmationResponseAnswer> {
    return this.http.call('POST /v1/support/confirmation-responses', {
      body: { customerId, version, challenge: typeof challenge === 'string' ? challenge : [...challenge] },
    });
  }

  /** A customer's desktop users. */
  async listUsers(customerId: string): Promise<UserView[]> {
    return (await this.http.call('GET /v1/support/customers/{customerId}/users', { params: { customerId } })).users;
  }

  /** Adds a desktop user; the user must change the password at the first login. */
  addUser(customerId: string, user: Body<'POST /v1/support/customers/{customerId}/users'>): Promise<UserView> {
    return this.http.call('POST /v1/support/customers/{customerId}/users', { params: { customerId }, body: user });
  }

  /** Changes a user's role and/or resets the password (then changed at the next login). */
  updateUser(
    customerId: string,
    username: string,
    change: Body<'PATCH /v1/support/customers/{customerId}/users/{username}'>,
  ): Promise<UserView> {
    return this.http.call('PATCH /v1/support/customers/{customerId}/users/{username}', { params: { customerId, username }, body: change });
  }

  /** Customers whose update failed and awaits support, newest first. */
  async failedUpdates(page: { limit?: number; cursor?: string } = {}): Promise<Page<FailedUpdate>> {
    const answer = await this.http.call('GET /v1/support/failed-updates', { query: page });
    return { items: answer.failedUpdates, ...(answer.cursor ? { cursor: answer.cursor } : {}) };
  }

  /** Open support cases, newest first. */
  async cases(page: { limit?: number; cursor?: string } = {}): Promise<Page<SupportCase>> {
    const answer = await this.http.call('GET /v1/support/cases', { query: page });
    return { items: answer.cases, ...(answer.cursor ? { cursor: answer.cursor } : {}) };
  }

  /** Marks a customer's failed update resolved: the red notice goes, the update may be retried; its cases close. */
  resolve(customerId: string, resolution: string): Promise<ResolveAnswer> {
    return this.http.call('POST /v1/support/customers/{customerId}/session/resolve', { params: { customerId }, body: { resolution } });
  }

  // ---------------------------------------------------------------------------
  // Onboarding: customers, licences, workstation credentials, tablets
  // ---------------------------------------------------------------------------

  /** Creates a customer with the manual's first-login admin (`ammin` / `ammin`); staff only. */
  createCustomer(customer: { customerId: string; name: string; desktopVersion: string }): Promise<CreatedCustomer> {
    return this.http.call('POST /v1/support/customers', { body: customer });
  }

  /** Customers by id (an agent sees its own). */
  async customers(page: { limit?: number; cursor?: string } = {}): Promise<Page<CustomerView>> {
    const answer = await this.http.call('GET /v1/support/customers', { query: page });
    return { items: answer.customers, ...(answer.cursor ? { cursor: answer.cursor } : {}) };
  }

  /** One customer. */
  customer(customerId: string): Promise<CustomerView> {
    return this.http.call('GET /v1/support/customers/{customerId}', { params: { customerId } });
  }

  /** Changes a customer's name and/or the desktop version the service knows (not during an update). */
  updateCustomer(customerId: string, change: { name?: string; desktopVersion?: string }): Promise<CustomerView> {
    return this.http.call('PATCH /v1/support/customers/{customerId}', { params: { customerId }, body: change });
  }

  /** Issues the customer's licence (generated, or an existing mOphas code). One live licence per customer. */
  issueLicence(customerId: string, licenceCode?: string): Promise<LicenceView> {
    return this.http.call('POST /v1/support/customers/{customerId}/licences', {
      params: { customerId },
      body: licenceCode ? { licenceCode } : {},
    });
  }

  /** The customer's licences, the live one and revoked ones. */
  async licences(customerId: string): Promise<LicenceView[]> {
    return (await this.http.call('GET /v1/support/customers/{customerId}/licences', { params: { customerId } })).licences;
  }

  /** Revokes a licence: no tablet registers with it any more (registered ones keep working). */
  revokeLicence(customerId: string, licenceCode: string): Promise<LicenceView> {
    return this.http.call('POST /v1/support/customers/{customerId}/licences/revoke', { params: { customerId }, body: { licenceCode } });
  }

  /** Issues a workstation credential; `credential` in the answer is the secret, shown this once. */
  issueWorkstation(customerId: string, workstation: { workstation: 'server' | 'client'; label: string }): Promise<IssuedWorkstation> {
    return this.http.call('POST /v1/support/customers/{customerId}/workstations', { params: { customerId }, body: workstation });
  }

  /** The customer's workstation credentials (never their secrets). */
  async workstations(customerId: string): Promise<WorkstationView[]> {
    return (await this.http.call('GET /v1/support/customers/{customerId}/workstations', { params: { customerId } })).workstations;
  }

  /** Revokes a workstation credential (it stops within a few minutes, see the answer). */
  revokeWorkstation(customerId: string, credentialId: string): Promise<WorkstationView> {
    return this.http.call('POST /v1/support/customers/{customerId}/workstations/{credentialId}/revoke', {
      params: { customerId, credentialId },
      body: {},
    });
  }

  /** Rotates a workstation credential: a new secret (shown once), the old one revoked. */
  rotateWorkstation(customerId: string, credentialId: string): Promise<IssuedWorkstation> {
    return this.http.call('POST /v1/support/customers/{customerId}/workstations/{credentialId}/rotate', {
      params: { customerId, credentialId },
      body: {},
    });
  }

  /** Tablet authorisation management: the customer's tablets with installed version and last sync. */
  async tablets(customerId: string): Promise<TabletView[]> {
    return (await this.http.call('GET /v1/support/customers/{customerId}/devices', { params: { customerId } })).devices;
  }

  /** Authorises a tablet: from now on it may register with the licence code. */
  authoriseTablet(customerId: string, tablet: { serial: string } & TabletFields): Promise<TabletView> {
    return this.http.call('POST /v1/support/customers/{customerId}/devices', { params: { customerId }, body: tablet });
  }

  /** Changes an authorised tablet's model, operator or phone. */
  editTablet(customerId: string, serial: string, change: Partial<TabletFields>): Promise<TabletView> {
    return this.http.call('PATCH /v1/support/customers/{customerId}/devices/{serial}', { params: { customerId, serial }, body: change });
  }

  /** Disables a tablet: its credential stops at once, it leaves the grid. */
  disableTablet(customerId: string, serial: string): Promise<TabletView> {
    return this.http.call('POST /v1/support/customers/{customerId}/devices/{serial}/disable', { params: { customerId, serial }, body: {} });
  }

  /** Enables a tablet and re-opens its registration once. */
  enableTablet(customerId: string, serial: string): Promise<TabletView> {
    return this.http.call('POST /v1/support/customers/{customerId}/devices/{serial}/enable', { params: { customerId, serial }, body: {} });
  }

  /** A customer's audit trail, newest first (`action`: a prefix such as `session.` or `lock.`). */
  async audit(customerId: string, query: { limit?: number; cursor?: string; action?: string } = {}): Promise<Page<AuditEntry>> {
    const answer = await this.http.call('GET /v1/support/customers/{customerId}/audit', { params: { customerId }, query });
    return { items: answer.entries, ...(answer.cursor ? { cursor: answer.cursor } : {}) };
  }
}
