import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { RolloutPlan } from '../../../shared/rollout/plan';
import { customerPosition, customersPerWave, POSITIONS, waveOf } from '../../../shared/rollout/waves';
import { customerIdArb, planArb } from './arbitraries';

const plan = (percents: number[], pilots: string[] = ['pilot-1']): RolloutPlan => ({
  pilot: { customers: pilots, soak: 'PT1H', minConcluded: 0 },
  waves: percents.map((percent, i) => (i === percents.length - 1 ? { percent } : { percent, soak: 'PT1H', minConcluded: 0 })),
  errorThreshold: { percent: 20, minStarted: 5 },
});

describe('wave membership by a stable hash of the customer id', () => {
  it('puts pilot customers in wave 0 and every other customer in a percentage wave', () => {
    fc.assert(
      fc.property(planArb, customerIdArb, (p, id) => {
        const wave = waveOf(p, id);
        if (p.pilot.customers.includes(id)) expect(wave).toBe(0);
        else {
          expect(wave).toBeGreaterThanOrEqual(1);
          expect(wave).toBeLessThanOrEqual(p.waves.length);
        }
      }),
    );
  });

  it("never changes a customer's wave: it depends on the id and the plan's percentages only", () => {
    fc.assert(
      fc.property(planArb, customerIdArb, (p, id) => {
        const copy = JSON.parse(JSON.stringify(p)) as RolloutPlan;
        expect(waveOf(copy, id)).toBe(waveOf(p, id));
        expect(customerPosition(id)).toBe(customerPosition(id));
      }),
    );
  });

  it('keeps the customers of a wave in it when a later split changes (cumulative bounds)', () => {
    // Splitting the last wave in two leaves waves 1 and 2 exactly as they were.
    const before = plan([10, 20, 70]);
    const after = plan([10, 20, 30, 40]);
    fc.assert(
      fc.property(customerIdArb, (id) => {
        const w = waveOf(before, id);
        if (w <= 2) expect(waveOf(after, id)).toBe(w);
        else expect([3, 4]).toContain(waveOf(after, id));
      }),
    );
  });

  it('takes close to the declared share of customers into each wave', () => {
    const p = plan([10, 20, 30, 40]);
    const ids = Array.from({ length: 20_000 }, (_, i) => `customer-${i}`);
    const counts = customersPerWave(p, ids);
    expect(counts[0]).toBe(0);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(ids.length);
    [10, 20, 30, 40].forEach((percent, i) => {
      const share = (counts[i + 1]! / ids.length) * 100;
      expect(Math.abs(share - percent)).toBeLessThan(1.5);
    });
  });

  it('spreads positions over the whole range', () => {
    fc.assert(
      fc.property(customerIdArb, (id) => {
        const position = customerPosition(id);
        expect(Number.isInteger(position)).toBe(true);
        expect(position).toBeGreaterThanOrEqual(0);
        expect(position).toBeLessThan(POSITIONS);
      }),
    );
  });

  it('counts the customers of each wave, pilots included', () => {
    const p = plan([100], ['a', 'b']);
    expect(customersPerWave(p, ['a', 'b', 'c', 'd', 'e'])).toEqual([2, 3]);
  });
});
