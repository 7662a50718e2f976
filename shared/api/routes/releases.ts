import { z } from 'zod';
import { defineRoute } from '../contract';
import { PublicRelease, Timestamp, Url } from '../components';
import { Count, FilenameField, Sha256, Sha256Field, SizeField, VersionField } from '../fields';
import { MAX_PLANNED_PARTS } from '../../domain/upload-limits';

export const PackageKind = z.enum(['desktop', 'mobile']);
export type PackageKind = z.infer<typeof PackageKind>;

/** The "Dettagli aggiornamento" link: an absolute https URL. */
const NotesUrlField = z
  .string()
  .max(2048, 'at most 2048 characters')
  .refine((value) => {
    try {
      const url = new URL(value);
      return url.protocol === 'https:' && url.hostname !== '';
    } catch {
      return false;
    }
  }, 'an absolute https:// URL (the release notes / manual page)')
  .meta({ format: 'uri', pattern: '^https://' });

/** Body of `POST /v1/support/releases/{version}/uploads`. */
export const StartUploadBody = z.object({ kind: PackageKind, filename: FilenameField, size: SizeField, sha256: Sha256Field });
export type StartUploadBody = z.infer<typeof StartUploadBody>;

const UploadedPart = z.object({
  partNumber: z.number().int().min(1).max(MAX_PLANNED_PARTS),
  etag: z.string().min(1).max(256),
});

/** One package of a publication: where it was uploaded and what it must be. */
export const PackageRef = z
  .object({
    uploadKey: z.string().min(1).max(512),
    uploadId: z
      .string()
      .regex(/^[\x21-\x7e]{1,1024}$/, 'the multipart upload id returned by the uploads route')
      .optional(),
    parts: z.array(UploadedPart).min(1).max(MAX_PLANNED_PARTS).optional(),
    sha256: Sha256Field,
    size: SizeField,
    filename: FilenameField,
  })
  .superRefine((value, ctx) => {
    if (value.uploadId !== undefined && value.parts === undefined) {
      ctx.addIssue({ code: 'custom', path: ['parts'], message: 'required with uploadId: the partNumber and ETag of every uploaded part' });
    }
    if (value.uploadId === undefined && value.parts !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['uploadId'],
        message: 'required with parts: the multipart upload id returned by the uploads route',
      });
    }
    if (value.parts) {
      const seen = new Set<number>();
      for (const [i, part] of value.parts.entries()) {
        if (seen.has(part.partNumber))
          ctx.addIssue({ code: 'custom', path: ['parts', i, 'partNumber'], message: `part ${part.partNumber} is listed twice` });
        seen.add(part.partNumber);
      }
    }
  });
export type PackageRef = z.infer<typeof PackageRef>;

/** Body of `POST /v1/support/releases`. */
export const PublishBody = z.object({
  version: VersionField,
  notesUrl: NotesUrlField,
  requiresConfirmationCode: z.boolean({ error: 'true or false: does installing this release need a confirmation code?' }),
  desktop: PackageRef,
  mobile: PackageRef,
});
export type PublishBody = z.infer<typeof PublishBody>;

const StoredPackage = z.object({ key: z.string().meta({ description: 'S3 key in the packages bucket.' }), size: Count, sha256: Sha256 });

/** A release with its storage details, as support sees it. */
export const Release = z
  .object({
    version: VersionField,
    desktop: StoredPackage,
    mobile: StoredPackage,
    notesUrl: Url,
    requiresConfirmationCode: z.boolean(),
    publishedAt: Timestamp,
    catalogVersion: Count,
  })
  .meta({ id: 'Release' });

/** The `releases` function: support publishes releases (FEED-2), packages uploaded straight to S3. */
export const releases = {
  startUpload: defineRoute({
    method: 'POST',
    path: '/v1/support/releases/{version}/uploads',
    fn: 'releases',
    auth: 'support',
    summary: 'Start uploading a package of a new release (presigned, multipart)',
    maxBodyBytes: 4096,
    params: z.object({ version: VersionField }),
    body: StartUploadBody,
    responses: {
      201: z.object({
        kind: PackageKind,
        uploadKey: z.string(),
        uploadId: z.string().optional().meta({ description: 'Multipart uploads: send it back with each part’s ETag when publishing.' }),
        partSize: Count.meta({ description: 'Bytes in every part but the last; the whole size for a single PUT.' }),
        parts: z.array(z.object({ partNumber: z.number().int().min(1), url: Url })),
        expiresAt: Timestamp,
      }),
    },
    errors: { 409: ['RELEASE_EXISTS'] },
  }),
  publish: defineRoute({
    method: 'POST',
    path: '/v1/support/releases',
    fn: 'releases',
    auth: 'support',
    summary: 'Publish a release from uploaded packages (verified, immutable)',
    maxBodyBytes: 256 * 1024,
    body: PublishBody,
    responses: { 201: PublicRelease.extend({ catalogVersion: Count }) },
    errors: {
      400: ['UPLOAD_KEY_MISMATCH'],
      409: ['RELEASE_EXISTS'],
      422: ['PACKAGE_NOT_UPLOADED', 'UPLOAD_INCOMPLETE', 'PACKAGE_SIZE_MISMATCH', 'PACKAGE_HASH_MISMATCH'],
      503: ['VERIFICATION_TIMEOUT', 'CATALOG_BUSY'],
    },
  }),
  list: defineRoute({
    method: 'GET',
    path: '/v1/support/releases',
    fn: 'releases',
    auth: 'support',
    summary: 'Published releases with storage details',
    responses: { 200: z.object({ catalogVersion: Count, latestVersion: VersionField.nullable(), releases: z.array(Release) }) },
  }),
};
