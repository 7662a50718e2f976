/**
 * Alturas support's side of the API: onboarding customers (licences,
 * workstation credentials, tablet authorisation), publishing releases, turning a
 * customer's challenge into the confirmation response (CODE-2/4), desktop users,
 * failed updates and their cases (SES-10), resolving them, the audit trail, and
 * agent assignments.
 *
 * Two kinds of caller, as the API's route table says:
 * - people (staff and agents) sign in with the staff user pool
 *   ({@link SupportSession}, client/sign-in.ts); every request carries a current
 *   access token (`Authorization: Bearer …`, checked by the JWT authorizer);
 * - the build pipeline publishes releases with AWS credentials: those requests are
 *   signed with SigV4 (client/sigv4.ts), checked by the IAM authorizer. The local
 *   stack verifies the signature against its own pipeline key.
 */
import { SupportApi } from '../cli/lib/api';
import { ApiError as CliApiError, CliError } from '../cli/lib/errors';
import type { Progress } from '../cli/lib/progress';
import { publishRelease, type PublishedRelease } from '../cli/lib/publish-release';
import type { Body } from './api';
import { ApiError, HttpClient, MophasClientError, type LocalizedMessages } from './http';
import { SupportSession } from './sign-in';
import { apiRegion, sigV4Authenticator, type AwsCredentials, type AwsCredentialsSource } from './sigv4';
import type {
  AgentChange,
  AgentView,
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
  SignInInfo,
  SupportCase,
  SupportMe,
  TabletFields,
  TabletView,
  UserView,
  WorkstationView,
} from './types';

export type { PublishedRelease };

export interface SupportClientOptions {
  readonly apiUrl: string;
  /** The signed-in person (staff or agent), for every route but publishing. */
  readonly session?: Pick<SupportSession, 'authenticate'>;
  /**
   * AWS credentials of the publishing identity, for the pipeline routes.
   * @default the AWS SDK's default chain (environment, profile, SSO, instance role)
   */
  readonly pipelineCredentials?: AwsCredentialsSource;
  /** A named AWS profile for the pipeline routes (when `pipelineCredentials` is not given). */
  readonly profile?: string;
  /** AWS region the pipeline requests are signed for. @default the API URL's region, else AWS_REGION, else the API's sign-in region */
  readonly region?: string;
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
  private readonly sign: (request: { method: string; url: string; body?: string }) => Promise<Record<string, string>>;

  constructor(private readonly options: SupportClientOptions) {
    const noSession = async (): Promise<Record<string, string>> => {
      throw new MophasClientError('not signed in: sign in first (mophas-support login --user <name>)', 'NOT_SIGNED_IN');
    };
    this.http = new HttpClient({
      baseUrl: options.apiUrl,
      authenticate: options.session?.authenticate ?? noSession,
      timeoutMs: options.timeoutMs,
      fetch: options.fetch,
    });
    this.sign = pipelineAuthenticator(options);
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
    const api = new SupportApi(this.http.baseUrl, this.sign);
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

  /** Published releases with storage details and rollout phase, oldest first (staff). */
  listReleases(): Promise<{ catalogVersion: number; latestVersion: string | null; releases: CatalogRelease[] }> {
    return this.http.call('GET /v1/support/releases', {});
  }

  /** How the API's people sign in (public). */
  signInInfo(): Promise<SignInInfo> {
    return SupportSession.discover(this.http.baseUrl, this.options);
  }

  /** The signed-in person as the API sees it: role, and the customers of an agent. */
  me(): Promise<SupportMe> {
    return this.http.call('GET /v1/support/me', {});
  }

  /** Agents and their customers, by user name (staff only). */
  async agents(page: { limit?: number; cursor?: string } = {}): Promise<Page<AgentView>> {
    const answer = await this.http.call('GET /v1/support/agents', { query: page });
    return { items: answer.agents, ...(answer.cursor ? { cursor: answer.cursor } : {}) };
  }

  /** One agent's customers (staff only). */
  agent(username: string): Promise<AgentView> {
    return this.http.call('GET /v1/support/agents/{username}', { params: { username } });
  }

  /** Assigns a customer to an agent (staff only; audited; assigning twice changes nothing). */
  assignAgent(username: string, customerId: string): Promise<AgentChange> {
    return this.http.call('PUT /v1/support/agents/{username}/customers/{customerId}', { params: { username, customerId } });
  }

  /** Removes a customer from an agent (staff only; audited). */
  unassignAgent(username: string, customerId: string): Promise<AgentChange> {
    return this.http.call('DELETE /v1/support/agents/{username}/customers/{customerId}', { params: { username, customerId } });
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

/**
 * SigV4 signing for the pipeline routes, set up at the first request (credentials
 * and region resolved once): the given credentials, else the AWS SDK's default
 * chain (`profile` picks a named profile); the given region, else the API URL's,
 * else AWS_REGION, else the region the API signs people in (same stack).
 */
export function pipelineAuthenticator(options: {
  apiUrl: string;
  pipelineCredentials?: AwsCredentialsSource;
  profile?: string;
  region?: string;
  timeoutMs?: number;
  fetch?: typeof fetch;
}): (request: { method: string; url: string; body?: string }) => Promise<Record<string, string>> {
  let signer: Promise<ReturnType<typeof sigV4Authenticator>> | undefined;
  return async (request) => {
    signer ??= (async () => {
      const region =
        options.region ??
        apiRegion(options.apiUrl) ??
        process.env.AWS_REGION ??
        (await SupportSession.discover(options.apiUrl, options)).region;
      const credentials = options.pipelineCredentials ?? (await defaultCredentials(options.profile));
      return sigV4Authenticator({ credentials, region });
    })();
    signer.catch(() => {
      signer = undefined;
    });
    return (await signer)(request);
  };
}

/** The AWS SDK's default credential chain, loaded only when a pipeline route is called. */
async function defaultCredentials(profile?: string): Promise<() => Promise<AwsCredentials>> {
  const { fromNodeProviderChain } = await import('@aws-sdk/credential-providers');
  return fromNodeProviderChain(profile ? { profile } : {});
}
