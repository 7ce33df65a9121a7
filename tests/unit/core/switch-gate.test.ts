import { describe, expect, it } from 'vitest';
import {
  branchAgrees,
  classifyWrites,
  disagreements,
  frozenWrites,
  holdRemedy,
  holdText,
} from '../../../src/core/switch-gate.js';

const held = new Map([
  ['minutes', new Set(['m0', 'm1', 'm2'])],
  ['rates', new Set(['r0'])],
]);

describe('what a freeze window holds', () => {
  it('lets through a set of writes that are all rollbacks (a run held before, from the host view)', () => {
    const writes = classifyWrites([{ pointer: 'minutes', from: 'm2', to: 'm1' }], held);
    expect(writes[0]!.kind).toBe('rollback');
    expect(frozenWrites(writes)).toEqual([]);
  });

  it('holds a promotion, and a rollback that shares the commit with one', () => {
    const writes = classifyWrites(
      [
        { pointer: 'minutes', from: 'm2', to: 'm1' },
        { pointer: 'rates', from: 'r0', to: 'r1' },
      ],
      held,
    );
    expect(frozenWrites(writes).map((w) => `${w.pointer}:${w.kind}`)).toEqual([
      'minutes:rollback',
      'rates:promotion',
    ]);
  });

  it('holds a manual edit (same run) and anything on a host with no history', () => {
    expect(frozenWrites(classifyWrites([{ pointer: 'minutes', from: 'm1', to: 'm1' }], held))).toHaveLength(
      1,
    );
    expect(
      frozenWrites(classifyWrites([{ pointer: 'minutes', from: 'm1', to: 'm0' }], new Map())),
    ).toHaveLength(1);
  });

  it('lets a missing file be restored to a run held before', () => {
    expect(frozenWrites(classifyWrites([{ pointer: 'minutes', from: null, to: 'm1' }], held))).toEqual([]);
  });
});

describe('a diverged host and the branch', () => {
  const host = { minutes: 'm1', rates: 'r0' };

  it('agree when every pointer rolled back locally selects the host run, whatever else moved', () => {
    expect(branchAgrees(host, { minutes: 'm1', rates: 'r9' }, ['minutes'])).toBe(true);
    expect(branchAgrees(host, { minutes: 'm2', rates: 'r0' }, ['minutes'])).toBe(false);
    expect(branchAgrees(host, { minutes: 'm1', rates: 'r9' }, ['minutes', 'rates'])).toBe(false);
  });

  it('name the rolled-back pointers that differ', () => {
    expect(disagreements(host, { minutes: 'm2', rates: 'r9' }, ['minutes'])).toEqual([
      'minutes: host m1, branch m2',
    ]);
  });

  it('hold text says what and what to do', () => {
    const hold = {
      reason: 'diverged' as const,
      since: 'T',
      base: 'b',
      differences: ['minutes: host m1, branch m2'],
      branch: 'rollback/minutes/abc',
    };
    expect(holdText(hold)).toMatch(/rolled back locally at T .*minutes: host m1, branch m2/);
    expect(holdRemedy(hold)).toMatch(/git promote reconcile.*rollback\/minutes\/abc/);
  });
});
