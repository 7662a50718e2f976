import { versionFeed as routes } from '../../shared/api/routes/version-feed';
import { getCatalogHead, listReleases } from '../../shared/db/catalog';
import { publicRelease } from '../../shared/domain/catalog';
import { httpHandler, implement, ok } from '../../shared/http/handler';
import { METRIC } from '../../shared/metric-names';
import { countMetric } from '../../shared/observability';
import { devicePackage, publicKeys, reportDownloaded, startupCheck, windowNotice } from './feed';

/** GET /v1/catalog: the published releases, oldest first, with the catalog version. */
export const catalog = implement(routes.catalog, async () => {
  const [head, releases] = await Promise.all([getCatalogHead(), listReleases()]);
  return ok({ catalogVersion: head.catalogVersion, releases: releases.map(publicRelease) });
});

/** GET /v1/desktop/feed?installed=…: the signed startup answer. */
export const feed = implement(routes.desktopFeed, async ({ principal, query }) => {
  countMetric(METRIC.feedChecks);
  return ok(await startupCheck(principal, query.installed));
});

/** GET /v1/feed/keys: public keys for verifying feed answers. */
export const keys = implement(routes.feedKeys, async () => ok(await publicKeys(), { 'cache-control': 'public, max-age=300' }));

/** POST /v1/desktop/releases/{version}/downloaded: the installer is downloaded and verified. */
export const downloaded = implement(routes.downloaded, async ({ principal, params, body }) =>
  ok(await reportDownloaded(principal, params.version, body.sha256)),
);

/** GET /v1/device/package: the mobile package matching the desktop version. */
export const devicePkg = implement(routes.devicePackage, async ({ principal }) => ok(await devicePackage(principal)));

/** GET /v1/desktop/notice: the notice for the desktop version the backend knows (the hosted window's startup view). */
export const notice = implement(routes.windowNotice, async ({ principal }) => ok(await windowNotice(principal)));

export const handler = httpHandler('version-feed', [catalog, feed, keys, downloaded, devicePkg, notice]);
