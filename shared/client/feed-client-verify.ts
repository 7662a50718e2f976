import { createHash, type KeyObject } from 'node:crypto';
import { feedUnreachableNotice, type Notice } from '../feed/notice';
import {
  importFeedPublicKey,
  verifyFeedAnswer,
  type FeedAnswerFailure,
  type FeedAnswerPayload,
  type FeedPackageDigest,
} from '../feed/signed-answer';

/**
 * The desktop thin client's side of PKG-2, as the desktop runs it at every startup
 * (reference implementation for the desktop team; no AWS, node:crypto only):
 *
 * 1. `acceptFeedAnswer()` — verify the signed answer against the pinned key(s),
 *    the customer, the installed version, the clock and the last accepted catalog
 *    version; on success return the new state to persist (its catalogVersion).
 *    On any failure the desktop shows the blue "feed unreachable" notice and goes
 *    on working: a tampered or stale answer is treated exactly like no answer.
 * 2. `verifyPackageBytes()` — after downloading (possibly resumed with Range),
 *    stream the file through SHA-256 and compare size and hash with the signed
 *    answer before the installer may run.
 *
 * docs/feed.md, "Client verification", lists the steps and the attack each stops.
 */

/** What the client persists between startups (per installation). */
export interface FeedClientState {
  /** Highest catalogVersion ever accepted; 0 before the first answer. */
  readonly lastCatalogVersion: number;
}

/** The state of a freshly installed desktop. */
export const INITIAL_FEED_CLIENT_STATE: FeedClientState = { lastCatalogVersion: 0 };

export interface FeedClientContext {
  /**
   * Pinned feed public keys (base64url of the raw 32 bytes) shipped with the desktop;
   * two during a key rotation.
   */
  readonly pinnedPublicKeys: readonly string[];
  /** This installation's customer id. */
  readonly customerId: string;
  /** The version this desktop runs (the one sent in the request). */
  readonly installedVersion: string;
  readonly now: Date;
}

export type FeedClientResult =
  | {
      readonly ok: true;
      readonly payload: FeedAnswerPayload;
      /** The notice to show (from the signed payload). */
      readonly notice: Notice;
      /** Persist this before acting on the answer. */
      readonly state: FeedClientState;
    }
  | {
      readonly ok: false;
      readonly reason: FeedAnswerFailure;
      readonly message: string;
      /** Always the blue notice: work goes on, the check runs again at the next start. */
      readonly notice: Notice;
      /** Unchanged: a refused answer never moves the anti-rollback mark. */
      readonly state: FeedClientState;
    };

const keyCache = new Map<string, KeyObject>();
function pinnedKey(text: string): KeyObject {
  let key = keyCache.get(text);
  if (!key) {
    key = importFeedPublicKey(text);
    keyCache.set(text, key);
  }
  return key;
}

/**
 * Verifies a feed answer and advances the client state.
 *
 * @param state - the persisted state (INITIAL_FEED_CLIENT_STATE on first run).
 * @param answer - the response body as parsed from JSON (the envelope), untrusted.
 * @throws TypeError only for a bad pinned key (a build error of the desktop, not an attack).
 */
export function acceptFeedAnswer(state: FeedClientState, answer: unknown, context: FeedClientContext): FeedClientResult {
  if (context.pinnedPublicKeys.length === 0) throw new TypeError('at least one feed public key must be pinned');
  const keys = context.pinnedPublicKeys.map(pinnedKey);
  const verdict = verifyFeedAnswer(keys, answer, {
    now: context.now,
    lastSeenCatalogVersion: state.lastCatalogVersion,
    expectedCustomerId: context.customerId,
    installedVersion: context.installedVersion,
  });
  if (!verdict.ok) {
    return { ok: false, reason: verdict.reason, message: verdict.message, notice: feedUnreachableNotice(), state };
  }
  const lastCatalogVersion = Math.max(state.lastCatalogVersion, verdict.payload.catalogVersion);
  return { ok: true, payload: verdict.payload, notice: verdict.payload.notice, state: { lastCatalogVersion } };
}

/** Why downloaded bytes were refused. */
export type PackageBytesFailure = 'TOO_LONG' | 'TOO_SHORT' | 'HASH_MISMATCH';

export type PackageBytesVerification =
  | { readonly ok: true; readonly size: number; readonly sha256: string }
  | { readonly ok: false; readonly reason: PackageBytesFailure; readonly size: number; readonly sha256?: string };

/**
 * Streams a downloaded package through SHA-256 and checks it against the digest
 * from a verified feed answer (`payload.update.desktop`). Stops reading as soon as
 * more bytes arrive than the signed size (a swapped or padded file is refused
 * without hashing all of it). The hash is compared only after the size matches.
 *
 * @param chunks - the file's bytes in order (a file read stream, or the HTTP body
 *   chunks of the first request followed by those of the resumed Range request).
 * @param expected - size and lower-case hex SHA-256 from the signed answer.
 */
export async function verifyPackageBytes(
  chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  expected: FeedPackageDigest,
): Promise<PackageBytesVerification> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of chunks) {
    size += chunk.byteLength;
    if (size > expected.size) return { ok: false, reason: 'TOO_LONG', size };
    hash.update(chunk);
  }
  if (size < expected.size) return { ok: false, reason: 'TOO_SHORT', size };
  const sha256 = hash.digest('hex');
  // The expected value is public (it is in the answer): a plain comparison leaks nothing.
  if (sha256 !== expected.sha256.toLowerCase()) return { ok: false, reason: 'HASH_MISMATCH', size, sha256 };
  return { ok: true, size, sha256 };
}
