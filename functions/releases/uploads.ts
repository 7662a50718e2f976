import { getRelease } from '../../shared/db/catalog';
import { logger } from '../../shared/observability';
import { UPLOAD_URL_TTL_SECONDS, partLength, planUpload } from '../../shared/domain/upload-limits';
import { newStagingKey } from '../../shared/domain/package-keys';
import { presignPart, presignPut, startMultipart } from './package-store';
import { releaseExists } from './release-errors';
import type { StartUploadBody } from '../../shared/api/routes/releases';
import type { Publisher } from './publish';

/** What the uploader needs: where to PUT each part, until when. */
export interface StagedUpload {
  kind: StartUploadBody['kind'];
  uploadKey: string;
  /** Present for multipart uploads: send it back (with each part's ETag) when publishing. */
  uploadId?: string;
  /** Bytes in every part but the last; the whole size for a single PUT. */
  partSize: number;
  /** PUT exactly the part's bytes (Content-Length is signed) to each URL. */
  parts: { partNumber: number; url: string }[];
  expiresAt: string;
}

/**
 * Starts uploading one package of a new release: a fresh key under staging/,
 * and presigned URLs the client PUTs the bytes to directly (never through a
 * Lambda). Nothing here is trusted at publication: the bytes are verified then.
 */
export async function startUpload(principal: Publisher, version: string, body: StartUploadBody): Promise<StagedUpload> {
  const existing = await getRelease(version);
  if (existing) throw releaseExists(version, existing);

  const plan = planUpload(body.size);
  const uploadKey = newStagingKey(version, body.filename);
  const expiresAt = new Date(Date.now() + UPLOAD_URL_TTL_SECONDS * 1000).toISOString();
  logger.info('release upload started', {
    version,
    kind: body.kind,
    size: body.size,
    parts: plan.partCount,
    publisher: `${principal.kind}:${principal.id}`,
  });

  if (!plan.multipart) {
    const url = await presignPut(uploadKey, body.size, UPLOAD_URL_TTL_SECONDS);
    return { kind: body.kind, uploadKey, partSize: plan.partSize, parts: [{ partNumber: 1, url }], expiresAt };
  }
  const uploadId = await startMultipart(uploadKey);
  const parts = await Promise.all(
    Array.from({ length: plan.partCount }, async (_, i) => {
      const partNumber = i + 1;
      const url = await presignPart(
        uploadKey,
        uploadId,
        partNumber,
        partLength(body.size, plan.partSize, partNumber),
        UPLOAD_URL_TTL_SECONDS,
      );
      return { partNumber, url };
    }),
  );
  return { kind: body.kind, uploadKey, uploadId, partSize: plan.partSize, parts, expiresAt };
}
