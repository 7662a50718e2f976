/**
 * `npm run bench:against -- <git ref> [rounds]`: the request figures that are
 * promised "no worse than before" — the startup check, the confirmation code's
 * verification, the device check-in — and the cold start, for this tree and for <ref>, on this machine, now. A figure measured
 * on another day, or on another machine, does not compare: these emulators and
 * this 2-core machine move by tens of percent from one day to the next.
 *
 * <ref> is exported (git archive) to a temporary folder and installed with
 * `npm ci` once (kept for the next run). Each round runs <ref>'s own benchmarks
 * (its own harness and local stack) and this tree's, in alternating order;
 * cold start imports the largest bundle of each, alternately, with this tree's
 * harness (so both are measured the same way). Medians are printed; nothing is
 * written to bench/results.json.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { QUIET_FUNCTIONS_ENV } from './quiet';
import { table } from './table';

const ROOT = resolve(import.meta.dirname, '..');
/**
 * The figures compared, from the benchmarks that produce them. (A figure only
 * one tree measures, such as the check-in of a device whose credential the
 * function has not seen yet, has nothing to compare with.)
 */
const COMPARED = ['feed_check_p99_ms', 'code_verify_p99_ms', 'device_checkin_p99_ms'] as const;
const BENCHMARKS = ['feed', 'codes', 'devices'];
const IMPORTS = 9;

/** <ref>'s tree, exported and installed once (a marker file says the install finished). */
function checkout(ref: string): { dir: string; sha: string } {
  const sha = execFileSync('git', ['rev-parse', '--verify', `${ref}^{commit}`], { cwd: ROOT, encoding: 'utf8' }).trim();
  const dir = join(tmpdir(), `mophas-bench-${sha.slice(0, 12)}`);
  const installed = join(dir, '.bench-installed');
  if (!existsSync(installed)) {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    process.stderr.write(`exporting ${sha.slice(0, 12)} to ${dir} and installing it…\n`);
    const archive = execFileSync('git', ['archive', '--format=tar', sha], { cwd: ROOT, maxBuffer: 1 << 30 });
    execFileSync('tar', ['-x', '-C', dir], { input: archive });
    execFileSync('npm', ['ci', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: dir, stdio: 'inherit' });
    writeFileSync(installed, `${sha}\n`);
  }
  return { dir, sha };
}

/**
 * Runs one tree's benchmarks and returns their figures. This tree writes them
 * with `--out`; an older tree (no `--out`) writes its bench/results.json, which
 * is removed first so a figure it no longer produces cannot come from its commit.
 */
function benchFigures(dir: string, names: string[]): Record<string, number> {
  const older = dir !== ROOT;
  const file = older ? join(dir, 'bench/results.json') : join(tmpdir(), `mophas-bench-figures-${process.pid}.json`);
  rmSync(file, { force: true });
  const args = ['tsx', 'bench/run.ts', ...names, ...(older ? [] : ['--out', file])];
  const run = spawnSync('npx', args, { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe'] });
  if (run.status !== 0) throw new Error(`bench in ${dir} failed:\n${run.stderr}`);
  const figures = JSON.parse(readFileSync(file, 'utf8')) as Record<string, number>;
  rmSync(file, { force: true });
  return figures;
}

/** The largest Lambda bundle a tree's `bundles` benchmark built. */
function largestBundle(dir: string): string {
  const out = join(dir, 'bench/out');
  const files = readdirSync(out)
    .filter((f) => f.endsWith('.mjs'))
    .map((f) => join(out, f));
  return files.reduce((a, b) => (statSync(b).size > statSync(a).size ? b : a));
}

async function main() {
  // Before the benchmark modules (and the SDK they import) load.
  Object.assign(process.env, QUIET_FUNCTIONS_ENV);
  const { importTimeMs, percentile, round } = await import('./benchmarks');
  const median = (xs: number[]) => percentile(xs, 50);
  const [ref, roundsArg] = process.argv.slice(2);
  if (!ref) throw new Error('usage: npm run bench:against -- <git ref> [rounds, default 3]');
  const rounds = Number(roundsArg ?? 3);
  if (!Number.isInteger(rounds) || rounds < 1) throw new Error(`rounds must be a whole number ≥ 1, not ${roundsArg}`);
  const base = checkout(ref);
  const trees = { [ref]: base.dir, 'this tree': ROOT };
  const figures: Record<string, Record<string, number[]>> = { [ref]: {}, 'this tree': {} };

  for (let r = 0; r < rounds; r++) {
    const order = r % 2 === 0 ? [ref, 'this tree'] : ['this tree', ref];
    for (const tree of order) {
      process.stderr.write(`round ${r + 1}/${rounds}: ${tree}…\n`);
      // The first round also builds each tree's bundles (for the cold start below).
      const got = benchFigures(trees[tree]!, r === 0 ? ['bundles', ...BENCHMARKS] : BENCHMARKS);
      for (const name of COMPARED) {
        const value = got[name];
        if (value === undefined) throw new Error(`${tree} measured no ${name}`);
        (figures[tree]![name] ??= []).push(value);
      }
    }
  }

  const bundles = { [ref]: largestBundle(base.dir), 'this tree': largestBundle(ROOT) };
  for (let i = 0; i < IMPORTS; i++) {
    for (const tree of i % 2 === 0 ? [ref, 'this tree'] : ['this tree', ref]) {
      (figures[tree]!.cold_init_ms_max ??= []).push(importTimeMs(bundles[tree]!));
    }
  }

  /** Median, then the range of the samples. */
  const cell = (xs: number[]) => `${round(median(xs))} (${round(Math.min(...xs))}–${round(Math.max(...xs))})`;
  const rows = [...COMPARED, 'cold_init_ms_max'].map((name) => {
    const [before, now] = [figures[ref]![name]!, figures['this tree']![name]!];
    return [name, cell(before), cell(now), `${round((median(now) / median(before)) * 100, 0)} %`];
  });
  console.log(`\n${table(['metric: median (range)', `${ref} (${base.sha.slice(0, 12)})`, 'this tree', 'this / ref'], rows)}`);
  console.log(
    `\n${rounds} rounds of ${BENCHMARKS.join(', ')} each (alternating); cold start: ${IMPORTS} imports each of ` +
      `${bundles[ref]!.split('/').pop()} (${ref}) and ${bundles['this tree']!.split('/').pop()} (this tree), alternating.`,
  );
}

main().catch((error: unknown) => {
  console.error('bench:against failed:', error);
  process.exit(1);
});
