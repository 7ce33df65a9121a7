import { describe, expect, it } from 'vitest';
import { classifyGitFailure, gitFailureError, gitMessageLines } from '../../../src/core/git-failure.js';

describe('git failures', () => {
  it.each([
    [
      "fatal: 'origin' does not appear to be a git repository\nfatal: Could not read from remote repository.",
      'missing-remote',
    ],
    [
      "remote: Repository not found.\nfatal: repository 'https://github.com/a/b.git/' not found",
      'missing-remote',
    ],
    ["fatal: couldn't find remote ref refs/heads/main", 'missing-branch'],
    [
      "fatal: unable to access 'https://127.0.0.1:1/x.git/': Failed to connect to 127.0.0.1 port 1",
      'network',
    ],
    [
      'ssh: Could not resolve hostname example.invalid: Name or service not known\nfatal: Could not read from remote repository.',
      'network',
    ],
    ['git@github.com: Permission denied (publickey).\nfatal: Could not read from remote repository.', 'auth'],
    ['error: something git-promote does not know', 'other'],
  ])('classifies %j as %s', (stderr, kind) => {
    expect(classifyGitFailure(stderr)).toBe(kind);
  });

  it('keeps the whole message, escaped, with credentials in URLs masked', () => {
    expect(
      gitMessageLines(
        "  fatal: unable to access 'https://x-token:s3cret@github.com/a/b.git/'\r\n\n\u001b[31mred\u001b[0m\n",
      ),
    ).toEqual(["fatal: unable to access 'https://***@github.com/a/b.git/'", '\\u001b[31mred\\u001b[0m']);
  });

  it('maps kinds to exit codes: missing remote or branch 2, network 3, unknown 3', () => {
    const e = (stderr: string) =>
      gitFailureError({
        what: 'git fetch origin main',
        stderr,
        remote: 'origin',
        branch: 'main',
        otherHint: 'retry',
      });
    expect(e("fatal: 'origin' does not appear to be a git repository").exitCode).toBe(2);
    expect(e("fatal: couldn't find remote ref refs/heads/main").exitCode).toBe(2);
    expect(e('fatal: Connection refused').exitCode).toBe(3);
    expect(e('fatal: weird\nfatal: last line').message).toBe(
      'git fetch origin main failed: fatal: last line',
    );
    expect(e('fatal: weird\nfatal: last line').details).toEqual(['fatal: weird', 'fatal: last line']);
  });

  it('masks credentials in a URL at the start of a line too', () => {
    expect(gitMessageLines('https://x-token:s3cret@github.com/a/b.git: not found')).toEqual([
      'https://***@github.com/a/b.git: not found',
    ]);
  });

  it("keeps at most 20 lines of git's message, and says how many more there were", () => {
    const lines = (n: number) => Array.from({ length: n }, (_, i) => `line ${i + 1}`).join('\n');
    expect(gitMessageLines(lines(20))).toHaveLength(20);
    expect(gitMessageLines(lines(25))).toEqual([...gitMessageLines(lines(20)), '… 5 more lines']);
  });

  it('says what failed and what to do, for each kind', () => {
    const cause = new Error('exit 128');
    const e = (stderr: string, branch?: string) =>
      gitFailureError({
        what: 'git fetch origin main',
        stderr,
        remote: 'origin',
        ...(branch ? { branch } : {}),
        otherHint: 'Run it by hand to see more.',
        cause,
      });
    expect(e('fatal: Connection refused')).toMatchObject({
      message: 'git fetch origin main failed: cannot reach remote "origin"',
      remedy: 'Check the network and the remote URL (`git remote -v`), then retry; it is safe to repeat.',
      cause,
    });
    expect(e('git@github.com: Permission denied (publickey).')).toMatchObject({
      exitCode: 2,
      message: 'git fetch origin main failed: remote "origin" refused the credentials',
      remedy: 'Check your git credentials for that remote (SSH key, deploy key or credential helper).',
    });
    expect(e("fatal: 'origin' does not appear to be a git repository")).toMatchObject({
      message: 'git fetch origin main failed: remote "origin" is not a repository git can read',
      remedy:
        'Check `git remote -v` and repository.remote in promote.config.json, and that the repository exists.',
    });
    expect(e("fatal: couldn't find remote ref refs/heads/main", 'main')).toMatchObject({
      message: 'git fetch origin main failed: branch "main" does not exist on remote "origin"',
      remedy: 'Check repository.branch in promote.config.json, or push that branch first.',
    });
    expect(e("fatal: couldn't find remote ref x").message).toContain('branch "?" does not exist');
    expect(e('first\nsecond\nthe last line').message).toBe('git fetch origin main failed: the last line');
    expect(e('')).toMatchObject({
      exitCode: 3,
      message: 'git fetch origin main failed: git gave no message',
      remedy: 'Run it by hand to see more.',
    });
    const noCause = gitFailureError({ what: 'git push', stderr: '', remote: 'origin', otherHint: 'x' });
    expect('cause' in noCause).toBe(false);
  });
});
