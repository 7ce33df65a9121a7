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
});
