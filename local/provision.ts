import {
  CreateTableCommand,
  DescribeTableCommand,
  ListTablesCommand,
  ResourceNotFoundException,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, HeadBucketCommand } from '@aws-sdk/client-s3';
import { CreatePlatformApplicationCommand, CreateTopicCommand } from '@aws-sdk/client-sns';
import { dynamo, s3, sns } from '../shared/aws/clients';
import { TABLE_KEYS } from '../shared/db/keys';

/** Waits until DynamoDB Local answers ListTables. */
export async function waitForDynamo(timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await dynamo.send(new ListTablesCommand({ Limit: 1 }));
      return;
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`DynamoDB Local did not answer within ${timeoutMs} ms: ${String(error)}`);
      await new Promise((r) => setTimeout(r, 150));
    }
  }
}

/** Creates the single table (same keys, index and TTL as infra/) when it is missing. */
export async function ensureTable(tableName: string): Promise<'created' | 'exists'> {
  try {
    await dynamo.send(new DescribeTableCommand({ TableName: tableName }));
    return 'exists';
  } catch (error) {
    if (!(error instanceof ResourceNotFoundException)) throw error;
  }
  const { partitionKey, sortKey, gsi1, ttlAttribute } = TABLE_KEYS;
  await dynamo.send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [partitionKey, sortKey, gsi1.partitionKey, gsi1.sortKey].map((name) => ({
        AttributeName: name,
        AttributeType: 'S',
      })),
      KeySchema: [
        { AttributeName: partitionKey, KeyType: 'HASH' },
        { AttributeName: sortKey, KeyType: 'RANGE' },
      ],
      GlobalSecondaryIndexes: [
        {
          IndexName: gsi1.indexName,
          KeySchema: [
            { AttributeName: gsi1.partitionKey, KeyType: 'HASH' },
            { AttributeName: gsi1.sortKey, KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        },
      ],
    }),
  );
  await dynamo.send(
    new UpdateTimeToLiveCommand({ TableName: tableName, TimeToLiveSpecification: { AttributeName: ttlAttribute, Enabled: true } }),
  );
  return 'created';
}

/** Creates the packages bucket when it is missing. */
export async function ensureBucket(bucket: string): Promise<'created' | 'exists'> {
  try {
    await s3.send(new HeadBucketCommand({ Bucket: bucket }));
    return 'exists';
  } catch {
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    return 'created';
  }
}

/** Creates the FCM platform application and the support topic (both idempotent in SNS). */
export async function ensureSns(names: { platformApplication: string; supportTopic: string }) {
  const app = await sns.send(
    new CreatePlatformApplicationCommand({ Name: names.platformApplication, Platform: 'GCM', Attributes: { PlatformCredential: 'local' } }),
  );
  const topic = await sns.send(new CreateTopicCommand({ Name: names.supportTopic }));
  return { platformApplicationArn: app.PlatformApplicationArn!, supportTopicArn: topic.TopicArn! };
}

/** Registers the local support key's identity as Alturas staff (support routes fail closed otherwise). */
export async function ensureSupportStaff(tableName: string, principalId: string): Promise<void> {
  const { PutCommand } = await import('@aws-sdk/lib-dynamodb');
  const { ddb } = await import('../shared/aws/clients');
  const { credentialKeys } = await import('../shared/db/keys');
  await ddb.send(
    new PutCommand({
      TableName: tableName,
      Item: { ...credentialKeys.supportPrincipal(principalId), type: 'supportPrincipal', staff: true },
    }),
  );
}
