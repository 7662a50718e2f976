import { z } from 'zod';
import { VersionField } from '../../shared/http/fields';
import { RolloutPlanSchema } from '../../shared/rollout/plan';
export { VersionField };
import { MAX_PACKAGE_BYTES, MAX_PLANNED_PARTS } from './limits';
import { FILENAME_PATTERN } from './package-keys';

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
  /** Staged rollout (docs/rollout.md); without it the release is offered to every customer at once. */
  rollout: RolloutPlanSchema.optional(),
});
export type PublishBody = z.infer<typeof PublishBody>;

/** The revision of the rollout the caller read (0 when the release has none yet): changes are conditional on it. */
const RevisionField = z
  .number({ error: 'the revision of the rollout you read (GET …/rollout), 0 when the release has none' })
  .int('a whole number')
  .min(0, 'zero or more');

/** Body of `PUT /v1/support/releases/{version}/rollout`. */
export const SetPlanBody = z.object({ revision: RevisionField, plan: RolloutPlanSchema });

/** Body of pause, resume and advance. */
export const RolloutActionBody = z.object({ revision: RevisionField });

/** Body of `POST /v1/support/releases/{version}/withdraw`. */
export const WithdrawBody = z.object({
  revision: RevisionField,
  reason: z.string().trim().min(1).max(500, 'at most 500 characters').optional(),
});
