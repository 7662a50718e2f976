import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { ddb } from '../aws/dynamodb';
import { tableName } from '../config';
import { TABLE_KEYS } from './keys';

/**
 * Every item of partition `pk` whose sort key starts with `prefix` (`''`: all): one Query,
 * followed page by page (never a Scan). Attribute names in `projection` go
 * through placeholders, since several (e.g. `operator`) are reserved words.
 */
export async function queryPrefix<T>(
  pk: string,
  prefix: string,
  options: {
    projection?: readonly string[];
    newestFirst?: boolean;
    consistent?: boolean;
    filter?: { expression: string; values: Record<string, unknown> };
  } = {},
): Promise<T[]> {
  const names = options.projection ? Object.fromEntries(options.projection.map((a, i) => [`#p${i}`, a])) : undefined;
  const items: T[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await ddb.send(
      new QueryCommand({
        TableName: tableName(),
        // An empty prefix means the whole partition (DynamoDB refuses begins_with on '').
        KeyConditionExpression: prefix ? 'pk = :pk AND begins_with(sk, :prefix)' : 'pk = :pk',
        ExpressionAttributeValues: { ':pk': pk, ...(prefix ? { ':prefix': prefix } : {}), ...options.filter?.values },
        FilterExpression: options.filter?.expression,
        ProjectionExpression: names ? Object.keys(names).join(', ') : undefined,
        ExpressionAttributeNames: names,
        ScanIndexForward: options.newestFirst ? false : undefined,
        ConsistentRead: options.consistent,
        ExclusiveStartKey: startKey,
      }),
    );
    items.push(...((page.Items ?? []) as T[]));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return items;
}

/**
 * Every item of one gsi1 partition, in index order (per-customer lists such as
 * licences and workstation credentials; the customer list), optionally
 * projected. The index is eventually consistent: an item written a moment ago
 * may appear a moment later.
 */
export async function queryGsi1All<T>(
  partition: string,
  projection?: { expression: string; names?: Record<string, string> },
): Promise<T[]> {
  const items: T[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await ddb.send(
      new QueryCommand({
        TableName: tableName(),
        IndexName: TABLE_KEYS.gsi1.indexName,
        KeyConditionExpression: '#gpk = :partition',
        ExpressionAttributeNames: { '#gpk': TABLE_KEYS.gsi1.partitionKey, ...projection?.names },
        ExpressionAttributeValues: { ':partition': partition },
        ProjectionExpression: projection?.expression,
        ExclusiveStartKey: startKey,
      }),
    );
    items.push(...((page.Items ?? []) as T[]));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return items;
}
