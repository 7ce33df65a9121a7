import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/core/errors.js';
import {
  actionRef,
  commaList,
  fullSha,
  gameDate,
  githubRepository,
  gitRef,
  intervalDuration,
  isSafeRef,
  oneOf,
  positiveWholeNumber,
  pullRequestNumber,
  runId,
  timeValue,
  trimmedText,
} from '../../../src/core/option-values.js';

/** The UsageError a parser throws, as its two printed lines. */
function refusal(parse: () => unknown): { message: string; remedy: string } {
  try {
    parse();
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    const e = err as UsageError;
    expect(e.exitCode).toBe(2);
    expect(e.message).not.toContain('\n');
    expect(e.remedy).not.toContain('\n');
    return { message: e.message, remedy: e.remedy };
  }
  throw new Error('expected a UsageError');
}

describe('option values', () => {
  it('--pr: a pull request number, nothing else', () => {
    expect(pullRequestNumber('42')).toBe(42);
    expect(pullRequestNumber('9999999999')).toBe(9_999_999_999);
    for (const bad of ['0', '042', '-1', '+1', '1.0', '1e3', ' 1', 'x', '12345678901'])
      expect(refusal(() => pullRequestNumber(bad)).message, bad).toBe(
        `--pr ${JSON.stringify(bad)} is not a pull request number`,
      );
    expect(refusal(() => pullRequestNumber(''))).toEqual({
      message: 'merge needs --pr N',
      remedy: 'Pass the pull request number, for example --pr 42.',
    });
  });

  it('--sha: 40 hex digits, lower-cased', () => {
    const sha = 'ab'.repeat(20);
    expect(fullSha(sha)).toBe(sha);
    expect(fullSha(sha.toUpperCase())).toBe(sha);
    for (const bad of ['HEAD~1', sha.slice(0, 39), `${sha}0`, `${sha.slice(0, 39)}g`, 'a'.repeat(64)])
      expect(refusal(() => fullSha(bad)).message).toMatch(/^--sha ".*" is not a full commit sha$/);
    // A hostile value is cut short in the message.
    expect(refusal(() => fullSha('x'.repeat(5000))).message.length).toBeLessThan(100);
  });

  it('--limit: a positive whole number', () => {
    const limit = positiveWholeNumber('--limit', '--limit 20');
    expect(limit('1')).toBe(1);
    expect(limit('250')).toBe(250);
    for (const bad of ['0', '-3', '2.5', '1e2', '', ' 3', 'ten'])
      expect(
        refusal(() => limit(bad)),
        bad,
      ).toEqual({
        message: `--limit must be a positive whole number, not ${JSON.stringify(bad)}`,
        remedy: 'Pass --limit 20.',
      });
  });

  it('--interval: a duration above zero, at most 1d, kept as given', () => {
    const interval = intervalDuration('--interval');
    expect(interval('30s')).toEqual({ text: '30s', ms: 30_000 });
    expect(interval('1h30m')).toEqual({ text: '1h30m', ms: 5_400_000 });
    expect(interval('1d')).toEqual({ text: '1d', ms: 86_400_000 });
    expect(refusal(() => interval('soon')).message).toBe('invalid --interval "soon"');
    expect(refusal(() => interval('0s')).message).toBe('invalid --interval "0s"');
    expect(refusal(() => interval('25h')).message).toBe('invalid --interval "25h": must be at most 1d');
    expect(refusal(() => interval('25h')).remedy).toBe('Pass a duration such as 30s, 5m or 1h (at most 1d).');
  });

  it('--game-date: a real calendar date', () => {
    expect(gameDate('2026-11-03')).toBe('2026-11-03');
    expect(gameDate('2028-02-29')).toBe('2028-02-29');
    for (const bad of ['2026-13-01', '2026-02-30', '2027-02-29', '26-11-03', '2026-11-3', 'today'])
      expect(
        refusal(() => gameDate(bad)),
        bad,
      ).toEqual({
        message: `invalid --game-date ${JSON.stringify(bad)}`,
        remedy: 'Pass a date as YYYY-MM-DD.',
      });
  });

  it('--run / --to: the run-id rule', () => {
    const run = runId('--run');
    expect(run('2026-11-20T10:00:00+00:00')).toBe('2026-11-20T10:00:00+00:00');
    expect(refusal(() => run('../x')).message).toBe('invalid --run "../x": it starts with "."');
    expect(refusal(() => run('-x')).message).toBe('invalid --run "-x": it starts with "-"');
    expect(refusal(() => runId('--to run')('a/b')).message).toMatch(
      /^invalid --to run "a\/b": it contains "\/"/,
    );
  });

  it('--since: a time', () => {
    expect(timeValue('--since')('2026-11-26T17:00:00Z').toISOString()).toBe('2026-11-26T17:00:00.000Z');
    for (const bad of ['nope', '', '2026-13-40T00:00:00Z'])
      expect(refusal(() => timeValue('--since')(bad)).message).toBe(`invalid --since ${JSON.stringify(bad)}`);
  });

  it('--base / --head: refs git cannot mistake for options, ranges or paths', () => {
    for (const ok of [
      'main',
      'origin/main',
      'HEAD~1',
      'HEAD^',
      'v1.2.3',
      'a'.repeat(40),
      'refs/remotes/origin/main',
    ])
      expect(gitRef('--base')(ok)).toBe(ok);
    for (const bad of ['-x', '--output=/tmp/x', 'a..b', 'main:config.json', 'main@{1}', 'a b', 'a\nb', ''])
      expect(isSafeRef(bad), JSON.stringify(bad)).toBe(false);
    expect(refusal(() => gitRef('--head')('--upload-pack=x')).message).toBe(
      '--head "--upload-pack=x" is not a branch, tag or commit git can be given safely',
    );
  });

  it('--source / --as-of: one of the words', () => {
    const source = oneOf('--source', ['branch', 'host']);
    expect(source('host')).toBe('host');
    expect(refusal(() => source('laptop'))).toEqual({
      message: '--source must be branch or host, not "laptop"',
      remedy: 'Pass --source branch or --source host.',
    });
    expect(refusal(() => oneOf('--as-of', ['pretip', 'end'])('noon')).message).toBe(
      '--as-of must be pretip or end, not "noon"',
    );
  });

  it('--github and --action-ref', () => {
    expect(githubRepository('acme/projections')).toBe('acme/projections');
    for (const bad of ['acme', 'acme/p/q', 'acme/p q', 'acme/'])
      expect(refusal(() => githubRepository(bad)).message).toBe(
        `--github ${JSON.stringify(bad)} is not "owner/repo"`,
      );
    const sha = 'c'.repeat(40);
    expect(actionRef(`acme/git-promote@${sha}`)).toEqual({ repo: 'acme/git-promote', sha });
    for (const bad of [
      `acme/git-promote@${sha.slice(1)}`,
      `acme/git-promote@v1`,
      `acme@${sha}`,
      `acme/git-promote@${sha.toUpperCase()}`,
    ])
      expect(refusal(() => actionRef(bad)).message).toMatch(/is not owner\/repo@<full commit sha>$/);
  });

  it('--evidence and --reason', () => {
    expect(commaList('a.json,,b.json')).toEqual(['a.json', 'b.json']);
    expect(commaList('')).toEqual([]);
    expect(trimmedText('  drifted \n')).toBe('drifted');
    expect(trimmedText('   ')).toBeUndefined();
  });
});
