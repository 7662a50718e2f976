import { getCatalogHead, loadCatalog } from '../../shared/db/catalog';
import { phaseOf, settle } from '../../shared/rollout/rollout';
import { publicRelease } from '../../shared/domain/catalog';
import { httpHandler, principalOf, route } from '../../shared/http/handler';
import { json } from '../../shared/http/response';
import { publishRelease } from './publish';
import { changeRollout, rolloutProgress } from './rollout';
import { PublishBody, RolloutActionBody, SetPlanBody, StartUploadBody, VersionPath, WithdrawBody } from './schemas';
import { startUpload } from './uploads';

/** POST /v1/support/releases/{version}/uploads: presigned URLs to upload one package into staging/. */
export const startPackageUpload = route({ path: VersionPath, body: StartUploadBody }, async (request) =>
  json(201, await startUpload(principalOf(request, 'pipeline'), request.input.path.version, request.input.body)),
);

/** POST /v1/support/releases: verify the uploaded packages and publish the release (FEED-2, immutable). */
export const publish = route({ body: PublishBody }, async (request) => {
  const release = await publishRelease(principalOf(request, 'pipeline'), request.input.body, request.lambda.getRemainingTimeInMillis());
  return json(201, { ...publicRelease(release), catalogVersion: release.catalogVersion });
});

/** GET /v1/support/releases: every release with its storage keys, sizes, hashes, catalog version and rollout phase. */
export const list = route({}, async (request) => {
  principalOf(request, 'support');
  const now = new Date();
  const [head, { releases, rollouts }] = await Promise.all([getCatalogHead(), loadCatalog()]);
  return json(200, {
    catalogVersion: head.catalogVersion,
    latestVersion: head.latestVersion ?? null,
    releases: releases.map((r) => {
      const stored = rollouts.get(r.version);
      return { ...r, rolloutPhase: phaseOf(stored && settle(stored, now).rollout) };
    }),
  });
});

/** GET /v1/support/releases/{version}/rollout: plan, phase and per-wave progress. */
export const rollout = route({ path: VersionPath }, async (request) => json(200, await rolloutProgress(request.input.path.version)));

/** PUT /v1/support/releases/{version}/rollout: set or change the plan. */
export const setPlan = route({ path: VersionPath, body: SetPlanBody }, async (request) =>
  json(200, await changeRollout(principalOf(request, 'support'), request.input.path.version, 'set-plan', request.input.body)),
);

/** POST …/rollout/pause|resume|advance: one action on the rollout the caller read. */
const rolloutAction = (action: 'pause' | 'resume' | 'advance') =>
  route({ path: VersionPath, body: RolloutActionBody }, async (request) =>
    json(200, await changeRollout(principalOf(request, 'support'), request.input.path.version, action, request.input.body)),
  );

/** POST /v1/support/releases/{version}/withdraw: no customer is offered the release any more. */
export const withdraw = route({ path: VersionPath, body: WithdrawBody }, async (request) =>
  json(200, await changeRollout(principalOf(request, 'support'), request.input.path.version, 'withdraw', request.input.body)),
);

export const handler = httpHandler('releases', {
  'POST /v1/support/releases/{version}/uploads': startPackageUpload,
  'POST /v1/support/releases': publish,
  'GET /v1/support/releases': list,
  'GET /v1/support/releases/{version}/rollout': rollout,
  'PUT /v1/support/releases/{version}/rollout': setPlan,
  'POST /v1/support/releases/{version}/rollout/pause': rolloutAction('pause'),
  'POST /v1/support/releases/{version}/rollout/resume': rolloutAction('resume'),
  'POST /v1/support/releases/{version}/rollout/advance': rolloutAction('advance'),
  'POST /v1/support/releases/{version}/withdraw': withdraw,
});
