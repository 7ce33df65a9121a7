/** One benchmark figure beside its baseline measured in the same run (medians of several runs). */
export interface BenchRow {
  name: string;
  ms: number;
  baselineName: string;
  baselineMs: number;
}

/** Median wall time (ms) of `runs` sequential calls of fn, after one warm-up call. */
export async function medianMs(fn: () => Promise<unknown> | unknown, runs = 7): Promise<number> {
  await fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    await fn();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}
