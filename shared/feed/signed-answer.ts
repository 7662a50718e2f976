import { createHash, createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import type { PackageInfo, Release } from '../domain/catalog';
import { compareVersions, isVersionCode } from '../domain/version';
import { NOTICE_COLOURS, NOTICE_KINDS, type Notice, type NoticeActionId, type NoticeKind } from './notice';

/**
 * Signed feed answers (SPEC PKG-2), after TUF's signed timestamp/targets metadata.
 *
 * The feed answer is a canonical-JSON payload signed with Ed25519. It binds, under
 * one signature: the customer and the installed version the desktop asked about,
 * the catalog version (monotonic, anti-rollback), issue and expiry times
 * (anti-freeze/replay), the notice to show and, when an update exists, the
 * release version with the size and SHA-256 of BOTH its desktop and mobile
 * packages plus the desktop download URL. A CDN or proxy that tampers with any
 * of it, replays an old answer or serves an older catalog is detected by
 * verifyFeedAnswer(); a swapped package is detected by the size/SHA-256 check
 * after download (shared/client/feed-client-verify.ts). See docs/feed.md.
 *
 * Envelope on the wire: `{ "payload": "<canonical JSON>", "signature": "<base64url>", "keyId": "<16 hex>" }`.
 * The signature covers the UTF-8 bytes of `payload` exactly as sent: clients
 * verify before parsing and never re-serialise.
 */

/** `type` of every feed answer payload: a signature over another kind of document never verifies as an answer. */
export const FEED_ANSWER_TYPE = 'mophas.feed-answer';
/** Payload format version. */
export const FEED_ANSWER_FORMAT = 1;
/** Longest answer lifetime the signer accepts. */
export const MAX_FEED_ANSWER_TTL_SECONDS = 86_400;
/** Shortest accepted signing secret (Secrets Manager generates 44 characters). */
export const MIN_FEED_SECRET_LENGTH = 32;
/** Largest payload a client will look at; real answers are ~2 KB. */
export const MAX_FEED_PAYLOAD_BYTES = 64 * 1024;

// PKCS#8 DER for an Ed25519 private key (RFC 8410) is this fixed prefix followed by the 32-byte seed.
const ED25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

/** What travels on the wire. */
export interface SignedFeedAnswer {
  /** Canonical JSON of a FeedAnswerPayload (sorted keys, no whitespace, integers only). */
  readonly payload: string;
  /** base64url (unpadded) Ed25519 signature over the UTF-8 bytes of `payload`. */
  readonly signature: string;
  /** First 16 hex characters of SHA-256 over the raw 32-byte public key. */
  readonly keyId: string;
}

export interface FeedPackageDigest {
  readonly size: number;
  /** Lower-case hex SHA-256. */
  readonly sha256: string;
}

/** The release offered, as signed: both packages bound together. */
export interface FeedAnswerUpdate {
  readonly version: string;
  readonly notesUrl: string;
  readonly requiresConfirmationCode: boolean;
  readonly desktop: FeedPackageDigest & {
    /** Signed CDN URL of the desktop installer (PKG-1). */
    readonly url: string;
    /** When that URL stops working (epoch seconds); the desktop asks the feed again after it. */
    readonly urlExpiresAt: number;
  };
  /** Devices fetch their own URL at check-in (DEV-5); the digest is bound here so desktop and mobile agree. */
  readonly mobile: FeedPackageDigest;
}

/** The signed document. */
export interface FeedAnswerPayload {
  readonly type: typeof FEED_ANSWER_TYPE;
  readonly format: typeof FEED_ANSWER_FORMAT;
  readonly customerId: string;
  readonly installedVersion: string;
  /** Catalog head counter when the answer was made; never decreases for a client. */
  readonly catalogVersion: number;
  /** Epoch seconds. */
  readonly issuedAt: number;
  /** Epoch seconds; the answer is refused from this instant on. */
  readonly expiresAt: number;
  readonly notice: Notice;
  /** The next release (nextRelease `update`), or null when there is none. */
  readonly update: FeedAnswerUpdate | null;
}

/** What the feed handler supplies; the signer adds type, format and times. */
export interface FeedAnswerContent {
  readonly customerId: string;
  readonly installedVersion: string;
  readonly catalogVersion: number;
  readonly notice: Notice;
  /** Present when nextRelease() offered a release. */
  readonly update?: {
    readonly release: Pick<Release, 'version' | 'notesUrl' | 'requiresConfirmationCode'> & {
      readonly desktop: Pick<PackageInfo, 'size' | 'sha256'>;
      readonly mobile: Pick<PackageInfo, 'size' | 'sha256'>;
    };
    /** `<PACKAGE_BASE_URL><path>?<signPackagePath(...)>` and the expiry used for it. */
    readonly desktopDownload: { readonly url: string; readonly expiresAt: number };
  } | null;
}

export interface FeedKeyPair {
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  readonly keyId: string;
  /** The raw 32-byte public key, base64url: what clients pin. */
  readonly publicKeyBase64url: string;
}

/** Why an answer was refused. */
export type FeedAnswerFailure = 'MALFORMED' | 'BAD_SIGNATURE' | 'WRONG_CUSTOMER' | 'WRONG_REQUEST' | 'EXPIRED' | 'ROLLBACK';

export type FeedAnswerVerification =
  | { readonly ok: true; readonly payload: FeedAnswerPayload }
  | { readonly ok: false; readonly reason: FeedAnswerFailure; readonly message: string };

export interface VerifyFeedAnswerOptions {
  readonly now: Date;
  /** Highest catalogVersion this client accepted before (0 on first run). */
  readonly lastSeenCatalogVersion: number;
  /** The customer this installation belongs to. */
  readonly expectedCustomerId: string;
  /** The version the client said it runs when it asked. */
  readonly installedVersion: string;
}

// ---------------------------------------------------------------------------
// Canonical JSON

/**
 * Canonical JSON: object keys sorted by UTF-16 code units, no whitespace, strings
 * escaped as JSON.stringify does, numbers restricted to safe integers (so no
 * float formatting ambiguity), properties whose value is `undefined` omitted.
 * The same value always gives the same bytes, so answers are reproducible.
 *
 * @throws TypeError on non-integer numbers, undefined in arrays, or non-plain values.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value === 'boolean') return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new TypeError(`canonical JSON allows safe integers only, got ${value}`);
    return String(value === 0 ? 0 : value);
  }
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) {
    return `[${value
      .map((item) => {
        if (item === undefined) throw new TypeError('canonical JSON arrays cannot hold undefined');
        return canonicalJson(item);
      })
      .join(',')}]`;
  }
  if (typeof value === 'object' && (Object.getPrototypeOf(value) === Object.prototype || Object.getPrototypeOf(value) === null)) {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  throw new TypeError(`canonical JSON cannot encode a ${typeof value}`);
}

// ---------------------------------------------------------------------------
// Keys

function requireEd25519(key: KeyObject, type: 'private' | 'public'): void {
  if (key.type !== type || key.asymmetricKeyType !== 'ed25519') {
    throw new TypeError(`expected an Ed25519 ${type} key`);
  }
}

/** The raw 32-byte Ed25519 public key. */
function rawPublicKey(publicKey: KeyObject): Buffer {
  requireEd25519(publicKey, 'public');
  const { x } = publicKey.export({ format: 'jwk' });
  if (typeof x !== 'string') throw new TypeError('Ed25519 public key without x coordinate');
  return Buffer.from(x, 'base64url');
}

/** Key id: the first 16 hex characters of SHA-256 over the raw 32-byte public key. */
export function feedKeyId(publicKey: KeyObject): string {
  return createHash('sha256').update(rawPublicKey(publicKey)).digest('hex').slice(0, 16);
}

/**
 * Derives the feed signing key pair from the Secrets Manager secret text:
 * seed = SHA-256(UTF-8 bytes of the secret, exactly as stored), private key =
 * PKCS#8 `302e020100300506032b657004220420 ‖ seed`. Deterministic, so every Lambda
 * instance signs with the same key and the public key can be published once.
 *
 * @throws TypeError when the secret is shorter than 32 characters or has
 *   leading/trailing whitespace (a pasted newline would silently change the key).
 */
export function feedKeyPairFromSecret(secret: string): FeedKeyPair {
  if (typeof secret !== 'string' || secret.length < MIN_FEED_SECRET_LENGTH) {
    throw new TypeError(`feed signing secret must be at least ${MIN_FEED_SECRET_LENGTH} characters`);
  }
  if (secret.trim() !== secret) throw new TypeError('feed signing secret must not start or end with whitespace');
  const seed = createHash('sha256').update(secret, 'utf8').digest();
  const privateKey = createPrivateKey({ key: Buffer.concat([ED25519_PKCS8_PREFIX, seed]), format: 'der', type: 'pkcs8' });
  const publicKey = createPublicKey(privateKey);
  return { privateKey, publicKey, keyId: feedKeyId(publicKey), publicKeyBase64url: rawPublicKey(publicKey).toString('base64url') };
}

/**
 * Imports a pinned public key given as base64url of the raw 32 bytes.
 *
 * @throws TypeError when the text is not exactly 32 bytes of canonical base64url.
 */
export function importFeedPublicKey(base64url: string): KeyObject {
  if (typeof base64url !== 'string' || !/^[A-Za-z0-9_-]{43}$/.test(base64url)) {
    throw new TypeError('a pinned feed public key is 43 base64url characters (32 raw bytes)');
  }
  const raw = Buffer.from(base64url, 'base64url');
  if (raw.length !== 32 || raw.toString('base64url') !== base64url)
    throw new TypeError('pinned feed public key is not canonical base64url');
  return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: base64url }, format: 'jwk' });
}

// ---------------------------------------------------------------------------
// Signing

const SHA256_PATTERN = /^[0-9a-f]{64}$/;
const KEY_ID_PATTERN = /^[0-9a-f]{16}$/;
const SIGNATURE_PATTERN = /^[A-Za-z0-9_-]{86}$/;
/** Notices that talk about the next release and so need `update`. */
const RELEASE_NOTICES: ReadonlySet<NoticeKind> = new Set(['contact-support', 'download-in-progress', 'update-ready']);
const ACTION_IDS: ReadonlySet<NoticeActionId> = new Set([
  'manage-update',
  'update-details',
  'finish-update',
  'reactivate-devices',
  'send-report',
]);

const isSafeNat = (n: unknown): n is number => typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;

/**
 * Signs a feed answer.
 *
 * @param privateKey - the Ed25519 key from feedKeyPairFromSecret().
 * @param content - what to say; see FeedAnswerContent.
 * @param options.now - issue time; `issuedAt` is its epoch second.
 * @param options.ttlSeconds - lifetime, 1..86400; `expiresAt = issuedAt + ttlSeconds`.
 * @throws TypeError when the content is inconsistent (the same checks the client makes),
 *   so a signer bug never ships a signed answer clients would refuse.
 */
export function signFeedAnswer(
  privateKey: KeyObject,
  content: FeedAnswerContent,
  options: { readonly now: Date; readonly ttlSeconds: number },
): SignedFeedAnswer {
  requireEd25519(privateKey, 'private');
  const { ttlSeconds } = options;
  if (!Number.isSafeInteger(ttlSeconds) || ttlSeconds < 1 || ttlSeconds > MAX_FEED_ANSWER_TTL_SECONDS) {
    throw new TypeError(`ttlSeconds must be an integer between 1 and ${MAX_FEED_ANSWER_TTL_SECONDS}`);
  }
  const issuedAt = Math.floor(options.now.getTime() / 1000);
  if (!isSafeNat(issuedAt)) throw new TypeError('now must be a valid date after 1970');
  const update = content.update ?? null;
  const payload: FeedAnswerPayload = {
    type: FEED_ANSWER_TYPE,
    format: FEED_ANSWER_FORMAT,
    customerId: content.customerId,
    installedVersion: content.installedVersion,
    catalogVersion: content.catalogVersion,
    issuedAt,
    expiresAt: issuedAt + ttlSeconds,
    notice: content.notice,
    update: update && {
      version: update.release.version,
      notesUrl: update.release.notesUrl,
      requiresConfirmationCode: update.release.requiresConfirmationCode,
      desktop: {
        size: update.release.desktop.size,
        sha256: update.release.desktop.sha256,
        url: update.desktopDownload.url,
        urlExpiresAt: update.desktopDownload.expiresAt,
      },
      mobile: { size: update.release.mobile.size, sha256: update.release.mobile.sha256 },
    },
  };
  const problem = payloadProblem(payload);
  if (problem) throw new TypeError(`refusing to sign an inconsistent feed answer: ${problem}`);
  const text = canonicalJson(payload);
  const signature = sign(null, Buffer.from(text, 'utf8'), privateKey).toString('base64url');
  return { payload: text, signature, keyId: feedKeyId(createPublicKey(privateKey)) };
}

// ---------------------------------------------------------------------------
// Verification

const fail = (reason: FeedAnswerFailure, message: string): FeedAnswerVerification => ({ ok: false, reason, message });

/**
 * Verifies a feed answer as the desktop must before acting on it (docs/feed.md,
 * "Client verification"), in this order:
 *
 * 1. envelope shape (three strings, sane lengths) — else MALFORMED;
 * 2. keyId names a pinned key — else BAD_SIGNATURE;
 * 3. Ed25519 signature over the exact UTF-8 payload bytes — else BAD_SIGNATURE (tampering);
 * 4. parse: canonical JSON of the expected shape, internally consistent — else MALFORMED;
 * 5. customerId is ours — else WRONG_CUSTOMER; installedVersion is what we asked
 *    about — else WRONG_REQUEST (replay of an answer made for another version);
 * 6. now < expiresAt — else EXPIRED (frozen or replayed answer);
 * 7. catalogVersion ≥ lastSeenCatalogVersion — else ROLLBACK.
 *
 * The caller stores `payload.catalogVersion` as its new last-seen value on success
 * (feed-client-verify.ts does). Never throws for a bad answer.
 *
 * @throws TypeError only for bad options (an invalid date or last-seen catalog version, a non-Ed25519 key).
 * @param publicKey - the pinned key, or several during a key rotation (picked by keyId).
 */
export function verifyFeedAnswer(
  publicKey: KeyObject | readonly KeyObject[],
  answer: unknown,
  options: VerifyFeedAnswerOptions,
): FeedAnswerVerification {
  const keys = Array.isArray(publicKey) ? (publicKey as readonly KeyObject[]) : [publicKey as KeyObject];
  // A corrupt client state must not fail open (NaN would pass every comparison below).
  if (!isSafeNat(options.lastSeenCatalogVersion)) throw new TypeError('lastSeenCatalogVersion must be a non-negative integer');
  if (Number.isNaN(options.now.getTime())) throw new TypeError('now must be a valid date');
  const pinned = new Map(keys.map((k) => [feedKeyId(k), k]));

  // 1. Envelope.
  if (typeof answer !== 'object' || answer === null) return fail('MALFORMED', 'the answer is not an object');
  const { payload, signature, keyId } = answer as Record<string, unknown>;
  if (typeof payload !== 'string' || typeof signature !== 'string' || typeof keyId !== 'string') {
    return fail('MALFORMED', 'the answer needs string payload, signature and keyId');
  }
  if (Buffer.byteLength(payload, 'utf8') > MAX_FEED_PAYLOAD_BYTES) return fail('MALFORMED', 'the payload is too large');
  if (!KEY_ID_PATTERN.test(keyId)) return fail('MALFORMED', 'keyId is not 16 hex characters');
  if (!SIGNATURE_PATTERN.test(signature)) return fail('MALFORMED', 'signature is not 64 bytes of base64url');
  const signatureBytes = Buffer.from(signature, 'base64url');
  if (signatureBytes.toString('base64url') !== signature) return fail('MALFORMED', 'signature is not canonical base64url');

  // 2. Key.
  const key = pinned.get(keyId);
  if (!key) return fail('BAD_SIGNATURE', `signed with key ${keyId}, which is not pinned`);

  // 3. Signature over the exact bytes received.
  let valid = false;
  try {
    valid = verify(null, Buffer.from(payload, 'utf8'), key, signatureBytes);
  } catch {
    valid = false;
  }
  if (!valid) return fail('BAD_SIGNATURE', 'the signature does not match the payload');

  // 4. Parse.
  let parsed: unknown;
  try {
    parsed = JSON.parse(payload);
  } catch {
    return fail('MALFORMED', 'the payload is not JSON');
  }
  const problem = payloadProblem(parsed);
  if (problem) return fail('MALFORMED', problem);
  // Non-canonical text (duplicate keys, whitespace) could parse differently elsewhere: refuse it.
  try {
    if (canonicalJson(parsed) !== payload) return fail('MALFORMED', 'the payload is not canonical JSON');
  } catch {
    return fail('MALFORMED', 'the payload is not canonical JSON');
  }
  const answerPayload = parsed as FeedAnswerPayload;

  // 5. Is it an answer to our question?
  if (answerPayload.customerId !== options.expectedCustomerId) {
    return fail('WRONG_CUSTOMER', 'the answer was made for another customer');
  }
  if (answerPayload.installedVersion !== options.installedVersion) {
    return fail('WRONG_REQUEST', `the answer was made for version ${answerPayload.installedVersion}, not ${options.installedVersion}`);
  }

  // 6. Freshness.
  const now = Math.floor(options.now.getTime() / 1000);
  if (!(now < answerPayload.expiresAt))
    return fail('EXPIRED', `the answer expired at ${new Date(answerPayload.expiresAt * 1000).toISOString()}`);

  // 7. Rollback.
  if (answerPayload.catalogVersion < options.lastSeenCatalogVersion) {
    return fail(
      'ROLLBACK',
      `catalog version ${answerPayload.catalogVersion} is older than ${options.lastSeenCatalogVersion}, already accepted`,
    );
  }
  return { ok: true, payload: answerPayload };
}

// ---------------------------------------------------------------------------
// Shape and consistency checks shared by signer and verifier

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function hasOnlyKeys(o: Record<string, unknown>, allowed: readonly string[]): boolean {
  return Object.keys(o).every((k) => allowed.includes(k));
}

function isText(v: unknown): boolean {
  return isObject(v) && hasOnlyKeys(v, ['it', 'en']) && typeof v.it === 'string' && typeof v.en === 'string';
}

function isHttpUrl(v: unknown): boolean {
  if (typeof v !== 'string') return false;
  try {
    const url = new URL(v);
    return url.protocol === 'https:' || url.protocol === 'http:';
  } catch {
    return false;
  }
}

function digestProblem(d: unknown, name: string, extra: readonly string[] = []): string | undefined {
  if (!isObject(d) || !hasOnlyKeys(d, ['size', 'sha256', ...extra])) return `${name} package is not {size, sha256}`;
  if (!isSafeNat(d.size)) return `${name} package size is not a non-negative integer`;
  if (typeof d.sha256 !== 'string' || !SHA256_PATTERN.test(d.sha256)) return `${name} package sha256 is not 64 lower-case hex characters`;
  return undefined;
}

function noticeProblem(n: unknown): string | undefined {
  if (!isObject(n) || !hasOnlyKeys(n, ['kind', 'colour', 'text', 'actions', 'version'])) return 'notice has an unexpected shape';
  const kind = n.kind as NoticeKind;
  if (!(NOTICE_KINDS as readonly unknown[]).includes(kind)) return 'notice kind is unknown';
  if (kind === 'feed-unreachable') return 'the server never sends feed-unreachable';
  if (n.colour !== NOTICE_COLOURS[kind]) return `notice ${kind} must be ${NOTICE_COLOURS[kind]}`;
  if (kind === 'none' ? n.text !== null : !isText(n.text)) return 'notice text is wrong for its kind';
  if (n.version !== undefined && !isVersionCode(n.version)) return 'notice version is not a version code';
  if (!Array.isArray(n.actions)) return 'notice actions is not a list';
  for (const a of n.actions as unknown[]) {
    if (!isObject(a) || !hasOnlyKeys(a, ['id', 'label', 'adminOnly', 'url'])) return 'notice action has an unexpected shape';
    if (!ACTION_IDS.has(a.id as NoticeActionId) || !isText(a.label) || typeof a.adminOnly !== 'boolean') return 'notice action is invalid';
    if (a.url !== undefined && !isHttpUrl(a.url)) return 'notice action url is not an http(s) URL';
  }
  return undefined;
}

/** Describes the first thing wrong with a payload, or undefined when it is well-formed and consistent. */
function payloadProblem(p: unknown): string | undefined {
  if (!isObject(p)) return 'payload is not an object';
  const allowed = ['type', 'format', 'customerId', 'installedVersion', 'catalogVersion', 'issuedAt', 'expiresAt', 'notice', 'update'];
  if (!hasOnlyKeys(p, allowed) || !allowed.every((k) => k in p)) return 'payload fields are not the expected ones';
  if (p.type !== FEED_ANSWER_TYPE || p.format !== FEED_ANSWER_FORMAT) return 'payload is not a feed answer of format 1';
  if (typeof p.customerId !== 'string' || p.customerId === '') return 'customerId is not a non-empty string';
  if (!isVersionCode(p.installedVersion)) return 'installedVersion is not a version code';
  if (!isSafeNat(p.catalogVersion)) return 'catalogVersion is not a non-negative integer';
  if (!isSafeNat(p.issuedAt) || !isSafeNat(p.expiresAt) || p.expiresAt <= p.issuedAt)
    return 'issuedAt/expiresAt are not increasing epoch seconds';
  const noticeIssue = noticeProblem(p.notice);
  if (noticeIssue) return noticeIssue;
  const notice = p.notice as unknown as Notice;

  const u = p.update;
  if (u === null) {
    if (RELEASE_NOTICES.has(notice.kind)) return `notice ${notice.kind} needs an update`;
    return undefined;
  }
  if (!isObject(u) || !hasOnlyKeys(u, ['version', 'notesUrl', 'requiresConfirmationCode', 'desktop', 'mobile'])) {
    return 'update has an unexpected shape';
  }
  if (!isVersionCode(u.version)) return 'update version is not a version code';
  // FEED-3: the feed only ever moves a desktop forward; a signed "update" to an older version is a bug or an attack.
  if (compareVersions(u.version, p.installedVersion) <= 0) return 'update version is not newer than the installed version';
  if (!isHttpUrl(u.notesUrl)) return 'update notesUrl is not an http(s) URL';
  if (typeof u.requiresConfirmationCode !== 'boolean') return 'update requiresConfirmationCode is not a boolean';
  const desktopIssue = digestProblem(u.desktop, 'desktop', ['url', 'urlExpiresAt']);
  if (desktopIssue) return desktopIssue;
  const desktop = u.desktop as Record<string, unknown>;
  if (!isHttpUrl(desktop.url)) return 'desktop package url is not an http(s) URL';
  if (!isSafeNat(desktop.urlExpiresAt)) return 'desktop package urlExpiresAt is not epoch seconds';
  const mobileIssue = digestProblem(u.mobile, 'mobile');
  if (mobileIssue) return mobileIssue;
  if (notice.kind === 'none') return 'notice none contradicts an available update';
  if (RELEASE_NOTICES.has(notice.kind) && notice.version !== u.version) return 'notice version differs from the update version';
  return undefined;
}
