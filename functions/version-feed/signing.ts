import { derivedSecret } from '../../shared/aws/secrets';
import { ENV, SECRET_VALUE_ENV, requireEnv } from '../../shared/config';
import { decodeUrlSigningKey, signPackagePath } from '../../shared/domain/package-url';
import { feedKeyPairFromSecret, type FeedKeyPair } from '../../shared/feed/signed-answer';

/** How long a signed feed answer is valid: a frozen/replayed answer dies after this. */
export const FEED_ANSWER_TTL_SECONDS = 10 * 60;
/** How long a package download URL works (a resumed download asks the feed again after it). */
export const PACKAGE_URL_TTL_SECONDS = 60 * 60;

/** The Ed25519 key pair signing feed answers, derived from the secret (again only when it is rotated). */
export const feedKeyPair: () => Promise<FeedKeyPair> = derivedSecret(
  SECRET_VALUE_ENV.feedSigningSecret,
  ENV.feedSigningKeySecretArn,
  feedKeyPairFromSecret,
);

const urlKey = derivedSecret(SECRET_VALUE_ENV.urlSigningKey, ENV.urlSigningKeySecretArn, decodeUrlSigningKey);

/** A short-lived signed CDN URL for a package object key (PKG-1). */
export async function packageUrl(objectKey: string, nowSeconds: number) {
  const path = `/${objectKey.split('/').map(encodeURIComponent).join('/')}`;
  const expiresAt = nowSeconds + PACKAGE_URL_TTL_SECONDS;
  const base = requireEnv(ENV.packageBaseUrl).replace(/\/+$/, '');
  return { url: `${base}${path}?${signPackagePath(await urlKey(), path, expiresAt)}`, expiresAt };
}
