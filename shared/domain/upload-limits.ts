/**
 * Upload limits and the upload plan for one package (pure: no AWS).
 *
 * Packages up to SINGLE_PUT_MAX_BYTES go up in one presigned PUT; larger ones
 * use an S3 multipart upload with one presigned URL per part. S3 allows at most
 * 10,000 parts of at least 5 MiB (except the last); 8 MiB parts keep a 5 GiB
 * package at 640 parts, so the answer listing every part URL stays small.
 */

export const MiB = 1024 * 1024;

/** Largest package accepted: 5 GiB, also the largest object a single CopyObject can copy. */
export const MAX_PACKAGE_BYTES = 5 * 1024 * MiB;
/** Packages up to this size are uploaded with one presigned PUT. */
export const SINGLE_PUT_MAX_BYTES = 16 * MiB;
/** Smallest part of a multipart upload (S3's own minimum is 5 MiB). */
export const MIN_PART_BYTES = 8 * MiB;
/** S3's limit on the parts of one multipart upload. */
export const MAX_PARTS = 10_000;
/** Lifetime of the presigned upload URLs. */
export const UPLOAD_URL_TTL_SECONDS = 60 * 60;
/** The most parts a package within MAX_PACKAGE_BYTES can have with the plan below. */
export const MAX_PLANNED_PARTS = Math.ceil(MAX_PACKAGE_BYTES / MIN_PART_BYTES);

export interface UploadPlan {
  /** True when the package goes up as an S3 multipart upload. */
  readonly multipart: boolean;
  /** Bytes in every part but the last (the whole package for a single PUT). */
  readonly partSize: number;
  readonly partCount: number;
}

/**
 * How a package of `size` bytes is uploaded: one PUT up to 16 MiB, otherwise
 * parts of 8 MiB (more, in whole MiB, if 8 MiB would need over 10,000 parts).
 *
 * @throws RangeError when `size` is not an integer in 1 … MAX_PACKAGE_BYTES.
 */
export function planUpload(size: number): UploadPlan {
  if (!Number.isSafeInteger(size) || size < 1 || size > MAX_PACKAGE_BYTES) {
    throw new RangeError(`package size must be an integer from 1 to ${MAX_PACKAGE_BYTES} bytes, got ${size}`);
  }
  if (size <= SINGLE_PUT_MAX_BYTES) return { multipart: false, partSize: size, partCount: 1 };
  const partSize = Math.max(MIN_PART_BYTES, Math.ceil(size / MAX_PARTS / MiB) * MiB);
  return { multipart: true, partSize, partCount: Math.ceil(size / partSize) };
}

/** Length in bytes of part `partNumber` (1-based) of a package of `size` bytes cut in `partSize` parts. */
export function partLength(size: number, partSize: number, partNumber: number): number {
  const start = (partNumber - 1) * partSize;
  return Math.max(0, Math.min(partSize, size - start));
}

/**
 * The packages bucket's CORS rule for the support console's uploads (the page
 * PUTs each part to its presigned URL and reads the part's ETag for the
 * multipart completion). The origins differ: the console's in AWS
 * (infra/constructs/package-distribution.ts), the local gateway's here.
 */
export const UPLOAD_CORS = { allowedMethods: ['PUT'], exposedHeaders: ['ETag'], maxAgeSeconds: 3000 } as const;
