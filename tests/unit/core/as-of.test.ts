import { describe, expect, it } from 'vitest';
import {
  changePoints,
  gameDateInstant,
  liveAt,
  missing,
  parseInstant,
  parseRange,
  snapshotAt,
  snapshotCommit,
  type Timeline,
} from '../../../src/core/as-of.js';
import { UsageError } from '../../../src/core/errors.js';

const t = (iso: string) => Date.parse(iso);

describe('parseInstant', () => {
  it('reads ISO timestamps with a zone, to the millisecond', () => {
    expect(parseInstant('2026-11-03T22:00Z')).toBe(t('2026-11-03T22:00:00Z'));
    expect(parseInstant('2026-11-03T17:00:00-05:00')).toBe(t('2026-11-03T22:00:00Z'));
    expect(parseInstant('2026-11-03T22:00:00.250Z')).toBe(t('2026-11-03T22:00:00.250Z'));
    expect(parseInstant('2026-11-03 22:00z')).toBe(t('2026-11-03T22:00:00Z'));
  });

  it('reads a date as the end of that ET day (standard and daylight time)', () => {
    // EST (UTC-5): midnight ET of the next day is 05:00Z.
    expect(new Date(parseInstant('2026-11-03')).toISOString()).toBe('2026-11-04T04:59:59.999Z');
    // EDT (UTC-4).
    expect(new Date(parseInstant('2026-10-15')).toISOString()).toBe('2026-10-16T03:59:59.999Z');
  });

  it('refuses anything else as a usage error', () => {
    for (const bad of [
      '',
      'yesterday',
      '2026-11-03T22:00', // no zone: which one?
      '2026-02-30',
      '2026-02-30T10:00Z',
      '2026-11-03T25:00Z',
      '2026-11-03T22:61Z',
      '2026-11-03T22:00:60Z',
      '2026-11-03T24:00Z', // ISO's next midnight: write the next day's 00:00
      '1730671200',
    ]) {
      expect(() => parseInstant(bad), bad).toThrow(UsageError);
    }
  });

  it('takes the last second of a day, and surrounding spaces', () => {
    expect(parseInstant(' 2026-11-03T23:59:59Z\n')).toBe(t('2026-11-03T23:59:59Z'));
  });

  it('says what it read and what to pass', () => {
    expect(() => parseInstant('yesterday')).toThrow(
      expect.objectContaining({
        message: '<instant> is not an ISO timestamp with a zone or a date: "yesterday"',
        remedy:
          'Pass e.g. 2026-11-03T22:00Z, 2026-11-03T17:00-05:00, or 2026-11-03 (the end of that ET day).',
      }),
    );
  });
});

describe('parseRange', () => {
  it('reads START..END and refuses a reversed or half range', () => {
    expect(parseRange('2026-11-01T00:00Z..2026-11-02T00:00Z')).toEqual({
      start: t('2026-11-01T00:00:00Z'),
      end: t('2026-11-02T00:00:00Z'),
    });
    for (const bad of ['2026-11-02..2026-11-01', '2026-11-01..', '2026-11-01', 'a..b..c'])
      expect(() => parseRange(bad), bad).toThrow(UsageError);
  });

  it('takes a range of one instant', () => {
    expect(parseRange('2026-11-01T00:00Z..2026-11-01T00:00Z')).toEqual({
      start: t('2026-11-01T00:00:00Z'),
      end: t('2026-11-01T00:00:00Z'),
    });
  });

  it('says which part is wrong and what to pass', () => {
    const usage = (value: string) => {
      try {
        parseRange(value);
      } catch (err) {
        return { message: (err as UsageError).message, remedy: (err as UsageError).remedy };
      }
      throw new Error(`expected ${value} to be refused`);
    };
    for (const half of ['..2026-11-01', '2026-11-01..', '2026-11-01', '2026-11-01..2026-11-02..2026-11-03'])
      expect(usage(half), half).toEqual({
        message: `--range must be START..END, not ${JSON.stringify(half)}`,
        remedy: 'Pass e.g. --range 2026-11-01..2026-11-30.',
      });
    expect(usage('soon..2026-11-01').message).toBe(
      'the start of --range is not an ISO timestamp with a zone or a date: "soon"',
    );
    expect(usage('2026-11-01..later').message).toBe(
      'the end of --range is not an ISO timestamp with a zone or a date: "later"',
    );
    expect(usage('2026-11-02..2026-11-01')).toEqual({
      message: '--range starts after it ends: 2026-11-02..2026-11-01',
      remedy: 'Put the earlier instant first: --range START..END.',
    });
  });
});

const timeline: Timeline = {
  minutes: [
    { at: t('2026-11-01T12:00Z'), run: 'A', commit: 'c1' },
    { at: t('2026-11-03T12:00Z'), run: 'B', commit: 'c3' },
    { at: t('2026-11-05T12:00Z'), run: 'A', commit: 'c5' }, // rollback
    { at: t('2026-11-06T12:00Z'), run: 'A', commit: 'c6' }, // note added, same run
  ],
  rates: [{ at: t('2026-11-02T12:00Z'), run: 'R1', commit: 'c2' }],
};

describe('liveAt / snapshotAt', () => {
  it('is the latest change at or before the instant, null before the first', () => {
    const m = timeline.minutes!;
    expect(liveAt(m, t('2026-11-01T11:59:59.999Z'))).toBeNull();
    expect(liveAt(m, t('2026-11-01T12:00Z'))?.run).toBe('A');
    expect(liveAt(m, t('2026-11-03T11:59Z'))?.run).toBe('A');
    expect(liveAt(m, t('2026-11-04T00:00Z'))?.commit).toBe('c3');
    expect(liveAt(m, t('2026-11-05T12:00Z'))?.commit).toBe('c5');
  });

  it('takes history order over commit time when the clock went backwards', () => {
    const skewed = [
      { at: t('2026-11-02T00:00Z'), run: 'A', commit: 'c1' },
      { at: t('2026-11-01T00:00Z'), run: 'B', commit: 'c2' }, // committed later, earlier clock
    ];
    expect(liveAt(skewed, t('2026-11-03T00:00Z'))?.run).toBe('B');
  });

  it('names the pointers without a run and the commit holding the whole set', () => {
    const early = snapshotAt(timeline, t('2026-11-01T18:00Z'));
    expect(missing(early)).toEqual(['rates']);
    const later = snapshotAt(timeline, t('2026-11-04T00:00Z'));
    expect(missing(later)).toEqual([]);
    expect(snapshotCommit(later)?.commit).toBe('c3');
    const removed = snapshotAt(
      {
        m: [
          { at: 1, run: 'A', commit: 'c1' },
          { at: 2, run: null, commit: 'c2' },
        ],
      },
      3,
    );
    expect(missing(removed)).toEqual(['m']);
  });
});

describe('changePoints', () => {
  it('is the set at the start, then one point per change of runs in (start, end]', () => {
    const points = changePoints(timeline, t('2026-11-01T00:00Z'), t('2026-11-30T00:00Z'));
    expect(points.map((p) => [new Date(p.at).toISOString(), p.runs, p.commit])).toEqual([
      ['2026-11-01T00:00:00.000Z', { minutes: null, rates: null }, null],
      ['2026-11-01T12:00:00.000Z', { minutes: 'A', rates: null }, 'c1'],
      ['2026-11-02T12:00:00.000Z', { minutes: 'A', rates: 'R1' }, 'c2'],
      ['2026-11-03T12:00:00.000Z', { minutes: 'B', rates: 'R1' }, 'c3'],
      ['2026-11-05T12:00:00.000Z', { minutes: 'A', rates: 'R1' }, 'c5'],
      // c6 changed the file but not the run: no new point.
    ]);
    expect(points[3]!.fromGameDate).toBe('2026-11-03');
  });

  it('gives one point when nothing changes inside the range', () => {
    const points = changePoints(timeline, t('2026-11-10T00:00Z'), t('2026-11-20T00:00Z'));
    expect(points).toHaveLength(1);
    expect(points[0]!.runs).toEqual({ minutes: 'A', rates: 'R1' });
    expect(points[0]!.commit).toBe('c6');
  });

  it('includes a change at the end of the range, and none after it', () => {
    const points = changePoints(timeline, t('2026-11-01T00:00Z'), t('2026-11-03T12:00Z'));
    expect(points.map((p) => p.commit)).toEqual([null, 'c1', 'c2', 'c3']);
  });

  it('counts a change at a slate midnight for that slate', () => {
    const points = changePoints(
      { m: [{ at: t('2026-11-06T05:00Z'), run: 'X', commit: 'c' }] },
      t('2026-11-01T00:00Z'),
      t('2026-11-10T00:00Z'),
    );
    expect(points[1]!.fromGameDate).toBe('2026-11-06');
  });
});

describe('gameDateInstant', () => {
  const iso = (ms: number) => new Date(ms).toISOString();
  it('is the configured ET wall-clock time on that slate, across DST changes', () => {
    expect(iso(gameDateInstant('2026-10-31', 'pretip', '18:00'))).toBe('2026-10-31T22:00:00.000Z'); // EDT
    expect(iso(gameDateInstant('2026-11-01', 'pretip', '18:00'))).toBe('2026-11-01T23:00:00.000Z'); // fall back
    expect(iso(gameDateInstant('2026-03-07', 'pretip', '18:30'))).toBe('2026-03-07T23:30:00.000Z'); // EST
    expect(iso(gameDateInstant('2026-03-08', 'pretip', '18:30'))).toBe('2026-03-08T22:30:00.000Z'); // spring forward
    // Just after the change (02:00 EST became 03:00 EDT): the first guess is on the other side of it.
    expect(iso(gameDateInstant('2026-03-08', 'pretip', '03:30'))).toBe('2026-03-08T07:30:00.000Z');
    expect(iso(gameDateInstant('2026-11-03', 'end', undefined))).toBe('2026-11-04T04:59:59.999Z');
  });

  it('refuses a bad date, an unknown mode, or pretip without a configured time', () => {
    expect(() => gameDateInstant('2026-11-31', 'end', undefined)).toThrow(
      expect.objectContaining({
        message: '--game-date must be a date YYYY-MM-DD, not "2026-11-31"',
        remedy: 'Pass e.g. --game-date 2026-11-03.',
      }),
    );
    expect(() => gameDateInstant('2026-11-03', 'tipoff', '18:00')).toThrow(
      expect.objectContaining({
        message: '--as-of must be pretip or end, not "tipoff"',
        remedy: 'Pass --as-of pretip or --as-of end.',
      }),
    );
    expect(() => gameDateInstant('2026-11-03', 'pretip', undefined)).toThrow(
      expect.objectContaining({
        message: '--as-of pretip needs asOf.pretip in promote.config.json',
        remedy: expect.stringMatching(/^Set asOf\.pretip to the ET time the slate is scored before tip-off/),
      }),
    );
  });
});
