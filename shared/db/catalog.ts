import { GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { ddb } from '../aws/dynamodb';
import { tableName } from '../config';
import type { Release } from '../domain/catalog';
import { catalogKeys } from './keys';
import { queryPrefix } from './query';
import type { Rollout } from '../rollout/rollout';
import { toRollout } from './rollout';
import { stripKeys, type TransactItem } from './table';

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

/** The releases and their rollouts (by version): what decides who is offered what. */
export interface Catalog {
  readonly releases: Release[];
  readonly rollouts: ReadonlyMap<string, Rollout>;
}

/**
 * The whole catalog partition in one paginated Query: releases (oldest first)
 * and the rollout of every release that has one. Strongly consistent, so a
 * reload triggered by a newer catalog head sees at least that head's writes.
 */
export async function loadCatalog(): Promise<Catalog> {
  const items = await queryPrefix<Record<string, unknown>>(catalogKeys.head().pk, '', { consistent: true });
  const releases: Release[] = [];
  const rollouts = new Map<string, Rollout>();
  for (const item of items) {
    const sk = item.sk as string;
    if (sk.startsWith(catalogKeys.releasePrefix)) releases.push(toRelease(item));
    else if (sk.startsWith(catalogKeys.rolloutPrefix)) {
      const rollout = toRollout(item);
      rollouts.set(rollout.version, rollout);
    }
  }
  return { releases, rollouts };
}

/**
 * Records a release and bumps the catalog version in one transaction. Refuses
 * (TransactionCanceledException) when the version already exists, or when the
 * head moved since `expectedCatalogVersion` was read: publication never
 * overwrites and never half-writes.
 */
export async function putRelease(
  release: Omit<Release, 'catalogVersion'>,
  expectedCatalogVersion: number,
  /** Written in the same transaction: the release's rollout plan, when it is published with one. */
  rollout?: TransactItem,
): Promise<Release> {
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
        ...(rollout ? [rollout] : []),
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
