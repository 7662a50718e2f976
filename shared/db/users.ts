import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ddb } from '../aws/dynamodb';
import { tableName } from '../config';
import type { Role } from '../auth/principals';
import { customerKeys } from './keys';
import { queryPrefix } from './query';
import type { TransactItem } from './table';

export interface UserItem {
  customerId: string;
  username: string;
  role: Role;
  passwordHash: string;
  mustChangePassword: boolean;
  createdAt: string;
  passwordChangedAt?: string;
  /** Bumped by a password change, a reset or a role change: session tokens of older generations stop working. */
  tokenGeneration?: number;
}

/** One user of a customer. */
export async function getUser(customerId: string, username: string): Promise<UserItem | undefined> {
  const { Item } = await ddb.send(new GetCommand({ TableName: tableName(), Key: customerKeys.user(customerId, username) }));
  return Item as UserItem | undefined;
}

/** All users of a customer (support's user management). */
export async function listUsers(customerId: string): Promise<UserItem[]> {
  return queryPrefix<UserItem>(customerKeys.profile(customerId).pk, customerKeys.userPrefix);
}

/** Transaction item creating a user; its condition fails when the username exists. */
export function newUserItem(user: UserItem & { createdBy?: string }): TransactItem {
  return {
    Put: {
      TableName: tableName(),
      Item: { ...customerKeys.user(user.customerId, user.username), type: 'user', ...user },
      ConditionExpression: 'attribute_not_exists(pk)',
    },
  };
}

/** Creates a user; refuses (ConditionalCheckFailed) when the username exists. */
export async function createUser(user: UserItem): Promise<void> {
  await ddb.send(
    new PutCommand({
      TableName: tableName(),
      Item: { ...customerKeys.user(user.customerId, user.username), type: 'user', ...user },
      ConditionExpression: 'attribute_not_exists(pk)',
    }),
  );
}

/** Replaces the password hash, only if it is still the one the caller verified. */
export async function changePassword(
  customerId: string,
  username: string,
  expectedHash: string,
  newHash: string,
  at: string,
): Promise<void> {
  await ddb.send(
    new UpdateCommand({
      TableName: tableName(),
      Key: customerKeys.user(customerId, username),
      // A password change ends every session of the user (other workstations included).
      UpdateExpression: 'SET passwordHash = :new, mustChangePassword = :false, passwordChangedAt = :at ADD tokenGeneration :one',
      ConditionExpression: 'passwordHash = :expected',
      ExpressionAttributeValues: { ':new': newHash, ':expected': expectedHash, ':false': false, ':at': at, ':one': 1 },
    }),
  );
}
