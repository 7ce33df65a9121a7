import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration } from '../../../src/core/duration.js';
import { addDays, daysBetween, isGameDate, slateDate } from '../../../src/core/game-date.js';

describe('durations', () => {
  it.each([
    ['30s', 30_000],
    ['10m', 600_000],
    ['1h30m', 5_400_000],
    ['250ms', 250],
    ['2d', 172_800_000],
    [' 1.5s ', 1_500],
    ['1.25m', 75_000],
  ])('parses %s', (text, ms) => expect(parseDuration(text)).toBe(ms));

  it.each(['', '10', 'ten minutes', '-5s', '5 s', '1y', '5s!', '1.s', '1.xs'])('rejects %j', (text) =>
    expect(parseDuration(text)).toBeNull(),
  );

  it('formats', () => {
    expect(formatDuration(450)).toBe('450ms');
    expect(formatDuration(12_300)).toBe('12.3s');
    expect(formatDuration(125_000)).toBe('2m5s');
    expect(formatDuration(1000)).toBe('1.0s');
    expect(formatDuration(60_000)).toBe('1m');
    expect(formatDuration(180_000)).toBe('3m');
  });
});

describe('game dates (ET slate dates)', () => {
  it('uses US Eastern time, not UTC', () => {
    // 03:30 UTC on Nov 27 is still Nov 26 in New York (UTC-5).
    expect(slateDate(new Date('2026-11-27T03:30:00Z'))).toBe('2026-11-26');
    expect(slateDate(new Date('2026-11-27T05:30:00Z'))).toBe('2026-11-27');
    // Daylight saving time: UTC-4 in July.
    expect(slateDate(new Date('2026-07-02T03:30:00Z'))).toBe('2026-07-01');
  });

  it('validates and moves dates', () => {
    expect(isGameDate('2026-02-28')).toBe(true);
    expect(isGameDate('2026-02-30')).toBe(false);
    expect(isGameDate('26-02-01')).toBe(false);
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28');
    expect(daysBetween('2026-11-20', '2026-11-26')).toBe(6);
  });
});
