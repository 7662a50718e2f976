/**
 * Single-table design: every item lives in one DynamoDB table with a string
 * partition key `pk`, sort key `sk`, one sparse global secondary index `gsi1`
 * (`gsi1pk`/`gsi1sk`) and a TTL attribute `ttl` (epoch seconds).
 * docs/data-model.md lists each access pattern and the key that serves it.
 * Build keys only through these helpers so the shapes stay in one place; the
 * device row's key lives with the row's owner (`deviceKey` in shared/db/devices.ts).
 */
export const TABLE_KEYS = {
  partitionKey: 'pk',
  sortKey: 'sk',
  gsi1: { indexName: 'gsi1', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' },
  ttlAttribute: 'ttl',
} as const;

// A type alias (not an interface) so keys fit the SDK's `Record<string, unknown>` parameters.
export type ItemKey = {
  pk: string;
  sk: string;
};

/** Catalog: one partition, releases sorted by version code (fixed width ⇒ lexicographic = numeric). */
export const catalogKeys = {
  head: (): ItemKey => ({ pk: 'CATALOG', sk: 'HEAD' }),
  release: (version: string): ItemKey => ({ pk: 'CATALOG', sk: `REL#${version}` }),
  releasePrefix: 'REL#',
  /** A release's rollout plan and state (docs/rollout.md): in the catalog, so it rides in the feed's cached copy. */
  rollout: (version: string): ItemKey => ({ pk: 'CATALOG', sk: `ROLLOUT#${version}` }),
  rolloutPrefix: 'ROLLOUT#',
};

/**
 * Per-wave progress counters of a rollout: their own partition per release, so
 * the session transitions that count never contend with the catalog the feed reads.
 */
export const rolloutKeys = {
  wave: (version: string, wave: number): ItemKey => ({ pk: `ROLLOUT#${version}`, sk: `WAVE#${String(wave).padStart(2, '0')}` }),
  partition: (version: string) => `ROLLOUT#${version}`,
  wavePrefix: 'WAVE#',
};

/** Everything that belongs to one customer shares its partition, except the audit trail. */
export const customerKeys = {
  /** The customer's partition; device rows (`DEV#<serial>`) are keyed by their owner, shared/db/devices.ts. */
  partition: (customerId: string) => `CUST#${customerId}`,
  profile: (customerId: string): ItemKey => ({ pk: `CUST#${customerId}`, sk: 'PROFILE' }),
  user: (customerId: string, username: string): ItemKey => ({ pk: `CUST#${customerId}`, sk: `USER#${username}` }),
  userPrefix: 'USER#',
  /** The customer's current (or last) update session; one item, versioned for conditional writes. */
  session: (customerId: string): ItemKey => ({ pk: `CUST#${customerId}`, sk: 'SESSION' }),
  /**
   * Counter of changes to the set of enabled devices (a registration, a
   * re-enable): Start/Force/Concluso condition the session write on the value
   * they read with the device list, so they never decide on a stale list.
   */
  deviceSet: (customerId: string): ItemKey => ({ pk: `CUST#${customerId}`, sk: 'DEVSET' }),
  /** Closed sessions, kept for support. */
  pastSession: (customerId: string, sessionId: string): ItemKey => ({ pk: `CUST#${customerId}`, sk: `SESSION#${sessionId}` }),
  /** Per-customer state of one release: confirmation given, desktop download verified. */
  releaseState: (customerId: string, version: string): ItemKey => ({ pk: `CUST#${customerId}`, sk: `RELSTATE#${version}` }),
  /** The open confirmation-code challenge for one release (TTL-expired). */
  challenge: (customerId: string, version: string): ItemKey => ({ pk: `CUST#${customerId}`, sk: `CHALLENGE#${version}` }),
  /** The open manual lock/unlock exchange for one device (TTL-expired). */
  lockExchange: (customerId: string, serial: string): ItemKey => ({ pk: `CUST#${customerId}`, sk: `LOCKX#${serial}` }),
  supportCase: (customerId: string, caseId: string): ItemKey => ({ pk: `CUST#${customerId}`, sk: `CASE#${caseId}` }),
  /**
   * A live workstation credential by its label (lower case): labels are unique
   * among a customer's live credentials, so a retried issue never makes two.
   */
  workstation: (customerId: string, label: string): ItemKey => ({ pk: `CUST#${customerId}`, sk: `WKS#${label.toLowerCase()}` }),
  casePrefix: 'CASE#',
};

/** Credentials are looked up by their public id before the customer is known. */
export const credentialKeys = {
  /** Desktop installation credential `<credentialId>.<secret>`. */
  desktop: (credentialId: string): ItemKey => ({ pk: `DESKCRED#${credentialId}`, sk: 'CRED' }),
  /** Device credential `dev_<id>.<secret>` → customer and serial. */
  device: (credentialId: string): ItemKey => ({ pk: `DEVCRED#${credentialId}`, sk: 'CRED' }),
  /** Licence code a device registers with (DEV-1) → customer. */
  licence: (licenceCode: string): ItemKey => ({ pk: `LICENCE#${licenceCode}`, sk: 'LICENCE' }),
  /**
   * An IAM identity allowed on the pipeline routes (release publishing): a
   * principal ARN, or an assumed role's ARN without its session name. No record →
   * refused (fail closed): being able to sign for the API is not enough.
   */
  pipelinePrincipal: (identity: string): ItemKey => ({ pk: `PIPELINE#${identity}`, sk: 'PRINCIPAL' }),
  /** Short-lived user session token (TTL-expired). */
  userToken: (tokenId: string): ItemKey => ({ pk: `TOKEN#${tokenId}`, sk: 'TOKEN' }),
  /** Single-use window ticket, keyed by the SHA-256 of the ticket (never the ticket itself; TTL-expired). */
  windowTicket: (ticketHash: string): ItemKey => ({ pk: `WTICKET#${ticketHash}`, sk: 'TICKET' }),
};

/**
 * An agent's assigned customers, keyed by the user pool's stable user id (`sub`),
 * so a user deleted and re-created under the same name inherits nothing.
 */
export const agentKeys = {
  agent: (sub: string): ItemKey => ({ pk: `AGENT#${sub}`, sk: 'AGENT' }),
};

/** Audit trail: its own partition per customer, sorted by time. */
export const auditKeys = {
  entry: (customerId: string, isoTime: string, eventId: string): ItemKey => ({
    pk: `AUDIT#${customerId}`,
    sk: `${isoTime}#${eventId}`,
  }),
  partition: (customerId: string) => `AUDIT#${customerId}`,
};

/** Sparse GSI1 partitions: an item carries gsi1pk only while it belongs to the list. */
export const gsi1Keys = {
  /** Sessions currently failed (support's "failed updates" list); sort by time. */
  failedSessions: 'FAILED_SESSIONS',
  /** Support cases not yet resolved; sort by time. */
  openCases: 'OPEN_CASES',
  /** Every customer profile (sorted by id): support's customer list, and the rollout waves' customer count. */
  customers: 'CUSTOMERS',
  /** All audit entries of one UTC day, for support's cross-customer audit view. */
  auditDay: (isoDate: string) => `AUDITDAY#${isoDate}`,
  /** Every agent with assignments, sorted by user name (staff's agent list). */
  agents: 'AGENTS',
  /** One customer's licence codes, revoked ones included; sort `<createdAt>#<code>`. */
  licences: (customerId: string) => `LICENCES#${customerId}`,
  /** One customer's workstation credentials, revoked ones included; sort `<createdAt>#<credentialId>`. */
  workstations: (customerId: string) => `WORKSTATIONS#${customerId}`,
};

/** Fixed-window counters for rate limits (TTL-expired). */
export const rateKeys = {
  counter: (scope: string, window: string): ItemKey => ({ pk: `RATE#${scope}`, sk: window }),
};
