import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { describeIssues } from '../../../shared/http/request';
import { conditionsOf, MAX_SOAK_MS, parseDuration, RolloutPlanSchema } from '../../../shared/rollout/plan';
import { planArb } from './arbitraries';

const valid = {
  pilot: { customers: ['alfa', 'beta'], soak: 'PT24H', minConcluded: 2 },
  waves: [{ percent: 10, soak: 'P2D', minConcluded: 5 }, { percent: 30, soak: 'PT12H', minConcluded: 10 }, { percent: 60 }],
  errorThreshold: { percent: 20, minStarted: 5 },
};

/** The fields a refused plan names, as the API's 400 lists them. */
function fieldsOf(plan: unknown): string[] {
  const result = RolloutPlanSchema.safeParse(plan);
  return result.success ? [] : describeIssues(result.error).map((i) => i.field);
}

describe('rollout plan validation', () => {
  it('accepts a pilot list followed by waves adding up to 100%', () => {
    expect(RolloutPlanSchema.parse(valid)).toEqual(valid);
  });

  it('accepts every plan the generator builds (pilot, waves summing to 100, conditions on all but the last wave)', () => {
    fc.assert(
      fc.property(planArb, (plan) => {
        expect(RolloutPlanSchema.safeParse(plan).success).toBe(true);
      }),
    );
  });

  it('names the waves when the percentages do not add up to 100', () => {
    const result = RolloutPlanSchema.safeParse({ ...valid, waves: [{ percent: 10, soak: 'PT1H', minConcluded: 0 }, { percent: 80 }] });
    expect(result.success).toBe(false);
    expect(describeIssues(result.error!)).toContainEqual({
      field: 'waves',
      problem: expect.stringMatching(/add up to 90, not 100/),
    });
  });

  it('names a pilot customer listed twice, and a success threshold the pilot could never reach', () => {
    expect(fieldsOf({ ...valid, pilot: { customers: ['alfa', 'beta', 'alfa'], soak: 'PT1H', minConcluded: 1 } })).toEqual([
      'pilot.customers.2',
    ]);
    expect(fieldsOf({ ...valid, pilot: { customers: ['alfa'], soak: 'PT1H', minConcluded: 2 } })).toEqual(['pilot.minConcluded']);
  });

  it('requires soak and success threshold on every wave but the last, and refuses them on the last', () => {
    expect(fieldsOf({ ...valid, waves: [{ percent: 40 }, { percent: 60, soak: 'PT1H', minConcluded: 1 }] }).sort()).toEqual(
      ['waves.0.minConcluded', 'waves.0.soak', 'waves.1.minConcluded', 'waves.1.soak'].sort(),
    );
  });

  it('refuses malformed fields, naming each', () => {
    expect(
      fieldsOf({
        startAt: 'tomorrow',
        pilot: { customers: ['no spaces allowed'], soak: 'P1M', minConcluded: -1 },
        waves: [{ percent: 100.5 }],
        errorThreshold: { percent: 0, minStarted: 0 },
      }).sort(),
    ).toEqual(
      [
        'startAt',
        'pilot.customers.0',
        'pilot.soak',
        'pilot.minConcluded',
        'waves.0.percent',
        'errorThreshold.percent',
        'errorThreshold.minStarted',
      ].sort(),
    );
  });

  it('normalises the start time to UTC', () => {
    expect(RolloutPlanSchema.parse({ ...valid, startAt: '2026-12-01T07:00:00+01:00' }).startAt).toBe('2026-12-01T06:00:00.000Z');
  });
});

describe('soak durations (ISO-8601 days, hours, minutes, seconds)', () => {
  it('reads every combination exactly', () => {
    fc.assert(
      fc.property(fc.option(fc.nat(400)), fc.option(fc.nat(100)), fc.option(fc.nat(100)), fc.option(fc.nat(100)), (d, h, m, s) => {
        fc.pre(d !== null || h !== null || m !== null || s !== null);
        const time =
          h !== null || m !== null || s !== null
            ? `T${h !== null ? `${h}H` : ''}${m !== null ? `${m}M` : ''}${s !== null ? `${s}S` : ''}`
            : '';
        const text = `P${d !== null ? `${d}D` : ''}${time}`;
        expect(parseDuration(text)).toBe(((((d ?? 0) * 24 + (h ?? 0)) * 60 + (m ?? 0)) * 60 + (s ?? 0)) * 1000);
      }),
    );
  });

  it('refuses what is not a day/hour/minute/second duration', () => {
    for (const bad of ['', 'P', 'PT', '24H', 'P1Y', 'P1M', 'PT1.5H', 'P1DT', 'pt1h', '-PT1H', 'P1W'])
      expect(parseDuration(bad)).toBeUndefined();
  });

  it('caps a soak at 90 days', () => {
    expect(fieldsOf({ ...valid, pilot: { ...valid.pilot, soak: 'P91D' } })).toEqual(['pilot.soak']);
    expect(parseDuration('P90D')).toBe(MAX_SOAK_MS);
  });

  it('gives each wave but the last the conditions to meet before the next one opens', () => {
    const plan = RolloutPlanSchema.parse(valid);
    expect(conditionsOf(plan, 0)).toEqual({ soakMs: 24 * 3600_000, minConcluded: 2 });
    expect(conditionsOf(plan, 2)).toEqual({ soakMs: 12 * 3600_000, minConcluded: 10 });
    expect(conditionsOf(plan, 3)).toBeUndefined();
  });
});
