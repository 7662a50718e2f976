import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ddb } from '../aws/clients';
import { tableName } from '../config';
import { credentialKeys, customerKeys } from './keys';
import { batchGetAll, findItem } from './table';
import type { UserItem } from './users';

/** Stored form of a desktop installation credential. */
export interface DesktopCredentialItem {
  customerId: string;
  secretHash: string;
  /** `server` for the SERVER workstation's credential; anything else is a client workstation. */
  workstation?: 'server' | 'client';
  revoked?: boolean;
}

/** Stored form of a device credential. */
export interface DeviceCredentialItem {
  customerId: string;
  serial: string;
  secretHash: string;
  revoked?: boolean;
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
