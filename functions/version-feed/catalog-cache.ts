import { loadCatalog, type Catalog } from '../../shared/db/catalog';

/**
 * The catalog — releases and their rollouts — kept in the function between
 * invocations (FEED-5). It is reloaded only when the catalog head, read in the
 * same BatchGetItem as the customer's state, shows a newer catalog version than
 * the one cached: every publication and every rollout change (plan, pause,
 * halt, wave, withdrawal) bumps it.
 */
let cached: { catalogVersion: number; catalog: Catalog } | undefined;
let loading: { catalogVersion: number; catalog: Promise<Catalog> } | undefined;

/** The catalog as of `catalogVersion` (from cache when it is current). */
export async function catalogAt(catalogVersion: number): Promise<Catalog> {
  if (cached && cached.catalogVersion >= catalogVersion) return cached.catalog;
  // A load started for an older head may not hold this head's writes: only join one that is recent enough.
  if (!loading || loading.catalogVersion < catalogVersion) {
    const load = { catalogVersion, catalog: loadCatalog() };
    loading = load;
    load.catalog
      .finally(() => {
        if (loading === load) loading = undefined;
      })
      .catch(() => undefined);
  }
  const { catalogVersion: loadedFor, catalog: pending } = loading;
  const catalog = await pending;
  if (!cached || loadedFor > cached.catalogVersion) cached = { catalogVersion: loadedFor, catalog };
  return catalog;
}

/** The catalog last cached, without any I/O (used to guess the offered version before reading). */
export const cachedCatalog = (): Catalog | undefined => cached?.catalog;
