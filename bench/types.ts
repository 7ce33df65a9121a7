/** What a benchmark module's `bench()` returns: figures beside their baselines, or latencies. */
import type { Measure, Paired } from './harness.js';

/** A subject against its baseline, measured pairwise in one run (bench/harness.ts). */
export interface BenchRow {
  kind: 'paired';
  name: string;
  measure: Measure;
  baselineName: string;
  result: Paired;
  /** The goal: the median ratio must be at most this. */
  goal?: number;
}

/** A latency distribution against a goal (ms). */
export interface LatencyRow {
  kind: 'latency';
  name: string;
  samples: number[];
  p50: number;
  p95: number;
  /** The goal: p95 must be at most this. */
  goalMs: number;
  goalName: string;
}

export type BenchResult = BenchRow | LatencyRow;
