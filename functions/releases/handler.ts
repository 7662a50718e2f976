import { getCatalogHead, listReleases } from '../../shared/db/catalog';
import { publicRelease } from '../../shared/domain/catalog';
import { httpHandler, principalOf, route } from '../../shared/http/handler';
import { json } from '../../shared/http/response';
import { publishRelease } from './publish';
import { PublishBody, StartUploadBody, VersionPath } from './schemas';
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

/** GET /v1/support/releases: every release with its storage keys, sizes, hashes and catalog version. */
export const list = route({}, async (request) => {
  principalOf(request, 'pipeline');
  const [head, releases] = await Promise.all([getCatalogHead(), listReleases()]);
  return json(200, { catalogVersion: head.catalogVersion, latestVersion: head.latestVersion ?? null, releases });
});

export const handler = httpHandler('releases', {
  'POST /v1/support/releases/{version}/uploads': startPackageUpload,
  'POST /v1/support/releases': publish,
  'GET /v1/support/releases': list,
});
