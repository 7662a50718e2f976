import type { DesktopPrincipal, DevicePrincipal, UserPrincipal } from '../../shared/auth/principals';
import { getRelease, type Catalog } from '../../shared/db/catalog';
import { countFirst, getRollout } from '../../shared/db/rollout';
import type { Release } from '../../shared/domain/catalog';
import { isOfferedTo, pendingSteps, type Rollout } from '../../shared/rollout/rollout';
import { waveOf } from '../../shared/rollout/waves';
import { getReleaseState, releaseStateFirst } from '../../shared/db/codes';
import { recordStartupCheck } from '../../shared/db/customer-summary';
import { readFeedState } from '../../shared/db/feed';
import { ddb } from '../../shared/aws/dynamodb';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { holds } from '../../shared/db/devices';
import { AppError, badRequest, conflict, notFound, unauthorized } from '../../shared/errors';
import { nextRelease } from '../../shared/feed/next-release';
import { logger } from '../../shared/observability';
import { decideNotice } from '../../shared/feed/notice';
import { signFeedAnswer } from '../../shared/feed/signed-answer';
import { cachedCatalog, catalogAt } from './catalog-cache';
import { FEED_ANSWER_TTL_SECONDS, feedKeyPair, packageUrl } from './signing';

/**
 * The desktop startup check (FEED-3/4/5, PKG-2): one step at a time, the notice
 * to show, and — when a release is on offer — its desktop download and both
 * package digests, all in one signed answer. Warm path: one BatchGetItem (plus,
 * at most once per customer every 10 minutes, the overview's last-check time).
 *
 * Rollouts (docs/rollout.md) ride in the cached catalog: whether a release is
 * offered to this customer is computed from its plan, the customer id and the
 * clock, never read. The signed catalog version adds the rollout steps whose
 * time has come but are not written yet, so it moves whenever the offers move.
 */
export async function startupCheck(desktop: DesktopPrincipal, installed: string, now = new Date()) {
  const { customerId } = desktop;
  const offeredFrom = (catalog: Catalog) => offeredTo(catalog, customerId, now);
  // Guess the offered release from the cached catalog so its per-customer state rides in the same read.
  const cached = cachedCatalog();
  const guess = cached ? nextRelease(cached.releases, installed, offeredFrom(cached)) : undefined;
  const guessed = guess?.kind === 'update' ? guess.release.version : undefined;
  const state = await readFeedState(customerId, { offeredVersion: guessed, summary: true });
  // The overview's "last startup check": written at most once per STARTUP_CHECK_PRECISION_MS, alongside the rest.
  const checkRecorded = state.summary ? recordStartupCheck(customerId, state.summary.lastCheckAt, now) : undefined;

  const catalog = await catalogAt(state.head.catalogVersion);
  const next = nextRelease(catalog.releases, installed, offeredFrom(catalog));
  let releaseState = state.releaseState;
  if (next.kind === 'update' && next.release.version !== guessed) {
    // Cold cache or a catalog change moved the offer: one more read, rarely.
    releaseState = await getReleaseState(customerId, next.release.version);
  }
  if (next.kind === 'update' && !releaseState?.offeredAt) {
    // Once per customer and release with a plan: the rollout's "offered" counter (no write on any later check).
    await recordOffered(customerId, next.release.version, catalog.rollouts.get(next.release.version), now);
  }
  const notice = decideNotice({
    next,
    session: state.session,
    confirmationGiven: Boolean(releaseState?.confirmedAt),
    desktopDownloadVerified: Boolean(releaseState?.desktopDownloadVerifiedAt),
  });
  const nowSeconds = Math.floor(now.getTime() / 1000);
  const update =
    next.kind === 'update'
      ? {
          release: {
            version: next.release.version,
            notesUrl: next.release.notesUrl,
            requiresConfirmationCode: next.release.requiresConfirmationCode,
            desktop: { size: next.release.desktop.size, sha256: next.release.desktop.sha256 },
            mobile: { size: next.release.mobile.size, sha256: next.release.mobile.sha256 },
          },
          desktopDownload: await packageUrl(next.release.desktop.key, nowSeconds),
        }
      : null;
  const keys = await feedKeyPair();
  const catalogVersion = Math.max(state.head.catalogVersion, 0) + pendingSteps(catalog.rollouts.values(), now);
  const answer = signFeedAnswer(
    keys.privateKey,
    { customerId, installedVersion: installed, catalogVersion, notice, update },
    { now, ttlSeconds: FEED_ANSWER_TTL_SECONDS },
  );
  await checkRecorded;
  return {
    answer,
    // Advisory, outside the signature: lets support tools tell "up to date" from "ahead of the catalog".
    installedStatus: next.kind,
    ...(next.kind === 'ahead' ? { latestVersion: next.latest.version } : {}),
  };
}

/** Whether a release of the catalog is offered to a customer now (its rollout plan, the customer's wave, the clock). */
const offeredTo = (catalog: Catalog, customerId: string, now: Date) => (release: Release) =>
  isOfferedTo(catalog.rollouts.get(release.version), customerId, now);

/**
 * Counts, once, that a release with a rollout plan was offered to the customer
 * (in the customer's wave). Releases without a plan have no counters: nothing
 * is written for them.
 */
async function recordOffered(customerId: string, version: string, rollout: Rollout | undefined, now: Date) {
  if (!rollout?.plan) return;
  // A progress count never costs a desktop its startup check: a failed write is logged, never a failed answer.
  await countFirst(
    releaseStateFirst(customerId, version, 'offeredAt', now.toISOString()),
    version,
    waveOf(rollout.plan, customerId),
    'offered',
  ).catch((error: unknown) => logger.error('rollout offer count failed', { version, error: error as Error }));
}

/**
 * The notice for the desktop version the backend knows (the customer profile,
 * set at onboarding and by each successful phase 2): the hosted window's startup
 * view. Same decision as the startup check (decideNotice), unsigned — the page
 * and the API share one origin over TLS, and the desktop itself still verifies
 * its own signed answer at every start.
 */
export async function windowNotice(user: UserPrincipal, now = new Date()) {
  const state = await readFeedState(user.customerId, { profile: true });
  const installed = state.profile?.desktopVersion;
  if (!installed) {
    throw conflict(
      'NO_DESKTOP_VERSION',
      'The desktop version of this customer is unknown: contact support.',
      undefined,
      "La versione desktop di questo cliente non è nota: contattare l'assistenza.",
    );
  }
  const catalog = await catalogAt(state.head.catalogVersion);
  // The same offer as the startup check (rollouts included); the page counts nothing, the desktop's check does.
  const next = nextRelease(catalog.releases, installed, offeredTo(catalog, user.customerId, now));
  const releaseState = next.kind === 'update' ? await getReleaseState(user.customerId, next.release.version) : undefined;
  const notice = decideNotice({
    next,
    session: state.session,
    confirmationGiven: Boolean(releaseState?.confirmedAt),
    desktopDownloadVerified: Boolean(releaseState?.desktopDownloadVerifiedAt),
  });
  return {
    notice,
    desktopVersion: installed,
    update:
      next.kind === 'update'
        ? {
            version: next.release.version,
            notesUrl: next.release.notesUrl,
            requiresConfirmationCode: next.release.requiresConfirmationCode,
          }
        : null,
  };
}

/** The feed's public keys, for clients to pin (and to rotate: several may be listed). */
export async function publicKeys() {
  const keys = await feedKeyPair();
  return { keys: [{ keyId: keys.keyId, algorithm: 'Ed25519' as const, publicKey: keys.publicKeyBase64url }] };
}

/**
 * The desktop reports the next release's installer fully downloaded and verified
 * (size and SHA-256 from the signed answer): yellow becomes green at the next
 * start. Idempotent: the first report's time is kept, and a release with a
 * rollout plan counts it once in the customer's wave.
 */
export async function reportDownloaded(desktop: DesktopPrincipal, version: string, sha256: string) {
  const release = await getRelease(version);
  if (!release) throw notFound(`Release ${version}`);
  if (release.desktop.sha256 !== sha256.toLowerCase()) {
    throw badRequest('PACKAGE_HASH_MISMATCH', 'The downloaded file does not match the release: delete it and download it again.', {
      version,
    });
  }
  const at = new Date().toISOString();
  const first = releaseStateFirst(desktop.customerId, version, 'desktopDownloadVerifiedAt', at);
  const rollout = await getRollout(version);
  const recorded = rollout?.plan
    ? await countFirst(first, version, waveOf(rollout.plan, desktop.customerId), 'downloaded')
    : await ddb.send(new UpdateCommand(first)).then(
        () => true,
        (error: Error) => {
          if (error.name === 'ConditionalCheckFailedException') return false;
          throw error;
        },
      );
  const verifiedAt = recorded ? at : (await getReleaseState(desktop.customerId, version))?.desktopDownloadVerifiedAt;
  return { version, desktopDownloadVerifiedAt: verifiedAt as string };
}

/** Session states in which the desktop has not finished: devices must wait (DEV-4). */
const PREPARING = new Set(['preparing', 'updating']);

/**
 * A device asks which mobile package to install: always the one matching its
 * customer's desktop installed version, a downgrade included (DEV-5/6).
 */
export async function devicePackage(device: DevicePrincipal, now = new Date()) {
  const state = await readFeedState(device.customerId, { profile: true, deviceSerial: device.serial });
  if (!state.device) throw notFound(`Device ${device.serial}`);
  // Registered again or disabled since: a revoked credential (shared/db/devices.ts `holds`).
  if (!holds(state.device, device.credentialId)) throw unauthorized();
  if (state.device.enabled === false) {
    // FORBIDDEN as before (callers branch on it), in the words the check-in's DEVICE_DISABLED uses.
    throw new AppError(
      403,
      'FORBIDDEN',
      'This device is disabled: ask the office to re-enable it.',
      { serial: device.serial },
      'Dispositivo disabilitato: chiedere alla sede di riabilitarlo da Gestione Autorizzazioni Tablet.',
    );
  }
  if (state.session && PREPARING.has(state.session.state)) {
    throw conflict(
      'UPDATE_IN_PREPARATION',
      'Update in preparation: wait for the END UPDATE notification or try again later.',
      { state: state.session.state },
      'Aggiornamento in preparazione: attendere la notifica END UPDATE oppure riprovare ad aggiornare in un secondo momento.',
    );
  }
  const version = state.profile?.desktopVersion;
  const release = version ? await getRelease(version) : undefined;
  if (!version || !release) {
    throw new AppError(
      409,
      'PACKAGE_UNAVAILABLE',
      'The package for the desktop version is not available: contact support.',
      { desktopVersion: version ?? null },
      "Il pacchetto della versione desktop non è disponibile: contattare l'assistenza.",
    );
  }
  const download = await packageUrl(release.mobile.key, Math.floor(now.getTime() / 1000));
  return { version, size: release.mobile.size, sha256: release.mobile.sha256, url: download.url, urlExpiresAt: download.expiresAt };
}
