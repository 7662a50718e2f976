/**
 * `npm run bench`: runs the benchmarks and writes bench/results.json (metric →
 * number) plus a readable table on stdout, nothing else (progress goes to
 * stderr). Performance targets live here, never in tests. Benchmarks that need
 * the local stack get one started for the run (in-memory DynamoDB Local,
 * temporary S3 folder), the same emulators as the tests.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Metric } from './benchmarks';
import { QUIET_FUNCTIONS_ENV } from './quiet';
import { table } from './table';

const ROOT = resolve(import.meta.dirname, '..');

async function main() {
  // Before the benchmarks (and the function modules they import) load.
  Object.assign(process.env, QUIET_FUNCTIONS_ENV);
  const { BENCHMARKS } = await import('./benchmarks');
  // `--out <file>`: write the figures there instead (bench/against.ts), leaving bench/results.json alone.
  const args = process.argv.slice(2);
  const outAt = args.indexOf('--out');
  if (outAt >= 0 && !args[outAt + 1]) throw new Error('--out needs a file name');
  const out = outAt >= 0 ? resolve(args[outAt + 1]!) : undefined;
  const only = outAt >= 0 ? args.filter((_, i) => i !== outAt && i !== outAt + 1) : args;
  const selected = BENCHMARKS.filter((b) => only.length === 0 || only.includes(b.name));
  const needsStack = selected.some((b) => b.needsStack);
  let stop: (() => Promise<void>) | undefined;
  if (needsStack) {
    const { freePort, startStack } = await import('../local/stack');
    const stack = await startStack({
      ports: {
        api: 0,
        dynamodb: await freePort(),
        s3: await freePort(),
        sns: await freePort(),
        cdn: await freePort(),
        sqs: await freePort(),
        cognito: await freePort(),
      },
      gateway: false,
    });
    stop = stack.stop;
  }
  const metrics: Metric[] = [];
  try {
    for (const bench of selected) {
      process.stderr.write(`running ${bench.name}…\n`);
      metrics.push(...(await bench.run(ROOT)));
    }
  } finally {
    await stop?.();
  }

  // A run of some benchmarks updates their metrics and keeps the others'.
  const file = out ?? resolve(ROOT, 'bench/results.json');
  const previous = only.length > 0 && !out && existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, number>) : {};
  const results = { ...previous, ...Object.fromEntries(metrics.map((m) => [m.name, m.value])) };
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
  const rows = metrics.map((m) => [m.name, String(m.value), m.unit, m.target ?? '', verdict(m)]);
  console.log(`\n${table(['metric', 'value', 'unit', 'target', ''], rows)}`);
  process.stderr.write(`\nwritten: ${file}\n`);
}

function verdict(m: Metric): string {
  if (m.max !== undefined) return m.value <= m.max ? 'ok' : 'OVER TARGET';
  if (m.min !== undefined) return m.value >= m.min ? 'ok' : 'UNDER TARGET';
  return '';
}

main().catch((error: unknown) => {
  console.error('bench failed:', error);
  process.exit(1);
});
