import { z } from 'zod';
import { VersionField } from '../../shared/api/fields';
export { VersionField };
import { MAX_PACKAGE_BYTES, MAX_PLANNED_PARTS } from '../../shared/domain/upload-limits';
import { FILENAME_PATTERN } from '../../shared/domain/package-keys';

export const PackageKind = z.enum(['desktop', 'mobile']);
export type PackageKind = z.infer<typeof PackageKind>;

export const FilenameField = z
  .string()
  .regex(FILENAME_PATTERN, 'a file name of at most 100 characters: letters, digits, ".", "_" and "-", starting with a letter or digit');

export const SizeField = z
  .number({ error: 'the size in bytes, a number' })
  .int('a whole number of bytes')
  .min(1, 'a package cannot be empty')
  .max(MAX_PACKAGE_BYTES, `at most ${MAX_PACKAGE_BYTES} bytes (5 GiB)`);

/** Lower-case hex SHA-256 (upper-case input is accepted and normalised). */
export const Sha256Field = z
  .string()
  .regex(/^[0-9a-fA-F]{64}$/, 'a SHA-256 as 64 hexadecimal characters')
  .transform((s) => s.toLowerCase());

/** The "Dettagli aggiornamento" link: an absolute https URL. */
export const NotesUrlField = z
  .string()
  .max(2048, 'at most 2048 characters')
  .refine((value) => {
    try {
      const url = new URL(value);
      return url.protocol === 'https:' && url.hostname !== '';
    } catch {
      return false;
    }
  }, 'an absolute https:// URL (the release notes / manual page)');

export const VersionPath = z.object({ version: VersionField });

/** Body of `POST /v1/support/releases/{version}/uploads`. */
export const StartUploadBody = z.object({
  kind: PackageKind,
  filename: FilenameField,
  size: SizeField,
  sha256: Sha256Field,
});
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
