import { describe, expect, it } from 'vitest';
import {
  activePromotions,
  classify,
  historyLines,
  parseLog,
  prNumberFromMessage,
  revertedShas,
  type HistoryEntry,
  type LogCommit,
} from '../../../src/core/history.js';

const sha = (c: string) => c.repeat(40);

function commit(over: Partial<LogCommit> = {}): LogCommit {
  return {
    sha: sha('a'),
    parents: [sha('0')],
    authorName: 'Ann',
    authorEmail: 'ann@example.com',
    authorDate: '2026-11-25T10:00:00Z',
    commitDate: '2026-11-25T10:05:00Z',
    message: 'Promote minutes to B (#7)\n',
    patch: '',
    ...over,
  };
}

function entry(
  s: string,
  kind: HistoryEntry['kind'],
  from: string | null,
  to: string,
  reverts: string[] = [],
) {
  return classify({
    commit: commit({ sha: sha(s), message: reverts.map((r) => `This reverts commit ${r}.`).join('\n') }),
    from,
    to,
    evidence: kind === 'manual edit' ? null : '{}',
    evidenceAtParent: kind === 'rollback',
    block: null,
    problems: [],
  });
}

describe('parseLog', () => {
  it('splits NUL-separated records and keeps messages that look like headers or diffs', () => {
    const out =
      `\0${sha('b')}\x1f${sha('a')}\x1fAnn\x1fann@x\x1f2026-01-01T00:00:00Z\x1f2026-01-01T00:00:01Z\x1fsubject\n\ndiff --git fake\n` +
      `\0\ndiff --git a/p b/p\n@@ -1 +1 @@\n-x\n+y\n` +
      `\0${sha('a')}\x1f\x1fBob\x1fbob@x\x1f2026-01-01T00:00:00Z\x1f2026-01-01T00:00:00Z\x1froot\n\0\ndiff --git a/p b/p\n`;
    const commits = parseLog(out);
    expect(commits.map((c) => [c.sha, c.parents, c.authorName, c.message])).toEqual([
      [sha('b'), [sha('a')], 'Ann', 'subject\n\ndiff --git fake\n'],
      [sha('a'), [], 'Bob', 'root\n'],
    ]);
    expect(commits[0]!.patch).toContain('+y');
  });
});

describe('messages', () => {
  it('finds PR numbers of squash and merge commits', () => {
    expect(prNumberFromMessage('Promote minutes to B (#12)\n\nbody (#3)')).toBe(12);
    expect(prNumberFromMessage('Merge pull request #45 from acme/promote/minutes/B\n')).toBe(45);
    expect(prNumberFromMessage('Hand edit (see #4) today')).toBeNull();
  });

  it('finds every reverted commit', () => {
    expect(
      revertedShas(
        `Revert "x"\n\nThis reverts commit ${sha('c')}.\n\n* Revert\n\nThis reverts commit ${sha('d')}.`,
      ),
    ).toEqual([sha('c'), sha('d')]);
    expect(revertedShas('mentions This reverts commit abcdef1 inline')).toEqual([]);
  });
});

describe('classify', () => {
  const base = { commit: commit(), from: 'A', to: 'B', block: null, problems: [] };
  it('a commit adding the new run evidence is a promotion', () => {
    const e = classify({
      ...base,
      evidence: '{"game_date":"2026-11-25","manifest":{"outputs":[{"rows":3},{"rows":4}]}}',
      evidenceAtParent: false,
    });
    expect(e).toMatchObject({
      kind: 'promotion',
      pr: 7,
      evidence: { gameDate: '2026-11-25', rows: 7, addedHere: true },
    });
  });
  it('returning to a run whose evidence was already there is a rollback', () => {
    expect(classify({ ...base, evidence: '{}', evidenceAtParent: true }).kind).toBe('rollback');
  });
  it('a change without evidence is a manual edit, unless a PR block says otherwise', () => {
    expect(classify({ ...base, evidence: null, evidenceAtParent: false }).kind).toBe('manual edit');
    expect(
      classify({ ...base, evidence: null, evidenceAtParent: false, block: { kind: 'promotion', pr: 9 } }),
    ).toMatchObject({ kind: 'promotion', pr: 9 });
    expect(
      classify({
        ...base,
        evidence: null,
        evidenceAtParent: false,
        block: { kind: 'rollback', reverts: ['abc1234'] },
      }),
    ).toMatchObject({ kind: 'rollback', reverts: ['abc1234'] });
  });
  it('neutralises terminal escape sequences in subjects', () => {
    const e = classify({
      ...base,
      commit: commit({ message: 'Promote \u001b[2J B (#7)\n' }),
      evidence: null,
      evidenceAtParent: false,
    });
    expect(e.subject).toBe('Promote ?[2J B (#7)');
  });
  it('unreadable evidence still counts as present', () => {
    expect(classify({ ...base, evidence: 'not json', evidenceAtParent: false }).evidence).toEqual({
      gameDate: null,
      rows: null,
      addedHere: true,
    });
  });
});

describe('activePromotions', () => {
  it('drops promotions reverted by name', () => {
    const entries = [
      entry('d', 'rollback', 'C', 'B', [sha('c')]),
      entry('c', 'promotion', 'B', 'C'),
      entry('b', 'promotion', 'A', 'B'),
    ];
    expect(activePromotions(entries).map((e) => e.sha)).toEqual([sha('b')]);
  });
  it('drops promotions a rollback went back over without naming them', () => {
    const entries = [
      entry('d', 'rollback', 'C', 'A'),
      entry('c', 'promotion', 'B', 'C'),
      entry('b', 'promotion', 'A', 'B'),
      entry('a', 'promotion', null, 'A'),
    ];
    expect(activePromotions(entries).map((e) => e.sha)).toEqual([sha('a')]);
  });
  it('keeps promotions across manual edits', () => {
    const entries = [entry('d', 'manual edit', 'C', 'X'), entry('c', 'promotion', 'B', 'C')];
    expect(activePromotions(entries).map((e) => e.sha)).toEqual([sha('c')]);
  });
});

describe('historyLines', () => {
  it('prints one line per change', () => {
    const lines = historyLines('minutes', [entry('c', 'promotion', 'B', 'C')]);
    expect(lines).toEqual([`2026-11-25 10:05:00  cccccccccccc  promotion    B -> C  Ann  evidence ?`]);
    expect(historyLines('minutes', [])).toEqual(['minutes: no changes on the branch']);
  });
});
