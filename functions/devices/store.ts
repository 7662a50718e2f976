/**
 * DynamoDB access of the devices function besides the device row (whose writes
 * belong to shared/db/devices.ts): the context a device route decides on, the
 * licence lookup, and the transaction items that go beside a device-row change.
 * Every key is built from the caller's principal (customerId, serial), never from
 * a request body, so a device cannot reach another customer's items (AUTH-2).
 */
import { tableName } from '../../shared/config';
import { getLicence, revokeDeviceCredentialItem } from '../../shared/db/credentials';
import { deviceKey, toDeviceItem, type DeviceItem } from '../../shared/db/devices';
import { customerKeys, type ItemKey } from '../../shared/db/keys';
import { batchGetAll, findItem, stripKeys, type TransactItem } from '../../shared/db/table';
import { initialSession, type Session } from '../../shared/session/state-machine';

/** What a device route needs to decide: the session, the desktop's version, the device row. */
export interface DeviceContext {
  session: Session;
  /** The desktop's installed version as the backend knows it (customer profile). */
  desktopVersion?: string;
  /** The device row, when asked for; undefined when it does not exist. */
  device?: DeviceItem;
}

/** The stored session item as a Session (a never-opened one when there is none). */
export function toSession(customerId: string, item: Record<string, unknown> | undefined): Session {
  if (!item) return initialSession(customerId, new Date(0).toISOString());
  const session = stripKeys<Partial<Session>>(item);
  return { ...session, customerId, sessionId: session.sessionId ?? '', version: session.version ?? 0 } as Session;
}

/**
 * One strongly consistent BatchGetItem: session + profile (+ the device row).
 * Consistent, so a device asking right after the admin acted sees the new state.
 */
export async function readDeviceContext(customerId: string, serial: string | undefined): Promise<DeviceContext> {
  const keys: ItemKey[] = [customerKeys.session(customerId), customerKeys.profile(customerId)];
  if (serial !== undefined) keys.push(deviceKey(customerId, serial));
  const items = await batchGetAll(keys, { consistent: true });
  const device = serial === undefined ? undefined : findItem(items, deviceKey(customerId, serial));
  return {
    session: toSession(customerId, findItem(items, customerKeys.session(customerId))),
    desktopVersion: findItem(items, customerKeys.profile(customerId))?.desktopVersion as string | undefined,
    device: device ? toDeviceItem(device) : undefined,
  };
}

/** The customer a live licence code belongs to (DEV-1), if any: a revoked licence registers nothing. */
export async function customerOfLicence(licenceCode: string): Promise<string | undefined> {
  const licence = await getLicence(licenceCode);
  return licence && !licence.revoked ? licence.customerId : undefined;
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

/** A Put inside a transaction, optionally only when the item does not exist yet. */
export function putItem(item: Record<string, unknown>, options: { mustBeNew?: boolean } = {}): TransactItem {
  return { Put: { TableName: tableName(), Item: item, ...(options.mustBeNew ? { ConditionExpression: 'attribute_not_exists(pk)' } : {}) } };
}

/** Marks a device credential revoked (re-registration replaced it, DEV-5). */
export const revokeCredentialItem = (credentialId: string, at: string): TransactItem =>
  revokeDeviceCredentialItem(credentialId, at, 're-registered');
