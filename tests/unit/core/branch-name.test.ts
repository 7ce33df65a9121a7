import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { PromotionBranch } from '../../../src/core/branch-name.js';

describe('PromotionBranch', () => {
  it('names one pointer promote/<pointer>/<run> and parses it back', () => {
    const b = new PromotionBranch([{ pointer: 'minutes', run: '2026-11-20T10-00' }]);
    expect(b.toString()).toBe('promote/minutes/2026-11-20T10-00');
    expect(PromotionBranch.parse('promote/minutes/2026-11-20T10-00')?.assignments).toEqual([
      { pointer: 'minutes', run: '2026-11-20T10-00' },
    ]);
    expect(PromotionBranch.parse('refs/heads/promote/minutes/r1')?.assignments[0]?.run).toBe('r1');
  });

  it('sorts several pointers into one flat name', () => {
    const b = new PromotionBranch([
      { pointer: 'rates', run: 'B' },
      { pointer: 'minutes', run: 'A' },
    ]);
    expect(b.toString()).toBe('promote/minutes,rates/A,B');
    expect(PromotionBranch.parse(b.toString())?.assignments).toEqual(b.assignments);
  });

  it.each(['run:1', 'run=5+x', 'ends.', 'x.lock', 'a_b.c-d'])(
    'round-trips run %s into a valid git ref',
    (run) => {
      const name = new PromotionBranch([{ pointer: 'minutes', run }]).toString();
      expect(PromotionBranch.parse(name)?.assignments[0]?.run).toBe(run);
      expect(() => execFileSync('git', ['check-ref-format', `refs/heads/${name}`])).not.toThrow();
    },
  );

  it.each([
    'main',
    'promote/minutes',
    'promote/minutes/a/b',
    'promote/minutes,rates/A',
    'promote/minutes,minutes/A,B',
    'promote/Bad/A',
    'promote/minutes/..x',
    'promote/minutes/-x',
    'rollback/minutes/A',
    'promote/refs/heads/minutes/A',
    'promote/rates,minutes/B,A', // not sorted: another name for promote/minutes,rates/A,B
    'promote/minutes/run%2E5', // encoded where no encoding is needed
    'promote/Bad,minutes/A,B',
    'promote/minutes,rates/A,..x',
  ])('rejects %s', (name) => {
    expect(PromotionBranch.parse(name)).toBeNull();
  });

  it('needs at least one pointer', () => {
    expect(() => new PromotionBranch([])).toThrow('a promotion branch needs at least one pointer');
  });
});
