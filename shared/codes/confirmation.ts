/**
 * Confirmation codes (SPEC CODE-1..4): the desktop shows a random challenge,
 * support turns it into a response bound to customer, release and challenge.
 *
 * - customer key  = HMAC-SHA256(masterSecret, "mophas/confirm/v1/customer-key|" + customerId)
 * - response data = mac12(customerKey, "mophas/confirm/v1/response|" + customerId + "|" +
 *                         releaseVersion + "|" + challengeData12)
 *
 * This module is pure: single use, expiry, attempt limits, authorisation and
 * audit (CODE-4) are enforced by the caller around it (see
 * docs/code-algorithms.md, "Security rationale").
 */
import { createHmac } from 'node:crypto';
import {
  type CodeInput,
  CodeInputError,
  type MismatchFailure,
  type ParseFailure,
  formatCode,
  mismatchFailure,
  parseCode,
  requireCodeData,
  requireIdentifier,
  DATA_DIGITS,
} from './code-format';
import { digitsEqual, mac12, randomDigits } from './code-crypto';

/** Domain-separation prefix of the customer-key derivation message. */
export const CUSTOMER_KEY_PREFIX = 'mophas/confirm/v1/customer-key|';
/** Domain-separation prefix of the response MAC message. */
export const RESPONSE_PREFIX = 'mophas/confirm/v1/response|';
/** Minimum length of the master secret and of a customer key, in bytes. */
export const MIN_KEY_BYTES = 32;

/** FEED-1 version code: major.minor.patch_build, every part numeric. */
const RELEASE_VERSION = /^[0-9]+\.[0-9]+\.[0-9]+_[0-9]+$/;

/** What a response is bound to. */
export interface ConfirmationParams {
  /** The customer's stable identifier, used verbatim (UTF-8). No `|`. */
  readonly customerId: string;
  /** The release's version code exactly as published, e.g. `03.01.00_030`. */
  readonly releaseVersion: string;
  /** The challenge: 12 data digits, or any code string/fields {@link parseCode} accepts. */
  readonly challenge: CodeInput;
}

/** A freshly generated challenge. */
export interface Challenge {
  /** 12 uniformly random data digits. */
  readonly data: string;
  /** The challenge as shown to the user, `NNNNN-NNNNN-NNNNN`. */
  readonly formatted: string;
}

/** Result of {@link verifyConfirmationResponse}. */
export type ConfirmationVerification = { readonly ok: true } | ParseFailure | MismatchFailure;

function requireKey(what: string, key: Uint8Array): void {
  if (!(key instanceof Uint8Array) || key.length < MIN_KEY_BYTES) {
    throw new CodeInputError(`${what} must be at least ${MIN_KEY_BYTES} bytes`);
  }
}

function requireReleaseVersion(version: string): string {
  if (typeof version !== 'string' || !RELEASE_VERSION.test(version)) {
    throw new CodeInputError('releaseVersion must look like 03.01.00_030');
  }
  return version;
}

/**
 * Derives a customer's confirmation key from the master secret:
 * `HMAC-SHA256(key = masterSecret, message = UTF-8("mophas/confirm/v1/customer-key|" + customerId))`.
 *
 * A per-customer key lets an agent's tooling hold only the keys of its own
 * customers; knowing one customer key reveals nothing about the others.
 *
 * @param masterSecret - at least 32 secret bytes.
 * @param customerId - the customer's identifier (non-empty, no `|`).
 * @returns the 32-byte customer key.
 * @throws CodeInputError on a short secret or an invalid customer id.
 */
export function deriveCustomerKey(masterSecret: Uint8Array, customerId: string): Buffer {
  requireKey('masterSecret', masterSecret);
  requireIdentifier('customerId', customerId);
  return createHmac('sha256', masterSecret)
    .update(CUSTOMER_KEY_PREFIX + customerId, 'utf8')
    .digest();
}

/**
 * Generates a new challenge of 12 uniformly random data digits (CSPRNG).
 *
 * @returns the data digits and their formatted rendering.
 */
export function newChallenge(): Challenge {
  const data = randomDigits(DATA_DIGITS);
  return { data, formatted: formatCode(data) };
}

/**
 * Computes the 12 data digits of the response (no check digits).
 *
 * @param customerKey - from {@link deriveCustomerKey}.
 * @param params - customer, release and challenge the response is bound to.
 * @returns 12 digits.
 * @throws CodeInputError if any parameter is invalid (including a challenge that
 *   is neither 12 digits nor a valid code — parse a typed challenge with
 *   `parseCode` first to show the user a FORMAT/TYPO message).
 */
export function confirmationResponseData(customerKey: Uint8Array, params: ConfirmationParams): string {
  requireKey('customerKey', customerKey);
  const customerId = requireIdentifier('customerId', params.customerId);
  const releaseVersion = requireReleaseVersion(params.releaseVersion);
  const challenge = requireCodeData(params.challenge, 'challenge');
  return mac12(customerKey, `${RESPONSE_PREFIX}${customerId}|${releaseVersion}|${challenge}`);
}

/**
 * Computes the response support reads back to the customer.
 *
 * MAC = HMAC-SHA256(customerKey, UTF-8("mophas/confirm/v1/response|" + customerId +
 * "|" + releaseVersion + "|" + challengeData12)); its first 8 bytes, as an
 * unsigned 64-bit big-endian integer mod 10^12, left-padded to 12 digits, are
 * the response's data digits (see `mac12` for the negligible bias).
 *
 * @param customerKey - from {@link deriveCustomerKey}.
 * @param params - customer, release and challenge the response is bound to.
 * @returns the formatted response `NNNNN-NNNNN-NNNNN`.
 * @throws CodeInputError if any parameter is invalid.
 */
export function confirmationResponse(customerKey: Uint8Array, params: ConfirmationParams): string {
  return formatCode(confirmationResponseData(customerKey, params));
}

/**
 * Checks a response typed by the customer.
 *
 * The input is parsed first, so a FORMAT or TYPO failure is returned before any
 * comparison: the caller must not count those as attempts. Only a well-formed
 * response is compared, in constant time, giving `ok: true` or MISMATCH (which
 * the caller counts as a spent attempt).
 *
 * @param customerKey - from {@link deriveCustomerKey}.
 * @param params - the stored customer, release and challenge.
 * @param responseInput - the response as typed (one string or three fields).
 * @returns `{ ok: true }`, a FORMAT/TYPO parse failure, or MISMATCH.
 * @throws CodeInputError if `customerKey` or `params` are invalid (they are held
 *   by the server, so that is a programming error).
 */
export function verifyConfirmationResponse(
  customerKey: Uint8Array,
  params: ConfirmationParams,
  responseInput: CodeInput,
): ConfirmationVerification {
  const expected = confirmationResponseData(customerKey, params);
  const parsed = parseCode(responseInput);
  if (!parsed.ok) return parsed;
  if (digitsEqual(expected, parsed.data)) return { ok: true };
  return mismatchFailure(
    'The code is not correct: the update cannot start',
    "Il codice non è corretto: impossibile avviare l'aggiornamento",
  );
}
