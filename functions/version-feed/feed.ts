import type { DesktopPrincipal, DevicePrincipal } from '../../shared/auth/principals';
import { getRelease } from '../../shared/db/catalog';
import { getReleaseState } from '../../shared/db/codes';
import { readFeedState } from '../../shared/db/feed';
import { customerKeys } from '../../shared/db/keys';
import { ddb } from '../../shared/aws/clients';
import { tableName } from '../../shared/config';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { AppError, badRequest, conflict, notFound } from '../../shared/errors';
import { nextRelease } from '../../shared/feed/next-release';
import { decideNotice } from '../../shared/feed/notice';
import { signFeedAnswer } from '../../shared/feed/signed-answer';
import { cachedReleases, releasesAt } from './catalog-cache';
import { FEED_ANSWER_TTL_SECONDS, feedKeyPair, packageUrl } from './signing';

/**
 * The desktop startup check (FEED-3/4/5, PKG-2): one step at a time, the notice
 * to show, and — when a release is on offer — its desktop download and both
 * package digests, all in one signed answer. Warm path: one BatchGetItem.
 */
export async function startupCheck(desktop: DesktopPrincipal, installed: string, now = new Date()) {
  const { customerId } = desktop;
  // Guess the offered release from the cached catalog so its per-customer state rides in the same read.
  const cached = cachedReleases();
  const guess = cached ? nextRelease(cached, installed) : undefined;
  const guessed = guess?.kind === 'update' ? guess.release.version : undefined;
  const state = await readFeedState(customerId, { offeredVersion: guessed });

  const releases = await releasesAt(state.head.catalogVersion);
  const next = nextRelease(releases, installed);
  let releaseState = state.releaseState;
  if (next.kind === 'update' && next.release.version !== guessed) {
    // Cold cache or a catalog change moved the offer: one more read, rarely.
    releaseState = await getReleaseState(customerId, next.release.version);
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
  const answer = signFeedAnswer(
    keys.privateKey,
    { customerId, installedVersion: installed, catalogVersion: Math.max(state.head.catalogVersion, 0), notice, update },
    { now, ttlSeconds: FEED_ANSWER_TTL_SECONDS },
  );
  return {
    answer,
    // Advisory, outside the signature: lets support tools tell "up to date" from "ahead of the catalog".
    installedStatus: next.kind,
    ...(next.kind === 'ahead' ? { latestVersion: next.latest.version } : {}),
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
 * start. Idempotent: the first report's time is kept.
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
  const result = await ddb.send(
    new UpdateCommand({
      TableName: tableName(),
      Key: customerKeys.releaseState(desktop.customerId, version),
      UpdateExpression:
        'SET #type = :type, customerId = :customer, version = :version, desktopDownloadVerifiedAt = if_not_exists(desktopDownloadVerifiedAt, :at)',
      ExpressionAttributeNames: { '#type': 'type' },
      ExpressionAttributeValues: { ':type': 'releaseState', ':customer': desktop.customerId, ':version': version, ':at': at },
      ReturnValues: 'ALL_NEW',
    }),
  );
  return { version, desktopDownloadVerifiedAt: result.Attributes?.desktopDownloadVerifiedAt as string };
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
