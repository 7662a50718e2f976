import { BatchGetCommand, type BatchGetCommandOutput } from '@aws-sdk/lib-dynamodb';
import { ddb } from '../aws/clients';
import { tableName } from '../config';
import type { FeedSessionState } from '../feed/notice';
import { catalogKeys, customerKeys } from './keys';
import type { CatalogHead } from './catalog';

/** The customer's current session as the feed needs it. */
export interface SessionSummary {
  state: FeedSessionState;
  version?: string;
}

/** Everything a startup check needs beyond the cached catalog. */
export interface FeedState {
  head: CatalogHead;
  session?: SessionSummary;
  /** Per-customer state of the release the feed would offer (if any). */
  releaseState?: { confirmedAt?: string; desktopDownloadVerifiedAt?: string; offeredAt?: string };
  /** The customer profile (desktop version as the backend knows it), when asked for. */
  profile?: { desktopVersion?: string };
  /** The calling device's row, when asked for. */
  device?: { enabled?: boolean; serial: string };
}

/**
 * One BatchGetItem for a startup check (FEED-5): catalog head (freshness of the
 * cached catalog), the customer's session, and the state of the release on offer;
 * optionally the profile and a device row. Unprocessed keys are retried.
 */
export async function readFeedState(
  customerId: string,
  options: { offeredVersion?: string; profile?: boolean; deviceSerial?: string },
): Promise<FeedState> {
  const keys: Record<string, unknown>[] = [catalogKeys.head(), customerKeys.session(customerId)];
  if (options.offeredVersion) keys.push(customerKeys.releaseState(customerId, options.offeredVersion));
  if (options.profile) keys.push(customerKeys.profile(customerId));
  if (options.deviceSerial) keys.push(customerKeys.device(customerId, options.deviceSerial));

  const items: Record<string, unknown>[] = [];
  // Strongly consistent: an older catalog head would make a client see a "rollback" it already moved past.
  let request: Record<string, { Keys: Record<string, unknown>[]; ConsistentRead: boolean }> | undefined = {
    [tableName()]: { Keys: keys, ConsistentRead: true },
  };
  for (let attempt = 0; request && attempt < 5; attempt++) {
    if (attempt > 0) await new Promise((r) => setTimeout(r, 10 * 2 ** attempt));
    const result: BatchGetCommandOutput = await ddb.send(new BatchGetCommand({ RequestItems: request }));
    items.push(...(result.Responses?.[tableName()] ?? []));
    const rest: { Keys?: Record<string, unknown>[] } | undefined = result.UnprocessedKeys?.[tableName()];
    request = rest?.Keys?.length ? { [tableName()]: { Keys: rest.Keys, ConsistentRead: true } } : undefined;
  }
  if (request) throw new Error('BatchGetItem left keys unprocessed after retries');

  const find = (key: { pk: string; sk: string }) => items.find((i) => i.pk === key.pk && i.sk === key.sk);
  const head = find(catalogKeys.head());
  const session = find(customerKeys.session(customerId));
  const state = options.offeredVersion ? find(customerKeys.releaseState(customerId, options.offeredVersion)) : undefined;
  const profile = options.profile ? find(customerKeys.profile(customerId)) : undefined;
  const device = options.deviceSerial ? find(customerKeys.device(customerId, options.deviceSerial)) : undefined;
  return {
    head: head ? { catalogVersion: head.catalogVersion as number, latestVersion: head.latestVersion as string } : { catalogVersion: 0 },
    session: session ? { state: session.state as FeedSessionState, version: session.targetVersion as string | undefined } : undefined,
    releaseState: state as FeedState['releaseState'],
    profile: profile as FeedState['profile'],
    device: device as FeedState['device'],
  };
}
