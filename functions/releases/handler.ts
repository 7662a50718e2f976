import { getCatalogHead, listReleases } from '../../shared/db/catalog';
import { publicRelease } from '../../shared/domain/catalog';
import { httpHandler, principalOf, type HttpRequest } from '../../shared/http/handler';
import { jsonBody, pathParams } from '../../shared/http/request';
import { json } from '../../shared/http/response';
import { publishRelease } from './publish';
import { PublishBody, StartUploadBody, VersionPath } from './schemas';
import { startUpload } from './uploads';

/** POST /v1/support/releases/{version}/uploads: presigned URLs to upload one package into staging/. */
export const startPackageUpload = async (request: HttpRequest) => {
  const { version } = pathParams(request.event, VersionPath);
  const body = jsonBody(request.event, StartUploadBody);
  return json(201, await startUpload(principalOf(request, 'support'), version, body));
};

/** POST /v1/support/releases: verify the uploaded packages and publish the release (FEED-2, immutable). */
export const publish = async (request: HttpRequest) => {
  const body = jsonBody(request.event, PublishBody);
  const release = await publishRelease(principalOf(request, 'support'), body, request.lambda.getRemainingTimeInMillis());
  return json(201, { ...publicRelease(release), catalogVersion: release.catalogVersion });
};

/** GET /v1/support/releases: every release with its storage keys, sizes, hashes and catalog version. */
export const list = async (request: HttpRequest) => {
  principalOf(request, 'support');
  const [head, releases] = await Promise.all([getCatalogHead(), listReleases()]);
  return json(200, { catalogVersion: head.catalogVersion, latestVersion: head.latestVersion ?? null, releases });
};

export const handler = httpHandler('releases', {
  'POST /v1/support/releases/{version}/uploads': startPackageUpload,
  'POST /v1/support/releases': publish,
  'GET /v1/support/releases': list,
});
