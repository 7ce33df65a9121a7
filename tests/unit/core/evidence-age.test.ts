import { describe, expect, it } from 'vitest';
import { evidenceAge } from '../../../src/core/evidence-age.js';

const TODAY = '2026-07-24';

describe('evidence age in days', () => {
  it('counts calendar days and allows exactly the limit', () => {
    expect(evidenceAge({ gameDate: '2026-07-21', today: TODAY, limit: { days: 3 } })).toMatchObject({
      ok: true,
      age: 3,
    });
    const old = evidenceAge({ gameDate: '2026-07-14', today: TODAY, limit: { days: 3 } });
    expect(old).toEqual({
      ok: false,
      age: 10,
      reason: 'game date 2026-07-14 is 10 days old (at most 3); smoke again',
    });
  });

  it('allows one day ahead, not two', () => {
    expect(evidenceAge({ gameDate: '2026-07-25', today: TODAY, limit: { days: 3 } }).ok).toBe(true);
    expect(evidenceAge({ gameDate: '2026-07-26', today: TODAY, limit: { slates: 3 } })).toMatchObject({
      ok: false,
      reason: 'game date 2026-07-26 is in the future (today is 2026-07-24 ET)',
    });
  });
});

describe('evidence age in slates', () => {
  it('passes the last slate before an off-season ten days later, when the smoke run saw no slate since', () => {
    const v = evidenceAge({
      gameDate: '2026-07-14',
      today: TODAY,
      limit: { slates: 3 },
      slates: { through: TODAY, after: [] },
    });
    expect(v).toEqual({
      ok: true,
      age: 0,
      reason:
        'game date 2026-07-14 is 0 slates old (at most 3; 0 slates after it seen by the smoke run through 2026-07-24)',
    });
  });

  it('counts the slates seen after the game date, once each, and fails past the limit', () => {
    const after = ['2026-07-16', '2026-07-18', '2026-07-18', '2026-07-20', '2026-07-22'];
    const v = evidenceAge({
      gameDate: '2026-07-14',
      today: TODAY,
      limit: { slates: 3 },
      slates: { through: TODAY, after },
    });
    expect(v.ok).toBe(false);
    expect(v.age).toBe(4);
    expect(v.reason).toMatch(/is 4 slates old \(at most 3; .*\); smoke again on the latest slate$/);
  });

  it('counts every day after the smoke run as a slate (nobody saw them)', () => {
    const v = evidenceAge({
      gameDate: '2026-07-14',
      today: TODAY,
      limit: { slates: 3 },
      slates: { through: '2026-07-20', after: ['2026-07-16'] },
    });
    expect(v.age).toBe(1 + 4);
    expect(v.ok).toBe(false);
    expect(v.reason).toContain('4 days since counted as slates');
  });

  it('counts every day as a slate without a record (older evidence), or with an incoherent one', () => {
    for (const slates of [
      undefined,
      { through: '2026-07-10', after: [] }, // before the game date
      { through: 'soon', after: [] },
    ]) {
      const v = evidenceAge({ gameDate: '2026-07-14', today: TODAY, limit: { slates: 3 }, slates });
      expect(v.age, JSON.stringify(slates)).toBe(10);
      expect(v.ok).toBe(false);
    }
  });

  it('never lets a record reach past today or count dates outside (game date, through]', () => {
    const v = evidenceAge({
      gameDate: '2026-07-14',
      today: TODAY,
      limit: { slates: 3 },
      slates: { through: '2026-12-31', after: ['2026-07-14', '2026-07-01', '2026-08-01', 'x', '2026-07-20'] },
    });
    expect(v.age).toBe(1);
  });
});
