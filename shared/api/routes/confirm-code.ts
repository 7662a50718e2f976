import * as z from 'zod';
import { defineRoute } from '../contract';
import { Timestamp } from '../components';
import { Code, CodeField, Count, CustomerIdField, SerialField, VersionField } from '../fields';

const VersionPath = z.object({ version: VersionField });
const SerialPath = z.object({ serial: SerialField });
const LockAction = z.enum(['lock', 'unlock']);

/** The `confirm-code` function: confirmation codes (CODE-*) and the manual lock/unlock exchange (LOCK-*). */
export const confirmCode = {
  checkCode: defineRoute({
    method: 'POST',
    path: '/v1/codes/check',
    fn: 'confirm-code',
    auth: 'public',
    summary: 'Check a 3×5-digit code for typos before it is submitted',
    maxBodyBytes: 1024,
    body: z.object({ code: CodeField }),
    responses: { 200: z.object({ ok: z.literal(true), formatted: Code }) },
    errors: { 400: ['CODE_FORMAT', 'CODE_TYPO'] },
  }),
  challenge: defineRoute({
    method: 'POST',
    path: '/v1/desktop/releases/{version}/challenge',
    fn: 'confirm-code',
    auth: 'admin',
    summary: 'Open the confirmation-code window: a new challenge, voiding the previous one',
    maxBodyBytes: 1024,
    params: VersionPath,
    body: z.object({}),
    bodyOptional: true,
    responses: {
      201: z.object({
        version: VersionField,
        challenge: Code,
        groups: z.array(z.string().regex(/^[0-9]{5}$/)).length(3),
        expiresAt: Timestamp,
        attemptsLeft: Count,
      }),
    },
    errors: { 404: ['NOT_FOUND'], 409: ['CONFIRMATION_NOT_REQUIRED', 'ALREADY_CONFIRMED'], 429: ['TOO_MANY_CHALLENGES'] },
  }),
  confirmation: defineRoute({
    method: 'POST',
    path: '/v1/desktop/releases/{version}/confirmation',
    fn: 'confirm-code',
    auth: 'admin',
    summary: "Submit support's response to the open challenge",
    maxBodyBytes: 1024,
    params: VersionPath,
    body: z.object({ response: CodeField }),
    responses: { 200: z.object({ version: VersionField, confirmed: z.literal(true), confirmedAt: Timestamp }) },
    errors: {
      400: ['CODE_FORMAT', 'CODE_TYPO'],
      404: ['NOT_FOUND'],
      409: ['CONFIRMATION_NOT_REQUIRED', 'NO_CHALLENGE', 'CHALLENGE_USED', 'CHALLENGE_EXPIRED', 'CHALLENGE_CHANGED'],
      422: ['CODE_MISMATCH'],
      429: ['TOO_MANY_ATTEMPTS'],
    },
  }),
  confirmationResponse: defineRoute({
    method: 'POST',
    path: '/v1/support/confirmation-responses',
    fn: 'confirm-code',
    auth: 'support',
    summary: 'Generate the response for a challenge read over the phone',
    maxBodyBytes: 1024,
    body: z.object({ customerId: CustomerIdField, version: VersionField, challenge: CodeField }),
    responses: { 200: z.object({ customerId: CustomerIdField, version: VersionField, challenge: Code, response: Code }) },
    errors: {
      400: ['CODE_FORMAT', 'CODE_TYPO'],
      404: ['NOT_FOUND'],
      409: ['CONFIRMATION_NOT_REQUIRED', 'CHALLENGE_NOT_OPEN'],
      429: ['TOO_MANY_RESPONSES'],
    },
  }),
  lockExchange: defineRoute({
    method: 'POST',
    path: '/v1/desktop/devices/{serial}/lock-exchange',
    fn: 'confirm-code',
    auth: 'admin',
    summary: 'GENERA: code 2 for the code 1 read by the operator',
    maxBodyBytes: 1024,
    params: SerialPath,
    body: z.object({ action: LockAction, code1: CodeField }),
    responses: { 200: z.object({ serial: SerialField, action: LockAction, code2: Code, expiresAt: Timestamp }) },
    errors: {
      400: ['CODE_FORMAT', 'CODE_TYPO', 'CODE_BAD_ACTION', 'WRONG_ACTION'],
      404: ['NOT_FOUND'],
      409: ['DEVICE_DISABLED', 'NO_LOCK_SECRET'],
    },
  }),
  lockVerify: defineRoute({
    method: 'POST',
    path: '/v1/desktop/devices/{serial}/lock-exchange/verify',
    fn: 'confirm-code',
    auth: 'admin',
    summary: 'VERIFICA: check code 3; the device row shows Blocked/unblocked',
    maxBodyBytes: 1024,
    params: SerialPath,
    body: z.object({ code3: CodeField }),
    responses: { 200: z.object({ serial: SerialField, action: LockAction, verified: z.literal(true), blocked: z.boolean() }) },
    errors: {
      400: ['CODE_FORMAT', 'CODE_TYPO'],
      404: ['NOT_FOUND'],
      409: ['DEVICE_DISABLED', 'NO_LOCK_SECRET', 'NO_EXCHANGE', 'EXCHANGE_USED', 'EXCHANGE_EXPIRED', 'EXCHANGE_CHANGED', 'EXCHANGE_STALE'],
      422: ['CODE_MISMATCH'],
      429: ['TOO_MANY_ATTEMPTS'],
    },
  }),
};
