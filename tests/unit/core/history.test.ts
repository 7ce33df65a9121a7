import { describe, expect, it } from 'vitest';
import {
  classify,
  historyLines,
  LogParser,
  parseLog,
  pointerChange,
  prNumberFromMessage,
  repoEvidencePath,
  revertedShas,
  summarizeEvidence,
  whoOf,
  type HistoryEntry,
  type LogCommit,
} from '../../../src/core/history.js';
import { historyEntry, logCommit, sha } from '../../helpers/history-entries.js';

function entry(
  s: string,
  kind: HistoryEntry['kind'],
  from: string | null,
  to: string,
  reverts: string[] = [],
) {
  return historyEntry(s, kind, from, to, reverts.map((r) => `This reverts commit ${r}.`).join('\n'));
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

  it('parses the same commits however the output is cut into chunks (LogParser, streaming)', () => {
    const record = (c: string, parent: string, message: string, patch: string) =>
      `\0${sha(c)}\x1f${parent}\x1fAnn \u00e9\x1fann@x\x1f2026-01-01T00:00:00Z\x1f2026-01-01T00:00:01Z\x1f${message}\0${patch}`;
    const out =
      record(
        'c',
        sha('b'),
        'third\n',
        '\ndiff --git a/p b/p\n@@ -1 +1 @@\n-{"run_id": "B"}\n+{"run_id": "C"}\n',
      ) +
      record('b', sha('a'), 'second\n\nbody with \x1f and diff --git\n', '') +
      record('a', '', 'root\n', '\ndiff --git a/p b/p\n+{"run_id": "A"}\n');
    const whole = parseLog(out);
    expect(whole.map((c) => c.message)).toEqual([
      'third\n',
      'second\n\nbody with \x1f and diff --git\n',
      'root\n',
    ]);
    // Every single cut point, and cuts after every character: each commit is handed over once,
    // complete, in order.
    const cuts = [...Array.from({ length: out.length + 1 }, (_, i) => [i]), [...out].map((_, i) => i)];
    for (const at of cuts) {
      const got: LogCommit[] = [];
      const parser = new LogParser((c) => got.push(c));
      let from = 0;
      for (const i of at) {
        parser.push(out.slice(from, i));
        from = i;
      }
      parser.push(out.slice(from));
      parser.end();
      expect(got).toEqual(whole);
    }
  });

  it('hands over each commit as soon as the next one starts, before the output ends', () => {
    const seen: string[] = [];
    const parser = new LogParser((c) => seen.push(c.sha));
    parser.push(`\0${sha('b')}\x1f\x1fA\x1fa@x\x1fd\x1fd\x1fm\n\0patch`);
    expect(seen).toEqual([]);
    // The next header, up to the NUL that -z puts before its patch.
    parser.push(`\0${sha('a')}\x1f\x1fA\x1fa@x\x1fd\x1fd\x1fm\n\0`);
    expect(seen).toEqual([sha('b')]);
    parser.end();
    expect(seen).toEqual([sha('b'), sha('a')]);
  });

  it('gives a commit without a diff an empty patch', () => {
    const out = `\0${sha('a')}\x1f\x1fBob\x1fbob@x\x1f2026-01-01T00:00:00Z\x1f2026-01-01T00:00:00Z\x1fmode only\n`;
    expect(parseLog(out)[0]!.patch).toBe('');
  });
});

describe('pointer change of a commit', () => {
  const patch = (before: string, after: string) =>
    `\ndiff --git a/p.json b/p.json\n--- a/p.json\n+++ b/p.json\n@@ -1 +1 @@\n-${before}\n+${after}\n`;

  it('reads the run before and after from the diff', () => {
    const commit = logCommit({ patch: patch('{"run_id": "A"}', '{"run_id": "B"}') });
    expect(pointerChange(commit, 'run_id', 'p.json')).toEqual({ from: 'A', to: 'B', problems: [] });
  });

  it('names the side it could not read by file and short sha', () => {
    const commit = logCommit({ sha: sha('c'), patch: patch('{"run_id": "A"}', '{"run_id": 3}') });
    expect(pointerChange(commit, 'run_id', 'p.json')).toEqual({
      from: 'A',
      to: null,
      problems: ['p.json@cccccccccccc has no string "run_id"'],
    });
    const old = logCommit({ sha: sha('c'), patch: patch('[]', '{"run_id": "B"}') });
    expect(pointerChange(old, 'run_id', 'p.json').problems).toEqual([
      'p.json@cccccccccccc^ must hold a JSON object',
    ]);
  });

  it('says when the diff holds no readable change', () => {
    expect(pointerChange(logCommit({ patch: '' }), 'run_id', 'p.json')).toEqual({
      from: null,
      to: null,
      problems: ['p.json: the change could not be read from the diff'],
    });
  });
});

describe('evidence of a history entry', () => {
  it('is found under the prefix for a valid run id only', () => {
    expect(repoEvidencePath('ml/', 'minutes', 'm2')).toBe('ml/promotions/minutes/m2.json');
    expect(repoEvidencePath('', 'minutes', null)).toBeNull();
    expect(repoEvidencePath('', 'minutes', '../m2')).toBeNull();
  });

  it('sums the rows that are numbers and keeps a game date only when it is text', () => {
    const text = JSON.stringify({
      game_date: 20261125,
      manifest: { outputs: [null, { rows: '5' }, { rows: 3 }, { rows: 4 }] },
    });
    expect(summarizeEvidence(text, true)).toEqual({ gameDate: null, rows: 7, addedHere: true });
  });
});

describe('messages', () => {
  it('finds PR numbers of squash and merge commits', () => {
    expect(prNumberFromMessage('Promote minutes to B (#12)\n\nbody (#3)')).toBe(12);
    expect(prNumberFromMessage('Merge pull request #45 from acme/promote/minutes/B\n')).toBe(45);
    expect(prNumberFromMessage('Hand edit (see #4) today')).toBeNull();
    expect(prNumberFromMessage('  Promote minutes to B (#12)  \n')).toBe(12);
    expect(prNumberFromMessage('Promote (#12) again')).toBeNull();
    // A revert of a merge is not that PR's merge.
    expect(prNumberFromMessage('Revert "Merge pull request #45 from acme/x"\n')).toBeNull();
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
  const base = {
    commit: logCommit(),
    from: 'A',
    to: 'B',
    block: null,
    problems: [],
    heldBefore: new Set(['A']),
  };
  it('a new run is a promotion, with its evidence summarised', () => {
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
  it('returning to a run the pointer held before is a rollback, whatever the evidence', () => {
    const held = new Set(['A', 'B']);
    expect(classify({ ...base, heldBefore: held, evidence: '{}', evidenceAtParent: true }).kind).toBe(
      'rollback',
    );
    expect(classify({ ...base, heldBefore: held, evidence: null, evidenceAtParent: false }).kind).toBe(
      'rollback',
    );
  });
  it('a new run is a promotion even when committed by hand, its evidence already there, or called a rollback', () => {
    expect(classify({ ...base, evidence: null, evidenceAtParent: false }).kind).toBe('promotion');
    expect(classify({ ...base, evidence: '{}', evidenceAtParent: true })).toMatchObject({
      kind: 'promotion',
      evidence: { addedHere: false },
    });
    expect(
      classify({
        ...base,
        commit: logCommit({ message: 'Revert "x"\n\nThis reverts commit abc1234.\n' }),
        evidence: null,
        evidenceAtParent: false,
        block: { kind: 'rollback', reverts: ['def5678'] },
      }),
    ).toMatchObject({ kind: 'promotion', reverts: ['abc1234', 'def5678'] });
  });
  it('a change that selects no new run is a manual edit', () => {
    expect(classify({ ...base, to: 'A', evidence: null, evidenceAtParent: false }).kind).toBe('manual edit');
    expect(classify({ ...base, to: null, evidence: null, evidenceAtParent: false }).kind).toBe('manual edit');
  });
  it('neutralises terminal escape sequences in subjects', () => {
    const e = classify({
      ...base,
      commit: logCommit({ message: 'Promote \u001b[2J B (#7)\n' }),
      evidence: null,
      evidenceAtParent: false,
    });
    expect(e.subject).toBe('Promote ?[2J B (#7)');
  });
  it('takes the reverted commits from the message alone when there is no block', () => {
    const e = classify({
      ...base,
      commit: logCommit({ message: 'Revert "x"\n\nThis reverts commit abc1234.\n' }),
      evidence: null,
      evidenceAtParent: false,
    });
    expect(e.reverts).toEqual(['abc1234']);
  });
  it('records the author, a trimmed subject, and no evidence when there is none', () => {
    const e = classify({
      ...base,
      commit: logCommit({ message: 'Promote minutes to B (#7)   \n\nbody\n' }),
      evidence: null,
      evidenceAtParent: false,
    });
    expect(e).toMatchObject({
      author: { name: 'Ann', email: 'ann@example.com' },
      subject: 'Promote minutes to B (#7)',
      evidence: null,
    });
  });
  it('unreadable evidence still counts as present', () => {
    expect(classify({ ...base, evidence: 'not json', evidenceAtParent: false }).evidence).toEqual({
      gameDate: null,
      rows: null,
      addedHere: true,
    });
  });
});

describe('who made a change', () => {
  it('names the PR author, never the bot that squash-merged it', () => {
    const merged = logCommit({
      authorName: 'github-actions[bot]',
      authorEmail: '41898282+github-actions[bot]@users.noreply.github.com',
      message:
        'Promote minutes to B (#7)\n\nCo-authored-by: dependabot[bot] <x@y>\nCo-authored-by: Dana Scientist <dana@example.com>\n',
    });
    expect(whoOf(merged)).toEqual({
      proposer: { name: 'Dana Scientist', email: 'dana@example.com' },
      mergedBy: 'github-actions[bot]',
    });
    expect(whoOf(logCommit())).toEqual({
      proposer: { name: 'Ann', email: 'ann@example.com' },
      mergedBy: null,
    });
    expect(whoOf(logCommit({ authorName: 'promote-app[bot] ', message: 'x\n' }))).toMatchObject({
      proposer: null,
    });
    expect(whoOf(logCommit({ authorName: 'Ann[bot]ley' })).mergedBy).toBeNull();
    expect(whoOf(logCommit({ authorName: 'promote-app[bot]', message: 'x\n' }))).toEqual({
      proposer: null,
      mergedBy: 'promote-app[bot]',
    });
  });
});

describe('co-author trailers', () => {
  const proposer = (message: string) => whoOf(logCommit({ authorName: 'app[bot]', message })).proposer;

  it('read a trailer however it is spaced, also on the last line', () => {
    expect(proposer('t\n\nCo-authored-by:Dana<dana@x>')).toEqual({ name: 'Dana', email: 'dana@x' });
    expect(proposer('t\n\nCo-authored-by:  Dana  <dana@x>  \n')).toEqual({ name: 'Dana', email: 'dana@x' });
  });

  it('ignore lines that only mention one', () => {
    expect(proposer('t\n\nNot Co-authored-by: Eve <eve@x>\n')).toBeNull();
    expect(proposer('t\n\nCo-authored-by: Eve <eve@x> said so\n')).toBeNull();
  });
});

describe('historyLines', () => {
  it('keeps the committer zone, shows rows, and says when run or proposer are unknown', () => {
    const e: HistoryEntry = {
      ...entry('c', 'promotion', 'B', 'C'),
      date: '2026-11-25T10:05:00+01:00',
      from: null,
      proposer: null,
      pr: null,
      evidence: { gameDate: '2026-11-24', rows: 7, addedHere: true },
    };
    expect(historyLines('minutes', [e])).toEqual([
      '2026-11-25 10:05:00 +01:00  cccccccccccc  promotion    (none) -> C  (unknown)  evidence 2026-11-24, 7 rows',
    ]);
    expect(historyLines('minutes', [{ ...e, to: null, evidence: null }])).toEqual([
      '2026-11-25 10:05:00 +01:00  cccccccccccc  promotion    (none) -> (none)  (unknown)',
    ]);
  });

  it('prints one line per change', () => {
    const lines = historyLines('minutes', [entry('c', 'promotion', 'B', 'C')]);
    expect(lines).toEqual([`2026-11-25 10:05:00 Z  cccccccccccc  promotion    B -> C  Ann  evidence ?`]);
    expect(historyLines('minutes', [])).toEqual(['minutes: no changes on the branch']);
    const byBot = classify({
      commit: logCommit({
        authorName: 'github-actions[bot]',
        message: 'Promote minutes to C (#12)\n\nCo-authored-by: Dana <dana@example.com>\n',
      }),
      from: 'B',
      to: 'C',
      evidence: null,
      evidenceAtParent: false,
      block: null,
      problems: [],
      heldBefore: new Set(['B']),
    });
    expect(historyLines('minutes', [byBot])[0]).toContain(
      'B -> C  Dana (merged by github-actions[bot])  PR #12',
    );
  });
});
