import type { PipelinePrincipal, SupportPrincipal } from '../../shared/auth/principals';
import { actorOf } from '../../shared/db/audit';
import { getRelease } from '../../shared/db/catalog';
import { existingCustomers, listCustomerIds } from '../../shared/db/customers';
import { getRollout, readWaveCounters, RolloutChanged, updateRollout } from '../../shared/db/rollout';
import { type AppError, badRequest, conflict, notFound } from '../../shared/errors';
import { waveCount, type RolloutPlan } from '../../shared/rollout/plan';
import {
  ALLOWED_ROLLOUT_ACTIONS,
  applyAction,
  failedPercent,
  nextWaveAt,
  PHASE_TEXT,
  phaseOf,
  settle,
  totalsOf,
  unrestricted,
  type Rollout,
  type RolloutAction,
} from '../../shared/rollout/rollout';
import { customersPerWave } from '../../shared/rollout/waves';

/**
 * Support's side of staged rollouts (docs/rollout.md): the plan, pause,
 * resume, advance, withdraw, and the per-wave progress. Support staff only
 * (the routes' `staff` auth; agents never) — a plan names customers and its
 * counters cover all of them.
 */

/** The rollout as support sees it: plan and state settled at `now`, and what may be done next. */
export function rolloutView(version: string, stored: Rollout | undefined, now = new Date()) {
  const r = stored ? settle(stored, now).rollout : undefined;
  const phase = phaseOf(r);
  return {
    version,
    /** Send it back with the next change: a change made meanwhile by someone else is refused (409). */
    revision: stored?.revision ?? 0,
    phase,
    phaseText: PHASE_TEXT[phase],
    plan: r?.plan ?? null,
    startsAt: r?.startsAt ?? null,
    openWave: r?.openWave ?? null,
    waveOpenedAt: r?.waveOpenedAt ?? null,
    waveSucceededAt: r?.waveSucceededAt ?? null,
    nextWaveAt: (r && nextWaveAt(r)) ?? null,
    halt: r?.halt ?? null,
    withdrawnAt: r?.withdrawnAt ?? null,
    withdrawReason: r?.withdrawReason ?? null,
    allowedActions: ALLOWED_ROLLOUT_ACTIONS[phase],
    updatedAt: stored?.updatedAt ?? null,
    updatedBy: stored?.updatedBy ?? null,
  };
}

/** 404 for a version that was never published. */
async function requireRelease(version: string): Promise<void> {
  if (!(await getRelease(version))) throw notFound(`Release ${version}`);
}

/**
 * Every pilot customer must exist: 400 naming each unknown one (`<field>.pilot.customers.<i>`),
 * like any other invalid field.
 */
export async function assertPilotsExist(plan: RolloutPlan, field: string): Promise<void> {
  const found = await existingCustomers(plan.pilot.customers);
  const issues = plan.pilot.customers.flatMap((id, i) =>
    found.has(id) ? [] : [{ field: `${field}.pilot.customers.${i}`, problem: `no customer "${id}" exists` }],
  );
  if (issues.length > 0) {
    throw badRequest('VALIDATION_FAILED', `Invalid request body: ${issues.map((i) => `${i.field}: ${i.problem}`).join('; ')}`, {
      issues,
    });
  }
}

/** GET …/rollout: the rollout and, per wave, customers in it, offered, downloaded, started, concluded, failed. */
export async function rolloutProgress(version: string) {
  await requireRelease(version);
  const now = new Date();
  const stored = await getRollout(version);
  const view = rolloutView(version, stored, now);
  const plan = stored?.plan;
  if (!plan) return { ...view, waves: [], totals: { ...totalsOf([]), failedPercent: 0 } };
  const [counters, customerIds] = await Promise.all([readWaveCounters(version, waveCount(plan)), listCustomerIds()]);
  const sizes = customersPerWave(plan, customerIds);
  const totals = totalsOf(counters);
  return {
    ...view,
    waves: counters.map((c, wave) => ({
      wave,
      kind: wave === 0 ? ('pilot' as const) : ('percent' as const),
      percent: wave === 0 ? null : plan.waves[wave - 1]!.percent,
      open: view.openWave !== null && wave <= view.openWave,
      customers: sizes[wave] ?? 0,
      ...c,
    })),
    totals: { ...totals, failedPercent: failedPercent(totals) },
  };
}

const AUDIT_ACTION: Readonly<Record<RolloutAction, string>> = {
  'set-plan': 'rollout.plan-set',
  pause: 'rollout.paused',
  resume: 'rollout.resumed',
  advance: 'rollout.advanced',
  withdraw: 'release.withdrawn',
};

/**
 * Applies a support action to the rollout the caller saw (`revision`): 409
 * ROLLOUT_CONFLICT with the rollout as it now is when someone changed it
 * meanwhile, 409 with the reason when the phase does not allow the action.
 * Every change is audited and moves the catalog version (shared/db/rollout.ts).
 */
export async function changeRollout(
  principal: SupportPrincipal,
  version: string,
  action: RolloutAction,
  input: { revision: number; plan?: RolloutPlan; reason?: string },
) {
  await requireRelease(version);
  if (input.plan) await assertPilotsExist(input.plan, 'plan');
  try {
    const { rollout } = await updateRollout(version, { actor: actorOf(principal), expectedRevision: input.revision }, (settled, stored) => {
      const now = new Date();
      const outcome = applyAction(settled, action, now, input);
      if (!outcome.ok) {
        const { code, message } = outcome.refusal;
        throw conflict(code, message.en, { rollout: rolloutView(version, stored, now) }, message.it);
      }
      const details: Record<string, unknown> =
        action === 'set-plan'
          ? { plan: input.plan }
          : action === 'advance'
            ? { wave: outcome.rollout.openWave }
            : action === 'withdraw'
              ? { reason: input.reason ?? null }
              : {};
      return { rollout: outcome.rollout, audit: { action: AUDIT_ACTION[action], details: { fromPhase: phaseOf(settled), ...details } } };
    });
    return rolloutView(version, rollout);
  } catch (error) {
    if (error instanceof RolloutChanged) throw rolloutChanged(version, error.current);
    throw error;
  }
}

/** 409: someone changed the rollout since the caller read it. */
function rolloutChanged(version: string, current: Rollout | undefined): AppError {
  const revision = current?.revision ?? 0;
  return conflict(
    'ROLLOUT_CONFLICT',
    `The rollout of ${version} changed since you read it (now at revision ${revision}): check it as it is now and try again.`,
    { rollout: rolloutView(version, current) },
    `La distribuzione di ${version} è cambiata da quando è stata letta (ora alla revisione ${revision}): verificarla com'è ora e riprovare.`,
  );
}

/**
 * The first rollout of a release published with a plan by the build pipeline
 * (written in the publication's transaction); staff change it afterwards.
 */
export function initialRollout(version: string, plan: RolloutPlan, actor: PipelinePrincipal | SupportPrincipal, now = new Date()): Rollout {
  const outcome = applyAction(unrestricted(version, now), 'set-plan', now, { plan });
  if (!outcome.ok) throw new Error(`a new release refused its plan: ${outcome.refusal.code}`);
  return { ...outcome.rollout, updatedAt: now.toISOString(), updatedBy: `${actor.kind}:${actor.id}` };
}
