/** The Markdown tables `npm run bench` prints (and `--write` stores in bench/RESULTS.md). */
import type { BenchRow, LatencyRow } from './types.js';

const fmt = (ms: number) => (ms >= 100 ? ms.toFixed(0) : ms.toFixed(1));

function goalCell(value: number, goal: number | undefined, show: (n: number) => string): string {
  if (goal === undefined) return '';
  return `≤ ${show(goal)} ${value <= goal ? '✓' : '✗'}`;
}

export function pairedTable(rows: BenchRow[]): string {
  return [
    '| benchmark | measure | runs | median ms | baseline | baseline ms | ratio | goal |',
    '| --- | --- | ---: | ---: | --- | ---: | ---: | --- |',
    ...rows.map(
      (r) =>
        `| ${r.name} | ${r.measure} | ${r.result.runs} | ${fmt(r.result.ms)} | ${r.baselineName} | ${fmt(r.result.baselineMs)} | ${r.result.ratio.toFixed(2)}× | ${goalCell(r.result.ratio, r.goal, (g) => `${g}×`)} |`,
    ),
  ].join('\n');
}

export function latencyTable(rows: LatencyRow[]): string {
  return [
    '| latency | samples | p50 ms | p95 ms | goal (p95) |',
    '| --- | ---: | ---: | ---: | --- |',
    ...rows.map(
      (r) =>
        `| ${r.name} | ${r.samples.length} | ${fmt(r.p50)} | ${fmt(r.p95)} | ${goalCell(r.p95, r.goalMs, (g) => `${fmt(g)} ms (${r.goalName})`)} |`,
    ),
  ].join('\n');
}
