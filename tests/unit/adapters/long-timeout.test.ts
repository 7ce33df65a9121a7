import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { setLongTimeout } from '../../../src/adapters/long-timeout.js';

const DAY = 86_400_000;

describe('setLongTimeout', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('waits 25 days (past the 24.8-day setTimeout limit) instead of firing at once', () => {
    const fn = vi.fn();
    setLongTimeout(fn, 25 * DAY);
    vi.advanceTimersByTime(1000);
    expect(fn).not.toHaveBeenCalled();
    vi.advanceTimersByTime(25 * DAY - 1001);
    expect(fn).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(fn).toHaveBeenCalledTimes(1);
  });

  it('can be cancelled in any chunk', () => {
    const fn = vi.fn();
    const cancel = setLongTimeout(fn, 30 * DAY);
    vi.advanceTimersByTime(26 * DAY);
    cancel();
    vi.advanceTimersByTime(10 * DAY);
    expect(fn).not.toHaveBeenCalled();
  });
});
