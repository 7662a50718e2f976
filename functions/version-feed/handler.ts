import { z } from 'zod';
import { getCatalogHead, listReleases } from '../../shared/db/catalog';
import { publicRelease } from '../../shared/domain/catalog';
import { parseVersion } from '../../shared/domain/version';
import { httpHandler, principalOf, type HttpRequest } from '../../shared/http/handler';
import { jsonBody, pathParams, queryParams } from '../../shared/http/request';
import { json } from '../../shared/http/response';
import { devicePackage, publicKeys, reportDownloaded, startupCheck } from './feed';

const VersionCode = z.string().superRefine((value, ctx) => {
  const parsed = parseVersion(value);
  if (!parsed.ok) ctx.addIssue({ code: 'custom', message: parsed.message });
});

/** GET /v1/catalog: the published releases, oldest first, with the catalog version. */
export const catalog = async () => {
  const [head, releases] = await Promise.all([getCatalogHead(), listReleases()]);
  return json(200, { catalogVersion: head.catalogVersion, releases: releases.map(publicRelease) });
};

/** GET /v1/desktop/feed?installed=…: the signed startup answer. */
export const feed = async (request: HttpRequest) => {
  const { installed } = queryParams(request.event, z.object({ installed: VersionCode }));
  return json(200, await startupCheck(principalOf(request, 'desktop'), installed));
};

/** GET /v1/feed/keys: public keys for verifying feed answers. */
export const keys = async () => json(200, await publicKeys(), { 'cache-control': 'public, max-age=300' });

/** POST /v1/desktop/releases/{version}/downloaded: the installer is downloaded and verified. */
export const downloaded = async (request: HttpRequest) => {
  const { version } = pathParams(request.event, z.object({ version: VersionCode }));
  const { sha256 } = jsonBody(request.event, z.object({ sha256: z.string().regex(/^[0-9a-fA-F]{64}$/, 'a SHA-256 in hex') }));
  return json(200, await reportDownloaded(principalOf(request, 'desktop'), version, sha256));
};

/** GET /v1/device/package: the mobile package matching the desktop version. */
export const devicePkg = async (request: HttpRequest) => json(200, await devicePackage(principalOf(request, 'device')));

export const handler = httpHandler('version-feed', {
  'GET /v1/catalog': catalog,
  'GET /v1/desktop/feed': feed,
  'GET /v1/feed/keys': keys,
  'POST /v1/desktop/releases/{version}/downloaded': downloaded,
  'GET /v1/device/package': devicePkg,
});
