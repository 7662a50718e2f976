/**
 * What a push fan-out is asked (the request, validated with zod) and what it
 * answers (the per-device summary of SES-3/7/10). Pure.
 */
import * as z from 'zod';
import type { Operator } from '../db/devices';
import { isVersionCode } from '../domain/version';
import { badRequest } from '../errors';
import { parsePushCommand, type DeviceOutcome, type PushCommand, type PushReasonCode, type Texts } from './commands';

/** Serials, customer ids and command ids end up in keys and map paths: keep them plain. */
const idString = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9._-]+$/, 'only letters, digits, ".", "_" and "-"');

/** One job may name at most this many devices (an SQS message stays far below 256 KB). */
export const MAX_SERIALS_PER_REQUEST = 1000;

export const FanOutRequestSchema = z.object({
  customerId: idString,
  sessionId: idString,
  sessionVersion: z.number().int().min(0),
  /** Checked separately so an unknown command is a 400 UNKNOWN_COMMAND, not a generic validation error. */
  command: z.string(),
  /** Idempotency key chosen by the caller, e.g. `${sessionId}:${command}:${attempt}`. */
  commandId: z
    .string()
    .min(1)
    .max(128)
    .regex(/^[A-Za-z0-9._:#-]+$/, 'only letters, digits and . _ : # -'),
  /** One row or a subset (SES-3 "all, or one row to retry"); omitted → every enabled device. */
  serials: z.array(idString).min(1).max(MAX_SERIALS_PER_REQUEST).optional(),
  targetVersion: z.string().refine(isVersionCode, 'must be a version code like 03.01.00_030').optional(),
});

export type FanOutRequestInput = z.input<typeof FanOutRequestSchema>;
export type FanOutRequest = Omit<z.output<typeof FanOutRequestSchema>, 'command'> & { command: PushCommand };

/** Validates a fan-out request: 400 UNKNOWN_COMMAND for a bad command, 400 VALIDATION_FAILED for anything else. */
export function parseFanOutRequest(input: unknown): FanOutRequest {
  const command = typeof input === 'object' && input !== null ? (input as { command?: unknown }).command : undefined;
  const parsed = FanOutRequestSchema.safeParse(input);
  if (!parsed.success) {
    const onlyCommand = parsed.error.issues.every((i) => i.path[0] === 'command');
    if (onlyCommand) parsePushCommand(command);
    const issues = parsed.error.issues.map((i) => ({ field: i.path.join('.') || '(request)', problem: i.message }));
    throw badRequest('VALIDATION_FAILED', `Invalid push request: ${issues.map((i) => `${i.field}: ${i.problem}`).join('; ')}`, { issues });
  }
  return { ...parsed.data, command: parsePushCommand(parsed.data.command) };
}

/** One line of the per-device summary (SES-3/7/10). */
export interface DeviceSummary {
  serial: string;
  operator?: Operator;
  outcome: DeviceOutcome;
  reasonCode?: PushReasonCode;
  /** Technical reason (SNS error code and message) for support; never shown as the user text. */
  reason?: string;
  messageId?: string;
  message: Texts;
}

export interface FanOutResult {
  /** False when the run stopped at the deadline or some outcomes could not be recorded: run it again (same commandId). */
  complete: boolean;
  command: PushCommand;
  commandId: string;
  devices: DeviceSummary[];
  counts: { sent: number; failed: number; skippedAlreadySent: number; noToken: number };
  /** Requested serials that are not pushed: not enabled, or no such device. */
  ignored: { serial: string; reason: 'disabled' | 'not-found' }[];
  /** Publish calls made, retries included (each took a token from the rate limiter). */
  publishCalls: number;
}
