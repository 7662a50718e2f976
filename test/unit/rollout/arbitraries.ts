import fc from 'fast-check';
import type { RolloutPlan } from '../../../shared/rollout/plan';

/** Customer ids as the API accepts them. */
export const customerIdArb = fc.stringMatching(/^[A-Za-z0-9_-]{1,20}$/);

/** A soak of 0 to 3 hours, in seconds. */
const soakArb = fc.nat(3 * 3600).map((s) => `PT${s}S`);

/** Whole percentages adding up to 100, split into 1…5 waves. */
const percentsArb = fc.uniqueArray(fc.integer({ min: 1, max: 99 }), { maxLength: 4 }).map((cuts) => {
  const bounds = [0, ...cuts.sort((a, b) => a - b), 100];
  return bounds.slice(1).map((b, i) => b - bounds[i]!);
});

/** A valid plan: pilot list, waves adding up to 100 %, conditions on every wave but the last. */
export const planArb: fc.Arbitrary<RolloutPlan> = fc
  .record({
    pilots: fc.uniqueArray(customerIdArb, { minLength: 1, maxLength: 5 }),
    pilotSoak: soakArb,
    pilotMin: fc.nat(5),
    percents: percentsArb,
    soaks: fc.array(soakArb, { minLength: 5, maxLength: 5 }),
    mins: fc.array(fc.nat(3), { minLength: 5, maxLength: 5 }),
    errorPercent: fc.integer({ min: 1, max: 100 }),
    minStarted: fc.integer({ min: 1, max: 10 }),
  })
  .map((p) => ({
    pilot: { customers: p.pilots, soak: p.pilotSoak, minConcluded: Math.min(p.pilotMin, p.pilots.length) },
    waves: p.percents.map((percent, i) =>
      i === p.percents.length - 1 ? { percent } : { percent, soak: p.soaks[i]!, minConcluded: p.mins[i]! },
    ),
    errorThreshold: { percent: p.errorPercent, minStarted: p.minStarted },
  }));
