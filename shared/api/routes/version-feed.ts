import * as z from 'zod';
import { defineRoute } from '../contract';
import { FeedAnswer, Notice, PublicRelease, Timestamp, Url } from '../components';
import { Count, Sha256, VersionField } from '../fields';

/** The `version-feed` function: the catalog, the desktop's startup check (FEED-*), the device's package (DEV-5). */
export const versionFeed = {
  catalog: defineRoute({
    method: 'GET',
    path: '/v1/catalog',
    fn: 'version-feed',
    auth: 'public',
    summary: 'Published releases, oldest first',
    responses: { 200: z.object({ catalogVersion: Count, releases: z.array(PublicRelease) }) },
  }),
  feedKeys: defineRoute({
    method: 'GET',
    path: '/v1/feed/keys',
    fn: 'version-feed',
    auth: 'public',
    summary: 'Public keys that sign feed answers (for pinning and rotation)',
    responses: {
      200: z.object({
        keys: z.array(
          z.object({
            keyId: z.string().regex(/^[0-9a-f]{16}$/),
            algorithm: z.literal('Ed25519'),
            publicKey: z
              .string()
              .regex(/^[A-Za-z0-9_-]{43}$/)
              .meta({ description: 'The raw 32-byte public key, base64url.' }),
          }),
        ),
      }),
    },
  }),
  desktopFeed: defineRoute({
    method: 'GET',
    path: '/v1/desktop/feed',
    fn: 'version-feed',
    auth: 'desktop',
    summary: 'Startup check: the signed notice and next release for the installed version (?installed=)',
    description: 'The desktop verifies the signed answer before acting on it (docs/feed.md §5).',
    query: z.object({ installed: VersionField }),
    responses: { 200: FeedAnswer },
  }),
  downloaded: defineRoute({
    method: 'POST',
    path: '/v1/desktop/releases/{version}/downloaded',
    fn: 'version-feed',
    auth: 'desktop',
    summary: 'The desktop package is downloaded and verified (yellow → green at next start)',
    maxBodyBytes: 1024,
    params: z.object({ version: VersionField }),
    body: z.object({ sha256: z.string().regex(/^[0-9a-fA-F]{64}$/, 'a SHA-256 in hex') }),
    responses: { 200: z.object({ version: VersionField, desktopDownloadVerifiedAt: Timestamp }) },
    errors: { 400: ['PACKAGE_HASH_MISMATCH'], 404: ['NOT_FOUND'] },
  }),
  devicePackage: defineRoute({
    method: 'GET',
    path: '/v1/device/package',
    fn: 'version-feed',
    auth: 'device',
    summary: "The mobile package matching the customer's desktop version",
    responses: {
      200: z.object({
        version: VersionField,
        size: Count,
        sha256: Sha256,
        url: Url.meta({ description: 'Signed CDN URL (PKG-1); resumable with Range.' }),
        urlExpiresAt: Count.meta({ description: 'Epoch seconds.' }),
      }),
    },
    errors: { 404: ['NOT_FOUND'], 409: ['UPDATE_IN_PREPARATION', 'PACKAGE_UNAVAILABLE'] },
  }),
  windowNotice: defineRoute({
    method: 'GET',
    path: '/v1/desktop/notice',
    fn: 'version-feed',
    auth: 'user',
    summary: "The notice for the desktop's known version (the window page's startup notice)",
    description:
      'The same decision as the startup check, unsigned: the hosted window shows it. The desktop itself still verifies its own signed answer at every start.',
    responses: {
      200: z
        .object({
          notice: Notice,
          desktopVersion: VersionField.meta({ description: 'The desktop version the backend knows (onboarding, each phase 2).' }),
          update: z.object({ version: VersionField, notesUrl: Url, requiresConfirmationCode: z.boolean() }).nullable(),
        })
        .meta({ id: 'WindowNotice' }),
    },
    errors: { 409: ['NO_DESKTOP_VERSION'] },
  }),
};
