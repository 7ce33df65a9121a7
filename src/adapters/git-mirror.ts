/**
 * The agent's private mirror: a bare repository in the state directory, fetched from the URL of
 * the pipeline repository's configured remote. The agent reads everything it applies from git
 * objects here, never from a working tree someone could have edited. refs/git-promote/applied
 * keeps the last applied commit reachable, so a force push cannot hide it from the ancestry check.
 */
import { existsSync, readdirSync, statSync, unlinkSync, type Dirent } from 'node:fs';
import { join } from 'node:path';
import { CheckFailedError, UsageError } from '../core/errors.js';
import { gitFailureError, gitMessageLines } from '../core/git-failure.js';
import { assertSafeRef, GitError, resolveCommit, runGit, runGitRetryingRefLocks, type Env } from './git.js';
import { withGitConfig } from './git-config-env.js';
import { readOrNull } from './read-text.js';
import { judgeSigner, type AllowedSigners, type SignerVerdict } from '../core/signers.js';
import { oneLine } from '../core/workflow-commands.js';

const APPLIED_REF = 'refs/git-promote/applied';

/** A remote URL as it may be shown: credentials masked. */
function remoteLabel(url: string): string {
  return url.replace(/([a-z][a-z0-9+.-]*:\/\/)[^/@\s]+@/gi, '$1***@');
}

function lastLine(text: string): string {
  return text.trim().split('\n').pop() ?? '';
}

/** The fetch URL of `remote` in the pipeline repository at `root`. */
export async function remoteUrl(root: string, env: Env, remote: string): Promise<string> {
  assertSafeRef(remote);
  let url = '';
  let stderr = '';
  try {
    url = (await runGit(root, env, ['remote', 'get-url', '--', remote])).stdout.trim();
  } catch (err) {
    if (!(err instanceof GitError)) throw err;
    stderr = err.stderr;
  }
  if (!url) {
    throw new UsageError(
      `cannot read the URL of remote "${remote}" in ${root}: ${lastLine(stderr) || 'no such remote'}`,
      `Run the agent in a clone of the pipeline repository with remote "${remote}", or set repository.remote.`,
      { details: gitMessageLines(stderr) },
    );
  }
  return url;
}

export async function ensureMirror(dir: string, env: Env): Promise<void> {
  if (existsSync(`${dir}/HEAD`)) return;
  await runGit('/', env, ['init', '--quiet', '--bare', '--', dir]);
}

const STALE_GIT_LOCK_MS = 10_000;
/** A fetch that hangs (a dead network path) must not stall the agent forever. */
const FETCH_TIMEOUT_MS = 5 * 60_000;

/**
 * git's own *.lock files in the mirror older than STALE_GIT_LOCK_MS. Only called with the agent
 * lock held, so the git that left them belonged to a killed agent: a live fetch of a pointer
 * change holds a ref lock for milliseconds, not seconds.
 */
function removeStaleGitLocks(dir: string, now: number): void {
  const walk = (d: string): void => {
    let entries: Dirent[];
    try {
      entries = readdirSync(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.lock')) {
        try {
          if (now - statSync(p).mtimeMs > STALE_GIT_LOCK_MS) unlinkSync(p);
        } catch {
          // gone meanwhile
        }
      }
    }
  };
  walk(join(dir, 'refs'));
  for (const name of ['packed-refs.lock', 'shallow.lock', 'config.lock', 'HEAD.lock']) {
    const p = join(dir, name);
    try {
      if (now - statSync(p).mtimeMs > STALE_GIT_LOCK_MS) unlinkSync(p);
    } catch {
      // not there
    }
  }
}

/**
 * Fetch the branch into the mirror (forced: rewrites are detected by the ancestry check) at
 * `ref`. A git left running by a killed agent may still hold a ref lock for a moment, so lock
 * trouble is retried briefly before it counts as a failure.
 */
export async function fetchMirror(
  dir: string,
  env: Env,
  url: string,
  branch: string,
  options: { ref?: string; signal?: AbortSignal } = {},
): Promise<string> {
  assertSafeRef(branch);
  const ref = options.ref ?? `refs/heads/${branch}`;
  assertSafeRef(ref);
  const args = [
    'fetch',
    '--quiet',
    '--no-tags',
    '--no-write-fetch-head',
    '--',
    url,
    `+refs/heads/${branch}:${ref}`,
  ];
  try {
    await runGitRetryingRefLocks(dir, env, args, {
      signal: options.signal,
      timeout: FETCH_TIMEOUT_MS,
      attempts: 9,
      pause: (n) => 100 * n,
      beforeRetry: () => removeStaleGitLocks(dir, Date.now()),
    });
  } catch (err) {
    if (!(err instanceof GitError)) throw err;
    throw gitFailureError({
      what: `git fetch of branch ${branch} into the agent mirror`,
      stderr: err.stderr,
      remote: remoteLabel(url),
      branch,
      otherHint: 'Check that the remote is reachable and has that branch; the agent retries on its own.',
    });
  }
  const sha = await resolveCommit(dir, env, ref);
  if (sha === null) throw new Error(`${ref} does not name a commit in the mirror`);
  return sha;
}

/** Delete a ref (the scratch ref of a dry run); one that is already gone is fine. */
/**
 * Push `sha` from the mirror to `refs/heads/<branch>` at `url`, forced (the branch is the agent's
 * own: a revert it rebuilds), failures said as git failures with `otherHint` for the rest.
 */
export async function pushFromMirror(
  dir: string,
  env: Env,
  push: { url: string; remote: string; sha: string; branch: string; otherHint: string },
): Promise<void> {
  try {
    await runGit(dir, env, [
      'push',
      '--quiet',
      '--force',
      '--',
      push.url,
      `${push.sha}:refs/heads/${push.branch}`,
    ]);
  } catch (err) {
    if (!(err instanceof GitError)) throw err;
    throw gitFailureError({
      what: `git push of ${push.branch}`,
      stderr: err.stderr,
      remote: push.remote,
      branch: push.branch,
      otherHint: push.otherHint,
    });
  }
}

export async function deleteRef(dir: string, env: Env, ref: string): Promise<void> {
  await runGit(dir, env, ['update-ref', '-d', '--', ref]).catch(() => undefined);
}

/** Whether `ancestor` is `commit` or an ancestor of it; a missing ancestor is a refusal. */
export async function descendsFrom(
  dir: string,
  env: Env,
  ancestor: string,
  commit: string,
): Promise<boolean> {
  try {
    const args = ['merge-base', '--is-ancestor', '--end-of-options', ancestor, commit];
    return (await runGit(dir, env, args, { okCodes: [0, 1] })).code === 0;
  } catch (err) {
    if (!(err instanceof GitError)) throw err;
    throw new CheckFailedError(
      `cannot check that ${commit.slice(0, 12)} descends from the applied commit ${ancestor.slice(0, 12)}: ${lastLine(err.stderr)}`,
      'The mirror lost the applied commit: run `git promote apply --allow-rewrite` once after checking the branch history.',
    );
  }
}

/**
 * Refuse a commit unless it carries a good signature from an allowed signer: an OpenPGP key whose
 * fingerprint is listed, or an SSH key in the allowed-signers file (given to git through the
 * environment, never as an option).
 */
export async function verifySigned(
  dir: string,
  env: Env,
  commit: string,
  allowed: AllowedSigners,
): Promise<string> {
  const sshEnv = allowed.ssh ? withGitConfig(env, 'gpg.ssh.allowedSignersFile', allowed.ssh) : env;
  let verdict: SignerVerdict;
  try {
    const r = await runGit(dir, sshEnv, ['verify-commit', '--raw', '--end-of-options', commit]);
    verdict = judgeSigner(`${r.stdout}\n${r.stderr}`, allowed);
  } catch (err) {
    if (!(err instanceof GitError)) throw err;
    verdict = { ok: false, problem: lastLine(err.stderr) || 'no valid signature' };
  }
  if (!verdict.ok)
    throw new CheckFailedError(
      `commit ${commit.slice(0, 12)} at the branch tip is not signed by an allowed signer (agent.requireSignedCommits)`,
      'Sign merges with a key listed in agent.allowedSigners (GitHub signs its merges with its web-flow key: see docs/security.md).',
      { details: [oneLine(verdict.problem)] },
    );
  return verdict.signer;
}

/** What a loose ref file names; null when there is none (packed, another ref format) or it cannot be read. */
function looseRef(dir: string, ref: string): string | null {
  try {
    return readOrNull(join(dir, ref))?.trim() ?? null;
  } catch {
    return null; // git decides
  }
}

/**
 * Point refs/git-promote/applied at `commit`. Every pass marks the commit it starts from: when the
 * loose ref already names it (the pass after an apply, and every idle pass) no git is run.
 */
export async function markApplied(dir: string, env: Env, commit: string): Promise<void> {
  if (looseRef(dir, APPLIED_REF) === commit) return;
  await runGit(dir, env, ['update-ref', '--', APPLIED_REF, commit]);
}
