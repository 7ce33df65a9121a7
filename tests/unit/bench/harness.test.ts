/**
 * The benchmark harness's statistics against a synthetic machine: samples come from a model whose
 * noise depends only on when a sample is taken, so every figure can be checked exactly.
 */
import { describe, expect, it } from 'vitest';
import { median, paired, quantile, sumOf, wallTime, type Sample } from '../../../bench/harness.js';
import { parseTimes } from '../../../bench/process-cpu.js';

/**
 * Two programs on one machine: the subject costs 120 ms and the baseline 100 ms, except that the
 * samples numbered in `noisy` (0-based, in the order they are taken) run 3× slower, as when
 * another job takes the cores for a while.
 */
function machine(noisy: (n: number) => boolean) {
  let n = 0;
  const order: string[] = [];
  const take =
    (name: string, ms: number): Sample =>
    () => {
      order.push(name);
      return ms * (noisy(n++) ? 3 : 1);
    };
  return { subject: take('A', 120), baseline: take('B', 100), order };
}

/** The old way: all subject runs, then all baseline runs, ratio of the medians. */
async function blockwise(subject: Sample, baseline: Sample, runs: number): Promise<number> {
  await subject();
  await baseline();
  const a: number[] = [];
  const b: number[] = [];
  for (let i = 0; i < runs; i++) a.push(await subject());
  for (let i = 0; i < runs; i++) b.push(await baseline());
  return median(a) / median(b);
}

describe('paired benchmark runs', () => {
  it('interleave subject and baseline run by run, after the warm-up pairs', async () => {
    const m = machine(() => false);
    const r = await paired(m.subject, m.baseline, { runs: 3, warmup: 2 });
    expect(m.order.join('')).toBe('ABABABABAB');
    expect(r).toMatchObject({ runs: 3, ms: 120, baselineMs: 100, ratio: 1.2 });
    expect(r.ratios).toEqual([1.2, 1.2, 1.2]);
  });

  it('keep the ratio when noise hits as many samples as one block holds', async () => {
    const runs = 11;
    // After the warm-up pair (samples 0, 1): samples 2..12, the length of one block. Timed as
    // blocks, that is every subject run; interleaved, it is half of each of 5.5 pairs.
    const window = (n: number) => n >= 2 && n < 2 + runs;
    const block = machine((n) => n >= 2 + runs && n < 2 + 2 * runs); // the baseline block, timed as blocks
    expect(await blockwise(block.subject, block.baseline, runs)).toBeCloseTo(0.4); // flipped: looks faster
    const m = machine(window);
    const r = await paired(m.subject, m.baseline, { runs });
    expect(r.ratio).toBeCloseTo(1.2, 10);
    // One pair straddles the edge of the noise and is off; the median is not.
    expect(r.ratios.filter((x) => Math.abs(x - 1.2) > 1e-9)).toHaveLength(1);
  });

  it('keep the ratio when noise hits the baseline block of a block-wise run', async () => {
    const runs = 11;
    const noisy = (n: number) => n >= 2 + runs && n < 2 + 2 * runs;
    const m = machine(noisy);
    expect((await paired(m.subject, m.baseline, { runs })).ratio).toBeCloseTo(1.2, 10);
  });

  it('are not moved by one outlier, and do not count the warm-up', async () => {
    let calls = 0;
    const subject: Sample = () => (++calls === 1 ? 1e6 : calls === 6 ? 5000 : 120); // warm-up, then one spike
    const r = await paired(subject, () => 100, { runs: 7 });
    expect(r.ratio).toBe(1.2);
    expect(r.ms).toBe(120);
    expect(Math.max(...r.ratios)).toBe(50);
  });

  it('refuse a baseline sample of zero instead of dividing by it', async () => {
    await expect(
      paired(
        () => 1,
        () => 0,
        { runs: 1, warmup: 0 },
      ),
    ).rejects.toThrow(/too short/);
  });
});

describe('statistics', () => {
  it('median and quantiles', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    const xs = Array.from({ length: 21 }, (_, i) => i * 10); // 0..200
    expect(quantile(xs, 0.5)).toBe(100);
    expect(quantile(xs, 0.95)).toBe(190);
    expect(quantile([1, 2], 0.95)).toBeCloseTo(1.95);
    expect(() => median([])).toThrow();
  });

  it('wallTime reads the clock around the call; sumOf adds samples', async () => {
    let now = 1000;
    const sample = wallTime(
      () => void (now += 42),
      () => now,
    );
    expect(await sample()).toBe(42);
    expect(
      await sumOf(
        () => 1.5,
        () => 2,
        sample,
      )(),
    ).toBe(45.5);
  });

  it("reads the children's CPU time from bash's `times`", () => {
    expect(parseTimes('0m0.050s 0m0.012s')).toBeCloseTo(62);
    expect(parseTimes('1m2.500s 0m0.001s')).toBeCloseTo(62_501);
    expect(() => parseTimes('0m0.050s')).toThrow(/times/);
  });
});
