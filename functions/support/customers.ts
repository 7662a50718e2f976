/**
 * Customers, as Alturas support onboards them: create (with the manual's
 * first-login `ammin` profile), list, read, update. Every change is written in
 * one transaction with its audit entry.
 */
import type { SupportPrincipal } from '../../shared/auth/principals';
import { actorOf, auditPutItem } from '../../shared/db/audit';
import { getProfile, listProfiles, newProfileItem, updateProfileItem, type CustomerProfile } from '../../shared/db/customers';
import { newSummaryItem, summaryProfileItem } from '../../shared/db/customer-summary';
import { customerKeys } from '../../shared/db/keys';
import { getSession } from '../../shared/db/session';
import { failedAt, transact, type TransactItem } from '../../shared/db/table';
import { newUserItem } from '../../shared/db/users';
import { hashPassword } from '../../shared/domain/secrets';
import { AppError, conflict } from '../../shared/errors';
import { tableName } from '../../shared/config';
import type { SessionState } from '../../shared/session/state-machine';
import { assertCustomerAccess, customerFilter } from './access';

/**
 * The manual's default profile ("All'interno del database è presente il
 * seguente profilo: ammin / ammin"): an administrator that must change its
 * password at the first login, and can only log in from one of the customer's
 * workstations (its installation credential). AUTH-1.
 */
export const FIRST_LOGIN_ADMIN = { username: 'ammin', password: 'ammin' } as const;

/** What support sees of a customer. */
export interface CustomerView {
  customerId: string;
  name: string;
  desktopVersion: string | null;
  /** The live SERVER workstation credential's id, if one was issued. */
  serverCredentialId: string | null;
  /** The live licence code devices register with, if one was issued. */
  licenceCode: string | null;
  createdAt: string | null;
  createdBy: string | null;
  updatedAt: string | null;
  updatedBy: string | null;
}

export function customerView(p: CustomerProfile): CustomerView {
  return {
    customerId: p.customerId,
    name: p.name,
    desktopVersion: p.desktopVersion ?? null,
    serverCredentialId: p.serverCredentialId ?? null,
    licenceCode: p.licenceCode ?? null,
    createdAt: p.createdAt ?? null,
    createdBy: p.createdBy ?? null,
    updatedAt: p.updatedAt ?? null,
    updatedBy: p.updatedBy ?? null,
  };
}

/** 404 in both languages (after the access check, so an agent learns nothing about other ids). */
export const customerNotFound = (customerId: string) =>
  new AppError(404, 'NOT_FOUND', `Customer ${customerId} not found.`, { customerId }, `Cliente ${customerId} non trovato.`);

/** Only Alturas support staff onboard new customers: an agent acts only for customers assigned to it. */
export function assertStaff(support: SupportPrincipal): void {
  if (support.customers !== '*') {
    throw new AppError(
      403,
      'FORBIDDEN',
      'Only Alturas support staff can create customers.',
      undefined,
      'Solo il personale di assistenza Alturas può creare clienti.',
    );
  }
}

/** The customer (404 when missing), after the access check. */
export async function readCustomer(support: SupportPrincipal, customerId: string): Promise<CustomerProfile> {
  assertCustomerAccess(support, customerId);
  const profile = await getProfile(customerId);
  if (!profile) throw customerNotFound(customerId);
  return profile;
}

/**
 * Creates a customer with its first-login admin. The id is Alturas's own, used
 * in every later command; an id already taken is 409 CUSTOMER_EXISTS (a retry
 * never creates twice). Workstation credentials and the licence are issued next.
 */
export async function createCustomer(
  support: SupportPrincipal,
  input: { customerId: string; name: string; desktopVersion: string },
): Promise<{ customer: CustomerView; firstLogin: typeof FIRST_LOGIN_ADMIN & { mustChangePassword: true } }> {
  assertStaff(support);
  const at = new Date().toISOString();
  const actor = actorOf(support);
  const profile: CustomerProfile & { createdAt: string } = {
    customerId: input.customerId,
    name: input.name,
    desktopVersion: input.desktopVersion,
    createdAt: at,
    createdBy: actor.id,
  };
  const outcome = await transact([
    newProfileItem(profile),
    newUserItem({
      customerId: input.customerId,
      username: FIRST_LOGIN_ADMIN.username,
      role: 'admin',
      passwordHash: await hashPassword(FIRST_LOGIN_ADMIN.password),
      mustChangePassword: true,
      createdAt: at,
      createdBy: actor.id,
    }),
    auditPutItem({
      customerId: input.customerId,
      action: 'customer.created',
      actor,
      outcome: 'ok',
      details: { name: input.name, desktopVersion: input.desktopVersion, firstLoginAdmin: FIRST_LOGIN_ADMIN.username },
      at,
    }),
    newSummaryItem({ customerId: input.customerId, name: input.name, desktopVersion: input.desktopVersion }),
  ]);
  if (!outcome.ok) {
    const existing = await getProfile(input.customerId);
    throw conflict(
      'CUSTOMER_EXISTS',
      `A customer with id ${input.customerId} already exists.`,
      { customer: existing ? customerView(existing) : { customerId: input.customerId } },
      `Esiste già un cliente con codice ${input.customerId}.`,
    );
  }
  return { customer: customerView(profile), firstLogin: { ...FIRST_LOGIN_ADMIN, mustChangePassword: true } };
}

/** Customers by id; an agent sees only its own. */
export async function listCustomers(support: SupportPrincipal, page: { limit: number; cursor?: string }) {
  const listed = await listProfiles({ ...page, keep: customerFilter(support) });
  return { customers: listed.items.map(customerView), ...(listed.cursor ? { cursor: listed.cursor } : {}) };
}

/** Session states in which the desktop version must not change under the admin window. */
const SESSION_IN_PROGRESS: readonly SessionState[] = ['preparing', 'updating', 'mobile-update'];

/**
 * Changes the name and/or the desktop version the backend knows (e.g. a
 * customer onboarded with the wrong version). The version cannot change while
 * an update is in progress (409 SESSION_IN_PROGRESS with the session's state).
 */
export async function updateCustomer(
  support: SupportPrincipal,
  customerId: string,
  changes: { name?: string; desktopVersion?: string },
): Promise<CustomerView> {
  const before = await readCustomer(support, customerId);
  const actor = actorOf(support);
  const at = new Date().toISOString();
  const items: TransactItem[] = [
    updateProfileItem(customerId, changes, { id: actor.id, at }),
    auditPutItem({
      customerId,
      action: 'customer.updated',
      actor,
      outcome: 'ok',
      details: {
        ...(changes.name !== undefined ? { name: { from: before.name, to: changes.name } } : {}),
        ...(changes.desktopVersion !== undefined ? { desktopVersion: { from: before.desktopVersion, to: changes.desktopVersion } } : {}),
      },
      at,
    }),
  ];
  if (changes.desktopVersion !== undefined) {
    items.push({
      ConditionCheck: {
        TableName: tableName(),
        Key: customerKeys.session(customerId),
        ConditionExpression: 'attribute_not_exists(pk) OR NOT (#state IN (:p, :u, :m))',
        ExpressionAttributeNames: { '#state': 'state' },
        ExpressionAttributeValues: { ':p': SESSION_IN_PROGRESS[0], ':u': SESSION_IN_PROGRESS[1], ':m': SESSION_IN_PROGRESS[2] },
      },
    });
  }
  // Last, so the indices above hold.
  items.push(summaryProfileItem(customerId, changes));
  const outcome = await transact(items);
  if (failedAt(outcome, 0)) throw customerNotFound(customerId);
  if (failedAt(outcome, 2)) {
    const session = await getSession(customerId);
    throw conflict(
      'SESSION_IN_PROGRESS',
      'The desktop version cannot change while an update is in progress.',
      { session: { sessionId: session.sessionId, state: session.state } },
      'La versione desktop non può cambiare mentre è in corso un aggiornamento.',
    );
  }
  return customerView({ ...before, ...changes, updatedAt: at, updatedBy: actor.id });
}
