/**
 * DynamoDB access of the devices function: each operation is one named function.
 * Every key is built from the caller's principal (customerId, serial), never from
 * a request body, so a device cannot reach another customer's items (AUTH-2).
 */
import {
  BatchGetCommand,
  GetCommand,
  TransactWriteCommand,
  UpdateCommand,
  type BatchGetCommandOutput,
  type TransactWriteCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { ddb } from '../../shared/aws/clients';
import { tableName } from '../../shared/config';
import { trimNotes, type DeviceItem } from '../../shared/db/devices';
export { trimNotes };
import { credentialKeys, customerKeys, type ItemKey } from '../../shared/db/keys';
import { initialSession, type Session } from '../../shared/session/state-machine';
import { busy } from './device-errors';

export type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** What a device route needs to decide: the session, the desktop's version, the device row. */
export interface DeviceContext {
  session: Session;
  /** The desktop's installed version as the backend knows it (customer profile). */
  desktopVersion?: string;
  /** The device row, when asked for; undefined when it does not exist. */
  device?: DeviceItem;
}

const KEY_ATTRIBUTES = new Set(['pk', 'sk', 'type', 'gsi1pk', 'gsi1sk']);
const strip = (item: Record<string, unknown>) => Object.fromEntries(Object.entries(item).filter(([k]) => !KEY_ATTRIBUTES.has(k)));

/** The stored session item as a Session (a never-opened one when there is none). */
export function toSession(customerId: string, item: Record<string, unknown> | undefined): Session {
  if (!item) return initialSession(customerId, new Date(0).toISOString());
  const session = strip(item) as Partial<Session>;
  return { ...session, customerId, sessionId: session.sessionId ?? '', version: session.version ?? 0 } as Session;
}

/**
 * One strongly consistent BatchGetItem: session + profile (+ the device row).
 * Consistent, so a device asking right after the admin acted sees the new state;
 * unprocessed keys are retried.
 */
export async function readDeviceContext(customerId: string, serial: string | undefined): Promise<DeviceContext> {
  const keys: ItemKey[] = [customerKeys.session(customerId), customerKeys.profile(customerId)];
  if (serial !== undefined) keys.push(customerKeys.device(customerId, serial));
  const items: Record<string, unknown>[] = [];
  let pending: ItemKey[] = keys;
  for (let attempt = 0; pending.length > 0; attempt++) {
    if (attempt >= 5) throw new Error('BatchGetItem left keys unprocessed after retries');
    if (attempt > 0) await sleep(10 * 2 ** attempt);
    const out: BatchGetCommandOutput = await ddb.send(
      new BatchGetCommand({ RequestItems: { [tableName()]: { Keys: pending, ConsistentRead: true } } }),
    );
    items.push(...(out.Responses?.[tableName()] ?? []));
    pending = (out.UnprocessedKeys?.[tableName()]?.Keys as ItemKey[] | undefined) ?? [];
  }
  const find = (key: ItemKey) => items.find((i) => i.pk === key.pk && i.sk === key.sk);
  const profile = find(customerKeys.profile(customerId));
  const device = serial === undefined ? undefined : find(customerKeys.device(customerId, serial));
  return {
    session: toSession(customerId, find(customerKeys.session(customerId))),
    desktopVersion: profile?.desktopVersion as string | undefined,
    device: device ? (strip(device) as unknown as DeviceItem) : undefined,
  };
}

/** The customer a licence code belongs to (DEV-1), if any. */
export async function customerOfLicence(licenceCode: string): Promise<string | undefined> {
  const { Item } = await ddb.send(new GetCommand({ TableName: tableName(), Key: credentialKeys.licence(licenceCode) }));
  return Item?.customerId as string | undefined;
}

/** A device row read strongly consistent (registration decides new vs existing on it). */
export async function readDevice(customerId: string, serial: string): Promise<DeviceItem | undefined> {
  const { Item } = await ddb.send(
    new GetCommand({ TableName: tableName(), Key: customerKeys.device(customerId, serial), ConsistentRead: true }),
  );
  return Item ? (strip(Item) as unknown as DeviceItem) : undefined;
}

/** A change to a device row: attributes to set or remove, and a grid note to append. */
export interface DeviceChange {
  set: Record<string, unknown>;
  remove?: string[];
  note?: string;
}

/** Builds the UpdateExpression of a DeviceChange plus extra condition values, with names kept out of DynamoDB's reserved words. */
export function deviceUpdate(change: DeviceChange, condition: string, conditionValues: Record<string, unknown> = {}) {
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = { ...conditionValues };
  const sets = Object.entries(change.set)
    .filter(([, v]) => v !== undefined)
    .map(([k, v], i) => {
      names[`#s${i}`] = k;
      values[`:s${i}`] = v;
      return `#s${i} = :s${i}`;
    });
  if (change.note) {
    names['#notes'] = 'notes';
    sets.push('#notes = list_append(if_not_exists(#notes, :noEmpty), :note)');
    values[':noEmpty'] = [];
    values[':note'] = [change.note];
  }
  const removes = (change.remove ?? []).map((k, i) => {
    names[`#r${i}`] = k;
    return `#r${i}`;
  });
  // Conditions may name attributes through the same map (#enabled etc.).
  for (const match of condition.matchAll(/#(\w+)/g)) names[`#${match[1]}`] = match[1]!;
  const expression = [sets.length ? `SET ${sets.join(', ')}` : '', removes.length ? `REMOVE ${removes.join(', ')}` : '']
    .filter(Boolean)
    .join(' ');
  return {
    UpdateExpression: expression,
    ConditionExpression: condition,
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: Object.keys(values).length ? values : undefined,
  };
}

/** Condition every device write carries: the row exists and is enabled (SES-8). */
export const ENABLED_DEVICE = 'attribute_exists(pk) AND #enabled = :enabledTrue';
export const ENABLED_VALUES = { ':enabledTrue': true } as const;

export type CheckInWrite = { status: 'ok'; old: DeviceItem } | { status: 'missing' } | { status: 'disabled' };

/**
 * The check-in's one write: sets what the device reported on an enabled row and
 * returns the row as it was (ALL_OLD), so the caller knows the previous push token
 * and endpoint without reading first. A failed condition returns the old row, which
 * tells a missing device from a disabled one without another request.
 */
export async function recordCheckIn(customerId: string, serial: string, change: DeviceChange): Promise<CheckInWrite> {
  try {
    const out = await ddb.send(
      new UpdateCommand({
        TableName: tableName(),
        Key: customerKeys.device(customerId, serial),
        ...deviceUpdate(change, ENABLED_DEVICE, ENABLED_VALUES),
        ReturnValues: 'ALL_OLD',
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
    );
    return { status: 'ok', old: out.Attributes as DeviceItem };
  } catch (error) {
    if ((error as Error).name !== 'ConditionalCheckFailedException') throw error;
    return (error as { Item?: unknown }).Item ? { status: 'disabled' } : { status: 'missing' };
  }
}

/** Records the token the device's SNS endpoint now carries (after ensureEndpoint succeeded). */
export async function markEndpointToken(customerId: string, serial: string, token: string): Promise<void> {
  try {
    await ddb.send(
      new UpdateCommand({
        TableName: tableName(),
        Key: customerKeys.device(customerId, serial),
        UpdateExpression: 'SET endpointToken = :token',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: { ':token': token },
      }),
    );
  } catch (error) {
    if ((error as Error).name !== 'ConditionalCheckFailedException') throw error;
  }
}

/**
 * Appends a note to an existing row (whatever its flags) and trims the list to
 * the last MAX_DEVICE_NOTES when it grew past it.
 */
export async function appendDeviceNote(customerId: string, serial: string, note: string): Promise<void> {
  const Key = customerKeys.device(customerId, serial);
  try {
    const out = await ddb.send(
      new UpdateCommand({
        TableName: tableName(),
        Key,
        ...deviceUpdate({ set: {}, note }, 'attribute_exists(pk)'),
        ReturnValues: 'UPDATED_NEW',
      }),
    );
    await trimNotes(Key, (out.Attributes?.notes as unknown[] | undefined)?.length ?? 0);
  } catch (error) {
    if ((error as Error).name !== 'ConditionalCheckFailedException') throw error;
  }
}

/** Outcome of a transaction: written, or cancelled with one reason code per item (`None`, `ConditionalCheckFailed`, …). */
export type TransactOutcome = { ok: true } | { ok: false; reasons: string[] };

const MAX_CONFLICT_ATTEMPTS = 8;

/**
 * TransactWriteItems that retries when DynamoDB cancels it only for conflicts with
 * concurrent transactions on the same items (e.g. 200 devices whose transactions all
 * condition-check the one session item), with full-jitter exponential backoff. A
 * failed condition is returned to the caller, which knows what it means.
 */
export async function transact(items: TransactItem[]): Promise<TransactOutcome> {
  for (let attempt = 1; ; attempt++) {
    try {
      await ddb.send(new TransactWriteCommand({ TransactItems: items }));
      return { ok: true };
    } catch (error) {
      const name = (error as Error).name;
      const reasons = ((error as { CancellationReasons?: { Code?: string }[] }).CancellationReasons ?? []).map((r) => r.Code ?? 'None');
      const conflictOnly =
        name === 'TransactionConflictException' ||
        (name === 'TransactionCanceledException' && reasons.includes('TransactionConflict') && !reasons.includes('ConditionalCheckFailed'));
      if (conflictOnly) {
        if (attempt >= MAX_CONFLICT_ATTEMPTS) throw busy();
        await sleep(Math.random() * Math.min(1000, 20 * 2 ** attempt));
        continue;
      }
      if (name === 'TransactionCanceledException') return { ok: false, reasons };
      throw error;
    }
  }
}

/** A ConditionCheck on the customer's session item. */
export function sessionCheck(
  customerId: string,
  condition: string,
  values: Record<string, unknown>,
  names?: Record<string, string>,
): TransactItem {
  return {
    ConditionCheck: {
      TableName: tableName(),
      Key: customerKeys.session(customerId),
      ConditionExpression: condition,
      ExpressionAttributeValues: values,
      ExpressionAttributeNames: names,
    },
  };
}

/** An Update of one device row inside a transaction. */
export function deviceUpdateItem(
  customerId: string,
  serial: string,
  change: DeviceChange,
  condition: string,
  values: Record<string, unknown>,
): TransactItem {
  return { Update: { TableName: tableName(), Key: customerKeys.device(customerId, serial), ...deviceUpdate(change, condition, values) } };
}

/** A Put inside a transaction, optionally only when the item does not exist yet. */
export function putItem(item: Record<string, unknown>, options: { mustBeNew?: boolean } = {}): TransactItem {
  return { Put: { TableName: tableName(), Item: item, ...(options.mustBeNew ? { ConditionExpression: 'attribute_not_exists(pk)' } : {}) } };
}

/** Marks a device credential revoked (re-registration replaced it, DEV-5). */
export function revokeCredentialItem(credentialId: string, at: string): TransactItem {
  return {
    Update: {
      TableName: tableName(),
      Key: credentialKeys.device(credentialId),
      UpdateExpression: 'SET #revoked = :true, #revokedAt = :at, #revokedReason = :reason',
      ExpressionAttributeNames: { '#revoked': 'revoked', '#revokedAt': 'revokedAt', '#revokedReason': 'revokedReason' },
      ExpressionAttributeValues: { ':true': true, ':at': at, ':reason': 're-registered' },
    },
  };
}
