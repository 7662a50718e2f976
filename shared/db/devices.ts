import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ddb } from '../aws/clients';
import { tableName } from '../config';
import { customerKeys, type ItemKey } from './keys';
import { queryPrefix } from './query';

/** A device row as stored (pk CUST#<id>, sk DEV#<serial>); see docs/data-model.md. */
export interface DeviceItem {
  customerId: string;
  serial: string;
  model?: string;
  operator?: { code: string; name: string; surname: string };
  phone?: string;
  enabled: boolean;
  installedVersion?: string;
  lastSyncAt?: string;
  lastCheckInAt?: string;
  pushToken?: string;
  endpointArn?: string;
  notificationsEnabled?: boolean;
  blocked?: boolean;
  blockedManually?: boolean;
  startAckSessionId?: string;
  awaitingSessionId?: string;
  notes?: string[];
  pushOutcomes?: Record<string, { command: string; status: 'sent' | 'failed'; reason?: string; reasonCode?: string; at: string }>;
  credentialId?: string;
  /** Set by the office (enable in tablet authorisation management): the next registration needs no current credential. */
  registrationOpen?: boolean;
  lockSecret?: string;
  registeredAt?: string;
}

/** Notes kept per device (the grid shows the latest). */
export const MAX_DEVICE_NOTES = 10;

/** All devices of a customer (one paginated Query; no scans). */
export async function listDevices(customerId: string, options: { projection?: readonly string[] } = {}): Promise<DeviceItem[]> {
  return queryPrefix<DeviceItem>(customerKeys.profile(customerId).pk, customerKeys.devicePrefix, options);
}

/** One device of a customer. */
export async function getDevice(customerId: string, serial: string): Promise<DeviceItem | undefined> {
  const { Item } = await ddb.send(new GetCommand({ TableName: tableName(), Key: customerKeys.device(customerId, serial) }));
  return Item as DeviceItem | undefined;
}

/**
 * Sets fields of an existing device and optionally appends a note. Refuses
 * (ConditionalCheckFailedException) a missing device, or a disabled one unless
 * `allowDisabled`.
 */
export async function updateDevice(
  customerId: string,
  serial: string,
  fields: Record<string, unknown>,
  options: { note?: string; allowDisabled?: boolean; condition?: { expression: string; values: Record<string, unknown> } } = {},
): Promise<DeviceItem> {
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  const sets = Object.entries(fields).map(([k, v], i) => {
    names[`#f${i}`] = k;
    values[`:f${i}`] = v;
    return `#f${i} = :f${i}`;
  });
  if (options.note) {
    sets.push('notes = list_append(if_not_exists(notes, :empty), :note)');
    values[':empty'] = [];
    values[':note'] = [options.note];
  }
  const conditions = ['attribute_exists(pk)'];
  if (!options.allowDisabled) {
    conditions.push('enabled = :true');
    values[':true'] = true;
  }
  if (options.condition) {
    conditions.push(options.condition.expression);
    Object.assign(values, options.condition.values);
  }
  const result = await ddb.send(
    new UpdateCommand({
      TableName: tableName(),
      Key: customerKeys.device(customerId, serial),
      UpdateExpression: `SET ${sets.join(', ')}`,
      ConditionExpression: conditions.join(' AND '),
      ExpressionAttributeNames: Object.keys(names).length ? names : undefined,
      ExpressionAttributeValues: values,
      ReturnValues: 'ALL_NEW',
    }),
  );
  return result.Attributes as DeviceItem;
}

/** A note as the grid shows it: time first, both languages. */
export const deviceNote = (it: string, en: string, at = new Date()) =>
  `${at.toISOString().slice(0, 16).replace('T', ' ')} UTC ${it} / ${en}`;

/** Drops the oldest notes past MAX_DEVICE_NOTES, only if nobody appended meanwhile (the next append trims then). */
export async function trimNotes(Key: ItemKey, length: number): Promise<void> {
  if (length <= MAX_DEVICE_NOTES) return;
  const remove = Array.from({ length: length - MAX_DEVICE_NOTES }, (_, i) => `notes[${i}]`).join(', ');
  try {
    await ddb.send(
      new UpdateCommand({
        TableName: tableName(),
        Key,
        UpdateExpression: `REMOVE ${remove}`,
        ConditionExpression: 'size(notes) = :len',
        ExpressionAttributeValues: { ':len': length },
      }),
    );
  } catch (error) {
    if ((error as Error).name !== 'ConditionalCheckFailedException') throw error;
  }
}

/**
 * Clears Blocked on every enabled device of a customer when a session ends
 * (reactivation, conclusion, support's resolve), with a note. Best effort per
 * device: the device's own check-in answers the command it owes regardless (DEV-7).
 */
export async function unblockDevices(customerId: string, note: string): Promise<void> {
  const devices = await queryPrefix<DeviceItem>(customerKeys.profile(customerId).pk, customerKeys.devicePrefix, {
    projection: ['serial', 'enabled', 'blocked'],
  });
  await Promise.allSettled(
    devices
      .filter((d) => d.enabled && d.blocked)
      .map((d) => updateDevice(customerId, d.serial, { blocked: false, blockedManually: false }, { note })),
  );
}

/** Transaction item counting one change to the customer's set of enabled devices (creates the counter). */
export function deviceSetChangedItem(customerId: string) {
  return {
    Update: {
      TableName: tableName(),
      Key: customerKeys.deviceSet(customerId),
      UpdateExpression: 'SET #type = :type ADD changes :one',
      ExpressionAttributeNames: { '#type': 'type' },
      ExpressionAttributeValues: { ':type': 'deviceSet', ':one': 1 },
    },
  };
}

/** The device-set counter as read now (0 before any change). */
export async function getDeviceSetVersion(customerId: string): Promise<number> {
  const { Item } = await ddb.send(
    new GetCommand({ TableName: tableName(), Key: customerKeys.deviceSet(customerId), ConsistentRead: true }),
  );
  return (Item?.changes as number | undefined) ?? 0;
}

/** Transaction condition: the device set has not changed since `read`. */
export function deviceSetUnchangedItem(customerId: string, read: number) {
  return {
    ConditionCheck: {
      TableName: tableName(),
      Key: customerKeys.deviceSet(customerId),
      ConditionExpression: read === 0 ? 'attribute_not_exists(changes) OR changes = :zero' : 'changes = :read',
      ExpressionAttributeValues: read === 0 ? { ':zero': 0 } : { ':read': read },
    },
  };
}
