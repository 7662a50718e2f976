import { GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { ddb } from '../aws/clients';
import { tableName } from '../config';
import type { Release } from '../domain/catalog';
import { catalogKeys } from './keys';
import { queryPrefix } from './query';
import { stripKeys } from './table';

/** The catalog head: a counter bumped by every publication (freshness check and anti-rollback). */
export interface CatalogHead {
  readonly catalogVersion: number;
  readonly latestVersion?: string;
  readonly updatedAt?: string;
}

/** Reads the catalog head; a catalog nobody published to yet has version 0. */
export async function getCatalogHead(): Promise<CatalogHead> {
  // Consistent: publication compares it in a transaction, and the feed's freshness check must not go back.
  const { Item } = await ddb.send(new GetCommand({ TableName: tableName(), Key: catalogKeys.head(), ConsistentRead: true }));
  return Item
    ? { catalogVersion: Item.catalogVersion, latestVersion: Item.latestVersion, updatedAt: Item.updatedAt }
    : { catalogVersion: 0 };
}

/** All releases, oldest first (one Query on the catalog partition, paginated). */
export async function listReleases(): Promise<Release[]> {
  const items = await queryPrefix<Record<string, unknown>>(catalogKeys.head().pk, catalogKeys.releasePrefix);
  return items.map(toRelease);
}

/**
 * Records a release and bumps the catalog version in one transaction. Refuses
 * (TransactionCanceledException) when the version already exists, or when the
 * head moved since `expectedCatalogVersion` was read: publication never
 * overwrites and never half-writes.
 */
export async function putRelease(release: Omit<Release, 'catalogVersion'>, expectedCatalogVersion: number): Promise<Release> {
  const catalogVersion = expectedCatalogVersion + 1;
  const item: Release = { ...release, catalogVersion };
  await ddb.send(
    new TransactWriteCommand({
      TransactItems: [
        {
          Put: {
            TableName: tableName(),
            Item: { ...catalogKeys.release(release.version), type: 'release', ...item },
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
        {
          Put: {
            TableName: tableName(),
            Item: {
              ...catalogKeys.head(),
              type: 'catalogHead',
              catalogVersion,
              latestVersion: release.version,
              updatedAt: release.publishedAt,
            },
            ConditionExpression: expectedCatalogVersion === 0 ? 'attribute_not_exists(pk)' : 'catalogVersion = :expected',
            ExpressionAttributeValues: expectedCatalogVersion === 0 ? undefined : { ':expected': expectedCatalogVersion },
          },
        },
      ],
    }),
  );
  return item;
}

function toRelease(item: Record<string, unknown>): Release {
  return stripKeys<Release>(item);
}

// Published releases are immutable (FEED-2), so a found release can be kept for the life of the function.
const releaseCache = new Map<string, Release>();

/** One release, or undefined when that version was never published. */
export async function getRelease(version: string): Promise<Release | undefined> {
  const cached = releaseCache.get(version);
  if (cached) return cached;
  const { Item } = await ddb.send(new GetCommand({ TableName: tableName(), Key: catalogKeys.release(version) }));
  if (!Item) return undefined;
  const release = toRelease(Item);
  releaseCache.set(version, release);
  return release;
}
