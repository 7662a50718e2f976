import type { LocalizedText } from '../feed/notice';
import { conditionsOf, lastWave, type RolloutPlan } from './plan';
import { waveOf } from './waves';

/**
 * The state of a release's rollout as a pure state machine (docs/rollout.md has
 * the diagram). Storage (shared/db/rollout.ts) writes every change with a
 * condition on `revision` and bumps the catalog version in the same transaction.
 *
 * Time-based steps — the scheduled start, and a wave opening once its soak time
 * has passed and its success threshold was met — are not written when they
 * happen: `settle()` derives them from the stored state and the clock, the
 * same way everywhere (feed, session, support). The next write of the rollout
 * records them (and audits them with the time they happened).
 */

/** Stored control status; `withdrawn` is final. */
export type RolloutStatus = 'active' | 'paused' | 'halted' | 'withdrawn';

/** Why the rollout halted: the counters when the error threshold was reached. */
export interface HaltRecord {
  readonly at: string;
  readonly started: number;
  readonly failed: number;
  readonly failedPercent: number;
}

/** A release's rollout as stored (one item per release, in the catalog). */
export interface Rollout {
  readonly version: string;
  /** Optimistic-concurrency counter: every write increments it (0 = nothing stored yet). */
  readonly revision: number;
  readonly status: RolloutStatus;
  /** Absent for a release withdrawn without ever having a plan. */
  readonly plan?: RolloutPlan;
  /** When the pilot wave opens: the plan's start time, or the moment the plan was set if that is later. */
  readonly startsAt?: string;
  /** Highest open wave (0 = pilot); absent before the start. */
  readonly openWave?: number;
  readonly waveOpenedAt?: string;
  /** When the open wave met its success threshold (sessions concluded without failure). */
  readonly waveSucceededAt?: string;
  /** No wave opens on its own before this (set by resume: the open wave soaks again from then). */
  readonly notBefore?: string;
  readonly halt?: HaltRecord;
  readonly withdrawnAt?: string;
  readonly withdrawReason?: string;
  readonly updatedAt: string;
  readonly updatedBy: string;
}

/** What the rollout is doing now (after settle). */
export const ROLLOUT_PHASES = ['unrestricted', 'scheduled', 'running', 'complete', 'paused', 'halted', 'withdrawn'] as const;
export type RolloutPhase = (typeof ROLLOUT_PHASES)[number];

/** Support's actions on a rollout. */
export const ROLLOUT_ACTIONS = ['set-plan', 'pause', 'resume', 'advance', 'withdraw'] as const;
export type RolloutAction = (typeof ROLLOUT_ACTIONS)[number];

/** Which support actions each phase allows. */
export const ALLOWED_ROLLOUT_ACTIONS: Readonly<Record<RolloutPhase, readonly RolloutAction[]>> = {
  unrestricted: ['set-plan', 'withdraw'],
  scheduled: ['set-plan', 'pause', 'advance', 'withdraw'],
  running: ['set-plan', 'pause', 'advance', 'withdraw'],
  complete: ['set-plan', 'withdraw'],
  paused: ['set-plan', 'resume', 'advance', 'withdraw'],
  halted: ['set-plan', 'resume', 'withdraw'],
  withdrawn: [],
};

/** Phase names for people (support CLI and console). */
export const PHASE_TEXT: Readonly<Record<RolloutPhase, LocalizedText>> = {
  unrestricted: { it: 'nessun piano: offerta a tutti', en: 'no plan: offered to everyone' },
  scheduled: { it: 'programmato', en: 'scheduled' },
  running: { it: 'in corso', en: 'running' },
  complete: { it: 'completo: offerta a tutti', en: 'complete: offered to everyone' },
  paused: { it: 'in pausa', en: 'paused' },
  halted: { it: "fermato per superamento della soglia d'errore", en: 'halted: error threshold reached' },
  withdrawn: { it: 'ritirato', en: 'withdrawn' },
};

/** A wave that opened because its time came (scheduled start, or soak and success). */
export interface RolloutStep {
  readonly wave: number;
  readonly at: string;
}

/** Per-wave progress counters (written by the feed, the download report and session transitions). */
export interface WaveCounters {
  offered: number;
  downloaded: number;
  started: number;
  concluded: number;
  failed: number;
}

export const COUNTER_FIELDS = ['offered', 'downloaded', 'started', 'concluded', 'failed'] as const;
export type CounterField = (typeof COUNTER_FIELDS)[number];

export const emptyCounters = (): WaveCounters => ({ offered: 0, downloaded: 0, started: 0, concluded: 0, failed: 0 });

const ms = (iso: string | undefined) => (iso === undefined ? undefined : Date.parse(iso));
const iso = (t: number) => new Date(t).toISOString();

/** Opens wave `wave` at `at`; a wave whose threshold is zero sessions has met it on opening. */
function openWave(r: Rollout & { plan: RolloutPlan }, wave: number, at: string): Rollout {
  const conditions = conditionsOf(r.plan, wave);
  return { ...r, openWave: wave, waveOpenedAt: at, waveSucceededAt: conditions?.minConcluded === 0 ? at : undefined };
}

/**
 * Applies the time-based steps due by `now`: the scheduled start, then each
 * wave whose soak time has passed and whose success threshold was met (not
 * before `notBefore`). Only an `active` rollout moves on its own. Deterministic
 * and monotonic: settling at t1 then at t2 ≥ t1 gives the same as settling at t2.
 */
export function settle(r: Rollout, now: Date): { rollout: Rollout; steps: RolloutStep[] } {
  const plan = r.plan;
  if (!plan || r.status !== 'active') return { rollout: r, steps: [] };
  const t = now.getTime();
  const notBefore = ms(r.notBefore) ?? Number.NEGATIVE_INFINITY;
  const steps: RolloutStep[] = [];
  let current: Rollout & { plan: RolloutPlan } = { ...r, plan };
  for (;;) {
    let opensAt: number;
    if (current.openWave === undefined) {
      opensAt = Math.max(ms(current.startsAt ?? current.updatedAt)!, notBefore);
    } else {
      const conditions = conditionsOf(plan, current.openWave);
      const succeededAt = ms(current.waveSucceededAt);
      if (!conditions || succeededAt === undefined) break;
      opensAt = Math.max(ms(current.waveOpenedAt)! + conditions.soakMs, succeededAt, notBefore);
    }
    if (t < opensAt) break;
    const wave = current.openWave === undefined ? 0 : current.openWave + 1;
    current = { ...openWave(current, wave, iso(opensAt)), plan };
    steps.push({ wave, at: iso(opensAt) });
  }
  return { rollout: current, steps };
}

/** The phase of a settled rollout (or of no rollout at all). */
export function phaseOf(r: Rollout | undefined): RolloutPhase {
  if (!r) return 'unrestricted';
  if (r.status === 'withdrawn') return 'withdrawn';
  if (!r.plan) return 'unrestricted';
  if (r.status === 'halted') return 'halted';
  if (r.status === 'paused') return 'paused';
  if (r.openWave === undefined) return 'scheduled';
  return r.openWave >= lastWave(r.plan) ? 'complete' : 'running';
}

/**
 * Whether a release is offered to a customer now (FEED-3 skips it otherwise):
 * no rollout → everyone; withdrawn or halted → nobody new; otherwise only the
 * customers whose wave is open (paused keeps the open waves open).
 */
export function isOfferedTo(r: Rollout | undefined, customerId: string, now: Date): boolean {
  if (!r) return true;
  if (r.status === 'withdrawn') return false;
  if (!r.plan) return true;
  if (r.status === 'halted') return false;
  const { openWave: open } = settle(r, now).rollout;
  return open !== undefined && waveOf(r.plan, customerId) <= open;
}

/**
 * Time-based steps due but not yet written, over every rollout. The feed adds
 * them to the catalog version it signs, and every write of a rollout records
 * its due steps while bumping the stored catalog version by as many (plus one
 * for the change itself): the signed catalog version moves exactly when the
 * offers move, and never goes back.
 */
export function pendingSteps(rollouts: Iterable<Rollout>, now: Date): number {
  let n = 0;
  for (const r of rollouts) n += settle(r, now).steps.length;
  return n;
}

/** When the next wave will open by itself, if the open wave's success threshold is met and nothing holds it. */
export function nextWaveAt(r: Rollout): string | undefined {
  if (!r.plan || r.status !== 'active') return undefined;
  if (r.openWave === undefined) return r.startsAt;
  const conditions = conditionsOf(r.plan, r.openWave);
  const succeededAt = ms(r.waveSucceededAt);
  if (!conditions || succeededAt === undefined) return undefined;
  return iso(Math.max(ms(r.waveOpenedAt)! + conditions.soakMs, succeededAt, ms(r.notBefore) ?? 0));
}

/** Sums the per-wave counters. */
export function totalsOf(counters: readonly WaveCounters[]): WaveCounters {
  const sum = emptyCounters();
  for (const c of counters) for (const f of COUNTER_FIELDS) sum[f] += c[f];
  return sum;
}

/** Failed ÷ started as a percentage (0 when nothing started), rounded to 0.1. */
export const failedPercent = (t: Pick<WaveCounters, 'started' | 'failed'>) =>
  t.started === 0 ? 0 : Math.round((t.failed * 1000) / t.started) / 10;

/** The error threshold: at least `minStarted` started and failed ÷ started ≥ `percent` %. */
export function errorThresholdReached(plan: RolloutPlan, t: Pick<WaveCounters, 'started' | 'failed'>): boolean {
  return t.started >= plan.errorThreshold.minStarted && t.failed * 100 >= plan.errorThreshold.percent * t.started;
}

/** A refused action: a stable code and the reason for people. */
export interface Refusal {
  readonly code: 'ROLLOUT_ACTION_NOT_ALLOWED' | 'NO_NEXT_WAVE' | 'RELEASE_WITHDRAWN';
  readonly message: LocalizedText;
}

export type Outcome = { ok: true; rollout: Rollout } | { ok: false; refusal: Refusal };

const refuse = (code: Refusal['code'], it: string, en: string): Outcome => ({ ok: false, refusal: { code, message: { it, en } } });

function notAllowed(action: RolloutAction, phase: RolloutPhase): Outcome {
  if (phase === 'withdrawn') {
    return refuse(
      'RELEASE_WITHDRAWN',
      'La versione è stata ritirata: il suo piano di distribuzione non può più cambiare.',
      'The release was withdrawn: its rollout can no longer change.',
    );
  }
  return refuse(
    'ROLLOUT_ACTION_NOT_ALLOWED',
    `Azione "${action}" non consentita: la distribuzione è ${PHASE_TEXT[phase].it}.`,
    `"${action}" is not allowed while the rollout is ${PHASE_TEXT[phase].en}.`,
  );
}

/** A rollout with no stored item yet (the release is offered to everyone). */
export function unrestricted(version: string, now: Date): Rollout {
  return { version, revision: 0, status: 'active', updatedAt: now.toISOString(), updatedBy: '' };
}

/**
 * Support changes a settled rollout. `set-plan` on a release without a plan
 * starts a new rollout (pilot at `startAt`, or now); on a rollout under way it
 * keeps the waves already open and the status, and re-applies the start time
 * only if the rollout has not started yet. Withdraw is final.
 */
export function applyAction(r: Rollout, action: RolloutAction, now: Date, input: { plan?: RolloutPlan; reason?: string } = {}): Outcome {
  const phase = phaseOf(r);
  if (!ALLOWED_ROLLOUT_ACTIONS[phase].includes(action)) return notAllowed(action, phase);
  const at = now.toISOString();
  switch (action) {
    case 'set-plan': {
      const plan = input.plan;
      if (!plan) throw new Error('applyAction(set-plan) needs a plan');
      const startsAt = iso(Math.max(ms(plan.startAt) ?? now.getTime(), now.getTime()));
      if (!r.plan || r.openWave === undefined) {
        const fresh = !r.plan;
        return {
          ok: true,
          rollout: {
            ...r,
            plan,
            startsAt,
            status: fresh ? 'active' : r.status,
            openWave: undefined,
            waveOpenedAt: undefined,
            waveSucceededAt: undefined,
          },
        };
      }
      const open = Math.min(r.openWave, lastWave(plan));
      const conditions = conditionsOf(plan, open);
      const succeeded = r.waveSucceededAt ?? (conditions?.minConcluded === 0 ? at : undefined);
      return { ok: true, rollout: { ...r, plan, openWave: open, waveSucceededAt: conditions ? succeeded : undefined } };
    }
    case 'pause':
      return { ok: true, rollout: { ...r, status: 'paused' } };
    case 'resume': {
      // The open wave soaks again from the resume: support paused (or the rollout halted) because it was
      // unsure, so the next wave never opens the moment it resumes.
      const soakMs = r.plan && r.openWave !== undefined ? (conditionsOf(r.plan, r.openWave)?.soakMs ?? 0) : 0;
      return { ok: true, rollout: { ...r, status: 'active', notBefore: iso(now.getTime() + soakMs), halt: undefined } };
    }
    case 'advance': {
      const plan = r.plan!;
      const next = r.openWave === undefined ? 0 : r.openWave + 1;
      if (next > lastWave(plan)) {
        return refuse('NO_NEXT_WAVE', "L'ultima ondata è già aperta.", 'The last wave is already open.');
      }
      return { ok: true, rollout: openWave({ ...r, plan }, next, at) };
    }
    case 'withdraw':
      return { ok: true, rollout: { ...r, status: 'withdrawn', withdrawnAt: at, withdrawReason: input.reason } };
  }
}

/**
 * The automatic halt, decided by the session transition that counted a failure:
 * undefined when the threshold is not reached or the rollout cannot halt.
 */
export function haltIfThresholdReached(r: Rollout, totals: WaveCounters, now: Date): Rollout | undefined {
  if (!r.plan || r.status === 'halted' || r.status === 'withdrawn') return undefined;
  if (!errorThresholdReached(r.plan, totals)) return undefined;
  return {
    ...r,
    status: 'halted',
    halt: { at: now.toISOString(), started: totals.started, failed: totals.failed, failedPercent: failedPercent(totals) },
  };
}

/**
 * Records that the open wave met its success threshold (decided by the
 * session transition that counted a conclusion): undefined when nothing changes.
 */
export function recordSuccessIfReached(r: Rollout, counters: readonly WaveCounters[], now: Date): Rollout | undefined {
  if (!r.plan || r.status === 'withdrawn' || r.openWave === undefined || r.waveSucceededAt !== undefined) return undefined;
  const conditions = conditionsOf(r.plan, r.openWave);
  if (!conditions) return undefined;
  if ((counters[r.openWave]?.concluded ?? 0) < conditions.minConcluded) return undefined;
  return { ...r, waveSucceededAt: now.toISOString() };
}
