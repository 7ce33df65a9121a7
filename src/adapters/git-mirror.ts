/**
 * The agent's private mirror: a bare repository in the state directory, fetched from the URL of
 * the pipeline repository's configured remote. The agent reads everything it applies from git
 * objects here, never from a working tree someone could have edited. refs/git-promote/applied
 * keeps the last applied commit reachable, so a force push cannot hide it from the ancestry check.
 */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, statSync, unlinkSync, type Dirent } from 'node:fs';
import { join } from 'node:path';
import { CheckFailedError, TransientError, UsageError } from '../core/errors.js';
import { gitFailureError, gitMessageLines } from '../core/git-failure.js';
import { assertSafeRef, gitEnv, type Env } from './git.js';
import { withGitConfig } from './git-config-env.js';
import { judgeSigner, type AllowedSigners, type SignerVerdict } from '../core/signers.js';
import { oneLine } from '../core/workflow-commands.js';

export const APPLIED_REF = 'refs/git-promote/applied';

export interface GitRun {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Run git and report its exit code instead of throwing: the agent decides what a code means. A
 * run past timeoutMs is killed and reported as code -1; an aborted one (SIGTERM of the agent)
 * throws a TransientError, as nothing has been written yet.
 */
export function runGit(
  cwd: string,
  env: Env,
  args: string[],
  signal?: AbortSignal,
  timeoutMs = 0,
): Promise<GitRun> {
  return new Promise((resolve, reject) => {
    execFile(
      'git',
      args,
      { cwd, env: gitEnv(env), maxBuffer: 64 * 1024 * 1024, encoding: 'utf8', signal, timeout: timeoutMs },
      (err, stdout, stderr) => {
        if (!err) return resolve({ code: 0, stdout, stderr });
        if (signal?.aborted) {
          return reject(
            new TransientError(
              `stopped by a signal during git ${args[0]}, before anything was written`,
              'Run it again.',
              { cause: err },
            ),
          );
        }
        const e = err as { code?: unknown; killed?: boolean };
        if (e.killed)
          return resolve({ code: -1, stdout, stderr: `${stderr}\ntimed out after ${timeoutMs} ms` });
        if (typeof e.code !== 'number') return reject(err);
        resolve({ code: e.code, stdout, stderr });
      },
    );
  });
}

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
  const r = await runGit(root, env, ['remote', 'get-url', '--', remote]);
  const url = r.stdout.trim();
  if (r.code !== 0 || !url) {
    throw new UsageError(
      `cannot read the URL of remote "${remote}" in ${root}: ${lastLine(r.stderr) || 'no such remote'}`,
      `Run the agent in a clone of the pipeline repository with remote "${remote}", or set repository.remote.`,
      { details: gitMessageLines(r.stderr) },
    );
  }
  return url;
}

export async function ensureMirror(dir: string, env: Env): Promise<void> {
  if (existsSync(`${dir}/HEAD`)) return;
  const r = await runGit('/', env, ['init', '--quiet', '--bare', '--', dir]);
  if (r.code !== 0) throw new Error(`git init of the mirror failed: ${lastLine(r.stderr)}`);
}

const LOCK_TROUBLE = /cannot lock ref|\.lock': File exists|unable to create .*\.lock/i;
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

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

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
  let r = await runGit(dir, env, args, options.signal, FETCH_TIMEOUT_MS);
  for (let attempt = 1; r.code !== 0 && LOCK_TROUBLE.test(r.stderr) && attempt <= 8; attempt++) {
    await pause(100 * attempt);
    removeStaleGitLocks(dir, Date.now());
    r = await runGit(dir, env, args, options.signal, FETCH_TIMEOUT_MS);
  }
  if (r.code !== 0) {
    throw gitFailureError({
      what: `git fetch of branch ${branch} into the agent mirror`,
      stderr: r.stderr,
      remote: remoteLabel(url),
      branch,
      otherHint: 'Check that the remote is reachable and has that branch; the agent retries on its own.',
    });
  }
  return resolveCommit(dir, env, ref);
}

/** Delete a ref (the scratch ref of a dry run). */
export async function deleteRef(dir: string, env: Env, ref: string): Promise<void> {
  await runGit(dir, env, ['update-ref', '-d', '--', ref]);
}

export async function resolveCommit(dir: string, env: Env, ref: string): Promise<string> {
  const r = await runGit(dir, env, [
    'rev-parse',
    '--verify',
    '--quiet',
    '--end-of-options',
    `${ref}^{commit}`,
  ]);
  if (r.code !== 0) throw new Error(`${ref} does not name a commit in the mirror`);
  return r.stdout.trim();
}

/** Whether `ancestor` is `commit` or an ancestor of it; a missing ancestor is a refusal. */
export async function descendsFrom(
  dir: string,
  env: Env,
  ancestor: string,
  commit: string,
): Promise<boolean> {
  const r = await runGit(dir, env, ['merge-base', '--is-ancestor', '--end-of-options', ancestor, commit]);
  if (r.code === 0) return true;
  if (r.code === 1) return false;
  throw new CheckFailedError(
    `cannot check that ${commit.slice(0, 12)} descends from the applied commit ${ancestor.slice(0, 12)}: ${lastLine(r.stderr)}`,
    'The mirror lost the applied commit: run `git promote apply --allow-rewrite` once after checking the branch history.',
  );
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
  const r = await runGit(dir, sshEnv, ['verify-commit', '--raw', '--end-of-options', commit]);
  const verdict: SignerVerdict =
    r.code === 0
      ? judgeSigner(`${r.stdout}\n${r.stderr}`, allowed)
      : { ok: false, problem: lastLine(r.stderr) || 'no valid signature' };
  if (!verdict.ok)
    throw new CheckFailedError(
      `commit ${commit.slice(0, 12)} at the branch tip is not signed by an allowed signer (agent.requireSignedCommits)`,
      'Sign merges with a key listed in agent.allowedSigners (GitHub signs its merges with its web-flow key: see docs/security.md).',
      { details: [oneLine(verdict.problem)] },
    );
  return verdict.signer;
}

export async function markApplied(dir: string, env: Env, commit: string): Promise<void> {
  const r = await runGit(dir, env, ['update-ref', '--', APPLIED_REF, commit]);
  if (r.code !== 0) throw new Error(`git update-ref in the mirror failed: ${lastLine(r.stderr)}`);
}
