import * as z from 'zod';
import { defineRoute } from '../contract';
import { LocalizedText, PublicRelease, Timestamp, Url } from '../components';
import { Count, FilenameField, Sha256, Sha256Field, SizeField, VersionField } from '../fields';
import { MAX_PLANNED_PARTS } from '../../domain/upload-limits';
import { RolloutPlanSchema } from '../../rollout/plan';
import { ROLLOUT_ACTIONS, ROLLOUT_PHASES } from '../../rollout/rollout';

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

/** A staged rollout plan (docs/rollout.md): pilot customers, then waves by percentage, with an error threshold. */
const RolloutPlan = RolloutPlanSchema.meta({ id: 'RolloutPlan' });

/** Body of `POST /v1/support/releases`. */
export const PublishBody = z.object({
  version: VersionField,
  notesUrl: NotesUrlField,
  requiresConfirmationCode: z.boolean({ error: 'true or false: does installing this release need a confirmation code?' }),
  desktop: PackageRef,
  mobile: PackageRef,
  /** Staged rollout (docs/rollout.md); without it the release is offered to every customer at once. */
  rollout: RolloutPlan.optional(),
});
export type PublishBody = z.infer<typeof PublishBody>;

const RolloutPhase = z.enum(ROLLOUT_PHASES).meta({ id: 'RolloutPhase', description: 'What the rollout is doing now (docs/rollout.md).' });

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
    rolloutPhase: RolloutPhase,
  })
  .meta({ id: 'Release' });

/** The revision of the rollout the caller read (0 when the release has none yet): changes are conditional on it. */
const RevisionField = z
  .number({ error: 'the revision of the rollout you read (GET …/rollout), 0 when the release has none' })
  .int('a whole number')
  .min(0, 'zero or more');

const WaveCounters = z.object({ offered: Count, downloaded: Count, started: Count, concluded: Count, failed: Count });

/** A rollout as support sees it: plan and state settled now, and what may be done next. */
export const RolloutView = z
  .object({
    version: VersionField,
    revision: Count.meta({ description: 'Send it back with the next change: a change made meanwhile by someone else is refused (409).' }),
    phase: RolloutPhase,
    phaseText: LocalizedText,
    plan: RolloutPlan.nullable(),
    startsAt: Timestamp.nullable(),
    openWave: Count.nullable().meta({ description: 'Highest open wave (0 = pilot).' }),
    waveOpenedAt: Timestamp.nullable(),
    waveSucceededAt: Timestamp.nullable(),
    nextWaveAt: Timestamp.nullable(),
    halt: z.object({ at: Timestamp, started: Count, failed: Count, failedPercent: z.number().min(0).max(100) }).nullable(),
    withdrawnAt: Timestamp.nullable(),
    withdrawReason: z.string().nullable(),
    allowedActions: z.array(z.enum(ROLLOUT_ACTIONS)),
    updatedAt: Timestamp.nullable(),
    updatedBy: z.string().nullable(),
  })
  .meta({ id: 'RolloutView' });

/** The rollout and, per wave, its customers, offered, downloaded, started, concluded, failed. */
export const RolloutProgress = RolloutView.extend({
  waves: z.array(
    WaveCounters.extend({
      wave: Count,
      kind: z.enum(['pilot', 'percent']),
      percent: z.number().int().min(1).max(100).nullable(),
      open: z.boolean(),
      customers: Count,
    }),
  ),
  totals: WaveCounters.extend({ failedPercent: z.number().min(0).max(100) }),
}).meta({ id: 'RolloutProgress' });

const VersionPath = z.object({ version: VersionField });
/** 404 for a release never published, 409 when someone changed the rollout meanwhile or its phase refuses the action. */
const ROLLOUT_ERRORS = {
  404: ['NOT_FOUND'],
  409: ['ROLLOUT_CONFLICT', 'ROLLOUT_ACTION_NOT_ALLOWED', 'NO_NEXT_WAVE', 'RELEASE_WITHDRAWN'],
} as const;
const rolloutAction = <A extends 'pause' | 'resume' | 'advance'>(action: A, summary: string) =>
  defineRoute({
    method: 'POST',
    path: `/v1/support/releases/{version}/rollout/${action}` as const,
    fn: 'releases',
    auth: 'staff',
    summary,
    description: 'Conditional on the revision read (409 ROLLOUT_CONFLICT with the rollout as it is now).',
    maxBodyBytes: 1024,
    params: VersionPath,
    body: z.object({ revision: RevisionField }),
    responses: { 200: RolloutView },
    errors: ROLLOUT_ERRORS,
  });

/** The answer of the uploads routes: where to PUT each part of one package, until when. */
const StagedUpload = z
  .object({
    kind: PackageKind,
    uploadKey: z.string(),
    uploadId: z.string().optional().meta({ description: 'Multipart uploads: send it back with each part’s ETag when publishing.' }),
    partSize: Count.meta({ description: 'Bytes in every part but the last; the whole size for a single PUT.' }),
    parts: z.array(z.object({ partNumber: z.number().int().min(1), url: Url })),
    expiresAt: Timestamp,
  })
  .meta({ id: 'StagedUpload' });

/**
 * Publishing has two doors onto one implementation: the build pipeline's
 * (`pipeline`, IAM/SigV4) and staff signed in to the support console
 * (`staff`, JWT). An HTTP API route has one authorizer, so each door has its
 * own path; both contracts are made here from the same schemas and the
 * handlers call the same domain functions (docs/releases.md).
 */
const startUploadRoute = <const P extends string, const A extends 'pipeline' | 'staff'>(path: P, auth: A, who: string) =>
  defineRoute({
    method: 'POST',
    path,
    fn: 'releases',
    auth,
    summary: `Start uploading a package of a new release (presigned, multipart): ${who}`,
    maxBodyBytes: 4096,
    params: z.object({ version: VersionField }),
    body: StartUploadBody,
    responses: { 201: StagedUpload },
    errors: { 409: ['RELEASE_EXISTS'] },
  });

const publishRoute = <const P extends string, const A extends 'pipeline' | 'staff'>(path: P, auth: A, who: string) =>
  defineRoute({
    method: 'POST',
    path,
    fn: 'releases',
    auth,
    summary: `Publish a release from uploaded packages (verified, immutable): ${who}`,
    maxBodyBytes: 256 * 1024,
    body: PublishBody,
    description: 'With `rollout`, the release is offered in waves (docs/rollout.md); pilot customers must exist (400 otherwise).',
    responses: { 201: PublicRelease.extend({ catalogVersion: Count }) },
    errors: {
      400: ['UPLOAD_KEY_MISMATCH'],
      409: ['RELEASE_EXISTS'],
      422: ['PACKAGE_NOT_UPLOADED', 'UPLOAD_INCOMPLETE', 'PACKAGE_SIZE_MISMATCH', 'PACKAGE_HASH_MISMATCH'],
      503: ['VERIFICATION_TIMEOUT', 'CATALOG_BUSY'],
    },
  });

/**
 * The `releases` function: the build pipeline publishes releases (FEED-2, SigV4:
 * `pipeline`), and so may staff from the support console (`staff`), packages
 * uploaded straight to S3; staff read the list and run the staged rollouts
 * (`staff`, signed in; agents never).
 */
export const releases = {
  startUpload: startUploadRoute('/v1/support/releases/{version}/uploads', 'pipeline', 'the build pipeline, SigV4'),
  publish: publishRoute('/v1/support/releases', 'pipeline', 'the build pipeline, SigV4'),
  consoleStartUpload: startUploadRoute(
    '/v1/support/console/releases/{version}/uploads',
    'staff',
    'staff signed in, from the support console',
  ),
  consolePublish: publishRoute('/v1/support/console/releases', 'staff', 'staff signed in, from the support console'),
  list: defineRoute({
    method: 'GET',
    path: '/v1/support/releases',
    fn: 'releases',
    auth: 'staff',
    summary: 'Published releases with storage details and rollout phase',
    responses: { 200: z.object({ catalogVersion: Count, latestVersion: VersionField.nullable(), releases: z.array(Release) }) },
  }),
  rollout: defineRoute({
    method: 'GET',
    path: '/v1/support/releases/{version}/rollout',
    fn: 'releases',
    auth: 'staff',
    summary: "A release's rollout: plan, state and per-wave progress",
    params: VersionPath,
    responses: { 200: RolloutProgress },
    errors: { 404: ['NOT_FOUND'] },
  }),
  setRolloutPlan: defineRoute({
    method: 'PUT',
    path: '/v1/support/releases/{version}/rollout',
    fn: 'releases',
    auth: 'staff',
    summary: 'Set or change the rollout plan (conditional on the revision read)',
    maxBodyBytes: 128 * 1024,
    params: VersionPath,
    body: z.object({ revision: RevisionField, plan: RolloutPlan }),
    responses: { 200: RolloutView },
    errors: ROLLOUT_ERRORS,
  }),
  pauseRollout: rolloutAction('pause', 'Pause the rollout: no further wave opens'),
  resumeRollout: rolloutAction('resume', 'Resume a paused or halted rollout'),
  advanceRollout: rolloutAction('advance', 'Open the next wave now'),
  withdraw: defineRoute({
    method: 'POST',
    path: '/v1/support/releases/{version}/withdraw',
    fn: 'releases',
    auth: 'staff',
    summary: 'Withdraw a release: no customer is offered it any more',
    description: 'Final. Conditional on the revision read (409 ROLLOUT_CONFLICT with the rollout as it is now).',
    maxBodyBytes: 4096,
    params: VersionPath,
    body: z.object({ revision: RevisionField, reason: z.string().trim().min(1).max(500, 'at most 500 characters').optional() }),
    responses: { 200: RolloutView },
    errors: ROLLOUT_ERRORS,
  }),
};
