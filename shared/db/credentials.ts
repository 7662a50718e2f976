import { DeleteCommand, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
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
