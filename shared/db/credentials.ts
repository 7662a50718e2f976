import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ddb } from '../aws/dynamodb';
import { tableName } from '../config';
import { credentialKeys, customerKeys, gsi1Keys, TABLE_KEYS } from './keys';
import { queryGsi1All } from './query';
import { batchGetAll, findItem, type TransactItem } from './table';
import type { UserItem } from './users';

/**
 * Stored form of a desktop installation credential: one per workstation, issued
 * by Alturas support. Only SHA-256 of the secret is stored.
 */
export interface DesktopCredentialItem {
  customerId: string;
  secretHash: string;
  /** `server` for the SERVER workstation's credential; anything else is a client workstation. */
  workstation?: 'server' | 'client';
  /** What support calls the workstation ("Ufficio 2"), to tell credentials apart. */
  label?: string;
  createdAt?: string;
  createdBy?: string;
  revoked?: boolean;
  revokedAt?: string;
  revokedBy?: string;
  /** The credential that replaced this one (rotation). */
  replacedBy?: string;
}

/** Stored form of a device credential. */
export interface DeviceCredentialItem {
  customerId: string;
  serial: string;
  secretHash: string;
  revoked?: boolean;
}

/** A licence code devices register with (DEV-1), issued by Alturas support. */
export interface LicenceItem {
  licenceCode: string;
  customerId: string;
  createdAt?: string;
  createdBy?: string;
  revoked?: boolean;
  revokedAt?: string;
  revokedBy?: string;
}

/** Stored form of a user session token (TTL-expired by DynamoDB; `expiresAt` is also checked). */
export interface UserTokenItem {
  customerId: string;
  username: string;
  role: 'admin' | 'user';
  workstation: 'server' | 'client';
  mustChangePassword: boolean;
  secretHash: string;
  expiresAt: number;
  /** The user's tokenGeneration when the token was issued. */
  generation?: number;
}

/** An IAM identity registered for the pipeline routes (release publishing). */
export interface PipelinePrincipalItem {
  identity: string;
  description?: string;
}

/**
 * Stored form of a window ticket: the desktop's hand-off to the hosted update
 * window (docs/update-session.md, "The window as a web page"). Keyed by the
 * ticket's SHA-256; used once.
 */
export interface WindowTicketItem {
  customerId: string;
  username: string;
  workstation: 'server' | 'client';
  /** The user's tokenGeneration when the ticket was issued: a password or role change since voids it. */
  generation: number;
  /** Epoch ms after which the ticket no longer opens a window. */
  expiresAt: number;
  /** Expiry of the session that asked for the ticket: the window's session never outlives it. */
  sessionExpiresAt: number;
  /** Set when the ticket is exchanged (epoch ms). */
  usedAt?: number;
}

async function get<T>(key: { pk: string; sk: string }): Promise<T | undefined> {
  const { Item } = await ddb.send(new GetCommand({ TableName: tableName(), Key: key }));
  return Item as T | undefined;
}

export const getDesktopCredential = (id: string) => get<DesktopCredentialItem>(credentialKeys.desktop(id));
/** A licence by its code (revoked ones included: callers decide). */
export const getLicence = (code: string) => get<LicenceItem>(credentialKeys.licence(code));
export const getDeviceCredential = (id: string) => get<DeviceCredentialItem>(credentialKeys.device(id));
export const getPipelinePrincipal = (identity: string) => get<PipelinePrincipalItem>(credentialKeys.pipelinePrincipal(identity));

/**
 * Registers an IAM identity for the pipeline routes (the local stack's pipeline;
 * in AWS ops put the same item, docs/operations.md).
 */
export async function putPipelinePrincipal(identity: string, description: string): Promise<void> {
  await ddb.send(
    new PutCommand({
      TableName: tableName(),
      Item: { ...credentialKeys.pipelinePrincipal(identity), type: 'pipelinePrincipal', identity, description },
    }),
  );
}

/** Stores a user session token; DynamoDB's TTL removes it after expiry. */
export async function putUserToken(id: string, item: UserTokenItem): Promise<void> {
  await ddb.send(
    new PutCommand({
      TableName: tableName(),
      Item: { ...credentialKeys.userToken(id), type: 'userToken', ...item, ttl: Math.ceil(item.expiresAt / 1000) },
      ConditionExpression: 'attribute_not_exists(pk)',
    }),
  );
}

/** Ends a user session (logout, password change). */
export async function deleteUserToken(id: string): Promise<void> {
  await ddb.send(new DeleteCommand({ TableName: tableName(), Key: credentialKeys.userToken(id) }));
}

/** A user session token and its user, in one BatchGetItem (strongly consistent). */
export async function getUserTokenAndUser(
  tokenId: string,
  customerId: string,
  username: string,
): Promise<{ token?: UserTokenItem; user?: UserItem }> {
  const tokenKey = credentialKeys.userToken(tokenId);
  const userKey = customerKeys.user(customerId, username);
  const items = await batchGetAll([tokenKey, userKey], { consistent: true });
  return { token: findItem(items, tokenKey) as UserTokenItem | undefined, user: findItem(items, userKey) as UserItem | undefined };
}

/** Transaction item storing a new desktop credential (listed under its customer); fails if the id exists. */
export function newDesktopCredentialItem(id: string, item: DesktopCredentialItem & { createdAt: string }): TransactItem {
  return {
    Put: {
      TableName: tableName(),
      Item: {
        ...credentialKeys.desktop(id),
        type: 'desktopCredential',
        ...item,
        [TABLE_KEYS.gsi1.partitionKey]: gsi1Keys.workstations(item.customerId),
        [TABLE_KEYS.gsi1.sortKey]: `${item.createdAt}#${id}`,
      },
      ConditionExpression: 'attribute_not_exists(pk)',
    },
  };
}

/** Transaction item reserving a workstation label for a live credential; fails if the label is in use. */
export function workstationLabelItem(customerId: string, label: string, credentialId: string): TransactItem {
  return {
    Put: {
      TableName: tableName(),
      Item: { ...customerKeys.workstation(customerId, label), type: 'workstationLabel', label, credentialId },
      // Free when never used, or released by a revocation (no DeleteItem: the support function may not delete).
      ConditionExpression: 'attribute_not_exists(pk) OR attribute_not_exists(credentialId)',
    },
  };
}

/** Transaction item moving a workstation label from one credential to its replacement (rotation). */
export function moveWorkstationLabelItem(customerId: string, label: string, from: string, to: string): TransactItem {
  return {
    Update: {
      TableName: tableName(),
      Key: customerKeys.workstation(customerId, label),
      UpdateExpression: 'SET credentialId = :to',
      ConditionExpression: 'credentialId = :from',
      ExpressionAttributeValues: { ':from': from, ':to': to },
    },
  };
}

/** Transaction item freeing a workstation label when its credential is revoked. */
export function releaseWorkstationLabelItem(customerId: string, label: string, credentialId: string): TransactItem {
  return {
    Update: {
      TableName: tableName(),
      Key: customerKeys.workstation(customerId, label),
      UpdateExpression: 'REMOVE credentialId',
      ConditionExpression: 'credentialId = :id',
      ExpressionAttributeValues: { ':id': credentialId },
    },
  };
}

/** Transaction item revoking a live desktop credential of `customerId` (fails if it is not, or already revoked). */
export function revokeDesktopCredentialItem(
  id: string,
  customerId: string,
  by: { id: string; at: string },
  replacedBy?: string,
): TransactItem {
  return {
    Update: {
      TableName: tableName(),
      Key: credentialKeys.desktop(id),
      UpdateExpression: `SET revoked = :true, revokedAt = :at, revokedBy = :by${replacedBy ? ', replacedBy = :next' : ''}`,
      ConditionExpression: 'customerId = :customer AND (attribute_not_exists(revoked) OR revoked = :false)',
      ExpressionAttributeValues: {
        ':true': true,
        ':false': false,
        ':at': by.at,
        ':by': by.id,
        ':customer': customerId,
        ...(replacedBy ? { ':next': replacedBy } : {}),
      },
    },
  };
}

/** A customer's desktop credentials (revoked ones included), oldest first; never their hashes. */
export async function listDesktopCredentials(
  customerId: string,
): Promise<(Omit<DesktopCredentialItem, 'secretHash'> & { credentialId: string })[]> {
  const items = await queryGsi1All<Record<string, unknown> & DesktopCredentialItem>(gsi1Keys.workstations(customerId));
  return items.map(({ pk, sk: _sk, type: _t, gsi1pk: _g1, gsi1sk: _g2, secretHash: _hash, ...rest }) => ({
    ...rest,
    credentialId: String(pk).slice('DESKCRED#'.length),
  }));
}

/** Transaction item storing a new licence code for a customer; fails if the code exists (for anyone). */
export function newLicenceItem(item: LicenceItem & { createdAt: string }): TransactItem {
  return {
    Put: {
      TableName: tableName(),
      Item: {
        ...credentialKeys.licence(item.licenceCode),
        type: 'licence',
        ...item,
        [TABLE_KEYS.gsi1.partitionKey]: gsi1Keys.licences(item.customerId),
        [TABLE_KEYS.gsi1.sortKey]: `${item.createdAt}#${item.licenceCode}`,
      },
      ConditionExpression: 'attribute_not_exists(pk)',
    },
  };
}

/** Transaction item revoking a live licence of `customerId` (fails if it is not, or already revoked). */
export function revokeLicenceItem(code: string, customerId: string, by: { id: string; at: string }): TransactItem {
  return {
    Update: {
      TableName: tableName(),
      Key: credentialKeys.licence(code),
      UpdateExpression: 'SET revoked = :true, revokedAt = :at, revokedBy = :by',
      ConditionExpression: 'customerId = :customer AND (attribute_not_exists(revoked) OR revoked = :false)',
      ExpressionAttributeValues: { ':true': true, ':false': false, ':at': by.at, ':by': by.id, ':customer': customerId },
    },
  };
}

/** A customer's licences (revoked ones included), oldest first. */
export async function listLicences(customerId: string): Promise<LicenceItem[]> {
  const items = await queryGsi1All<Record<string, unknown> & LicenceItem>(gsi1Keys.licences(customerId));
  return items.map(({ pk: _pk, sk: _sk, type: _t, gsi1pk: _g1, gsi1sk: _g2, ...rest }) => rest as LicenceItem);
}

/**
 * Transaction item revoking a device credential: a re-registration replaced it,
 * or the office disabled its tablet. Unconditional (revoking twice is harmless).
 */
export function revokeDeviceCredentialItem(credentialId: string, at: string, reason: 're-registered' | 'device-disabled'): TransactItem {
  return {
    Update: {
      TableName: tableName(),
      Key: credentialKeys.device(credentialId),
      UpdateExpression: 'SET #revoked = :true, #revokedAt = :at, #revokedReason = :reason',
      ExpressionAttributeNames: { '#revoked': 'revoked', '#revokedAt': 'revokedAt', '#revokedReason': 'revokedReason' },
      ExpressionAttributeValues: { ':true': true, ':at': at, ':reason': reason },
    },
  };
}

/** Stores a new window ticket; DynamoDB's TTL removes it after expiry. */
export async function putWindowTicket(ticketHash: string, item: WindowTicketItem): Promise<void> {
  await ddb.send(
    new PutCommand({
      TableName: tableName(),
      Item: { ...credentialKeys.windowTicket(ticketHash), type: 'windowTicket', ...item, ttl: Math.ceil(item.expiresAt / 1000) + 3600 },
      ConditionExpression: 'attribute_not_exists(pk)',
    }),
  );
}

/**
 * Uses a window ticket, once: a conditional write marks it used, so two pages
 * presenting the same ticket at the same moment cannot both get a session.
 * Returns the ticket, or why it cannot be used (`used` before, or `unknown`:
 * never issued, or already removed by TTL). Expiry is the caller's check.
 */
export async function useWindowTicket(
  ticketHash: string,
  at: number,
): Promise<{ ticket: WindowTicketItem } | { problem: 'used' | 'unknown' }> {
  const Key = credentialKeys.windowTicket(ticketHash);
  try {
    const { Attributes } = await ddb.send(
      new UpdateCommand({
        TableName: tableName(),
        Key,
        UpdateExpression: 'SET usedAt = :at',
        ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(usedAt)',
        ExpressionAttributeValues: { ':at': at },
        ReturnValues: 'ALL_NEW',
      }),
    );
    return { ticket: Attributes as WindowTicketItem };
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
    const existing = await ddb.send(new GetCommand({ TableName: tableName(), Key, ConsistentRead: true }));
    return { problem: existing.Item ? 'used' : 'unknown' };
  }
}
