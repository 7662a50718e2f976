import { listReleases } from '../../shared/db/catalog';
import type { Release } from '../../shared/domain/catalog';

/**
 * The catalog kept in the function between invocations (FEED-5). It is reloaded
 * only when the catalog head — read in the same BatchGetItem as the customer's
 * state — shows a newer catalog version than the one cached.
 */
let cached: { catalogVersion: number; releases: Release[] } | undefined;
let loading: Promise<Release[]> | undefined;

/** Releases as of `catalogVersion` (from cache when it is current). */
export async function releasesAt(catalogVersion: number): Promise<Release[]> {
  if (cached && cached.catalogVersion >= catalogVersion) return cached.releases;
  loading ??= listReleases().finally(() => {
    loading = undefined;
  });
  const releases = await loading;
  const loadedVersion = Math.max(catalogVersion, ...releases.map((r) => r.catalogVersion));
  if (!cached || loadedVersion >= cached.catalogVersion) cached = { catalogVersion: loadedVersion, releases };
  return releases;
}

/** The releases last cached, without any I/O (used to guess the offered version before reading). */
export const cachedReleases = (): Release[] | undefined => cached?.releases;
