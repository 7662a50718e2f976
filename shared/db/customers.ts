import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { ddb } from '../aws/clients';
import { tableName } from '../config';
import { customerKeys } from './keys';

export interface CustomerProfile {
  customerId: string;
  name: string;
  /** The desktop version the backend knows (set at onboarding, then by each successful phase 2). */
  desktopVersion?: string;
}

export async function getProfile(customerId: string): Promise<CustomerProfile | undefined> {
  const { Item } = await ddb.send(new GetCommand({ TableName: tableName(), Key: customerKeys.profile(customerId), ConsistentRead: true }));
  return Item as CustomerProfile | undefined;
}

/** Transaction item recording the desktop's new installed version (with the phase-2 success). */
export function setDesktopVersionItem(customerId: string, version: string) {
  return {
    Update: {
      TableName: tableName(),
      Key: customerKeys.profile(customerId),
      UpdateExpression: 'SET desktopVersion = :v',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeValues: { ':v': version },
    },
  };
}
