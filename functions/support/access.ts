import { supportCanAccess, type SupportPrincipal } from '../../shared/auth/principals';
import { getProfile } from '../../shared/db/customers';
import { forbidden, notFound } from '../../shared/errors';

/**
 * Agents act only for the customers on their allow-list (AUTH-2, CODE-4); the
 * check comes before any lookup so an agent cannot probe which customer ids exist.
 */
export function assertCustomerAccess(support: SupportPrincipal, customerId: string): void {
  if (!supportCanAccess(support, customerId)) throw forbidden('You are not authorised for this customer.');
}

/** The customer must exist (404 otherwise): nothing is created for an unknown id. */
export async function assertCustomerExists(customerId: string): Promise<void> {
  if (!(await getProfile(customerId))) throw notFound(`Customer ${customerId}`);
}

/** A filter for cross-customer lists: everything for staff, the allow-list for an agent. */
export function customerFilter(support: SupportPrincipal): ((customerId: string) => boolean) | undefined {
  return support.customers === '*' ? undefined : (customerId) => supportCanAccess(support, customerId);
}
