import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { RolloutPlan } from '../../../shared/rollout/plan';
import {
  ALLOWED_ROLLOUT_ACTIONS,
  applyAction,
  emptyCounters,
  errorThresholdReached,
  haltIfThresholdReached,
  isOfferedTo,
  nextWaveAt,
  pendingSteps,
  phaseOf,
  recordSuccessIfReached,
  ROLLOUT_ACTIONS,
  settle,
  totalsOf,
  unrestricted,
  type Rollout,
  type RolloutAction,
  type WaveCounters,
} from '../../../shared/rollout/rollout';
import { waveOf } from '../../../shared/rollout/waves';
import { planArb } from './arbitraries';

const T0 = Date.parse('2026-12-01T06:00:00.000Z');
const at = (minutes: number) => new Date(T0 + minutes * 60_000);

const PLAN: RolloutPlan = {
  pilot: { customers: ['pilot-a', 'pilot-b'], soak: 'PT60M', minConcluded: 1 },
  waves: [{ percent: 50, soak: 'PT30M', minConcluded: 0 }, { percent: 50 }],
  errorThreshold: { percent: 50, minStarted: 2 },
};

/** A customer of each percentage wave of PLAN. */
const inWave = (wave: number) => {
  for (let i = 0; ; i++) if (waveOf(PLAN, `c-${i}`) === wave) return `c-${i}`;
};

/** A rollout as written at `now` by setting `plan` on a release without one. */
function planned(plan: RolloutPlan, now: Date): Rollout {
  const outcome = applyAction(unrestricted('84.00.00_001', now), 'set-plan', now, { plan });
  if (!outcome.ok) throw new Error(outcome.refusal.code);
  return { ...outcome.rollout, revision: 1 };
}

function act(r: Rollout, action: RolloutAction, now: Date, plan?: RolloutPlan): Rollout {
  const outcome = applyAction(settle(r, now).rollout, action, now, { plan });
  if (!outcome.ok) throw new Error(outcome.refusal.code);
  return outcome.rollout;
}

const counters = (perWave: Partial<WaveCounters>[]) => perWave.map((c) => ({ ...emptyCounters(), ...c }));

describe('rollout: who is offered the release, and when', () => {
  it('offers the release to everyone when it has no rollout', () => {
    expect(isOfferedTo(undefined, 'anyone', at(0))).toBe(true);
    expect(phaseOf(undefined)).toBe('unrestricted');
  });

  it('opens only the pilot wave at the start', () => {
    const r = planned(PLAN, at(0));
    expect(phaseOf(settle(r, at(0)).rollout)).toBe('running');
    expect(isOfferedTo(r, 'pilot-a', at(0))).toBe(true);
    expect(isOfferedTo(r, inWave(1), at(0))).toBe(false);
    expect(isOfferedTo(r, inWave(2), at(0))).toBe(false);
  });

  it('waits for the scheduled start, then opens the pilot wave on its own', () => {
    const r = planned({ ...PLAN, startAt: at(90).toISOString() }, at(0));
    expect(phaseOf(settle(r, at(89)).rollout)).toBe('scheduled');
    expect(isOfferedTo(r, 'pilot-a', at(89))).toBe(false);
    expect(isOfferedTo(r, 'pilot-a', at(90))).toBe(true);
    expect(settle(r, at(90)).steps).toEqual([{ wave: 0, at: at(90).toISOString() }]);
  });

  it('opens the next wave once the soak time has passed and the success threshold is met, whichever comes last', () => {
    const r = planned(PLAN, at(0));
    // Success at minute 20, soak until minute 60: the wave opens at 60.
    const succeeded = recordSuccessIfReached(settle(r, at(20)).rollout, counters([{ concluded: 1 }]), at(20))!;
    expect(succeeded.waveSucceededAt).toBe(at(20).toISOString());
    expect(nextWaveAt(succeeded)).toBe(at(60).toISOString());
    expect(isOfferedTo(succeeded, inWave(1), at(59))).toBe(false);
    expect(isOfferedTo(succeeded, inWave(1), at(60))).toBe(true);
    // Wave 1 needs no conclusion: after its own 30-minute soak wave 2 opens too, and the rollout is complete.
    expect(isOfferedTo(succeeded, inWave(2), at(89))).toBe(false);
    const settled = settle(succeeded, at(90));
    expect(settled.steps.map((s) => s.wave)).toEqual([1, 2]);
    expect(phaseOf(settled.rollout)).toBe('complete');
  });

  it('never opens the next wave on soak time alone while the success threshold is not met', () => {
    const r = planned(PLAN, at(0));
    expect(settle(r, at(10_000)).rollout.openWave).toBe(0);
    expect(recordSuccessIfReached(r, counters([{ concluded: 0 }]), at(5))).toBeUndefined();
  });

  it('keeps the open waves offered while paused, opens no new one, and soaks the open wave again from the resume', () => {
    let r = planned(PLAN, at(0));
    r = recordSuccessIfReached(settle(r, at(5)).rollout, counters([{ concluded: 1 }]), at(5))!;
    r = act(r, 'pause', at(10));
    expect(isOfferedTo(r, 'pilot-b', at(500))).toBe(true);
    expect(isOfferedTo(r, inWave(1), at(500))).toBe(false);
    r = act(r, 'resume', at(500));
    // The pilot's 60-minute soak starts again at the resume.
    expect(nextWaveAt(r)).toBe(at(560).toISOString());
    expect(isOfferedTo(r, inWave(1), at(559))).toBe(false);
    expect(isOfferedTo(r, inWave(1), at(560))).toBe(true);
    expect(isOfferedTo(r, inWave(2), at(589))).toBe(false);
    expect(isOfferedTo(r, inWave(2), at(590))).toBe(true);
  });

  it('opens the next wave at once on a manual advance, and refuses to go past the last', () => {
    let r = act(planned(PLAN, at(0)), 'advance', at(1));
    expect(r.openWave).toBe(1);
    expect(isOfferedTo(r, inWave(1), at(1))).toBe(true);
    r = act(r, 'advance', at(2));
    expect(phaseOf(r)).toBe('complete');
    const refused = applyAction({ ...r, status: 'paused' }, 'advance', at(3));
    expect(refused).toMatchObject({ ok: false, refusal: { code: 'NO_NEXT_WAVE' } });
  });

  it('halts on the error threshold: nobody new is offered the release until support resumes', () => {
    const r = act(planned(PLAN, at(0)), 'advance', at(1));
    expect(haltIfThresholdReached(r, { ...emptyCounters(), started: 1, failed: 1 }, at(2))).toBeUndefined(); // below minStarted
    expect(haltIfThresholdReached(r, { ...emptyCounters(), started: 3, failed: 1 }, at(2))).toBeUndefined(); // 33% < 50%
    const halted = haltIfThresholdReached(r, { ...emptyCounters(), started: 4, failed: 2 }, at(2))!;
    expect(halted.halt).toEqual({ at: at(2).toISOString(), started: 4, failed: 2, failedPercent: 50 });
    expect(phaseOf(halted)).toBe('halted');
    expect(isOfferedTo(halted, 'pilot-a', at(3))).toBe(false);
    expect(isOfferedTo(halted, inWave(1), at(3))).toBe(false);
    expect(ALLOWED_ROLLOUT_ACTIONS.halted).toEqual(['set-plan', 'resume', 'withdraw']);
    const resumed = act(halted, 'resume', at(10));
    expect(isOfferedTo(resumed, inWave(1), at(10))).toBe(true);
    expect(isOfferedTo(resumed, inWave(2), at(39))).toBe(false); // wave 1 soaks again from the resume
    expect(haltIfThresholdReached(halted, { ...emptyCounters(), started: 9, failed: 9 }, at(4))).toBeUndefined(); // already halted
  });

  it('withdraws for good: offered to nobody, and no action is allowed afterwards', () => {
    const withdrawn = act(planned(PLAN, at(0)), 'withdraw', at(1));
    expect(isOfferedTo(withdrawn, 'pilot-a', at(2))).toBe(false);
    for (const action of ROLLOUT_ACTIONS) {
      expect(applyAction(withdrawn, action, at(2), { plan: PLAN })).toMatchObject({ ok: false, refusal: { code: 'RELEASE_WITHDRAWN' } });
    }
    // A release without a plan can be withdrawn too.
    const bare = applyAction(unrestricted('84.00.00_002', at(0)), 'withdraw', at(0));
    expect(bare.ok && isOfferedTo(bare.rollout, 'anyone', at(1))).toBe(false);
  });

  it('keeps the open waves when the plan changes under way, and refuses actions the phase does not allow', () => {
    let r = act(planned(PLAN, at(0)), 'advance', at(1));
    r = act(r, 'set-plan', at(2), { ...PLAN, startAt: at(500).toISOString() });
    expect(r.openWave).toBe(1);
    expect(applyAction(r, 'resume', at(3))).toMatchObject({ ok: false, refusal: { code: 'ROLLOUT_ACTION_NOT_ALLOWED' } });
  });

  it('computes the error threshold as failed ÷ started with a minimum started', () => {
    fc.assert(
      fc.property(fc.nat(200), fc.nat(200), planArb, (started, failedRaw, plan) => {
        const failed = Math.min(failedRaw, started);
        const expected = started >= plan.errorThreshold.minStarted && failed / started >= plan.errorThreshold.percent / 100;
        expect(errorThresholdReached(plan, { started, failed })).toBe(expected);
      }),
    );
  });
});

/** Random histories: support actions, conclusions and failures at increasing times. */
const eventArb = fc.record({
  minutes: fc.nat(240),
  kind: fc.constantFrom('pause', 'resume', 'advance', 'withdraw', 'set-plan', 'conclusions', 'failures', 'observe'),
  count: fc.nat(4),
});

describe('rollout: time-based steps (properties)', () => {
  it('settles the same whether the clock is read once or in between (monotonic, composable)', () => {
    fc.assert(
      fc.property(planArb, fc.nat(600), fc.nat(600), fc.nat(3), (plan, a, b, concluded) => {
        const [t1, t2] = a <= b ? [at(a), at(b)] : [at(b), at(a)];
        let r = planned(plan, at(0));
        r = recordSuccessIfReached(settle(r, at(0)).rollout, counters([{ concluded }]), at(0)) ?? r;
        const direct = settle(r, t2);
        const first = settle(r, t1);
        const second = settle(first.rollout, t2);
        expect(second.rollout).toEqual(direct.rollout);
        expect([...first.steps, ...second.steps]).toEqual(direct.steps);
      }),
    );
  });

  it('never takes an offer back as time passes, for any customer', () => {
    fc.assert(
      fc.property(planArb, fc.nat(600), fc.nat(600), fc.string({ minLength: 1, maxLength: 12 }), (plan, a, b, id) => {
        const r = recordSuccessIfReached(planned(plan, at(0)), counters([{ concluded: 9 }]), at(0)) ?? planned(plan, at(0));
        const [t1, t2] = a <= b ? [at(a), at(b)] : [at(b), at(a)];
        if (isOfferedTo(r, id, t1)) expect(isOfferedTo(r, id, t2)).toBe(true);
      }),
    );
  });

  it('moves the signed catalog version (head + due steps) forward whenever the offers move, and never back', () => {
    fc.assert(
      fc.property(planArb, planArb, fc.array(eventArb, { maxLength: 25 }), (plan, otherPlan, events) => {
        // What storage does (shared/db/rollout.ts): settle, apply, write, head += due steps + 1.
        let head = 1;
        let stored = planned(plan, at(0));
        const tally = Array.from({ length: 12 }, emptyCounters);
        let last = head + pendingSteps([stored], at(0));
        const ids = ['x1', 'x2', 'x3', 'x4', 'x5', ...plan.pilot.customers];
        let offeredBefore = new Set(ids.filter((id) => isOfferedTo(stored, id, at(0))));
        const write = (next: Rollout, steps: number) => {
          head += steps + 1;
          stored = next;
        };
        for (const event of [...events].sort((x, y) => x.minutes - y.minutes)) {
          const now = at(event.minutes);
          const { rollout: settled, steps } = settle(stored, now);
          if (event.kind === 'conclusions' || event.kind === 'failures') {
            const wave = settled.openWave ?? 0;
            if (event.kind === 'conclusions') tally[wave]!.concluded += event.count;
            else {
              tally[wave]!.started += event.count;
              tally[wave]!.failed += event.count;
            }
            const changed =
              event.kind === 'conclusions'
                ? recordSuccessIfReached(settled, tally, now)
                : haltIfThresholdReached(settled, totalsOf(tally), now);
            if (changed) write(changed, steps.length);
          } else if (event.kind !== 'observe') {
            const outcome = applyAction(settled, event.kind as RolloutAction, now, { plan: otherPlan });
            if (outcome.ok) write(outcome.rollout, steps.length);
          }
          const signed = head + pendingSteps([stored], now);
          expect(signed).toBeGreaterThanOrEqual(last);
          const offered = new Set(ids.filter((id) => isOfferedTo(stored, id, now)));
          const moved = offered.size !== offeredBefore.size || [...offered].some((id) => !offeredBefore.has(id));
          if (moved) expect(signed).toBeGreaterThan(last);
          last = signed;
          offeredBefore = offered;
        }
      }),
      { numRuns: 300 },
    );
  });
});
