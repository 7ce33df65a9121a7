import { describe, expect, it } from 'vitest';
import { gameDateWindow, slateDate } from '../../../src/core/game-date.js';

describe('gameDateWindow', () => {
  it('is midnight to midnight US Eastern, standard time (UTC-5)', () => {
    expect(gameDateWindow('2026-11-26')).toEqual({
      after: '2026-11-26T05:00:00.000Z',
      before: '2026-11-27T04:59:59.999Z',
    });
  });

  it('is midnight to midnight US Eastern, daylight time (UTC-4)', () => {
    expect(gameDateWindow('2026-07-04')).toEqual({
      after: '2026-07-04T04:00:00.000Z',
      before: '2026-07-05T03:59:59.999Z',
    });
  });

  it('is 23 hours on the spring-forward day and 25 on the fall-back day', () => {
    const hours = (d: string) => {
      const w = gameDateWindow(d);
      return (Date.parse(w.before) + 1 - Date.parse(w.after)) / 3_600_000;
    };
    expect(gameDateWindow('2026-03-08').after).toBe('2026-03-08T05:00:00.000Z');
    expect(hours('2026-03-08')).toBe(23);
    expect(gameDateWindow('2026-11-01').after).toBe('2026-11-01T04:00:00.000Z');
    expect(hours('2026-11-01')).toBe(25);
  });

  it('agrees with slateDate at both edges', () => {
    for (const d of ['2026-03-08', '2026-11-01', '2026-11-26', '2027-01-01']) {
      const w = gameDateWindow(d);
      expect(slateDate(new Date(w.after))).toBe(d);
      expect(slateDate(new Date(w.before))).toBe(d);
      expect(slateDate(new Date(Date.parse(w.after) - 1))).not.toBe(d);
      expect(slateDate(new Date(Date.parse(w.before) + 1))).not.toBe(d);
    }
  });
});
