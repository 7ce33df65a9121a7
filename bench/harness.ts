/**
 * How every benchmark compares a subject with its baseline: run by run, interleaved (A B A B …
 * after warm-up), so both see the same moment of the machine, and the figure is the median of the
 * pairwise ratios. A burst of load from elsewhere inflates both halves of the pairs it hits and
 * moves their ratio little; timing one block after the other would put it all on one side.
 */

/** One measurement in milliseconds: CPU time of processes, or wall time of in-process work. */
export type Sample = () => Promise<number> | number;

export type Measure = 'CPU' | 'wall';

/** A subject measured against its baseline with the same measure. */
export interface Paired {
  runs: number;
  /** Median of the subject's samples. */
  ms: number;
  /** Median of the baseline's samples. */
  baselineMs: number;
  /** Median of subject_i / baseline_i over the pairs. */
  ratio: number;
  /** The pairs' ratios, in run order. */
  ratios: number[];
}

export function median(xs: readonly number[]): number {
  if (xs.length === 0) throw new Error('median of no samples');
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** The q-quantile (0..1) by linear interpolation between the nearest ranks. */
export function quantile(xs: readonly number[], q: number): number {
  if (xs.length === 0) throw new Error('quantile of no samples');
  const s = [...xs].sort((a, b) => a - b);
  const at = (s.length - 1) * q;
  const lo = Math.floor(at);
  const hi = Math.ceil(at);
  return s[lo]! + (s[hi]! - s[lo]!) * (at - lo);
}

/**
 * `warmup` pairs first (not counted: caches, JIT, the page cache of a new repository), then `runs`
 * pairs, subject then baseline each time.
 */
export async function paired(
  subject: Sample,
  baseline: Sample,
  options: { runs?: number; warmup?: number } = {},
): Promise<Paired> {
  const runs = options.runs ?? 11;
  for (let i = 0; i < (options.warmup ?? 1); i++) {
    await subject();
    await baseline();
  }
  const a: number[] = [];
  const b: number[] = [];
  const ratios: number[] = [];
  for (let i = 0; i < runs; i++) {
    const x = await subject();
    const y = await baseline();
    if (!(y > 0)) throw new Error(`baseline sample ${y} ms: too short to divide by`);
    a.push(x);
    b.push(y);
    ratios.push(x / y);
  }
  return { runs, ms: median(a), baselineMs: median(b), ratio: median(ratios), ratios };
}

/** Wall time of one call of `fn`, by `clock` (ms). */
export function wallTime(fn: () => unknown, clock: () => number = () => performance.now()): Sample {
  return async () => {
    const start = clock();
    await fn();
    return clock() - start;
  };
}

/** Several samples taken back to back and added up: a baseline of more than one process. */
export function sumOf(...samples: Sample[]): Sample {
  return async () => {
    let total = 0;
    for (const s of samples) total += await s();
    return total;
  };
}
