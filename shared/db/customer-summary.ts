/**
 * The per-customer summary the support console's customers overview reads
 * (issue 13 item 2): one small item per customer, `CUSTSUMMARY` / `<customerId>`,
 * so every customer comes back in one Query of one partition (2,000 customers ≈
 * 0.8 MB, one page) instead of a read per customer. This module owns the item:
 * its key, its attributes, and every write. The places that change the facts it
 * summarises call in here — customer creation and edits, licences, every session
 * transition (shared/db/session.ts), the device writes that change a device's
 * enabled flag or installed version, and the startup check — so it never needs
 * a read-modify-write of the whole item:
 *
 * - profile and session fields are SET inside the transaction that changes them
 *   (session transitions are already serialised by the session's `version`);
 * - device counts are `ADD`ed as deltas inside the device row's own transaction
 *   (the write is conditioned on the enabled flag and version read), so each
 *   change is counted exactly once: never lost, never twice on a retry;
 * - the last startup check is written by the feed at most once per
 *   `STARTUP_CHECK_PRECISION_MS` per customer, conditionally.
 *
 * docs/data-model.md describes the item; `rebuildSummary` recomputes it from the
 * source items (the backfill of customers created before the summary existed).
 */
import { GetCommand, QueryCommand, UpdateCommand, type QueryCommandOutput } from '@aws-sdk/lib-dynamodb';
import { ddb } from '../aws/dynamodb';
import { tableName } from '../config';
import { logger } from '../observability';
import type { Session, SessionState } from '../session/state-machine';
import { getProfile } from './customers';
import { listDevices } from './devices';
import { customerKeys, type ItemKey } from './keys';
import { batchGetAll, type TransactItem } from './table';

/** The one partition of every customer's summary. */
export const SUMMARY_PARTITION = 'CUSTSUMMARY';

/** The key of a customer's summary. */
export const summaryKey = (customerId: string): ItemKey => ({ pk: SUMMARY_PARTITION, sk: customerId });

/**
 * How stale the stored last startup check may be before a check writes it again:
 * a warm startup check stays one DynamoDB call, and the overview's "last startup
 * check" is exact to within this interval.
 */
export const STARTUP_CHECK_PRECISION_MS = 10 * 60 * 1000;

/** Prefix of the per-version counters: `v#<version>` = enabled devices with that installed version. */
const VERSION_PREFIX = 'v#';

/*
 * `counted: true` marks counts that cover every device row: set only by
 * `newSummaryItem` (a new customer has none) and `rebuildSummary` (counted from
 * the rows). Device deltas are applied unconditionally (a failing condition
 * would cancel the device's own write), so a customer created before the
 * summary existed gets a partial item of deltas only, without the marker, until
 * the backfill counts it.
 */

/** A customer's summary as the overview shows it. */
export interface CustomerSummary {
  customerId: string;
  name: string | null;
  licenceCode: string | null;
  desktopVersion: string | null;
  /** The session's state (`available` when none was ever opened). */
  sessionState: SessionState;
  /** The release the open (or last) session installs. */
  targetVersion: string | null;
  /** When the session last changed. */
  sessionUpdatedAt: string | null;
  /** Since when the last update is failed and awaits support (failed or reactivated), or null. */
  failedSince: string | null;
  devicesTotal: number;
  devicesEnabled: number;
  /** Enabled devices whose installed version is the desktop's. */
  devicesOnDesktopVersion: number;
  /** The last startup check of any workstation, to within STARTUP_CHECK_PRECISION_MS. */
  lastCheckAt: string | null;
}

/** The device facts the counts depend on. */
export interface DeviceFacts {
  enabled: boolean;
  installedVersion?: string;
}

/** Count changes: devices, enabled devices, enabled devices per installed version. */
export interface DeviceDelta {
  total: number;
  enabled: number;
  versions: Record<string, number>;
}

/**
 * The change to the counts when one device row goes from `before` (undefined:
 * the row is new) to `after`. Only enabled devices are counted per version, as
 * the desktop's grid and the customer card count them.
 */
export function deviceDelta(before: DeviceFacts | undefined, after: DeviceFacts): DeviceDelta {
  const delta: DeviceDelta = { total: before ? 0 : 1, enabled: Number(after.enabled) - Number(before?.enabled ?? false), versions: {} };
  const add = (version: string | undefined, n: number) => {
    if (version) delta.versions[version] = (delta.versions[version] ?? 0) + n;
  };
  if (before?.enabled) add(before.installedVersion, -1);
  if (after.enabled) add(after.installedVersion, 1);
  for (const [version, n] of Object.entries(delta.versions)) if (n === 0) delete delta.versions[version];
  return delta;
}

const isEmpty = (d: DeviceDelta) => d.total === 0 && d.enabled === 0 && Object.keys(d.versions).length === 0;

// ---------------------------------------------------------------------------
// Writes inside the source's transaction
// ---------------------------------------------------------------------------

/** Transaction item creating the summary of a new customer (with its profile; no devices, no session yet). */
export function newSummaryItem(customer: { customerId: string; name: string; desktopVersion?: string }): TransactItem {
  return {
    Put: {
      TableName: tableName(),
      Item: {
        ...summaryKey(customer.customerId),
        type: 'customerSummary',
        customerId: customer.customerId,
        name: customer.name,
        ...(customer.desktopVersion ? { desktopVersion: customer.desktopVersion } : {}),
        sessionState: 'available',
        devicesTotal: 0,
        devicesEnabled: 0,
        countsRev: 0,
        counted: true,
      },
    },
  };
}

/**
 * Transaction item carrying a profile change (name, desktop version, live
 * licence; `licenceCode: null` forgets it) to the summary. An upsert: a
 * customer created before the summary existed gets a partial item that
 * `rebuildSummary` completes.
 */
export function summaryProfileItem(
  customerId: string,
  changes: { name?: string; desktopVersion?: string; licenceCode?: string | null },
): TransactItem {
  const names: Record<string, string> = { '#cid': 'customerId' };
  const values: Record<string, unknown> = { ':cid': customerId };
  const sets = ['#cid = :cid'];
  const removes: string[] = [];
  for (const [attribute, value] of Object.entries(changes)) {
    if (value === undefined) continue;
    names[`#${attribute}`] = attribute;
    if (value === null) removes.push(`#${attribute}`);
    else {
      sets.push(`#${attribute} = :${attribute}`);
      values[`:${attribute}`] = value;
    }
  }
  return {
    Update: {
      TableName: tableName(),
      Key: summaryKey(customerId),
      UpdateExpression: `SET ${sets.join(', ')}${removes.length ? ` REMOVE ${removes.join(', ')}` : ''}`,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    },
  };
}

/**
 * Transaction item carrying a session transition to the summary (written with
 * the session by saveSession, so it follows the session's own order). A failure
 * keeps the time it started (failed → reactivated is the same failure) until
 * support resolves it. `also.desktopVersion`: the desktop version the same
 * transaction records (phase-2 success).
 */
export function summarySessionItem(
  session: Pick<Session, 'customerId' | 'state' | 'targetVersion' | 'updatedAt'>,
  also: { desktopVersion?: string } = {},
): TransactItem {
  const failed = session.state === 'failed' || session.state === 'reactivated';
  const sets = ['customerId = :cid', 'sessionState = :state', 'sessionUpdatedAt = :at'];
  const removes: string[] = [];
  const values: Record<string, unknown> = { ':cid': session.customerId, ':state': session.state, ':at': session.updatedAt };
  if (also.desktopVersion) {
    // A transaction may touch the item once: the phase-2 success's new desktop version rides in the same update.
    sets.push('desktopVersion = :desktop');
    values[':desktop'] = also.desktopVersion;
  }
  if (session.targetVersion) {
    sets.push('targetVersion = :target');
    values[':target'] = session.targetVersion;
  } else removes.push('targetVersion');
  if (failed) sets.push('failedSince = if_not_exists(failedSince, :at)');
  else removes.push('failedSince');
  return {
    Update: {
      TableName: tableName(),
      Key: summaryKey(session.customerId),
      UpdateExpression: `SET ${sets.join(', ')}${removes.length ? ` REMOVE ${removes.join(', ')}` : ''}`,
      ExpressionAttributeValues: values,
    },
  };
}

/**
 * Transaction item adding one device row's change to the counts
 * (`deviceDelta`), for the transaction that makes the change: the device write
 * is conditioned on the enabled flag and version it read (`versionStill`), so
 * the delta is exact, and it commits or fails with the row — never counted
 * twice (TransactWriteItems with a ClientRequestToken is idempotent when the SDK
 * retries it), never lost. Undefined when nothing the summary counts changes.
 *
 * Unconditional, so it never cancels the device's write: on a customer whose
 * summary was never counted (created before the summary existed) it upserts a
 * partial item without `counted`, whose counts `rebuildSummary` replaces.
 * `countsRev` moves with every delta, so a rebuild that read the rows before
 * this change cannot overwrite it.
 */
export function summaryDeviceItem(customerId: string, before: DeviceFacts | undefined, after: DeviceFacts): TransactItem | undefined {
  const delta = deviceDelta(before, after);
  if (isEmpty(delta)) return undefined;
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = { ':one': 1, ':cid': customerId };
  const adds = ['countsRev :one'];
  if (delta.total) {
    adds.push('devicesTotal :total');
    values[':total'] = delta.total;
  }
  if (delta.enabled) {
    adds.push('devicesEnabled :enabled');
    values[':enabled'] = delta.enabled;
  }
  Object.entries(delta.versions).forEach(([version, n], i) => {
    names[`#v${i}`] = `${VERSION_PREFIX}${version}`;
    values[`:v${i}`] = n;
    adds.push(`#v${i} :v${i}`);
  });
  return {
    Update: {
      TableName: tableName(),
      Key: summaryKey(customerId),
      UpdateExpression: `SET customerId = :cid ADD ${adds.join(', ')}`,
      ExpressionAttributeNames: Object.keys(names).length ? names : undefined,
      ExpressionAttributeValues: values,
    },
  };
}

/** `summaryDeviceItem` as a list (empty when nothing counted changes), to spread into a transaction's items. */
export const summaryDeviceItems = (customerId: string, before: DeviceFacts | undefined, after: DeviceFacts): TransactItem[] => {
  const item = summaryDeviceItem(customerId, before, after);
  return item ? [item] : [];
};

// ---------------------------------------------------------------------------
// Writes outside a source transaction
// ---------------------------------------------------------------------------

/**
 * The startup check's timestamp, written only when the stored one (read in the
 * feed's BatchGetItem) is missing or older than STARTUP_CHECK_PRECISION_MS, and
 * conditionally, so the workstations of one customer starting together write it
 * once. Only on an existing summary. Never fails the check.
 */
export async function recordStartupCheck(customerId: string, stored: string | undefined, now: Date): Promise<void> {
  const threshold = new Date(now.getTime() - STARTUP_CHECK_PRECISION_MS).toISOString();
  if (stored && stored > threshold) return;
  try {
    await ddb.send(
      new UpdateCommand({
        TableName: tableName(),
        Key: summaryKey(customerId),
        UpdateExpression: 'SET lastCheckAt = :now',
        ConditionExpression: 'attribute_exists(pk) AND (attribute_not_exists(lastCheckAt) OR lastCheckAt <= :threshold)',
        ExpressionAttributeValues: { ':now': now.toISOString(), ':threshold': threshold },
      }),
    );
  } catch (error) {
    if ((error as Error).name !== 'ConditionalCheckFailedException') {
      logger.error('customer summary: startup check not recorded', { customerId, error: error as Error });
    }
  }
}

/**
 * The stored item of a complete summary, for writing many at once where no
 * source change exists to follow (the benchmark's 2,000 customers). Enabled
 * devices not on the desktop's version are counted under no version.
 */
export function summaryItem(summary: CustomerSummary): Record<string, unknown> {
  const item: Record<string, unknown> = {
    ...summaryKey(summary.customerId),
    type: 'customerSummary',
    customerId: summary.customerId,
    sessionState: summary.sessionState,
    devicesTotal: summary.devicesTotal,
    devicesEnabled: summary.devicesEnabled,
    countsRev: 0,
    counted: true,
  };
  const optional = {
    name: summary.name,
    licenceCode: summary.licenceCode,
    desktopVersion: summary.desktopVersion,
    targetVersion: summary.targetVersion,
    sessionUpdatedAt: summary.sessionUpdatedAt,
    failedSince: summary.failedSince,
    lastCheckAt: summary.lastCheckAt,
  };
  for (const [attribute, value] of Object.entries(optional)) if (value !== null) item[attribute] = value;
  if (summary.desktopVersion) item[`${VERSION_PREFIX}${summary.desktopVersion}`] = summary.devicesOnDesktopVersion;
  return item;
}

// ---------------------------------------------------------------------------
// Reads
// ---------------------------------------------------------------------------

/** A stored summary item as the overview shows it. */
export function toSummary(item: Record<string, unknown>): CustomerSummary {
  const desktopVersion = (item.desktopVersion as string | undefined) ?? null;
  const onDesktop = desktopVersion ? Number(item[`${VERSION_PREFIX}${desktopVersion}`] ?? 0) : 0;
  return {
    customerId: String(item.customerId ?? item.sk),
    name: (item.name as string | undefined) ?? null,
    licenceCode: (item.licenceCode as string | undefined) ?? null,
    desktopVersion,
    sessionState: (item.sessionState as SessionState | undefined) ?? 'available',
    targetVersion: (item.targetVersion as string | undefined) ?? null,
    sessionUpdatedAt: (item.sessionUpdatedAt as string | undefined) ?? null,
    failedSince: (item.failedSince as string | undefined) ?? null,
    devicesTotal: Number(item.devicesTotal ?? 0),
    devicesEnabled: Number(item.devicesEnabled ?? 0),
    devicesOnDesktopVersion: onDesktop,
    lastCheckAt: (item.lastCheckAt as string | undefined) ?? null,
  };
}

/** Every customer's summary, by id: one Query of the summary partition (paginated past 1 MB). */
export async function listSummaries(): Promise<CustomerSummary[]> {
  const summaries: CustomerSummary[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page: QueryCommandOutput = await ddb.send(
      new QueryCommand({
        TableName: tableName(),
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': SUMMARY_PARTITION },
        ExclusiveStartKey: startKey,
      }),
    );
    for (const item of page.Items ?? []) summaries.push(toSummary(item));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return summaries;
}

/** The summaries of `customerIds` (an agent's customers: BatchGetItem, 100 keys a call), by id. */
export async function getSummaries(customerIds: readonly string[]): Promise<CustomerSummary[]> {
  const items = await batchGetAll(customerIds.map(summaryKey));
  return items.map(toSummary).sort((a, b) => (a.customerId < b.customerId ? -1 : a.customerId > b.customerId ? 1 : 0));
}

// ---------------------------------------------------------------------------
// Backfill / repair
// ---------------------------------------------------------------------------

/** What `rebuildSummary` did. */
export type RebuildOutcome = 'no-customer' | 'kept' | 'written' | 'raced';

/**
 * Writes a customer's summary from the source items: the profile, the session
 * and every device row (one GetItem each and one Query of the device rows).
 * For a customer whose counts were never made complete (no `counted` marker:
 * created before the summary existed, only deltas since — the backfill,
 * `scripts/backfill-customer-summaries.ts`), and, with `recount`, to check any
 * customer's counts. Safe while the service runs:
 * - the device rows are read after the summary (strongly consistent), and the
 *   counts are written only if no device transaction moved `countsRev` since:
 *   a device change committed before the read is in the rows and overwritten
 *   with them, one committed after makes the write `raced` (run it again). A
 *   delta is part of its device's transaction, so none can land late;
 * - name, desktop version and licence only fill attributes still absent (a
 *   change made meanwhile wrote the newer value itself);
 * - the session fields only when no transition has written them yet.
 * Idempotent: without `recount`, a complete summary is `kept` untouched.
 */
export async function rebuildSummary(customerId: string, options: { recount?: boolean } = {}): Promise<RebuildOutcome> {
  const key = summaryKey(customerId);
  const { Item: current } = await ddb.send(new GetCommand({ TableName: tableName(), Key: key, ConsistentRead: true }));
  const counted = current?.counted === true;
  if (counted && current?.sessionState !== undefined && current?.name !== undefined && !options.recount) return 'kept';
  const profile = await getProfile(customerId);
  if (!profile) return 'no-customer';
  const [{ Item: session }, devices] = await Promise.all([
    ddb.send(new GetCommand({ TableName: tableName(), Key: customerKeys.session(customerId), ConsistentRead: true })),
    listDevices(customerId, { projection: ['serial', 'enabled', 'installedVersion'], consistent: true }),
  ]);

  const counts: DeviceDelta = { total: 0, enabled: 0, versions: {} };
  for (const device of devices) {
    const d = deviceDelta(undefined, { enabled: Boolean(device.enabled), installedVersion: device.installedVersion });
    counts.total += d.total;
    counts.enabled += d.enabled;
    for (const [version, n] of Object.entries(d.versions)) counts.versions[version] = (counts.versions[version] ?? 0) + n;
  }
  const names: Record<string, string> = { '#name': 'name' };
  const values: Record<string, unknown> = {
    ':cid': customerId,
    ':type': 'customerSummary',
    ':name': profile.name,
    ':total': counts.total,
    ':enabled': counts.enabled,
    ':counted': true,
  };
  const sets = [
    'customerId = :cid',
    '#type = :type',
    '#name = if_not_exists(#name, :name)',
    'devicesTotal = :total',
    'devicesEnabled = :enabled',
    'countsRev = :rev',
    'counted = :counted',
  ];
  names['#type'] = 'type';
  if (profile.desktopVersion) {
    sets.push('desktopVersion = if_not_exists(desktopVersion, :desktop)');
    values[':desktop'] = profile.desktopVersion;
  }
  if (profile.licenceCode) {
    sets.push('licenceCode = if_not_exists(licenceCode, :licence)');
    values[':licence'] = profile.licenceCode;
  }
  Object.entries(counts.versions).forEach(([version, n], i) => {
    names[`#v${i}`] = `${VERSION_PREFIX}${version}`;
    values[`:v${i}`] = n;
    sets.push(`#v${i} = :v${i}`);
  });
  // Counters of versions no enabled device has any more.
  const stale = Object.keys(current ?? {}).filter(
    (a) => a.startsWith(VERSION_PREFIX) && !(a.slice(VERSION_PREFIX.length) in counts.versions),
  );
  stale.forEach((attribute, i) => {
    names[`#x${i}`] = attribute;
  });
  const readRev = current?.countsRev as number | undefined;
  values[':rev'] = (readRev ?? 0) + 1;
  if (readRev !== undefined) values[':readRev'] = readRev;
  try {
    await ddb.send(
      new UpdateCommand({
        TableName: tableName(),
        Key: key,
        UpdateExpression: `SET ${sets.join(', ')}${stale.length ? ` REMOVE ${stale.map((_, i) => `#x${i}`).join(', ')}` : ''}`,
        ConditionExpression: readRev === undefined ? 'attribute_not_exists(countsRev)' : 'countsRev = :readRev',
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      }),
    );
  } catch (error) {
    if ((error as Error).name === 'ConditionalCheckFailedException') return 'raced';
    throw error;
  }
  if (session) {
    // Only when no transition has written the session fields yet: a transition's own write is newer.
    const item = summarySessionItem({
      customerId,
      state: session.state as SessionState,
      targetVersion: session.targetVersion as string | undefined,
      updatedAt: String(session.updatedAt ?? session.startedAt ?? new Date(0).toISOString()),
    });
    try {
      await ddb.send(new UpdateCommand({ ...item.Update!, ConditionExpression: 'attribute_not_exists(sessionState)' } as never));
    } catch (error) {
      if ((error as Error).name !== 'ConditionalCheckFailedException') throw error;
    }
  } else {
    await ddb.send(
      new UpdateCommand({
        TableName: tableName(),
        Key: key,
        UpdateExpression: 'SET sessionState = if_not_exists(sessionState, :available)',
        ExpressionAttributeValues: { ':available': 'available' },
      }),
    );
  }
  return 'written';
}
