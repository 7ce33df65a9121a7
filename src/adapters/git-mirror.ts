/**
 * The agent's private mirror: a bare repository in the state directory, fetched from the URL of
 * the pipeline repository's configured remote. The agent reads everything it applies from git
 * objects here, never from a working tree someone could have edited. refs/git-promote/applied
 * keeps the last applied commit reachable, so a force push cannot hide it from the ancestry check.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { CheckFailedError, TransientError, UsageError } from '../core/errors.js';
import { assertSafeRef, gitEnv, type Env } from './git.js';

export const APPLIED_REF = 'refs/git-promote/applied';

export interface GitRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Run git and report its exit code instead of throwing: the agent decides what a code means. */
export function runGit(cwd: string, env: Env, args: string[], signal?: AbortSignal): Promise<GitRun> {
  return new Promise((resolve, reject) => {
    execFile(
      'git',
      args,
      { cwd, env: gitEnv(env), maxBuffer: 64 * 1024 * 1024, encoding: 'utf8', signal },
      (err, stdout, stderr) => {
        if (err && typeof (err as { code?: unknown }).code !== 'number') return reject(err);
        resolve({ code: err ? Number((err as { code: number }).code) : 0, stdout, stderr });
      },
    );
  });
}

function lastLine(text: string): string {
  return text.trim().split('\n').pop() ?? '';
}

/** The fetch URL of `remote` in the pipeline repository at `root`. */
export async function remoteUrl(root: string, env: Env, remote: string): Promise<string> {
  assertSafeRef(remote);
  const r = await runGit(root, env, ['remote', 'get-url', '--', remote]);
  const url = r.stdout.trim();
  if (r.code !== 0 || !url) {
    throw new UsageError(
      `cannot read the URL of remote "${remote}" in ${root}: ${lastLine(r.stderr) || 'no such remote'}`,
      `Run the agent in a clone of the pipeline repository with remote "${remote}", or set repository.remote.`,
    );
  }
  return url;
}

export async function ensureMirror(dir: string, env: Env): Promise<void> {
  if (existsSync(`${dir}/HEAD`)) return;
  const r = await runGit('/', env, ['init', '--quiet', '--bare', '--', dir]);
  if (r.code !== 0) throw new Error(`git init of the mirror failed: ${lastLine(r.stderr)}`);
}

/** Fetch the branch into the mirror (forced: rewrites are detected by the ancestry check). */
export async function fetchMirror(dir: string, env: Env, url: string, branch: string, signal?: AbortSignal): Promise<string> {
  assertSafeRef(branch);
  const r = await runGit(
    dir,
    env,
    ['fetch', '--quiet', '--no-tags', '--no-write-fetch-head', '--', url, `+refs/heads/${branch}:refs/heads/${branch}`],
    signal,
  );
  if (r.code !== 0) {
    throw new TransientError(
      `git fetch of branch ${branch} into the agent mirror failed: ${lastLine(r.stderr)}`,
      'Check that the remote is reachable and has that branch; the agent retries on its own.',
    );
  }
  return resolveCommit(dir, env, `refs/heads/${branch}`);
}

export async function resolveCommit(dir: string, env: Env, ref: string): Promise<string> {
  const r = await runGit(dir, env, ['rev-parse', '--verify', '--quiet', '--end-of-options', `${ref}^{commit}`]);
  if (r.code !== 0) throw new Error(`${ref} does not name a commit in the mirror`);
  return r.stdout.trim();
}

/** Whether `ancestor` is `commit` or an ancestor of it; a missing ancestor is a refusal. */
export async function descendsFrom(dir: string, env: Env, ancestor: string, commit: string): Promise<boolean> {
  const r = await runGit(dir, env, ['merge-base', '--is-ancestor', '--end-of-options', ancestor, commit]);
  if (r.code === 0) return true;
  if (r.code === 1) return false;
  throw new CheckFailedError(
    `cannot check that ${commit.slice(0, 12)} descends from the applied commit ${ancestor.slice(0, 12)}: ${lastLine(r.stderr)}`,
    'The mirror lost the applied commit: run `git promote apply --allow-rewrite` once after checking the branch history.',
  );
}

/** Refuse a commit without a good signature (`git verify-commit`, the operator's keyring). */
export async function verifySigned(dir: string, env: Env, commit: string): Promise<void> {
  const r = await runGit(dir, env, ['verify-commit', '--end-of-options', commit]);
  if (r.code !== 0) {
    throw new CheckFailedError(
      `commit ${commit.slice(0, 12)} at the branch tip has no valid signature (agent.requireSignedCommits)`,
      'Sign merges to the branch with a key this host trusts, or turn off agent.requireSignedCommits.',
      { details: r.stderr.trim() ? [lastLine(r.stderr)] : [] },
    );
  }
}

export async function markApplied(dir: string, env: Env, commit: string): Promise<void> {
  const r = await runGit(dir, env, ['update-ref', '--', APPLIED_REF, commit]);
  if (r.code !== 0) throw new Error(`git update-ref in the mirror failed: ${lastLine(r.stderr)}`);
}
