import { describe, expect, it } from 'vitest';
import type { HistoryEntry } from '../../../src/core/history.js';
import { historyEntry, sha } from '../../helpers/history-entries.js';
import { planRollback, rollbackBranch } from '../../../src/core/rollback-plan.js';
import { blockInfo, rollbackBody, rollbackBodyText, rollbackTitle } from '../../../src/core/rollback-pr.js';

function entry(
  s: string,
  kind: HistoryEntry['kind'],
  from: string | null,
  to: string,
  pr: number | null = null,
): HistoryEntry {
  return historyEntry(s, kind, from, to, pr === null ? `change ${s}` : `Promote ${to} (#${pr})`);
}

// Newest first: A created, A -> B (#11), B -> C (#12).
const abc = [
  entry('c', 'promotion', 'B', 'C', 12),
  entry('b', 'promotion', 'A', 'B', 11),
  entry('a', 'promotion', null, 'A'),
];

describe('planRollback', () => {
  it('reverts the latest change, whatever its kind', () => {
    expect(planRollback('minutes', abc)).toMatchObject({
      left: 'C',
      restored: 'B',
      reverts: [{ sha: sha('c') }],
    });
    const edited = [entry('x', 'manual edit', 'C', 'C'), ...abc];
    expect(planRollback('minutes', edited)).toMatchObject({
      left: 'C',
      restored: 'C',
      reverts: [{ sha: sha('x') }],
    });
    const back = [entry('d', 'rollback', 'C', 'B'), ...abc];
    expect(planRollback('minutes', back)).toMatchObject({
      left: 'B',
      restored: 'C',
      reverts: [{ sha: sha('d') }],
    });
  });
  it('--to reverts every later promotion, newest first', () => {
    const plan = planRollback('minutes', abc, 'A')!;
    expect(plan.reverts.map((r) => r.sha)).toEqual([sha('c'), sha('b')]);
    expect(plan.restored).toBe('A');
  });
  it('does nothing when the pointer is already there', () => {
    expect(planRollback('minutes', abc, 'C')).toBeNull();
  });
  it('refuses runs outside the history, creations and unreachable runs', () => {
    expect(() => planRollback('minutes', abc, 'Z')).toThrow('run Z is not in the history of minutes');
    expect(() => planRollback('minutes', [abc[2]!])).toThrow(/created the pointer file/);
    expect(() => planRollback('minutes', [])).toThrow(/no change to roll back/);
    // An unreadable version of the file (no run) breaks the chain of reverts.
    const unreadable = [entry('d', 'promotion', 'X', 'D', 13), entry('x', 'promotion', null, 'X'), ...abc];
    expect(() => planRollback('minutes', unreadable, 'B')).toThrow(
      'minutes cannot be returned to B by reverting its changes: they reach back only to X',
    );
  });
  it('finds a run that only the oldest change still names, as its starting run', () => {
    const plan = planRollback('minutes', abc.slice(0, 2), 'A')!;
    expect(plan.reverts.map((r) => r.sha)).toEqual([sha('c'), sha('b')]);
  });

  it('stops at a change that does not lead on to the next, and says how far it reaches', () => {
    const gap = [entry('d', 'promotion', 'Y', 'D', 13), entry('c', 'promotion', 'B', 'C', 12)];
    expect(() => planRollback('minutes', gap, 'C')).toThrow(
      'minutes cannot be returned to C by reverting its changes: they reach back only to Y',
    );
    const created = [entry('x', 'promotion', null, 'X'), entry('b', 'promotion', 'A', 'B', 11)];
    expect(() => planRollback('minutes', created, 'A')).toThrow(
      'minutes cannot be returned to A by reverting its changes: they reach back only to X',
    );
  });

  it('says which change it will not revert and what to do instead', () => {
    const refusal = (fn: () => unknown) => {
      try {
        fn();
      } catch (err) {
        return { message: (err as Error).message, remedy: (err as { remedy: string }).remedy };
      }
      throw new Error('expected a refusal');
    };
    expect(refusal(() => planRollback('minutes', []))).toEqual({
      message: 'minutes has no change to roll back on the branch',
      remedy: 'Run `git promote history minutes` to see its changes; promote the run you want instead.',
    });
    expect(refusal(() => planRollback('minutes', [entry('a', 'promotion', null, 'A', 7)]))).toEqual({
      message:
        'the last change of minutes, aaaaaaaaaaaa ((none) -> A, PR #7), created the pointer file; reverting it would delete it',
      remedy: 'Promote the run you want with `git promote propose minutes=<run>`.',
    });
    expect(refusal(() => planRollback('minutes', [abc[2]!])).message).toContain(
      ', aaaaaaaaaaaa ((none) -> A), created',
    );
    expect(refusal(() => planRollback('minutes', abc, 'Z')).remedy).toBe(
      'Run `git promote history minutes` and pass one of the runs it lists to --to.',
    );
    const gap = [entry('d', 'promotion', 'Y', 'D', 13), entry('c', 'promotion', 'B', 'C', 12)];
    expect(refusal(() => planRollback('minutes', gap, 'C')).remedy).toBe(
      'Promote C with `git promote propose minutes=C` instead.',
    );
  });

  it('names the branch after the newest reverted commit', () => {
    expect(rollbackBranch('minutes', sha('c'))).toBe('rollback/minutes/cccccccccccc');
  });
});

describe('rollback PR', () => {
  it('names the run left, the run restored, the reverted commits and PRs and the reason', () => {
    const plan = planRollback('minutes', abc, 'A')!;
    expect(rollbackTitle(plan)).toBe('Roll back minutes to A');
    const body = rollbackBodyText(plan, 'bad minutes on 2026-11-25');
    expect(body).toContain('leaves `C`, restores `A`');
    expect(body).toContain('- cccccccccccc B -> C (#12)');
    expect(body).toContain('- bbbbbbbbbbbb A -> B (#11)');
    expect(body).toContain('Reason: bad minutes on 2026-11-25');
  });
});

describe('blockInfo', () => {
  const plan = planRollback('minutes', abc, 'A')!;
  const body = rollbackBody({
    plan,
    reason: 'x',
    base: 'main',
    branch: 'rollback/minutes/cccccccccccc',
    file: 'config/minutes_current_run.json',
    evidence: 'promotions/minutes/A.json',
    restoredEvidence: null,
  }).toString();

  it('reads the kind and the reverted commits of a rollback block for its pointer only', () => {
    expect(blockInfo(`Roll back (#3)\n\n${body}`, 'minutes')).toEqual({
      kind: 'rollback',
      reverts: [sha('c'), sha('b')],
    });
    expect(blockInfo(body, 'rates')).toBeNull();
    expect(blockInfo('no block here', 'minutes')).toBeNull();
  });

  it('keeps PR-controlled subjects and the reason from adding a second block', () => {
    const sneaky = { ...abc[0]!, subject: '<!-- git-promote:pr {"v":1} --> x' };
    const text = rollbackBody({
      plan: { ...plan, reverts: [sneaky] },
      reason: 'see <!-- here -->',
      base: 'main',
      branch: 'b',
      file: 'f.json',
      evidence: 'e.json',
      restoredEvidence: null,
    }).toString();
    expect(text).toContain('&lt;!-- git-promote:pr {"v":1} --&gt; x');
    expect(blockInfo(text, 'minutes')).toMatchObject({ kind: 'rollback' });
  });

  it('ignores reverted entries that are not commit ids', () => {
    const forged = body.replace(sha('b'), '--upload-pack=x');
    expect(blockInfo(forged, 'minutes')).toEqual({ kind: 'rollback', reverts: [sha('c')] });
  });
});
