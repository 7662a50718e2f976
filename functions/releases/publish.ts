import { setTimeout as sleep } from 'node:timers/promises';
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import type { PipelinePrincipal, SupportPrincipal } from '../../shared/auth/principals';
import { actorOf, CATALOG_AUDIT_SCOPE, writeAudit } from '../../shared/db/audit';
import { getCatalogHead, getRelease, putRelease } from '../../shared/db/catalog';
import type { PackageInfo, Release } from '../../shared/domain/catalog';
import { AppError } from '../../shared/errors';
import { logger } from '../../shared/observability';
import { newPackageKey, parseStagingKey } from '../../shared/domain/package-keys';
import { completeMultipart, copyVerified, headObject, sha256OfObject, type StoredObject } from './package-store';
import {
  catalogBusy,
  hashMismatch,
  packageNotUploaded,
  releaseExists,
  sizeMismatch,
  uploadIncomplete,
  uploadKeyMismatch,
  verificationTimeout,
} from './release-errors';
import type { PackageKind, PackageRef, PublishBody } from '../../shared/api/routes/releases';
import { newRolloutItem } from '../../shared/db/rollout';
import type { Rollout } from '../../shared/rollout/rollout';
import { assertPilotsExist, initialRollout } from './rollout';

export { CATALOG_AUDIT_SCOPE };

/**
 * Who may publish: the build pipeline (IAM) or Alturas staff signed in to the
 * console (the `staff` routes: the authorisation layer refuses agents). One implementation for
 * both; the audit entry's actor says which.
 */
export type Publisher = PipelinePrincipal | SupportPrincipal;

/** Commit attempts when other publications move the catalog head meanwhile. */
export const MAX_COMMIT_ATTEMPTS = 5;
/** Time kept back from the Lambda's remaining time for the catalog write and the audit. */
const COMMIT_RESERVE_MS = 3_000;
const KINDS: readonly PackageKind[] = ['desktop', 'mobile'];

interface VerifiedPackage {
  kind: PackageKind;
  ref: PackageRef;
  object: StoredObject;
}

/**
 * Publishes a release (FEED-2) from packages uploaded to staging/:
 * 1. the upload keys must be ones handed out for this version and file names;
 * 2. a version already in the catalog is refused (409) before any work;
 * 3. each package: complete its multipart upload, check the stored size, then
 *    read the bytes back and compare their SHA-256 with the declared one;
 * 4. copy each verified object to a new unique key under packages/;
 * 5. one transaction records the release and bumps the catalog head (retried
 *    when another publication moved the head; refused if the version appeared).
 * The release becomes visible only at step 5, so a failure anywhere leaves no
 * catalog entry; copies made before a failed step 5 are unreferenced orphans
 * (docs/releases.md). `budgetMs` bounds steps 3–4 (the Lambda's remaining time).
 */
export async function publishRelease(principal: Publisher, body: PublishBody, budgetMs: number): Promise<Release> {
  const { version } = body;
  checkUploadKeys(body);
  try {
    const existing = await getRelease(version);
    if (existing) throw releaseExists(version, existing);
    // Before any package work: a plan naming unknown customers is a 400 like any other bad field.
    if (body.rollout) await assertPilotsExist(body.rollout, 'rollout');

    const verified = await withDeadline(Math.max(1_000, budgetMs - COMMIT_RESERVE_MS), async (signal) => {
      const packages = await verifyAll(version, body, signal);
      const finals = await Promise.all(packages.map((p) => copyToFinal(version, p, signal)));
      return { desktop: finals[0]!, mobile: finals[1]! };
    });

    const release = await commit(
      {
        version,
        desktop: verified.desktop,
        mobile: verified.mobile,
        notesUrl: body.notesUrl,
        requiresConfirmationCode: body.requiresConfirmationCode,
        publishedAt: new Date().toISOString(),
      },
      body.rollout && initialRollout(version, body.rollout, principal),
    );
    logger.info('release published', { version, catalogVersion: release.catalogVersion, publisher: `${principal.kind}:${principal.id}` });
    await audit(principal, version, 'ok', {
      catalogVersion: release.catalogVersion,
      requiresConfirmationCode: release.requiresConfirmationCode,
      notesUrl: release.notesUrl,
      desktop: release.desktop,
      mobile: release.mobile,
      // The plan published with the release: its first rollout change, audited with the publication.
      rollout: body.rollout ?? null,
    });
    return release;
  } catch (error) {
    if (error instanceof AppError && error.statusCode < 500) {
      await audit(principal, version, 'refused', {
        reason: error.code,
        ...(error.details?.package ? { package: error.details.package } : {}),
      });
    }
    throw error;
  }
}

/** Upload keys must be this service's staging keys for this version and these file names, one per package. */
function checkUploadKeys(body: PublishBody): void {
  for (const kind of KINDS) {
    const ref = body[kind];
    const parsed = parseStagingKey(ref.uploadKey);
    if (!parsed) throw uploadKeyMismatch(kind, `"${ref.uploadKey}" is not an upload key handed out by this service.`);
    if (parsed.version !== body.version)
      throw uploadKeyMismatch(kind, `the upload was started for version ${parsed.version}, not ${body.version}.`);
    if (parsed.filename !== ref.filename)
      throw uploadKeyMismatch(kind, `the upload was started for file ${parsed.filename}, not ${ref.filename}.`);
  }
  if (body.desktop.uploadKey === body.mobile.uploadKey)
    throw uploadKeyMismatch('mobile', 'it names the same upload as the desktop package.');
}

/** Verifies both packages in parallel; the first failure stops the other and is reported (desktop first). */
async function verifyAll(version: string, body: PublishBody, signal: AbortSignal): Promise<VerifiedPackage[]> {
  const stop = new AbortController();
  const both = AbortSignal.any([signal, stop.signal]);
  const results = await Promise.allSettled(
    KINDS.map(async (kind) => {
      try {
        return await verifyPackage(kind, body[kind], both);
      } catch (error) {
        stop.abort();
        throw error;
      }
    }),
  );
  const failures = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
  if (failures.length > 0) throw failures.find((e) => e instanceof AppError) ?? failures[0];
  logger.debug('packages verified', { version });
  return results.map((r) => (r as PromiseFulfilledResult<VerifiedPackage>).value);
}

/** Completes the upload if needed, then checks size and SHA-256 of the stored bytes. */
async function verifyPackage(kind: PackageKind, ref: PackageRef, signal: AbortSignal): Promise<VerifiedPackage> {
  // An object already at the key means an earlier attempt completed the upload.
  let object = await headObject(ref.uploadKey, signal);
  if (!object && ref.uploadId && ref.parts) {
    const outcome = await completeMultipart(ref.uploadKey, ref.uploadId, ref.parts);
    if (typeof outcome === 'object') throw uploadIncomplete(kind, outcome.refused);
    object = await headObject(ref.uploadKey, signal);
    if (!object) throw uploadIncomplete(kind, 'S3 no longer knows this upload');
  }
  if (!object) throw packageNotUploaded(kind, ref.uploadKey);
  if (object.size !== ref.size) throw sizeMismatch(kind, ref.size, object.size);
  const actual = await sha256OfObject(ref.uploadKey, object, signal);
  if (actual !== ref.sha256) throw hashMismatch(kind, ref.sha256, actual);
  return { kind, ref, object };
}

/** Copies a verified package to a fresh key under packages/ (never overwriting anything). */
async function copyToFinal(version: string, p: VerifiedPackage, signal: AbortSignal): Promise<PackageInfo> {
  const key = newPackageKey(version, p.ref.filename);
  await copyVerified(p.ref.uploadKey, key, p.object, { filename: p.ref.filename, sha256: p.ref.sha256, version, kind: p.kind }, signal);
  return { key, size: p.ref.size, sha256: p.ref.sha256 };
}

/** Runs `work` with a signal aborted after `ms`; an abort caused by the deadline becomes 503 VERIFICATION_TIMEOUT. */
async function withDeadline<T>(ms: number, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const signal = AbortSignal.timeout(ms);
  try {
    return await work(signal);
  } catch (error) {
    if (signal.aborted && !(error instanceof AppError)) {
      logger.warn('package verification ran out of time', { budgetMs: ms });
      throw verificationTimeout();
    }
    throw error;
  }
}

/**
 * Records the release and bumps the catalog head in one transaction
 * (putRelease). The head is optimistic: when another publication moved it,
 * re-read and retry with jittered backoff; when the version itself appeared
 * meanwhile, 409 with that release.
 */
async function commit(release: Omit<Release, 'catalogVersion'>, rollout?: Rollout): Promise<Release> {
  for (let attempt = 1; ; attempt++) {
    const head = await getCatalogHead();
    try {
      return await putRelease(release, head.catalogVersion, rollout && newRolloutItem(rollout));
    } catch (error) {
      if (!(error instanceof TransactionCanceledException)) throw error;
      const reasons = error.CancellationReasons ?? [];
      if (reasons[0]?.Code === 'ConditionalCheckFailed') throw releaseExists(release.version, await getRelease(release.version));
      const headMoved = reasons[1]?.Code === 'ConditionalCheckFailed' || reasons.some((r) => r.Code === 'TransactionConflict');
      if (!headMoved) throw error;
      if (attempt >= MAX_COMMIT_ATTEMPTS) throw catalogBusy();
      logger.info('catalog head moved during publication; retrying', { version: release.version, attempt });
      await sleep(25 * 2 ** attempt + Math.random() * 50);
    }
  }
}

/** Audits a publication attempt; a failed audit write is logged, never turned into a failed publication. */
async function audit(principal: Publisher, version: string, outcome: 'ok' | 'refused', details: Record<string, unknown>) {
  try {
    await writeAudit({
      customerId: CATALOG_AUDIT_SCOPE,
      action: 'release.published',
      actor: actorOf(principal),
      outcome,
      details: { version, ...details },
    });
  } catch (error) {
    // The release is (or is not) in the catalog either way; losing the audit line must be visible to ops.
    logger.error('release audit write failed', { version, outcome, error: error as Error });
  }
}
