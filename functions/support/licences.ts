/**
 * Licence codes (DEV-1): the code an operator types when a tablet registers
 * ("All'avvio viene eseguito il controllo sulla licenza"). One live licence per
 * customer: a retried issue answers 409 with the live one instead of making a
 * second. Revoking stops new registrations with it; registered tablets keep
 * their own credentials.
 */
import { randomBytes } from 'node:crypto';
import type { SupportPrincipal } from '../../shared/auth/principals';
import { actorOf, auditPutItem } from '../../shared/db/audit';
import { getLicence, listLicences, newLicenceItem, revokeLicenceItem, type LicenceItem } from '../../shared/db/credentials';
import { summaryProfileItem } from '../../shared/db/customer-summary';
import { claimLicenceItem, releaseLicenceItem } from '../../shared/db/customers';
import { failedAt, transact } from '../../shared/db/table';
import { AppError, conflict } from '../../shared/errors';
import { customerNotFound, readCustomer } from './customers';

/** What support sees of a licence. */
export interface LicenceView {
  licenceCode: string;
  revoked: boolean;
  createdAt: string | null;
  createdBy: string | null;
  revokedAt: string | null;
  revokedBy: string | null;
}

const view = (l: LicenceItem): LicenceView => ({
  licenceCode: l.licenceCode,
  revoked: Boolean(l.revoked),
  createdAt: l.createdAt ?? null,
  createdBy: l.createdBy ?? null,
  revokedAt: l.revokedAt ?? null,
  revokedBy: l.revokedBy ?? null,
});

/** Crockford base32: no I, L, O, U — read over the phone and typed on a tablet without ambiguity. */
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** A new licence code `LIC-XXXX-XXXX-XXXX-XXXX`: 80 random bits, so codes cannot be guessed. */
export function newLicenceCode(): string {
  const bytes = randomBytes(10);
  let bits = 0n;
  for (const b of bytes) bits = (bits << 8n) | BigInt(b);
  let chars = '';
  for (let i = 0; i < 16; i++) chars += ALPHABET[Number((bits >> BigInt(5 * (15 - i))) & 31n)];
  return `LIC-${chars.match(/.{4}/g)!.join('-')}`;
}

/**
 * Issues the customer's licence: a generated code, or an existing mOphas
 * licence code support types in (a customer migrating with its tablets already
 * set up). 409 LICENCE_EXISTS when the customer already has a live licence or
 * the code is taken.
 */
export async function issueLicence(support: SupportPrincipal, customerId: string, code?: string): Promise<LicenceView> {
  const customer = await readCustomer(support, customerId);
  if (customer.licenceCode) throw liveLicenceExists(customerId, customer.licenceCode);
  const actor = actorOf(support);
  const at = new Date().toISOString();
  const item: LicenceItem & { createdAt: string } = {
    licenceCode: code ?? newLicenceCode(),
    customerId,
    createdAt: at,
    createdBy: actor.id,
  };
  const outcome = await transact([
    claimLicenceItem(customerId, item.licenceCode),
    newLicenceItem(item),
    // The code is a credential: the audit records that one was issued, not which.
    auditPutItem({ customerId, action: 'licence.issued', actor, outcome: 'ok', details: { generated: code === undefined }, at }),
    summaryProfileItem(customerId, { licenceCode: item.licenceCode }),
  ]);
  if (failedAt(outcome, 0)) {
    const now = await readCustomer(support, customerId);
    throw liveLicenceExists(customerId, now.licenceCode ?? '');
  }
  if (failedAt(outcome, 1)) {
    throw conflict(
      'LICENCE_EXISTS',
      'This licence code is already in use: choose another or let the service generate one.',
      { customerId },
      'Codice di licenza già in uso: sceglierne un altro o lasciarlo generare.',
    );
  }
  return view(item);
}

const liveLicenceExists = (customerId: string, licenceCode: string) =>
  conflict(
    'LICENCE_EXISTS',
    'This customer already has a live licence: revoke it first to issue another.',
    { customerId, licenceCode },
    'Il cliente ha già una licenza attiva: revocarla prima di emetterne un’altra.',
  );

/** The customer's licences, the live one and revoked ones, oldest first. */
export async function customerLicences(
  support: SupportPrincipal,
  customerId: string,
): Promise<{ customerId: string; licences: LicenceView[] }> {
  await readCustomer(support, customerId);
  return { customerId, licences: (await listLicences(customerId)).map(view) };
}

/**
 * Revokes the customer's live licence `code`: no tablet registers with it any
 * more (registered ones keep working). A code that is not this customer's live
 * licence is 404, an already revoked one 409.
 */
export async function revokeLicence(support: SupportPrincipal, customerId: string, code: string): Promise<LicenceView> {
  await readCustomer(support, customerId);
  const licence = await getLicence(code);
  if (!licence || licence.customerId !== customerId) throw licenceNotFound();
  if (licence.revoked) {
    throw conflict('ALREADY_REVOKED', 'This licence is already revoked.', { licence: view(licence) }, 'Licenza già revocata.');
  }
  const actor = actorOf(support);
  const at = new Date().toISOString();
  const outcome = await transact([
    revokeLicenceItem(code, customerId, { id: actor.id, at }),
    releaseLicenceItem(customerId, code),
    auditPutItem({ customerId, action: 'licence.revoked', actor, outcome: 'ok', at }),
    summaryProfileItem(customerId, { licenceCode: null }),
  ]);
  if (!outcome.ok) {
    const now = await getLicence(code);
    if (!now) throw customerNotFound(customerId);
    throw conflict('ALREADY_REVOKED', 'This licence is already revoked.', { licence: view(now) }, 'Licenza già revocata.');
  }
  return view({ ...licence, revoked: true, revokedAt: at, revokedBy: actor.id });
}

const licenceNotFound = () =>
  new AppError(404, 'NOT_FOUND', 'No such licence for this customer.', undefined, 'Licenza non trovata per questo cliente.');
