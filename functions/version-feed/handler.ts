import { listReleases, getCatalogHead } from '../../shared/db/catalog';
import { publicRelease } from '../../shared/domain/catalog';
import { httpHandler } from '../../shared/http/handler';
import { json } from '../../shared/http/response';

/** GET /v1/catalog: the published releases, oldest first, with the catalog version. */
export const catalog = async () => {
  const [head, releases] = await Promise.all([getCatalogHead(), listReleases()]);
  return json(200, { catalogVersion: head.catalogVersion, releases: releases.map(publicRelease) });
};

export const handler = httpHandler('version-feed', { 'GET /v1/catalog': catalog });
