import { releases as routes } from '../../shared/api/routes/releases';
import { getCatalogHead, loadCatalog } from '../../shared/db/catalog';
import { phaseOf, settle } from '../../shared/rollout/rollout';
import { publicRelease } from '../../shared/domain/catalog';
import { created, httpHandler, implement, ok } from '../../shared/http/handler';
import { publishRelease } from './publish';
import { changeRollout, rolloutProgress } from './rollout';
import { startUpload } from './uploads';

/** POST /v1/support/releases/{version}/uploads: presigned URLs to upload one package into staging/. */
export const startPackageUpload = implement(routes.startUpload, async ({ principal, params, body }) =>
  created(await startUpload(principal, params.version, body)),
);

/** Both doors' publication: verify the uploaded packages, publish, answer with the public release. */
async function publishAnswer(...args: Parameters<typeof publishRelease>) {
  const release = await publishRelease(...args);
  return created({ ...publicRelease(release), catalogVersion: release.catalogVersion });
}

/** POST /v1/support/releases: verify the uploaded packages and publish the release (FEED-2, immutable). */
export const publish = implement(routes.publish, ({ principal, body, lambda }) =>
  publishAnswer(principal, body, lambda.getRemainingTimeInMillis()),
);

/** POST /v1/support/console/releases/{version}/uploads: the same as the pipeline's, for staff in the console. */
export const consoleStartUpload = implement(routes.consoleStartUpload, async ({ principal, params, body }) =>
  created(await startUpload(principal, params.version, body)),
);

/** POST /v1/support/console/releases: the same publication as the pipeline's, for staff in the console. */
export const consolePublish = implement(routes.consolePublish, ({ principal, body, lambda }) =>
  publishAnswer(principal, body, lambda.getRemainingTimeInMillis()),
);

/** GET /v1/support/releases: every release with its storage keys, sizes, hashes, catalog version and rollout phase. */
export const list = implement(routes.list, async () => {
  const now = new Date();
  const [head, { releases, rollouts }] = await Promise.all([getCatalogHead(), loadCatalog()]);
  return ok({
    catalogVersion: head.catalogVersion,
    latestVersion: head.latestVersion ?? null,
    releases: releases.map((r) => {
      const stored = rollouts.get(r.version);
      return { ...r, rolloutPhase: phaseOf(stored && settle(stored, now).rollout) };
    }),
  });
});

/** GET /v1/support/releases/{version}/rollout: plan, phase and per-wave progress. */
export const rollout = implement(routes.rollout, async ({ params }) => ok(await rolloutProgress(params.version)));

/** PUT /v1/support/releases/{version}/rollout: set or change the plan. */
export const setPlan = implement(routes.setRolloutPlan, async ({ principal, params, body }) =>
  ok(await changeRollout(principal, params.version, 'set-plan', body)),
);

/** POST …/rollout/pause|resume|advance: one action on the rollout the caller read. */
export const pause = implement(routes.pauseRollout, async ({ principal, params, body }) =>
  ok(await changeRollout(principal, params.version, 'pause', body)),
);
export const resume = implement(routes.resumeRollout, async ({ principal, params, body }) =>
  ok(await changeRollout(principal, params.version, 'resume', body)),
);
export const advance = implement(routes.advanceRollout, async ({ principal, params, body }) =>
  ok(await changeRollout(principal, params.version, 'advance', body)),
);

/** POST /v1/support/releases/{version}/withdraw: no customer is offered the release any more. */
export const withdraw = implement(routes.withdraw, async ({ principal, params, body }) =>
  ok(await changeRollout(principal, params.version, 'withdraw', body)),
);

export const handler = httpHandler('releases', [
  startPackageUpload,
  publish,
  consoleStartUpload,
  consolePublish,
  list,
  rollout,
  setPlan,
  pause,
  resume,
  advance,
  withdraw,
]);
