import { createHash } from 'node:crypto';
import type { RolloutPlan } from './plan';

/**
 * Which wave a customer belongs to. Pilot customers are wave 0; every other
 * customer has a fixed position in [0, 10 000) from a hash of its id alone, and
 * wave k (k ≥ 1) takes the positions between the cumulative percentages of
 * waves 1…k-1 and 1…k. The position depends on nothing but the id, so a
 * customer's wave never changes while the plan's percentages stay the same,
 * needs no stored assignment, and is computed, not read, by the feed.
 */

/** Positions per customer space: basis points, so whole percentages split it exactly. */
export const POSITIONS = 10_000;

/** Domain separation: the position is not the hash any other part of the system computes. */
const HASH_PREFIX = 'mophas-rollout-position\n';

/** A customer's fixed position in [0, 10 000): the first 32 bits of SHA-256, scaled. */
export function customerPosition(customerId: string): number {
  const digest = createHash('sha256').update(HASH_PREFIX).update(customerId, 'utf8').digest();
  return Math.floor((digest.readUInt32BE(0) * POSITIONS) / 2 ** 32);
}

interface WaveIndex {
  pilots: ReadonlySet<string>;
  /** Upper bound (exclusive) of positions per percentage wave, cumulative. */
  bounds: readonly number[];
}

// Plans are immutable values cached with the catalog: index each once (the feed asks at every startup).
const indexes = new WeakMap<RolloutPlan, WaveIndex>();

function indexOf(plan: RolloutPlan): WaveIndex {
  let index = indexes.get(plan);
  if (!index) {
    let cumulative = 0;
    index = {
      pilots: new Set(plan.pilot.customers),
      bounds: plan.waves.map((w) => {
        cumulative += w.percent;
        return (cumulative * POSITIONS) / 100;
      }),
    };
    indexes.set(plan, index);
  }
  return index;
}

/** The wave of a customer under a plan: 0 for the pilot list, 1…n by position. */
export function waveOf(plan: RolloutPlan, customerId: string): number {
  const { pilots, bounds } = indexOf(plan);
  if (pilots.has(customerId)) return 0;
  const position = customerPosition(customerId);
  const k = bounds.findIndex((bound) => position < bound);
  // Percentages add up to 100 (validated), so the last bound is POSITIONS; guard anyway.
  return k === -1 ? bounds.length : k + 1;
}

/** How many of `customerIds` fall in each wave (index = wave). */
export function customersPerWave(plan: RolloutPlan, customerIds: Iterable<string>): number[] {
  const counts = new Array<number>(plan.waves.length + 1).fill(0);
  for (const id of customerIds) counts[waveOf(plan, id)]! += 1;
  return counts;
}
