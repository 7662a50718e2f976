/**
 * The customer's device-set counter (`CUST#<id>` / `DEVSET`): bumped in the same
 * transaction as every new registration and re-enable, so Start update, Force
 * update and Aggiornamento concluso can condition their session write on the
 * device list they decided on (docs/update-session.md).
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { ddb } from '../aws/dynamodb';
import { tableName } from '../config';
import { customerKeys } from './keys';
import type { TransactItem } from './table';

/** Transaction item counting one change to the customer's set of enabled devices (creates the counter). */
export function deviceSetChangedItem(customerId: string): TransactItem {
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
export function deviceSetUnchangedItem(customerId: string, read: number): TransactItem {
  return {
    ConditionCheck: {
      TableName: tableName(),
      Key: customerKeys.deviceSet(customerId),
      ConditionExpression: read === 0 ? 'attribute_not_exists(changes) OR changes = :zero' : 'changes = :read',
      ExpressionAttributeValues: read === 0 ? { ':zero': 0 } : { ':read': read },
    },
  };
}
