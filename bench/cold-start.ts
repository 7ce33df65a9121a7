/** CLI cold start (`--version`, `--help`) against `node -e 0`, each a fresh process. */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { medianMs, type BenchRow } from './types.js';

const CLI = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));

function node(args: string[]): void {
  execFileSync(process.execPath, args, { stdio: 'ignore' });
}

export async function bench(): Promise<BenchRow[]> {
  const baselineMs = await medianMs(() => node(['-e', '0']), 11);
  const rows: BenchRow[] = [];
  for (const flag of ['--version', '--help']) {
    rows.push({
      name: `cold start: git-promote ${flag}`,
      ms: await medianMs(() => node([CLI, flag]), 11),
      baselineName: 'node -e 0',
      baselineMs,
    });
  }
  return rows;
}
