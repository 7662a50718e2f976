import { releases as routes } from '../../shared/api/routes/releases';
import { getCatalogHead, listReleases } from '../../shared/db/catalog';
import { publicRelease } from '../../shared/domain/catalog';
import { created, httpHandler, implement, ok } from '../../shared/http/handler';
import { publishRelease } from './publish';
import { startUpload } from './uploads';

/** POST /v1/support/releases/{version}/uploads: presigned URLs to upload one package into staging/. */
export const startPackageUpload = implement(routes.startUpload, async ({ principal, params, body }) =>
  created(await startUpload(principal, params.version, body)),
);

/** POST /v1/support/releases: verify the uploaded packages and publish the release (FEED-2, immutable). */
export const publish = implement(routes.publish, async ({ principal, body, lambda }) => {
  const release = await publishRelease(principal, body, lambda.getRemainingTimeInMillis());
  return created({ ...publicRelease(release), catalogVersion: release.catalogVersion });
});

/** GET /v1/support/releases: every release with its storage keys, sizes, hashes and catalog version. */
export const list = implement(routes.list, async () => {
  const [head, releases] = await Promise.all([getCatalogHead(), listReleases()]);
  return ok({ catalogVersion: head.catalogVersion, latestVersion: head.latestVersion ?? null, releases });
});

export const handler = httpHandler('releases', [startPackageUpload, publish, list]);
