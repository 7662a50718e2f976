/**
 * Workstation credentials: one installation credential per desktop
 * workstation, issued by Alturas support for the SERVER (the central computer,
 * where updates are managed, FEED-6) or a client workstation. The secret is
 * shown once, in the answer that issues it; only its SHA-256 is stored. A
 * customer has at most one live SERVER credential, and labels are unique among
 * its live credentials, so a retried issue never makes a second one.
 */
import type { SupportPrincipal, Workstation } from '../../shared/auth/principals';
import { CREDENTIAL_PREFIX, DESKTOP_CREDENTIAL_CACHE_MS } from '../../shared/auth/authenticate';
import { actorOf, auditPutItem } from '../../shared/db/audit';
import {
  getDesktopCredential,
  listDesktopCredentials,
  moveWorkstationLabelItem,
  newDesktopCredentialItem,
  releaseWorkstationLabelItem,
  revokeDesktopCredentialItem,
  workstationLabelItem,
  type DesktopCredentialItem,
} from '../../shared/db/credentials';
import { claimServerCredentialItem, customerExistsItem, releaseServerCredentialItem } from '../../shared/db/customers';
import { failedAt, transact, type TransactItem } from '../../shared/db/table';
import { issueCredential } from '../../shared/domain/secrets';
import { AppError, conflict } from '../../shared/errors';
import { readCustomer } from './customers';

/** What support sees of a workstation credential: never its secret or hash. */
export interface WorkstationView {
  credentialId: string;
  workstation: Workstation;
  label: string | null;
  revoked: boolean;
  createdAt: string | null;
  createdBy: string | null;
  revokedAt: string | null;
  revokedBy: string | null;
  /** The credential that replaced this one (rotation). */
  replacedBy: string | null;
}

/** The answer that issues a credential: the only time its secret is shown. */
export interface IssuedWorkstation extends WorkstationView {
  /** `dsk_<id>.<secret>`: configure it on the workstation (`Authorization: Desktop …`). Never shown again. */
  credential: string;
  /** A revoked credential may keep working this long on warm functions (cache of found credentials). */
  revokedCredentialsStopWithinSeconds: number;
}

const view = (id: string, c: Omit<DesktopCredentialItem, 'secretHash'>): WorkstationView => ({
  credentialId: id,
  workstation: c.workstation === 'server' ? 'server' : 'client',
  label: c.label ?? null,
  revoked: Boolean(c.revoked),
  createdAt: c.createdAt ?? null,
  createdBy: c.createdBy ?? null,
  revokedAt: c.revokedAt ?? null,
  revokedBy: c.revokedBy ?? null,
  replacedBy: c.replacedBy ?? null,
});

const STOP_WITHIN_SECONDS = DESKTOP_CREDENTIAL_CACHE_MS / 1000;

const serverExists = (customerId: string, serverCredentialId?: string) =>
  conflict(
    'SERVER_CREDENTIAL_EXISTS',
    'This customer already has a SERVER workstation credential: rotate it, or revoke it before issuing another.',
    { customerId, serverCredentialId: serverCredentialId ?? null },
    'Il cliente ha già le credenziali della postazione SERVER: rinnovarle, oppure revocarle prima di emetterne altre.',
  );

const labelInUse = (label: string) =>
  conflict(
    'WORKSTATION_EXISTS',
    `A live credential is already labelled "${label}": rotate it, or choose another label.`,
    { label },
    `Esistono già credenziali attive con l'etichetta "${label}": rinnovarle oppure scegliere un'altra etichetta.`,
  );

const workstationNotFound = () =>
  new AppError(
    404,
    'NOT_FOUND',
    'No such workstation credential for this customer.',
    undefined,
    'Credenziali di postazione non trovate per questo cliente.',
  );

/** Issues a credential for the SERVER or a client workstation; the answer carries its secret, once. */
export async function issueWorkstation(
  support: SupportPrincipal,
  customerId: string,
  input: { workstation: Workstation; label: string },
): Promise<IssuedWorkstation> {
  const customer = await readCustomer(support, customerId);
  if (input.workstation === 'server' && customer.serverCredentialId) throw serverExists(customerId, customer.serverCredentialId);
  const actor = actorOf(support);
  const at = new Date().toISOString();
  const issued = issueCredential(CREDENTIAL_PREFIX.desktop);
  const item: DesktopCredentialItem & { createdAt: string } = {
    customerId,
    secretHash: issued.secretHash,
    workstation: input.workstation,
    label: input.label,
    createdAt: at,
    createdBy: actor.id,
  };
  const outcome = await transact([
    input.workstation === 'server' ? claimServerCredentialItem(customerId, issued.id) : customerExistsItem(customerId),
    workstationLabelItem(customerId, input.label, issued.id),
    newDesktopCredentialItem(issued.id, item),
    auditPutItem({
      customerId,
      action: 'workstation.issued',
      actor,
      outcome: 'ok',
      details: { credentialId: issued.id, workstation: input.workstation, label: input.label },
      at,
    }),
  ]);
  if (failedAt(outcome, 0)) throw serverExists(customerId, (await readCustomer(support, customerId)).serverCredentialId);
  if (failedAt(outcome, 1)) throw labelInUse(input.label);
  if (!outcome.ok) throw new Error(`workstation credential transaction cancelled: ${outcome.reasons.join(', ')}`);
  return { ...view(issued.id, item), credential: issued.token, revokedCredentialsStopWithinSeconds: STOP_WITHIN_SECONDS };
}

/** The customer's workstation credentials, live and revoked, oldest first. */
export async function customerWorkstations(
  support: SupportPrincipal,
  customerId: string,
): Promise<{ customerId: string; workstations: WorkstationView[] }> {
  await readCustomer(support, customerId);
  const items = await listDesktopCredentials(customerId);
  return { customerId, workstations: items.map((c) => view(c.credentialId, c)) };
}

/** A live credential of this customer (404 when it is another customer's or unknown, 409 when revoked). */
async function liveCredential(customerId: string, credentialId: string): Promise<DesktopCredentialItem> {
  const item = await getDesktopCredential(credentialId);
  if (!item || item.customerId !== customerId) throw workstationNotFound();
  if (item.revoked) {
    throw conflict(
      'ALREADY_REVOKED',
      'This workstation credential is already revoked.',
      { workstation: view(credentialId, item) },
      'Credenziali di postazione già revocate.',
    );
  }
  return item;
}

/**
 * Revokes a workstation credential (a workstation dismissed, a credential
 * leaked). It stops within {@link DESKTOP_CREDENTIAL_CACHE_MS} (functions keep
 * found credentials that long). Revoking the SERVER's frees the customer to
 * issue a new one.
 */
export async function revokeWorkstation(support: SupportPrincipal, customerId: string, credentialId: string): Promise<WorkstationView> {
  const customer = await readCustomer(support, customerId);
  const item = await liveCredential(customerId, credentialId);
  const actor = actorOf(support);
  const at = new Date().toISOString();
  const items: TransactItem[] = [
    revokeDesktopCredentialItem(credentialId, customerId, { id: actor.id, at }),
    auditPutItem({
      customerId,
      action: 'workstation.revoked',
      actor,
      outcome: 'ok',
      details: { credentialId, workstation: item.workstation, label: item.label },
      at,
    }),
    ...(item.label ? [releaseWorkstationLabelItem(customerId, item.label, credentialId)] : []),
    ...(customer.serverCredentialId === credentialId ? [releaseServerCredentialItem(customerId, credentialId)] : []),
  ];
  const outcome = await transact(items);
  // Revoked (or rotated) meanwhile: answer with the credential as it is now.
  if (!outcome.ok) await liveCredential(customerId, credentialId);
  if (!outcome.ok) throw new Error(`workstation revoke transaction cancelled: ${outcome.reasons.join(', ')}`);
  return view(credentialId, { ...item, revoked: true, revokedAt: at, revokedBy: actor.id });
}

/**
 * Rotates a workstation credential: a new secret for the same workstation and
 * label, the old credential revoked in the same transaction. A retried rotation
 * finds the old credential revoked (409) and never issues twice.
 */
export async function rotateWorkstation(support: SupportPrincipal, customerId: string, credentialId: string): Promise<IssuedWorkstation> {
  const customer = await readCustomer(support, customerId);
  const old = await liveCredential(customerId, credentialId);
  const actor = actorOf(support);
  const at = new Date().toISOString();
  const issued = issueCredential(CREDENTIAL_PREFIX.desktop);
  const workstation: Workstation = old.workstation === 'server' ? 'server' : 'client';
  const item: DesktopCredentialItem & { createdAt: string } = {
    customerId,
    secretHash: issued.secretHash,
    workstation,
    ...(old.label ? { label: old.label } : {}),
    createdAt: at,
    createdBy: actor.id,
  };
  const outcome = await transact([
    revokeDesktopCredentialItem(credentialId, customerId, { id: actor.id, at }, issued.id),
    newDesktopCredentialItem(issued.id, item),
    auditPutItem({
      customerId,
      action: 'workstation.rotated',
      actor,
      outcome: 'ok',
      details: { credentialId: issued.id, replaced: credentialId, workstation, label: old.label },
      at,
    }),
    ...(old.label ? [moveWorkstationLabelItem(customerId, old.label, credentialId, issued.id)] : []),
    ...(workstation === 'server' ? [claimServerCredentialItem(customerId, issued.id, customer.serverCredentialId)] : []),
  ]);
  if (!outcome.ok) {
    await liveCredential(customerId, credentialId);
    throw new Error(`workstation rotation transaction cancelled: ${outcome.reasons.join(', ')}`);
  }
  return { ...view(issued.id, item), credential: issued.token, revokedCredentialsStopWithinSeconds: STOP_WITHIN_SECONDS };
}
