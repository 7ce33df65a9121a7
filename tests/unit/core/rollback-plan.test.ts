import { describe, expect, it } from 'vitest';
import { classify, type HistoryEntry } from '../../../src/core/history.js';
import { planRollback, rollbackBranch } from '../../../src/core/rollback-plan.js';
import { blockInfo, rollbackBody, rollbackBodyText, rollbackTitle } from '../../../src/core/rollback-pr.js';

const sha = (c: string) => c.repeat(40);
function entry(
  s: string,
  kind: HistoryEntry['kind'],
  from: string | null,
  to: string,
  pr: number | null = null,
): HistoryEntry {
  return classify({
    commit: {
      sha: sha(s),
      parents: [sha('0')],
      authorName: 'Ann',
      authorEmail: 'a@x',
      authorDate: '2026-11-25T10:00:00Z',
      commitDate: '2026-11-25T10:00:00Z',
      message: pr === null ? `change ${s}` : `Promote ${to} (#${pr})`,
      patch: '',
    },
    from,
    to,
    evidence: kind === 'manual edit' ? null : '{}',
    evidenceAtParent: kind === 'rollback',
    block: null,
    problems: [],
  });
}

// Newest first: A created, A -> B (#11), B -> C (#12).
const abc = [
  entry('c', 'promotion', 'B', 'C', 12),
  entry('b', 'promotion', 'A', 'B', 11),
  entry('a', 'promotion', null, 'A'),
];

describe('planRollback', () => {
  it('reverts the newest promotion in effect', () => {
    expect(planRollback('minutes', abc)).toMatchObject({
      left: 'C',
      restored: 'B',
      reverts: [{ sha: sha('c') }],
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
    expect(() => planRollback('minutes', [])).toThrow(/no promotion to roll back/);
    const manual = [entry('d', 'promotion', 'X', 'D', 13), entry('x', 'manual edit', 'C', 'X'), ...abc];
    expect(() => planRollback('minutes', manual, 'B')).toThrow(/cannot be returned to B/);
    const edited = [entry('x', 'manual edit', 'C', 'X'), ...abc];
    expect(() => planRollback('minutes', edited)).toThrow(
      'minutes was changed to X after its last promotion cccccccccccc (B -> C, PR #12) by xxxxxxxxxxxx (manual edit)',
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
