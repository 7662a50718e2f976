import { BatchGetCommand, GetCommand, QueryCommand, type BatchGetCommandOutput, type QueryCommandOutput } from '@aws-sdk/lib-dynamodb';
import { ddb } from '../aws/clients';
import { tableName } from '../config';
import { customerKeys, gsi1Keys, TABLE_KEYS } from './keys';

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

/**
 * The index attributes every customer profile carries so it appears in the
 * customer list (gsi1 `CUSTOMERS`, sorted by id): spread them into the profile
 * item wherever a customer is created.
 */
export const customerListKeys = (customerId: string) => ({ gsi1pk: gsi1Keys.customers, gsi1sk: customerId });

/** Every customer id, from the customer list (one paginated Query of the index, ids only). */
export async function listCustomerIds(): Promise<string[]> {
  const ids: string[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page: QueryCommandOutput = await ddb.send(
      new QueryCommand({
        TableName: tableName(),
        IndexName: TABLE_KEYS.gsi1.indexName,
        KeyConditionExpression: 'gsi1pk = :list',
        ExpressionAttributeValues: { ':list': gsi1Keys.customers },
        ProjectionExpression: 'gsi1sk',
        ExclusiveStartKey: startKey,
      }),
    );
    for (const item of page.Items ?? []) ids.push(item.gsi1sk as string);
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return ids;
}

/** Which of `customerIds` have a profile (BatchGetItem by 100, unprocessed keys retried). */
export async function existingCustomers(customerIds: readonly string[]): Promise<Set<string>> {
  const found = new Set<string>();
  for (let i = 0; i < customerIds.length; i += 100) {
    let keys: Record<string, unknown>[] | undefined = customerIds.slice(i, i + 100).map((id) => customerKeys.profile(id));
    for (let attempt = 0; keys?.length && attempt < 5; attempt++) {
      if (attempt > 0) await new Promise((r) => setTimeout(r, 10 * 2 ** attempt));
      const result: BatchGetCommandOutput = await ddb.send(
        new BatchGetCommand({ RequestItems: { [tableName()]: { Keys: keys, ProjectionExpression: 'customerId' } } }),
      );
      for (const item of result.Responses?.[tableName()] ?? []) found.add(item.customerId as string);
      keys = result.UnprocessedKeys?.[tableName()]?.Keys;
    }
    if (keys?.length) throw new Error('BatchGetItem left keys unprocessed after retries');
  }
  return found;
}
