import type { Release } from '../domain/catalog';
import { compareVersions, toVersion, type Version } from '../domain/version';

/**
 * What the catalog offers a desktop on a given version (SPEC FEED-3).
 *
 * - `update`: the release to install next — the smallest release strictly greater
 *   than the installed version. Never a jump to the latest: after installing it the
 *   next startup offers the one after it.
 * - `up-to-date`: the installed version is the latest release (or the catalog is empty).
 * - `ahead`: the installed version is newer than every release (a build support
 *   installed by hand, or a release withdrawn from the catalog); `latest` is the
 *   newest release. Nothing is offered: the feed never offers a downgrade.
 */
export type NextRelease<R extends { readonly version: string } = Release> =
  | { readonly kind: 'update'; readonly release: R }
  | { readonly kind: 'up-to-date' }
  | { readonly kind: 'ahead'; readonly latest: R };

/**
 * Picks the release a desktop on `installed` should be offered (FEED-3, one step at a time).
 *
 * The releases may come in any order. An installed version that is not in the
 * catalog but lies between two releases is offered the first release above it.
 *
 * A release `isOffered` refuses (withdrawn, or outside the customer's open
 * rollout wave: shared/rollout/rollout.ts) is skipped: the customer is offered
 * the next release after `installed` that it accepts. `up-to-date` and `ahead`
 * still compare with every release, so a customer left on a withdrawn latest
 * release is up to date, not ahead.
 *
 * @param releases - the published releases, in any order.
 * @param installed - the desktop's installed version code, e.g. `03.01.00_030`.
 * @param isOffered - whether a release may be offered to this customer now. @default every release
 * @throws Error with the FEED-1 message when `installed` or a release version is
 *   not a version code (callers validate request input first; a bad catalog entry
 *   is a publication bug and must not be silently skipped).
 */
export function nextRelease<R extends { readonly version: string }>(
  releases: readonly R[],
  installed: string,
  isOffered: (release: R) => boolean = () => true,
): NextRelease<R> {
  const current = toVersion(installed);
  let next: { release: R; version: Version } | undefined;
  let latest: { release: R; version: Version } | undefined;
  // One pass, no sort: the catalog is small but the feed runs at every startup of every workstation.
  for (const release of releases) {
    const version = toVersion(release.version);
    if (!latest || compareVersions(version, latest.version) > 0) latest = { release, version };
    if (compareVersions(version, current) > 0 && (!next || compareVersions(version, next.version) < 0) && isOffered(release)) {
      next = { release, version };
    }
  }
  if (next) return { kind: 'update', release: next.release };
  if (latest && compareVersions(current, latest.version) > 0) return { kind: 'ahead', latest: latest.release };
  return { kind: 'up-to-date' };
}
