import { createHash } from 'node:crypto';
import {
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3ServiceException,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { s3 } from '../../shared/aws/s3';
import { bucketName } from '../../shared/config';
import { MiB } from '../../shared/domain/upload-limits';

/*
 * S3 access for release packages: presigned uploads into staging/, multipart
 * completion, verification reads and the copy into packages/. Package bytes
 * never pass through the function except when it reads them back to hash them.
 */

/** Signing Content-Length makes S3 refuse a body of any other size (presigned URLs only). */
const SIGN_LENGTH = { signableHeaders: new Set(['content-length']) };

/** A presigned PUT for the whole package. */
export async function presignPut(key: string, size: number, expiresIn: number): Promise<string> {
  return getSignedUrl(s3, new PutObjectCommand({ Bucket: bucketName(), Key: key, ContentLength: size }), { expiresIn, ...SIGN_LENGTH });
}

/** Starts a multipart upload and returns its id. */
export async function startMultipart(key: string): Promise<string> {
  const { UploadId } = await s3.send(
    new CreateMultipartUploadCommand({ Bucket: bucketName(), Key: key, ContentType: 'application/octet-stream' }),
  );
  if (!UploadId) throw new Error(`S3 returned no UploadId for ${key}`);
  return UploadId;
}

/** A presigned UploadPart URL for one part of exactly `length` bytes. */
export async function presignPart(key: string, uploadId: string, partNumber: number, length: number, expiresIn: number): Promise<string> {
  return getSignedUrl(
    s3,
    new UploadPartCommand({ Bucket: bucketName(), Key: key, UploadId: uploadId, PartNumber: partNumber, ContentLength: length }),
    { expiresIn, ...SIGN_LENGTH },
  );
}

export type CompleteOutcome = 'completed' | 'no-such-upload' | { refused: string };

/**
 * Assembles a multipart upload. `no-such-upload` when S3 no longer knows the
 * upload (already completed by an earlier attempt, or aborted); `refused` with
 * S3's reason when parts are missing, too small or have the wrong ETag.
 */
export async function completeMultipart(
  key: string,
  uploadId: string,
  parts: { partNumber: number; etag: string }[],
): Promise<CompleteOutcome> {
  const sorted = [...parts].sort((a, b) => a.partNumber - b.partNumber);
  try {
    await s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: bucketName(),
        Key: key,
        UploadId: uploadId,
        MultipartUpload: { Parts: sorted.map((p) => ({ PartNumber: p.partNumber, ETag: quoteEtag(p.etag) })) },
      }),
    );
    return 'completed';
  } catch (error) {
    if (!(error instanceof S3ServiceException)) throw error;
    if (error.name === 'NoSuchUpload') return 'no-such-upload';
    if (['InvalidPart', 'InvalidPartOrder', 'EntityTooSmall', 'MalformedXML'].includes(error.name))
      return { refused: `${error.name}: ${error.message}` };
    throw error;
  }
}

/** ETags travel quoted in S3's XML; clients often strip the quotes. */
const quoteEtag = (etag: string) => (etag.startsWith('"') ? etag : `"${etag}"`);

export interface StoredObject {
  readonly size: number;
  /** Pins later reads and the copy to exactly these bytes (If-Match). */
  readonly etag: string;
}

/**
 * Size and ETag of an object, or undefined when there is none. Without
 * s3:ListBucket S3 answers 403 rather than 404 for a missing key, so both mean "absent".
 */
export async function headObject(key: string, signal?: AbortSignal): Promise<StoredObject | undefined> {
  try {
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucketName(), Key: key }), { abortSignal: signal });
    if (head.ContentLength === undefined || !head.ETag) throw new Error(`S3 returned no size/ETag for ${key}`);
    return { size: head.ContentLength, etag: head.ETag };
  } catch (error) {
    const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    if (status === 404 || status === 403) return undefined;
    throw error;
  }
}

/** Range size and parallel range reads used to hash an object (memory ≈ RANGE × CONCURRENCY per object). */
const HASH_RANGE_BYTES = 8 * MiB;
const HASH_CONCURRENCY = 4;

/**
 * SHA-256 (lower-case hex) of an object, computed from its bytes: ranges are
 * fetched in parallel and hashed in order. Every range is read with If-Match,
 * so the digest is of one version of the object even if it is overwritten
 * meanwhile (S3 then fails the read). Aborted through `signal`.
 */
export async function sha256OfObject(key: string, object: StoredObject, signal?: AbortSignal): Promise<string> {
  const hash = createHash('sha256');
  const controller = new AbortController();
  const onAbort = () => controller.abort(signal?.reason);
  signal?.addEventListener('abort', onAbort, { once: true });
  if (signal?.aborted) controller.abort(signal.reason);

  const ranges: [number, number][] = [];
  for (let start = 0; start < object.size; start += HASH_RANGE_BYTES)
    ranges.push([start, Math.min(object.size, start + HASH_RANGE_BYTES) - 1]);

  const fetchRange = async ([start, end]: [number, number]): Promise<Uint8Array> => {
    const res = await s3.send(
      new GetObjectCommand({ Bucket: bucketName(), Key: key, Range: `bytes=${start}-${end}`, IfMatch: object.etag }),
      { abortSignal: controller.signal },
    );
    if (!res.Body) throw new Error(`S3 returned no body for ${key} bytes ${start}-${end}`);
    const bytes = await res.Body.transformToByteArray();
    if (bytes.length !== end - start + 1) throw new Error(`S3 returned ${bytes.length} bytes for ${key} bytes ${start}-${end}`);
    return bytes;
  };

  const inFlight: Promise<Uint8Array>[] = [];
  let next = 0;
  const launch = () => {
    const range = ranges[next++];
    if (!range) return;
    const read = fetchRange(range);
    read.catch(() => undefined); // awaited in order below; this only keeps an early failure from being "unhandled"
    inFlight.push(read);
  };
  try {
    while (inFlight.length < HASH_CONCURRENCY && next < ranges.length) launch();
    while (inFlight.length > 0) {
      hash.update(await inFlight.shift()!);
      launch();
    }
    return hash.digest('hex');
  } finally {
    // Stops the reads still running when one failed or the caller gave up.
    if (!controller.signal.aborted) controller.abort();
    signal?.removeEventListener('abort', onAbort);
  }
}

/**
 * Copies a verified staged object to its final key, only if it still has the
 * ETag that was hashed (CopySourceIfMatch), with download headers and the
 * verified hash as metadata. The destination key is new, so nothing is overwritten.
 */
export async function copyVerified(
  from: string,
  to: string,
  object: StoredObject,
  info: { filename: string; sha256: string; version: string; kind: string },
  signal?: AbortSignal,
): Promise<void> {
  await s3.send(
    new CopyObjectCommand({
      Bucket: bucketName(),
      Key: to,
      CopySource: `${bucketName()}/${from.split('/').map(encodeURIComponent).join('/')}`,
      CopySourceIfMatch: object.etag,
      MetadataDirective: 'REPLACE',
      ContentType: 'application/octet-stream',
      ContentDisposition: `attachment; filename="${info.filename}"`,
      Metadata: { sha256: info.sha256, version: info.version, kind: info.kind },
    }),
    { abortSignal: signal },
  );
}
