import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Two-step confirmations (Force update, Disable device, Aggiornamento concluso
 * with devices not updated): step one returns a token bound to the customer, the
 * session, its current `version`, the action and its subject; step two must send
 * it back. Any change to the session in between (another admin, a device
 * report that moved the state) makes the token stale → 409. Stateless: an HMAC.
 */
export interface ConfirmBinding {
  customerId: string;
  sessionId: string;
  version: number;
  action: string;
  /** e.g. the device serial for Disable device. */
  subject?: string;
}

const message = (b: ConfirmBinding) =>
  ['mophas/confirm-token/v1', b.customerId, b.sessionId, b.version, b.action, b.subject ?? ''].join('|');

/** Derives the token key from a master secret (domain-separated from other uses). */
export const confirmTokenKey = (masterSecret: string) => createHmac('sha256', masterSecret).update('mophas/confirm-token-key/v1').digest();

export function confirmToken(key: Uint8Array, binding: ConfirmBinding): string {
  return createHmac('sha256', key).update(message(binding)).digest('base64url').slice(0, 32);
}

export function verifyConfirmToken(key: Uint8Array, binding: ConfirmBinding, token: string): boolean {
  const expected = Buffer.from(confirmToken(key, binding));
  const given = Buffer.from(token);
  return expected.length === given.length && timingSafeEqual(expected, given);
}
