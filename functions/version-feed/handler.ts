import { z } from 'zod';
import { getCatalogHead, listReleases } from '../../shared/db/catalog';
import { publicRelease } from '../../shared/domain/catalog';
import { VersionField } from '../../shared/http/fields';
import { httpHandler, principalOf, route, type HttpRequest } from '../../shared/http/handler';
import { json } from '../../shared/http/response';
import { METRIC } from '../../shared/metric-names';
import { countMetric } from '../../shared/observability';
import { devicePackage, publicKeys, reportDownloaded, startupCheck, windowNotice } from './feed';

/** GET /v1/catalog: the published releases, oldest first, with the catalog version. */
export const catalog = async () => {
  const [head, releases] = await Promise.all([getCatalogHead(), listReleases()]);
  return json(200, { catalogVersion: head.catalogVersion, releases: releases.map(publicRelease) });
};

/** GET /v1/desktop/feed?installed=…: the signed startup answer. */
export const feed = route({ query: z.object({ installed: VersionField }) }, async (request) => {
  countMetric(METRIC.feedChecks);
  return json(200, await startupCheck(principalOf(request, 'desktop'), request.input.query.installed));
});

/** GET /v1/feed/keys: public keys for verifying feed answers. */
export const keys = async () => json(200, await publicKeys(), { 'cache-control': 'public, max-age=300' });

/** POST /v1/desktop/releases/{version}/downloaded: the installer is downloaded and verified. */
export const downloaded = route(
  { path: z.object({ version: VersionField }), body: z.object({ sha256: z.string().regex(/^[0-9a-fA-F]{64}$/, 'a SHA-256 in hex') }) },
  async (request) =>
    json(200, await reportDownloaded(principalOf(request, 'desktop'), request.input.path.version, request.input.body.sha256)),
);

/** GET /v1/device/package: the mobile package matching the desktop version. */
export const devicePkg = async (request: HttpRequest) => json(200, await devicePackage(principalOf(request, 'device')));

export const handler = httpHandler('version-feed', {
  'GET /v1/catalog': route({}, catalog),
  'GET /v1/desktop/feed': feed,
  'GET /v1/feed/keys': route({}, keys),
  'POST /v1/desktop/releases/{version}/downloaded': downloaded,
  'GET /v1/device/package': route({}, devicePkg),
  'GET /v1/desktop/notice': route({}, async (request) => json(200, await windowNotice(principalOf(request, 'user')))),
});
