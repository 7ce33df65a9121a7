/**
 * `npm run bench`: every benchmark module in bench/ (compiled into dist/bench/), printed as a
 * Markdown table with each figure beside its baseline from the same run. `--write` also stores the
 * table with a description of the machine in bench/RESULTS.md.
 */
import { readdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem, release } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchRow } from './types.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const only = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const modules = readdirSync(here)
  .filter((f) => f.endsWith('.js') && !['run.js', 'types.js'].includes(f))
  .filter((f) => only.length === 0 || only.some((o) => f.startsWith(o)))
  .sort();

const rows: BenchRow[] = [];
for (const file of modules) {
  const mod = (await import(join(here, file))) as { bench?: () => Promise<BenchRow[]> };
  if (!mod.bench) continue;
  process.stderr.write(`running ${file}...\n`);
  rows.push(...(await mod.bench()));
}

const fmt = (ms: number) => (ms >= 100 ? ms.toFixed(0) : ms.toFixed(1));
const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Linux ${release()}, Node ${process.version}`;
const table = [
  '| benchmark | median ms | baseline | baseline ms | ratio |',
  '| --- | ---: | --- | ---: | ---: |',
  ...rows.map(
    (r) =>
      `| ${r.name} | ${fmt(r.ms)} | ${r.baselineName} | ${fmt(r.baselineMs)} | ${(r.ms / r.baselineMs).toFixed(2)}× |`,
  ),
].join('\n');
console.log(`${table}\n\nmachine: ${machine}`);
if (process.argv.includes('--write')) {
  const path = join(here, '..', '..', 'bench', 'RESULTS.md');
  const date = new Date().toISOString().slice(0, 10);
  writeFileSync(
    path,
    `# Benchmark results\n\nMeasured ${date} with \`npm run bench -- --write\` on ${machine}.\n` +
      `Each figure is the median of several runs; its baseline was measured in the same run.\n\n${table}\n`,
  );
}
