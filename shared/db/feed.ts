import type { FeedSessionState } from '../feed/notice';
import type { CatalogHead } from './catalog';
import { summaryKey } from './customer-summary';
import { deviceKey } from './devices';
import { catalogKeys, customerKeys, type ItemKey } from './keys';
import { batchGetAll, findItem } from './table';

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
  device?: { enabled?: boolean; serial: string; credentialId?: string };
  /** The customer's overview summary, when asked for and stored: when a startup check was last recorded. */
  summary?: { lastCheckAt?: string };
}

/**
 * One BatchGetItem for a startup check (FEED-5): catalog head (freshness of the
 * cached catalog), the customer's session, and the state of the release on offer;
 * optionally the profile, a device row and the customer's overview summary (so
 * the startup check knows, without another read, whether its time must be
 * recorded). Unprocessed keys are retried.
 */
export async function readFeedState(
  customerId: string,
  options: { offeredVersion?: string; profile?: boolean; deviceSerial?: string; summary?: boolean },
): Promise<FeedState> {
  const keys: ItemKey[] = [catalogKeys.head(), customerKeys.session(customerId)];
  if (options.offeredVersion) keys.push(customerKeys.releaseState(customerId, options.offeredVersion));
  if (options.profile) keys.push(customerKeys.profile(customerId));
  if (options.deviceSerial) keys.push(deviceKey(customerId, options.deviceSerial));
  if (options.summary) keys.push(summaryKey(customerId));

  // Strongly consistent: an older catalog head would make a client see a "rollback" it already moved past.
  const items = await batchGetAll(keys, { consistent: true });
  const find = (key: ItemKey) => findItem(items, key);
  const head = find(catalogKeys.head());
  const session = find(customerKeys.session(customerId));
  const state = options.offeredVersion ? find(customerKeys.releaseState(customerId, options.offeredVersion)) : undefined;
  const profile = options.profile ? find(customerKeys.profile(customerId)) : undefined;
  const device = options.deviceSerial ? find(deviceKey(customerId, options.deviceSerial)) : undefined;
  const summary = options.summary ? find(summaryKey(customerId)) : undefined;
  return {
    head: head ? { catalogVersion: head.catalogVersion as number, latestVersion: head.latestVersion as string } : { catalogVersion: 0 },
    session: session ? { state: session.state as FeedSessionState, version: session.targetVersion as string | undefined } : undefined,
    releaseState: state as FeedState['releaseState'],
    profile: profile as FeedState['profile'],
    device: device as FeedState['device'],
    summary: summary ? { lastCheckAt: summary.lastCheckAt as string | undefined } : undefined,
  };
}
