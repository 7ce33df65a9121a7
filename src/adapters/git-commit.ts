/**
 * Commit files on top of a commit without touching the user's working tree or index (a private
 * index file in a temp dir, then `commit-tree`), and push it to a branch with a lease.
 */
import { makeTempDir } from './temp-dir.js';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { BusyError, UsageError } from '../core/errors.js';
import { gitFailureError } from '../core/git-failure.js';
import { assertSafeRef, GitError, gitStderr, runGit, type Env } from './git.js';

/**
 * A branch name we create: promotion branches may hold "," (several pointers) and the run-id
 * characters "+", "=", "%" that assertSafeRef does not allow. Never starts with "-".
 */
function assertBranchName(branch: string): string {
  if (
    !/^[A-Za-z0-9_][A-Za-z0-9._/,%+=@-]*$/.test(branch) ||
    branch.includes('..') ||
    branch.endsWith('.lock')
  )
    throw new UsageError(`unsafe branch name ${JSON.stringify(branch)}`, 'Use a plain branch name.');
  return branch;
}

/** Create a commit whose tree is `parent`'s tree with `files` written; returns its sha. */
export async function commitFiles(
  cwd: string,
  env: Env,
  input: { parent: string; files: Record<string, string>; message: string },
): Promise<string> {
  const dir = await makeTempDir(env, 'git-promote-index-');
  const indexEnv = { ...env, GIT_INDEX_FILE: join(dir, 'index') };
  try {
    await runGit(cwd, indexEnv, ['read-tree', input.parent]);
    for (const [path, content] of Object.entries(input.files)) {
      const blob = (
        await runGit(cwd, env, ['hash-object', '-w', '--stdin'], { input: content })
      ).stdout.trim();
      await runGit(cwd, indexEnv, ['update-index', '--add', '--cacheinfo', `100644,${blob},${path}`]);
    }
    const tree = (await runGit(cwd, indexEnv, ['write-tree'])).stdout.trim();
    return (
      await runGit(cwd, env, ['commit-tree', tree, '-p', input.parent, '-F', '-'], { input: input.message })
    ).stdout.trim();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The tree sha and first parent of a commit. */
export async function commitShape(
  cwd: string,
  env: Env,
  sha: string,
): Promise<{ tree: string; parents: string[] }> {
  const out = (await runGit(cwd, env, ['show', '-s', '--format=%T %P', '--end-of-options', sha])).stdout
    .trim()
    .split(' ');
  return { tree: out[0]!, parents: out.slice(1) };
}

/** Sha of refs/heads/<branch> on the remote, fetched locally so it can be compared; null when absent. */
export async function fetchRemoteBranch(
  cwd: string,
  env: Env,
  remote: string,
  branch: string,
): Promise<string | null> {
  assertSafeRef(remote);
  assertBranchName(branch);
  let listed: string;
  try {
    listed = (await runGit(cwd, env, ['ls-remote', '--heads', '--', remote, `refs/heads/${branch}`])).stdout;
  } catch (err) {
    throw gitFailureError({
      what: `git ls-remote ${remote}`,
      stderr: gitStderr(err),
      remote,
      otherHint: `Check that remote "${remote}" is reachable, then retry.`,
    });
  }
  const sha = listed.split(/\s/)[0] || null;
  if (sha) {
    try {
      await runGit(cwd, env, [
        'fetch',
        '--quiet',
        '--no-tags',
        '--',
        remote,
        `+refs/heads/${branch}:refs/remotes/${remote}/${branch}`,
      ]);
    } catch (err) {
      throw gitFailureError({
        what: `git fetch ${remote} ${branch}`,
        stderr: gitStderr(err),
        remote,
        branch,
        otherHint: `Check that remote "${remote}" is reachable, then retry.`,
      });
    }
  }
  return sha;
}

/**
 * Push `sha` to refs/heads/<branch>, only if the branch is still at `expected` (null: absent).
 * Someone else moving it in between is a BusyError (exit 4), never an overwrite.
 */
export async function pushWithLease(
  cwd: string,
  env: Env,
  input: { remote: string; branch: string; sha: string; expected: string | null },
): Promise<void> {
  assertSafeRef(input.remote);
  assertBranchName(input.branch);
  const ref = `refs/heads/${input.branch}`;
  try {
    await runGit(cwd, env, [
      'push',
      '--quiet',
      '--porcelain',
      `--force-with-lease=${ref}:${input.expected ?? ''}`,
      '--',
      input.remote,
      `${input.sha}:${ref}`,
    ]);
  } catch (err) {
    if (!(err instanceof GitError)) throw err;
    // --porcelain reports the rejection on stdout.
    const stderr = `${err.stderr}\n${err.stdout}`;
    const out = err.message;
    if (/stale info|rejected|fetch first|non-fast-forward/i.test(stderr + out))
      throw new BusyError(
        `branch ${input.branch} on ${input.remote} changed while proposing`,
        'Someone pushed to the promotion branch at the same time: look at it, then run propose again.',
      );
    throw gitFailureError({
      what: `git push to ${input.remote}`,
      stderr: stderr.trim() ? stderr : out,
      remote: input.remote,
      otherHint: `Check access to remote "${input.remote}", then run propose again (it is safe to repeat).`,
    });
  }
}

/**
 * Push `commit` (a child of `baseSha`) to refs/heads/<branch> with a lease, unless the branch
 * already holds exactly that change on the same base (running propose or adopt again).
 */
export async function pushProposal(
  cwd: string,
  env: Env,
  input: { remote: string; branch: string; baseSha: string; commit: string },
): Promise<{ sha: string; pushed: boolean }> {
  const remoteSha = await fetchRemoteBranch(cwd, env, input.remote, input.branch);
  if (remoteSha) {
    const [mine, theirs] = await Promise.all([
      commitShape(cwd, env, input.commit),
      commitShape(cwd, env, remoteSha),
    ]);
    if (mine.tree === theirs.tree && theirs.parents.length === 1 && theirs.parents[0] === input.baseSha)
      return { sha: remoteSha, pushed: false };
  }
  await pushWithLease(cwd, env, {
    remote: input.remote,
    branch: input.branch,
    sha: input.commit,
    expected: remoteSha,
  });
  return { sha: input.commit, pushed: true };
}
