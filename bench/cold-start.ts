/**
 * CLI cold start (`--version`, `--help`) against `node -e 0`, each a fresh process (CPU time), in
 * the benchmarks' plain environment: NODE_EXTRA_CA_CERTS alone adds ~40 ms to every node start,
 * which would hide the CLI's own cost in the baseline's.
 */
import { paired } from './harness.js';
import { processCpu } from './process-cpu.js';
import { CLI } from './cli-path.js';
import type { BenchRow } from './types.js';
import { BENCH_ENV } from './git-env.js';

export async function bench(): Promise<BenchRow[]> {
  const node = (args: string[]) => processCpu({ command: process.execPath, args, env: BENCH_ENV });
  const rows: BenchRow[] = [];
  for (const [flag, goal] of [
    ['--version', 1.2],
    ['--help', undefined],
  ] as const) {
    rows.push({
      kind: 'paired',
      name: `cold start: git-promote ${flag}`,
      measure: 'CPU',
      baselineName: 'node -e 0',
      result: await paired(node([CLI, flag]), node(['-e', '0']), { runs: 21, warmup: 2 }),
      ...(goal ? { goal } : {}),
    });
  }
  return rows;
}
