import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { LAMBDA_BUNDLE } from '../infra/bundling';
import { codesBenchmark } from './codes';
import { consoleBenchmark } from './console';
import { devicesBenchmark } from './devices';
import { feedBenchmark } from './feed';
import { pushBenchmark } from './push';
import { sessionBenchmark } from './session';
import { webBenchmark } from './web';

export interface Metric {
  name: string;
  value: number;
  unit: string;
  /** Human-readable target, e.g. "≤ 20". */
  target?: string;
  max?: number;
  min?: number;
}

export interface Benchmark {
  name: string;
  /** Needs the local stack (DynamoDB Local, s3rver, SNS) running. */
  needsStack: boolean;
  run(root: string): Promise<Metric[]>;
}

/** Percentile (nearest-rank) of a list of samples. */
export function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

export const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;

/** Bundles every Lambda exactly as the CDK construct does (infra/bundling.ts). */
export async function bundleAll(root: string): Promise<{ name: string; file: string; bytes: number }[]> {
  const outDir = join(root, 'bench/out');
  mkdirSync(outDir, { recursive: true });
  const names = readdirSync(join(root, 'functions')).filter((n) =>
    statSync(join(root, 'functions', n, 'handler.ts'), { throwIfNoEntry: false }),
  );
  const bundles = [];
  for (const name of names) {
    const file = join(outDir, `${name}.mjs`);
    await build({
      entryPoints: [join(root, 'functions', name, 'handler.ts')],
      outfile: file,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: LAMBDA_BUNDLE.target,
      mainFields: [...LAMBDA_BUNDLE.mainFields],
      banner: { js: LAMBDA_BUNDLE.banner },
      minify: LAMBDA_BUNDLE.minify,
      alias: Object.fromEntries(Object.entries(LAMBDA_BUNDLE.alias).map(([pkg, file]) => [pkg, join(root, file)])),
      logLevel: 'error',
    });
    bundles.push({ name, file, bytes: statSync(file).size });
  }
  return bundles;
}

/**
 * Milliseconds to import a module in a fresh Node process (measured inside it),
 * with AWS_EXECUTION_ENV set as in Lambda so the Tracer initialises as it does
 * there (instruments HTTP and the SDK clients) instead of switching itself off.
 */
export function importTimeMs(file: string): number {
  const script = `const t=performance.now();await import(${JSON.stringify(pathToFileURL(file).href)});process.stdout.write(String(performance.now()-t));`;
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    encoding: 'utf8',
    env: {
      ...process.env,
      AWS_REGION: 'eu-south-1',
      AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    },
  });
  if (result.status !== 0) throw new Error(`importing ${file} failed: ${result.stderr}`);
  return Number(result.stdout);
}

const bundles: Benchmark = {
  name: 'bundles',
  needsStack: false,
  async run(root) {
    const all = await bundleAll(root);
    const largest = all.reduce((a, b) => (b.bytes > a.bytes ? b : a));
    const times = Array.from({ length: 5 }, () => importTimeMs(largest.file));
    const median = [...times].sort((a, b) => a - b)[2]!;
    return [
      { name: 'bundle_kb_max', value: round(largest.bytes / 1024, 1), unit: `KB (${largest.name})` },
      { name: 'cold_init_ms_max', value: round(median, 1), unit: `ms, median of 5 (${largest.name})` },
    ];
  },
};

/** Every benchmark, in run order. Later issues add theirs here. */
export const BENCHMARKS: Benchmark[] = [
  bundles,
  feedBenchmark,
  codesBenchmark,
  devicesBenchmark,
  sessionBenchmark,
  pushBenchmark,
  webBenchmark,
  consoleBenchmark,
];
