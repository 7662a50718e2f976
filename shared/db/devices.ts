/**
 * The device row and its one owner. A device of a customer is one item,
 * `CUST#<customerId>` / `DEV#<serial>`; this module declares every attribute the
 * code stores on it (`DeviceItem`), builds its keys, and performs every write to
 * it — registration, check-in, reports, the admin window, the manual lock, the
 * SNS endpoint lifecycle and the push fan-out all call in here. Grid notes are
 * formatted (`formatNote`), appended and trimmed to the last MAX_DEVICE_NOTES
 * here, in the same call that writes them. docs/data-model.md lists the
 * attributes.
 */
import { GetCommand, UpdateCommand, type QueryCommandInput, type QueryCommandOutput, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { ddb } from '../aws/dynamodb';
import { tableName } from '../config';
import type { PushCommand, PushReasonCode } from '../push/commands';
import { customerKeys, type ItemKey } from './keys';
import { queryPrefix } from './query';
import { batchGetAll, stripKeys, transact, type TransactItem, type TransactOutcome } from './table';

// ---------------------------------------------------------------------------
// Attributes
// ---------------------------------------------------------------------------

/** One push outcome, stored under `pushOutcomes[commandId]` (docs/push.md). */
export interface PushOutcomeRecord {
  command: PushCommand;
  status: 'sent' | 'failed';
  /** Technical reason (SNS error code and message) for support. */
  reason?: string;
  reasonCode?: PushReasonCode;
  messageId?: string;
  at: string;
}

/** A person operating a device (from the tablet authorisation table). */
export interface Operator {
  code: string;
  name: string;
  surname: string;
}

/** A device row as stored, without the table's own attributes (`pk`, `sk`, `type`). Every attribute the code writes is here. */
export interface DeviceItem {
  customerId: string;
  serial: string;
  /** SES-8: a disabled device can no longer work and leaves the grid. */
  enabled: boolean;
  /** Model from the tablet authorisation table (grid column "Device"). */
  model?: string;
  operator?: Operator;
  phone?: string;
  /** When the office authorised the tablet (before its first registration). */
  authorisedAt?: string;
  /** Who authorised it: the admin's user name or the support identity. */
  authorisedBy?: string;
  /** Last edit of the authorisation fields (model, operator, phone). */
  editedAt?: string;
  registeredAt?: string;
  /** Current device credential (`DEVCRED#<id>`); replaced at every registration. */
  credentialId?: string;
  /** Set by the office (enable in tablet authorisation management): the next registration needs no current credential. */
  registrationOpen?: boolean;
  /** Per-device secret of the offline lock/unlock codes (LOCK-2); never read by the grid. */
  lockSecret?: string;
  installedVersion?: string;
  /** Last time the device sent its data (grid "Last sync"), as reported by the device. */
  lastSyncAt?: string;
  /** Last check-in as the backend saw it. */
  lastCheckInAt?: string;
  /** FCM registration token last reported (absent: Notifications enabled ✗). */
  pushToken?: string;
  /** Grid "Notifications enabled": the device has reported a push token. */
  notificationsEnabled?: boolean;
  /** SNS platform endpoint of the token. */
  endpointArn?: string;
  /** The token the endpoint was last made to carry (a failed refresh is retried at the next check-in). */
  endpointToken?: string;
  /** Grid "Blocked". */
  blocked?: boolean;
  /** Blocked through the phone exchange (LOCK-1) rather than by the device's own report. */
  blockedManually?: boolean;
  /** The session whose START UPDATE the device acknowledged (grid "Notification sent ✓"). */
  startAckSessionId?: string;
  /** The session in which the device sent its unsent data (grid "Awaiting update ✓"). */
  awaitingSessionId?: string;
  /** The session whose END UPDATE the device acknowledged. */
  endAckSessionId?: string;
  /** The session whose ERROR UPDATE (reactivation) the device acknowledged. */
  errorAckSessionId?: string;
  /** The session `pushOutcomes` belongs to: the first outcome of a new session replaces the map. */
  pushSessionId?: string;
  /** Push outcomes of the current session, by commandId. */
  pushOutcomes?: Record<string, PushOutcomeRecord | undefined>;
  /** System notes shown in the grid, oldest first, at most MAX_DEVICE_NOTES (`formatNote`). */
  notes?: string[];
}

/**
 * Every attribute of DeviceItem, at run time (tests check stored rows against it).
 * The type below fails to compile when DeviceItem gains an attribute not listed here.
 */
export const DEVICE_ATTRIBUTES = [
  'customerId',
  'serial',
  'enabled',
  'model',
  'operator',
  'phone',
  'authorisedAt',
  'authorisedBy',
  'editedAt',
  'registeredAt',
  'credentialId',
  'registrationOpen',
  'lockSecret',
  'installedVersion',
  'lastSyncAt',
  'lastCheckInAt',
  'pushToken',
  'notificationsEnabled',
  'endpointArn',
  'endpointToken',
  'blocked',
  'blockedManually',
  'startAckSessionId',
  'awaitingSessionId',
  'endAckSessionId',
  'errorAckSessionId',
  'pushSessionId',
  'pushOutcomes',
  'notes',
] as const satisfies readonly (keyof DeviceItem)[];
type EveryAttributeListed<Unlisted extends never> = Unlisted;
export type DeviceAttributesChecked = EveryAttributeListed<Exclude<keyof DeviceItem, (typeof DEVICE_ATTRIBUTES)[number]>>;

/** Attributes a write may set or remove (the row's identity is fixed at creation). */
export type DeviceAttributes = Omit<DeviceItem, 'customerId' | 'serial'>;
export type DeviceAttribute = keyof DeviceAttributes;

// ---------------------------------------------------------------------------
// Keys
// ---------------------------------------------------------------------------

const SORT_PREFIX = 'DEV#';

/** The key of a device row. */
export const deviceKey = (customerId: string, serial: string): ItemKey => ({
  pk: customerKeys.partition(customerId),
  sk: `${SORT_PREFIX}${serial}`,
});

/** The item to store for a new device row: its key, its type and its attributes. */
export const deviceItem = (device: DeviceItem) => ({ ...deviceKey(device.customerId, device.serial), type: 'device', ...device });

/** A device read from the table, without the table's attributes. */
export const toDeviceItem = (item: Record<string, unknown>) => stripKeys<DeviceItem>(item);

// ---------------------------------------------------------------------------
// Notes
// ---------------------------------------------------------------------------

/** A grid note's text in both languages the desktop may show (the manual is Italian). */
export interface NoteText {
  it: string;
  en: string;
}

/** Notes kept per device (the grid shows the latest). */
export const MAX_DEVICE_NOTES = 10;

/**
 * The one form of a grid note: the time of the event (UTC, to the minute), the
 * Italian text, then the English one — `2025-03-12 10:15 UTC Dispositivo bloccato / Device locked`.
 */
export function formatNote(text: NoteText, at: Date | string = new Date()): string {
  const iso = typeof at === 'string' ? at : at.toISOString();
  return `${iso.slice(0, 16).replace('T', ' ')} UTC ${text.it} / ${text.en}`;
}

/** A note without its time, to tell whether two notes say the same thing. */
export const noteWithoutTime = (note: string) => note.replace(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC /, '');

/**
 * Drops the oldest notes so that at most MAX_DEVICE_NOTES remain, knowing (or
 * assuming, when `lengthAfter` is unknown) how long the list became after our
 * append. Each removal is conditioned on the list being long enough, so
 * concurrent appenders trimming the same row never cut below MAX_DEVICE_NOTES;
 * when another trim got there first, fewer items are removed.
 */
async function trimNotes(key: ItemKey, lengthAfter = MAX_DEVICE_NOTES + 1): Promise<void> {
  for (let excess = lengthAfter - MAX_DEVICE_NOTES; excess > 0; excess--) {
    try {
      await ddb.send(
        new UpdateCommand({
          TableName: tableName(),
          Key: key,
          UpdateExpression: `REMOVE ${Array.from({ length: excess }, (_, i) => `notes[${i}]`).join(', ')}`,
          ConditionExpression: 'size(notes) >= :atLeast',
          ExpressionAttributeValues: { ':atLeast': MAX_DEVICE_NOTES + excess },
        }),
      );
      return;
    } catch (error) {
      if ((error as Error).name !== 'ConditionalCheckFailedException') throw error;
    }
  }
}

// ---------------------------------------------------------------------------
// Changes and conditions
// ---------------------------------------------------------------------------

/** A change to a device row: attributes to set or remove, and a grid note to append. */
export interface DeviceChange {
  set?: Partial<DeviceAttributes>;
  remove?: DeviceAttribute[];
  note?: NoteText;
  /** When the event happened (the note's time). @default now */
  at?: Date | string;
}

/**
 * A condition on the row. Attribute names are written `#name` (mapped
 * automatically, so reserved words such as `#enabled` work) and values `:name`.
 */
export interface DeviceCondition {
  expression: string;
  values?: Record<string, unknown>;
}

/** The row exists (whatever its flags). */
export const DEVICE_EXISTS: DeviceCondition = { expression: 'attribute_exists(pk)' };
/** The row exists and is enabled: every device-side write carries it (SES-8). */
export const DEVICE_ENABLED: DeviceCondition = {
  expression: 'attribute_exists(pk) AND #enabled = :enabledTrue',
  values: { ':enabledTrue': true },
};

/**
 * Device routes act only on a row the calling credential still holds: its live
 * credential (`credentialId`) is the caller's. A re-registration replaces it and
 * a disable removes it, in the transaction that revokes the old credential, so
 * a credential the function still remembers (shared/auth/authenticate.ts) is
 * refused at once. Every write of what a device reports carries `heldBy`; a
 * route that only reads checks `holds` on the row it read. (The push-endpoint
 * bookkeeping a check-in may do after its write — the SNS endpoint, its ARN and
 * token on the row — is conditioned on the endpoint, not the credential.)
 */
export const heldBy = (credentialId: string): DeviceCondition => ({
  expression: `${DEVICE_ENABLED.expression} AND #credentialId = :heldBy`,
  values: { ...DEVICE_ENABLED.values, ':heldBy': credentialId },
});

/** The row read is held by this credential (see `heldBy`). */
export const holds = (row: Pick<DeviceItem, 'credentialId'> | undefined, credentialId: string): boolean =>
  row?.credentialId !== undefined && row.credentialId === credentialId;

/** Both conditions hold. */
export const allOf = (...conditions: DeviceCondition[]): DeviceCondition => ({
  expression: conditions.map((c) => `(${c.expression})`).join(' AND '),
  values: Object.assign({}, ...conditions.map((c) => c.values ?? {})),
});

/** The attribute does not hold `value` yet (a report already recorded is not written twice). */
export const notYet = (attribute: DeviceAttribute, value: string | boolean): DeviceCondition => ({
  expression: `attribute_not_exists(#${attribute}) OR #${attribute} <> :${attribute}NotYet`,
  values: { [`:${attribute}NotYet`]: value },
});

/**
 * The installed version is still the one read (absent: still none), so a
 * write that changes the version or the enabled flag knows exactly what it
 * replaced — the customers overview counts devices per version from it
 * (shared/db/customer-summary.ts).
 */
export const versionStill = (read: string | undefined): DeviceCondition =>
  read === undefined
    ? { expression: 'attribute_not_exists(#installedVersion)' }
    : { expression: '#installedVersion = :versionRead', values: { ':versionRead': read } };

/** UpdateItem parts of a change under a condition; names are placeholders so no reserved word can break them. */
function updateParts(change: DeviceChange, condition: DeviceCondition) {
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = { ...condition.values };
  const sets = Object.entries(change.set ?? {})
    .filter(([, v]) => v !== undefined)
    .map(([k, v], i) => {
      names[`#s${i}`] = k;
      values[`:s${i}`] = v;
      return `#s${i} = :s${i}`;
    });
  if (change.note) {
    names['#notes'] = 'notes';
    sets.push('#notes = list_append(if_not_exists(#notes, :noNotes), :note)');
    values[':noNotes'] = [];
    values[':note'] = [formatNote(change.note, change.at)];
  }
  const removes = (change.remove ?? []).map((k, i) => {
    names[`#r${i}`] = k;
    return `#r${i}`;
  });
  for (const match of condition.expression.matchAll(/#(\w+)/g)) names[`#${match[1]}`] = match[1]!;
  const expression = [sets.length ? `SET ${sets.join(', ')}` : '', removes.length ? `REMOVE ${removes.join(', ')}` : '']
    .filter(Boolean)
    .join(' ');
  return {
    UpdateExpression: expression,
    ConditionExpression: condition.expression,
    ExpressionAttributeNames: Object.keys(names).length ? names : undefined,
    ExpressionAttributeValues: Object.keys(values).length ? values : undefined,
  };
}

const isConditionFailure = (error: unknown) => (error as Error).name === 'ConditionalCheckFailedException';

// ---------------------------------------------------------------------------
// Reads
// ---------------------------------------------------------------------------

/** All devices of a customer (one paginated Query; no scans). */
export function listDevices(
  customerId: string,
  options: { projection?: readonly string[]; consistent?: boolean } = {},
): Promise<DeviceItem[]> {
  return queryPrefix<DeviceItem>(customerKeys.partition(customerId), SORT_PREFIX, options);
}

/** Serials of the customer's enabled devices (paginated Query, one attribute read). */
export async function listEnabledSerials(customerId: string): Promise<string[]> {
  const items = await queryPrefix<{ serial: string }>(customerKeys.partition(customerId), SORT_PREFIX, {
    projection: ['serial'],
    filter: { expression: 'enabled = :true', values: { ':true': true } },
  });
  return items.map((d) => d.serial);
}

/** One device of a customer, or undefined. */
export async function getDevice(
  customerId: string,
  serial: string,
  options: { consistent?: boolean; projection?: readonly DeviceAttribute[] } = {},
): Promise<DeviceItem | undefined> {
  const names = options.projection ? Object.fromEntries(options.projection.map((a, i) => [`#p${i}`, a])) : undefined;
  const { Item } = await ddb.send(
    new GetCommand({
      TableName: tableName(),
      Key: deviceKey(customerId, serial),
      ConsistentRead: options.consistent,
      ProjectionExpression: names ? ['serial', ...Object.keys(names)].join(', ') : undefined,
      ExpressionAttributeNames: names,
    }),
  );
  return Item ? toDeviceItem(Item) : undefined;
}

/** What the push fan-out reads of a device: only the outcome of the command it pushes. */
export type PushTarget = Pick<
  DeviceItem,
  'customerId' | 'serial' | 'enabled' | 'operator' | 'pushToken' | 'endpointArn' | 'notificationsEnabled' | 'pushOutcomes'
>;

function pushProjection(commandId: string) {
  return {
    expression: 'pk, sk, serial, enabled, #op, pushToken, endpointArn, notificationsEnabled, pushOutcomes.#cid',
    names: { '#op': 'operator', '#cid': commandId },
  };
}

const serialOf = (item: Record<string, unknown>) =>
  typeof item.serial === 'string' ? item.serial : String(item.sk).slice(SORT_PREFIX.length);
const toPushTarget = (customerId: string, item: Record<string, unknown>): PushTarget => ({
  ...stripKeys<PushTarget>(item),
  customerId,
  serial: serialOf(item),
});

/**
 * Every device of the customer for a push, page by page, so publishing starts with
 * the first page. One page is read ahead: a page is up to 1 MB of rows (the limit
 * applies before projection), and waiting for it when the previous one runs out
 * would stall every publishing worker once per page.
 */
export async function* queryPushTargets(customerId: string, commandId: string): AsyncGenerator<PushTarget> {
  const projection = pushProjection(commandId);
  const input: QueryCommandInput = {
    TableName: tableName(),
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :dev)',
    ProjectionExpression: projection.expression,
    ExpressionAttributeNames: projection.names,
    ExpressionAttributeValues: { ':pk': customerKeys.partition(customerId), ':dev': SORT_PREFIX },
  };
  let next: Promise<QueryCommandOutput> | undefined = ddb.send(new QueryCommand(input));
  try {
    while (next) {
      const page: QueryCommandOutput = await next;
      const ExclusiveStartKey = page.LastEvaluatedKey;
      next = ExclusiveStartKey ? ddb.send(new QueryCommand({ ...input, ExclusiveStartKey })) : undefined;
      for (const item of page.Items ?? []) yield toPushTarget(customerId, item);
    }
  } finally {
    // Stopped early (deadline, failure): the page read ahead is not wanted, and its failure is nobody's.
    next?.catch(() => undefined);
  }
}

/** The named devices for a push (BatchGetItem, 100 keys a call); serials with no row are added to `missing`. */
export async function* getPushTargets(
  customerId: string,
  commandId: string,
  serials: readonly string[],
  missing: string[],
): AsyncGenerator<PushTarget> {
  const unique = [...new Set(serials)];
  for (let i = 0; i < unique.length; i += 100) {
    const chunk = unique.slice(i, i + 100);
    const items = await batchGetAll(
      chunk.map((s) => deviceKey(customerId, s)),
      { projection: pushProjection(commandId) },
    );
    const found = new Map(items.map((item) => [serialOf(item), toPushTarget(customerId, item)]));
    for (const serial of chunk) {
      const device = found.get(serial);
      if (device) yield device;
      else missing.push(serial);
    }
  }
}

// ---------------------------------------------------------------------------
// Writes
// ---------------------------------------------------------------------------

/**
 * Creates a device row in one transaction with `others` (credential, audit,
 * device-set counter), only if the row does not exist yet. The row is the
 * transaction's first item, so `reasons[0]` says whether it already existed.
 */
export function createDevice(device: DeviceItem, others: TransactItem[]): Promise<TransactOutcome> {
  return transact([
    { Put: { TableName: tableName(), Item: deviceItem(device), ConditionExpression: 'attribute_not_exists(pk)' } },
    ...others,
  ]);
}

/**
 * Applies `change` to a device row in one transaction with `others` (audit
 * entries, checks on other items), if `condition` holds. The row is the first
 * item, so `reasons[0]` is its own. A note is trimmed right after: pass
 * `notesBefore`, the length of the list as the caller read it, so no trim is
 * attempted while the list is short.
 */
export async function changeDeviceWith(
  customerId: string,
  serial: string,
  change: DeviceChange,
  options: { condition?: DeviceCondition; others?: TransactItem[]; notesBefore?: number } = {},
): Promise<TransactOutcome> {
  const key = deviceKey(customerId, serial);
  const outcome = await transact([
    { Update: { TableName: tableName(), Key: key, ...updateParts(change, options.condition ?? DEVICE_ENABLED) } },
    ...(options.others ?? []),
  ]);
  if (outcome.ok && change.note) {
    await trimNotes(key, options.notesBefore === undefined ? undefined : options.notesBefore + 1);
  }
  return outcome;
}

/**
 * Applies `change` to a device row if `condition` holds (default: enabled) and
 * returns the row as it is now, or undefined when the condition failed.
 */
export async function changeDevice(
  customerId: string,
  serial: string,
  change: DeviceChange,
  condition: DeviceCondition = DEVICE_ENABLED,
): Promise<DeviceItem | undefined> {
  const key = deviceKey(customerId, serial);
  try {
    const out = await ddb.send(
      new UpdateCommand({ TableName: tableName(), Key: key, ...updateParts(change, condition), ReturnValues: 'ALL_NEW' }),
    );
    const row = toDeviceItem(out.Attributes ?? {});
    if (change.note) await trimNotes(key, row.notes?.length ?? 0);
    return row;
  } catch (error) {
    if (isConditionFailure(error)) return undefined;
    throw error;
  }
}

/** Appends a grid note to an existing row, whatever its flags. */
export async function appendDeviceNote(customerId: string, serial: string, note: NoteText, at?: Date | string): Promise<void> {
  await changeDevice(customerId, serial, { note, at }, DEVICE_EXISTS);
}

export type CheckInWrite = { status: 'ok'; old: DeviceItem } | { status: 'missing' } | { status: 'not-held' } | { status: 'disabled' };

/**
 * The check-in's one write: sets what the device reported on an enabled row the
 * caller's credential still holds (`heldBy`) and returns the row as it was
 * (ALL_OLD), so the caller knows the previous push token and endpoint without
 * reading first. A failed condition returns the old row, which tells a missing
 * device from one whose credential was replaced or removed, or a disabled one,
 * without another request.
 */
export async function recordCheckIn(customerId: string, serial: string, credentialId: string, change: DeviceChange): Promise<CheckInWrite> {
  const key = deviceKey(customerId, serial);
  try {
    const out = await ddb.send(
      new UpdateCommand({
        TableName: tableName(),
        Key: key,
        ...updateParts(change, heldBy(credentialId)),
        ReturnValues: 'ALL_OLD',
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
    );
    const old = toDeviceItem(out.Attributes ?? {});
    if (change.note) await trimNotes(key, (old.notes?.length ?? 0) + 1);
    return { status: 'ok', old };
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
    // The old row comes back in DynamoDB's wire format (the document client leaves errors as they are).
    const item = (error as { Item?: { credentialId?: { S?: string } } }).Item;
    if (!item) return { status: 'missing' };
    return holds({ credentialId: item.credentialId?.S }, credentialId) ? { status: 'disabled' } : { status: 'not-held' };
  }
}

/** Records the token the device's SNS endpoint now carries (after ensureEndpoint succeeded). */
export async function markEndpointToken(customerId: string, serial: string, token: string): Promise<void> {
  await changeDevice(customerId, serial, { set: { endpointToken: token } }, DEVICE_EXISTS);
}

/**
 * Stores `endpointArn` on the device if the stored value is still `expected` (none,
 * or the deleted one being replaced). When another request stored one first, that
 * one is kept and returned: it targets the same token (SNS endpoints are unique per
 * token), so either is right and the row stays consistent. A row that no longer
 * exists is not re-created.
 */
export async function storeEndpointArn(
  customerId: string,
  serial: string,
  endpointArn: string,
  expected: string | undefined,
): Promise<string> {
  const stored = await changeDevice(
    customerId,
    serial,
    { set: { endpointArn } },
    expected === undefined
      ? { expression: 'attribute_exists(pk) AND attribute_not_exists(#endpointArn)' }
      : { expression: 'attribute_exists(pk) AND #endpointArn = :expected', values: { ':expected': expected } },
  );
  if (stored) return endpointArn;
  const current = (await getDevice(customerId, serial, { consistent: true, projection: ['endpointArn'] }))?.endpointArn;
  return current && current !== expected ? current : endpointArn;
}

/** Forgets an endpoint on a row, only if the row still points at it (another row took the endpoint over). */
export async function releaseEndpointArn(customerId: string, serial: string, endpointArn: string): Promise<void> {
  await changeDevice(
    customerId,
    serial,
    { remove: ['endpointArn'] },
    { expression: '#endpointArn = :released', values: { ':released': endpointArn } },
  );
}

/**
 * Clears Blocked on every enabled, blocked device of a customer when a session is
 * over (conclusion, support's resolve), with a note. Best effort per device: the
 * device's own check-in answers the command it owes regardless (DEV-7).
 */
export async function unblockDevices(customerId: string, note: NoteText): Promise<void> {
  const devices = await listDevices(customerId, { projection: ['serial', 'enabled', 'blocked'] });
  const at = new Date();
  await Promise.allSettled(
    devices
      .filter((d) => d.enabled && d.blocked)
      .map((d) => changeDevice(customerId, d.serial, { set: { blocked: false, blockedManually: false }, note, at })),
  );
}

export type PushOutcomeWrite = 'recorded' | 'already-sent' | 'gone';

/** Whether devices of one fan-out tend to lack the `pushOutcomes` map, to pick the cheaper first write. */
export interface OutcomeMapHint {
  missing: boolean;
}

/**
 * Records one push outcome with a conditional UpdateItem that never overwrites a
 * `sent` outcome of the same commandId. Outcomes are kept for the current session
 * only: the first outcome of a new session replaces the map (`pushSessionId` says
 * whose it is). DynamoDB cannot SET `pushOutcomes.<id>` while the map is missing,
 * so the first outcome ever of a device creates the map instead; which write to
 * try first follows what the previous devices of the run looked like, and a
 * failed condition (ALL_OLD returned) says which case applies. A note is appended
 * in the same write and the list trimmed right after.
 */
export async function recordPushOutcome(
  device: Pick<DeviceItem, 'customerId' | 'serial'>,
  sessionId: string,
  commandId: string,
  outcome: PushOutcomeRecord,
  note: NoteText | undefined,
  hint: OutcomeMapHint,
): Promise<PushOutcomeWrite> {
  const key = deviceKey(device.customerId, device.serial);
  const noteSet = note === undefined ? '' : ', notes = list_append(if_not_exists(notes, :noNotes), :note)';
  const noteValues = note === undefined ? {} : { ':noNotes': [], ':note': [formatNote(note, outcome.at)] };
  let createMap = hint.missing;
  for (let round = 0; round < 4; round++) {
    try {
      const common = {
        TableName: tableName(),
        Key: key,
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const,
        ReturnValues: note === undefined ? ('NONE' as const) : ('UPDATED_NEW' as const),
      };
      const out = await ddb.send(
        createMap
          ? new UpdateCommand({
              ...common,
              UpdateExpression: `SET pushOutcomes = :map, pushSessionId = :sid${noteSet}`,
              ConditionExpression:
                'attribute_exists(pk) AND (attribute_not_exists(pushOutcomes) OR attribute_not_exists(pushSessionId) OR pushSessionId <> :sid)',
              ExpressionAttributeValues: { ':map': { [commandId]: outcome }, ':sid': sessionId, ...noteValues },
            })
          : new UpdateCommand({
              ...common,
              UpdateExpression: `SET pushOutcomes.#cid = :outcome${noteSet}`,
              ConditionExpression:
                'attribute_exists(pushOutcomes) AND pushSessionId = :sid AND (attribute_not_exists(pushOutcomes.#cid) OR pushOutcomes.#cid.#status <> :sent)',
              ExpressionAttributeNames: { '#cid': commandId, '#status': 'status' },
              ExpressionAttributeValues: { ':outcome': outcome, ':sent': 'sent', ':sid': sessionId, ...noteValues },
            }),
      );
      hint.missing = createMap;
      if (note !== undefined) await trimNotes(key, (out.Attributes?.notes as unknown[] | undefined)?.length ?? 0);
      return 'recorded';
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      // The old item comes back in the low-level format: read just what decides the next step.
      const old = (error as { Item?: Record<string, { M?: Record<string, { M?: Record<string, { S?: string }> }> }> }).Item;
      if (!old) return 'gone';
      const map = old.pushOutcomes?.M;
      const ownerSession = (old as { pushSessionId?: { S?: string } }).pushSessionId?.S;
      if (map === undefined || ownerSession !== sessionId) {
        // No map yet, or one of an earlier session: replace it.
        createMap = true;
        continue;
      }
      if (map[commandId]?.M?.status?.S === 'sent') return 'already-sent';
      createMap = false;
    }
  }
  throw new Error(`could not record the push outcome of device ${device.serial}: the row kept changing`);
}
