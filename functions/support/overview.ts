import type { SupportPrincipal } from '../../shared/auth/principals';
import { getCatalogHead } from '../../shared/db/catalog';
import { getSummaries, listSummaries } from '../../shared/db/customer-summary';

/**
 * The customers overview (issue 13 item 2): every customer's summary — staff
 * all of them (one Query of the summary partition), an agent only its assigned
 * customers (read by key, so nothing of any other is even read) — and the
 * newest published release.
 */
export async function customerOverview(support: SupportPrincipal) {
  const [customers, head] = await Promise.all([
    support.customers === '*' ? listSummaries() : getSummaries([...support.customers]),
    getCatalogHead(),
  ]);
  return { customers, latestVersion: head.latestVersion ?? null };
}
