/**
 * `npm run bench`: every benchmark module in bench/ (compiled into dist/bench/), printed as Markdown
 * tables: each figure beside its baseline, measured pairwise in the same run (bench/harness.ts),
 * and the latencies against their goals. `npm run bench -- history cold` runs the modules whose
 * names start so; `--write` also stores the tables with a description of the machine in
 * bench/RESULTS.md (do that on a quiet machine: `uptime` is recorded with them).
 */
import { readdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem, release } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { latencyTable, pairedTable } from './report.js';
import type { BenchResult, BenchRow, LatencyRow } from './types.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const HELPERS = [
  'run.js',
  'types.js',
  'harness.js',
  'process-cpu.js',
  'report.js',
  'cli-path.js',
  'git-env.js',
  'long-history.js',
];
const only = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const modules = readdirSync(here)
  .filter((f) => f.endsWith('.js') && !HELPERS.includes(f))
  .filter((f) => only.length === 0 || only.some((o) => f.startsWith(o)))
  .sort();

const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
const loadBefore = load();
const results: BenchResult[] = [];
for (const file of modules) {
  const mod = (await import(join(here, file))) as { bench?: () => Promise<BenchResult[]> };
  if (!mod.bench) continue;
  process.stderr.write(`running ${file} (load ${load()})...\n`);
  results.push(...(await mod.bench()));
}

const paired = results.filter((r): r is BenchRow => r.kind === 'paired');
const latencies = results.filter((r): r is LatencyRow => r.kind === 'latency');
const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Linux ${release()}, Node ${process.version}`;
const tables = [paired.length ? pairedTable(paired) : '', latencies.length ? latencyTable(latencies) : '']
  .filter(Boolean)
  .join('\n\n');
const loads = `load average (1, 5, 15 min): ${loadBefore} before, ${load()} after`;
console.log(`${tables}\n\nmachine: ${machine}\n${loads}`);
if (process.argv.includes('--write')) {
  const path = join(here, '..', '..', 'bench', 'RESULTS.md');
  const date = new Date().toISOString().slice(0, 10);
  writeFileSync(
    path,
    `# Benchmark results\n\nMeasured ${date} with \`npm run bench -- --write\` on ${machine}; ${loads}.\n` +
      'Subject and baseline ran interleaved, run by run (bench/README.md): "ratio" is the median of the ' +
      'pairwise ratios, the other figures medians of each. CPU is user + system time of the process ' +
      'and its children; wall is elapsed time of in-process work.\n\n' +
      `${tables}\n`,
  );
}
