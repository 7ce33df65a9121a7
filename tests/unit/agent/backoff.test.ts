import { describe, expect, it } from 'vitest';
import { backoffMs } from '../../../src/agent/loop.js';

describe('agent backoff', () => {
  it('waits the interval when healthy and doubles with jitter after transient failures, capped', () => {
    expect(backoffMs(30_000, 0, () => 0.5)).toBe(30_000);
    expect(backoffMs(30_000, 1, () => 0.5)).toBe(30_000);
    expect(backoffMs(30_000, 3, () => 0.5)).toBe(120_000);
    expect(backoffMs(30_000, 3, () => 0)).toBe(90_000);
    expect(backoffMs(30_000, 3, () => 0.999)).toBeLessThan(150_000);
    expect(backoffMs(30_000, 50, () => 0.5)).toBe(600_000);
    expect(backoffMs(100, 2, () => 0.5)).toBe(2000); // at least a second between retries
  });
});
