import { AppError, conflict } from '../../shared/errors';
import { publicRelease, type Release } from '../../shared/domain/catalog';
import type { PackageKind } from '../../shared/api/routes/releases';

/** What support sees of a release that already exists (409 RELEASE_EXISTS). */
export function releaseSummary(r: Release) {
  return { ...publicRelease(r), catalogVersion: r.catalogVersion };
}

/** 409: the version is published already; published releases are immutable (FEED-2). */
export const releaseExists = (version: string, existing?: Release) =>
  conflict(
    'RELEASE_EXISTS',
    `Release ${version} is already published and cannot be changed: publish the new packages under a new version code.`,
    existing ? { existing: releaseSummary(existing) } : { version },
  );

/** 400: the upload key was not handed out for this version and file. */
export const uploadKeyMismatch = (kind: PackageKind, why: string) =>
  new AppError(
    400,
    'UPLOAD_KEY_MISMATCH',
    `${kind} package: ${why} Use the uploadKey returned by POST /v1/support/releases/{version}/uploads for this version and file.`,
    {
      package: kind,
    },
  );

/** 422: nothing was uploaded at the staging key. */
export const packageNotUploaded = (kind: PackageKind, key: string) =>
  new AppError(422, 'PACKAGE_NOT_UPLOADED', `${kind} package: nothing has been uploaded at ${key}. Upload it, then publish again.`, {
    package: kind,
    uploadKey: key,
  });

/** 422: S3 refused to assemble the multipart upload (missing/wrong parts, or the upload is gone). */
export const uploadIncomplete = (kind: PackageKind, reason: string) =>
  new AppError(
    422,
    'UPLOAD_INCOMPLETE',
    `${kind} package: the multipart upload could not be completed (${reason}). Upload every part and send each part's ETag, or start a new upload.`,
    { package: kind },
  );

/** 422: the stored object has a different size than declared. */
export const sizeMismatch = (kind: PackageKind, declared: number, actual: number) =>
  new AppError(
    422,
    'PACKAGE_SIZE_MISMATCH',
    `${kind} package: ${actual} bytes were uploaded but ${declared} were declared. Upload the file again; nothing was published.`,
    { package: kind, declaredSize: declared, actualSize: actual },
  );

/** 422: the stored bytes do not hash to the declared SHA-256. */
export const hashMismatch = (kind: PackageKind, declared: string, actual: string) =>
  new AppError(
    422,
    'PACKAGE_HASH_MISMATCH',
    `${kind} package: the uploaded bytes have SHA-256 ${actual}, not the declared ${declared}. Check the file and upload it again; nothing was published.`,
    { package: kind, declaredSha256: declared, actualSha256: actual },
  );

/** 503: verification would not finish before the function times out. */
export const verificationTimeout = () =>
  new AppError(
    503,
    'VERIFICATION_TIMEOUT',
    'The packages could not be verified in time; nothing was published. Retry; if it keeps failing the packages are too large for synchronous verification.',
  );

/** 503: the catalog kept changing under us (many concurrent publications). */
export const catalogBusy = () =>
  new AppError(
    503,
    'CATALOG_BUSY',
    'The catalog changed during publication several times in a row; nothing was published. Retry in a few seconds.',
  );
