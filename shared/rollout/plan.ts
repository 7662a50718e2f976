import * as z from 'zod';
import { CustomerIdField } from '../api/fields';

/**
 * A staged rollout plan for one release (issue 14, docs/rollout.md): first an
 * explicit list of pilot customers, then waves that each take a percentage of
 * the remaining customers, chosen by a stable hash of the customer id
 * (shared/rollout/waves.ts). Each wave but the last has a soak time and a
 * success threshold that must both be met before the next wave opens on its
 * own; an error threshold over the whole rollout halts it. Pure: no AWS.
 */

/** Most pilot customers a plan may list (the plan rides in the feed's cached catalog). */
export const MAX_PILOT_CUSTOMERS = 1000;
/** Most percentage waves after the pilot wave. */
export const MAX_WAVES = 10;
/** Longest soak time of a wave. */
export const MAX_SOAK_MS = 90 * 24 * 3600 * 1000;
/** Furthest a scheduled start may lie in the future. */
export const MAX_START_AHEAD_MS = 366 * 24 * 3600 * 1000;

/** What must hold, once a wave is open, before the next one opens automatically. */
export interface WaveConditions {
  /** ISO-8601 duration (`PT24H`, `P2D`, `PT90M`): the wave stays open at least this long. */
  readonly soak: string;
  /** Sessions of this wave concluded without failure (Aggiornamento concluso) needed first. */
  readonly minConcluded: number;
}

/** A wave after the pilot: a share of the customers not in the pilot list. */
export interface PercentWave {
  readonly percent: number;
  /** Absent on the last wave (nothing opens after it). */
  readonly soak?: string;
  readonly minConcluded?: number;
}

export interface RolloutPlan {
  /** ISO-8601 UTC: the pilot wave opens then (at once when absent or already past). */
  readonly startAt?: string;
  readonly pilot: WaveConditions & { readonly customers: readonly string[] };
  readonly waves: readonly PercentWave[];
  /**
   * Halt when at least `minStarted` sessions were started (Avvia/Forza) across
   * the rollout and failed ÷ started ≥ `percent` %.
   */
  readonly errorThreshold: { readonly percent: number; readonly minStarted: number };
}

const DURATION = /^P(?:(\d{1,5})D)?(?:T(?:(\d{1,6})H)?(?:(\d{1,7})M)?(?:(\d{1,9})S)?)?$/;

/**
 * Milliseconds of an ISO-8601 duration limited to days, hours, minutes and
 * seconds (years and months have no fixed length), e.g. `P1DT12H`; undefined
 * when the text is not one.
 */
export function parseDuration(text: string): number | undefined {
  const match = DURATION.exec(text);
  if (!match || text === 'P' || text.endsWith('T')) return undefined;
  const [, d, h, m, s] = match.map((part) => Number(part ?? 0)) as [number, number, number, number, number];
  return (((d * 24 + h) * 60 + m) * 60 + s) * 1000;
}

const SoakField = z
  .string()
  .refine((value) => {
    const ms = parseDuration(value);
    return ms !== undefined && ms <= MAX_SOAK_MS;
  }, 'an ISO-8601 duration of days, hours, minutes or seconds, at most 90 days: PT24H, P2D, PT90M, PT30S')
  .meta({ examples: ['PT24H', 'P2D'] });

const MinConcludedField = z
  .number({ error: 'a whole number of sessions' })
  .int('a whole number of sessions')
  .min(0, 'zero or more sessions')
  .max(100_000, 'at most 100000 sessions');

/** The plan as support sends it; `superRefine` names the field of every inconsistency (400). */
export const RolloutPlanSchema = z
  .object({
    startAt: z.iso
      .datetime({ offset: true, error: 'an ISO-8601 date and time with its offset, e.g. 2026-12-01T06:00:00Z' })
      .transform((value) => new Date(value).toISOString())
      .optional(),
    pilot: z.object({
      customers: z
        .array(CustomerIdField)
        .min(1, 'at least one pilot customer')
        .max(MAX_PILOT_CUSTOMERS, `at most ${MAX_PILOT_CUSTOMERS} pilot customers`),
      soak: SoakField,
      minConcluded: MinConcludedField,
    }),
    waves: z
      .array(
        z.object({
          percent: z
            .number({ error: 'a whole percentage from 1 to 100' })
            .int('a whole percentage from 1 to 100')
            .min(1, 'a whole percentage from 1 to 100')
            .max(100, 'a whole percentage from 1 to 100'),
          soak: SoakField.optional(),
          minConcluded: MinConcludedField.optional(),
        }),
      )
      .min(1, 'at least one wave after the pilot: the last one reaches every customer left')
      .max(MAX_WAVES, `at most ${MAX_WAVES} waves after the pilot`),
    errorThreshold: z.object({
      percent: z
        .number({ error: 'a percentage greater than 0, at most 100' })
        .gt(0, 'a percentage greater than 0, at most 100')
        .max(100, 'a percentage greater than 0, at most 100'),
      minStarted: z.number({ error: 'a whole number of sessions, 1 or more' }).int().min(1, 'at least 1 session').max(100_000),
    }),
  })
  .superRefine((plan, ctx) => {
    const seen = new Map<string, number>();
    plan.pilot.customers.forEach((id, i) => {
      if (seen.has(id)) ctx.addIssue({ code: 'custom', path: ['pilot', 'customers', i], message: `"${id}" is listed twice` });
      seen.set(id, i);
    });
    if (plan.pilot.minConcluded > plan.pilot.customers.length) {
      ctx.addIssue({
        code: 'custom',
        path: ['pilot', 'minConcluded'],
        message: `at most the number of pilot customers (${plan.pilot.customers.length}), or the next wave could never open`,
      });
    }
    const total = plan.waves.reduce((sum, w) => sum + w.percent, 0);
    if (total !== 100) {
      ctx.addIssue({
        code: 'custom',
        path: ['waves'],
        message: `the percentages add up to ${total}, not 100: the waves together must reach every customer outside the pilot`,
      });
    }
    const last = plan.waves.length - 1;
    plan.waves.forEach((wave, i) => {
      for (const field of ['soak', 'minConcluded'] as const) {
        if (i < last && wave[field] === undefined) {
          ctx.addIssue({ code: 'custom', path: ['waves', i, field], message: 'required: what must hold before the next wave opens' });
        }
        if (i === last && wave[field] !== undefined) {
          ctx.addIssue({
            code: 'custom',
            path: ['waves', i, field],
            message: 'not allowed on the last wave: no wave opens after it',
          });
        }
      }
    });
  });

/** Number of waves including the pilot (wave 0). */
export const waveCount = (plan: RolloutPlan) => plan.waves.length + 1;

/** Index of the last wave: once it is open the release is offered to everyone. */
export const lastWave = (plan: RolloutPlan) => plan.waves.length;

/** The conditions to meet in wave `index` before wave `index + 1` opens; undefined for the last wave. */
export function conditionsOf(plan: RolloutPlan, index: number): { soakMs: number; minConcluded: number } | undefined {
  if (index >= lastWave(plan)) return undefined;
  const stage = index === 0 ? plan.pilot : plan.waves[index - 1]!;
  return { soakMs: parseDuration(stage.soak ?? 'PT0S') ?? 0, minConcluded: stage.minConcluded ?? 0 };
}
