/**
 * The one way git is run. Arguments are arrays; values that come from users or pull requests
 * are only ever passed after `--` or as validated refs, never where git would read an option.
 */
import { spawn } from 'node:child_process';
import { simpleGit, type SimpleGit } from 'simple-git';
import { UsageError } from '../core/errors.js';
import { gitFailureError } from '../core/git-failure.js';

export type Env = Record<string, string | undefined>;

export function gitEnv(env: Env): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined) out[k] = v;
  out.GIT_TERMINAL_PROMPT = '0';
  out.GIT_OPTIONAL_LOCKS = '0';
  return out;
}

export interface Git {
  readonly cwd: string;
  raw(args: string[]): Promise<string>;
}

/**
 * simple-git refuses environment variables that change how git runs (GIT_CONFIG_GLOBAL,
 * GIT_SSH_COMMAND, GIT_ASKPASS, GIT_CONFIG_COUNT, ...). Here the environment is the operator's own
 * (a deploy key's GIT_SSH_COMMAND on the server, GIT_CONFIG_GLOBAL in CI), never text from a pull
 * request, so those are allowed; the argument checks stay on, and our arguments never carry user
 * strings in option position anyway.
 */
const OPERATOR_ENV = {
  allowUnsafeConfigPaths: true,
  allowUnsafeConfigEnvCount: true,
  allowUnsafeSshCommand: true,
  allowUnsafeAskPass: true,
  allowUnsafeEditor: true,
  allowUnsafePager: true,
  allowUnsafeGitProxy: true,
} as const;

export function openGit(cwd: string, env: Env): Git {
  const sg: SimpleGit = simpleGit({
    baseDir: cwd,
    binary: 'git',
    maxConcurrentProcesses: 4,
    trimmed: false,
    unsafe: OPERATOR_ENV,
  }).env(gitEnv(env));
  return {
    cwd,
    raw: (args) => sg.raw(args),
  };
}

/** A full ref name that is safe to hand to git (no leading dash, no option syntax). */
export function assertSafeRef(ref: string): string {
  if (!/^(?!-)[A-Za-z0-9._/@^~-]+$/.test(ref) || ref.includes('..')) {
    throw new UsageError(`unsafe git ref ${JSON.stringify(ref)}`, 'Name a branch, tag or commit sha.');
  }
  return ref;
}

/**
 * The repository-relative directory of `cwd` ("" at the top, else ending in "/"): where the config
 * root, and so promotions/ and the pointer files, sit inside the repository.
 */
export async function repoPrefix(git: Git, command: string): Promise<string> {
  try {
    return (await git.raw(['rev-parse', '--show-prefix'])).trim();
  } catch (err) {
    throw new UsageError(
      `${git.cwd} is not inside a git repository`,
      `Run git promote ${command} in a clone of the pipeline repository.`,
      { cause: err },
    );
  }
}

export async function toplevel(git: Git): Promise<string> {
  return (await git.raw(['rev-parse', '--show-toplevel'])).trim();
}

/** Fetch one branch of a remote into refs/remotes/<remote>/<branch>; returns the fetched sha. */
export async function fetchBranch(git: Git, remote: string, branch: string): Promise<string> {
  assertSafeRef(remote);
  assertSafeRef(branch);
  const ref = `refs/remotes/${remote}/${branch}`;
  try {
    await git.raw(['fetch', '--quiet', '--no-tags', '--', remote, `+refs/heads/${branch}:${ref}`]);
  } catch (err) {
    throw gitFailureError({
      what: `git fetch ${remote} ${branch}`,
      stderr: err instanceof Error ? err.message : String(err),
      remote,
      branch,
      otherHint: `Check that remote "${remote}" is reachable and has branch "${branch}", then retry.`,
      cause: err,
    });
  }
  return (await git.raw(['rev-parse', '--verify', '--end-of-options', `${ref}^{commit}`])).trim();
}

/**
 * Fetch the current tip of `branch` and one commit by sha (a PR head), in one call, with full
 * history; returns the tip. GitHub serves any commit reachable from its refs by sha (pull request heads included).
 */
export async function fetchTipAndCommit(
  git: Git,
  remote: string,
  branch: string,
  commit: string,
): Promise<string> {
  assertSafeRef(remote);
  assertSafeRef(branch);
  if (!/^[0-9a-f]{40,64}$/.test(commit))
    throw new UsageError(`not a commit id: ${commit}`, 'Pass a full sha.');
  const ref = `refs/remotes/${remote}/${branch}`;
  // The branch's whole history decides what is a rollback: a shallow checkout is deepened first.
  const shallow = (await git.raw(['rev-parse', '--is-shallow-repository'])).trim() === 'true';
  try {
    await git.raw([
      'fetch',
      '--quiet',
      '--no-tags',
      ...(shallow ? ['--unshallow'] : []),
      '--',
      remote,
      `+refs/heads/${branch}:${ref}`,
      commit,
    ]);
  } catch (err) {
    throw gitFailureError({
      what: `git fetch of ${branch} and ${commit.slice(0, 12)} from ${remote}`,
      stderr: err instanceof Error ? err.message : String(err),
      remote,
      branch,
      otherHint: `Check that remote "${remote}" is reachable with the workflow token, then rerun the job.`,
      cause: err,
    });
  }
  return (await git.raw(['rev-parse', '--verify', '--end-of-options', `${ref}^{commit}`])).trim();
}

/**
 * Read many `<rev>:<path>` blobs with one `git cat-file --batch`. A missing blob is null.
 */
export async function readBlobs(cwd: string, env: Env, specs: string[]): Promise<(string | null)[]> {
  return (await readBlobBytes(cwd, env, specs)).map((b) => (b === null ? null : b.toString('utf8')));
}

/** readBlobs, as bytes (for callers that must tell invalid UTF-8 apart). */
export function readBlobBytes(cwd: string, env: Env, specs: string[]): Promise<(Buffer | null)[]> {
  if (specs.length === 0) return Promise.resolve([]);
  for (const s of specs)
    if (s.includes('\n')) throw new UsageError('object name contains a newline', 'Fix the path.');
  return new Promise((resolve, reject) => {
    const child = spawn('git', ['cat-file', '--batch'], {
      cwd,
      env: gitEnv(env),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const chunks: Buffer[] = [];
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => chunks.push(c));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`git cat-file failed: ${stderr.trim()}`));
      const buf = Buffer.concat(chunks);
      const out: (Buffer | null)[] = [];
      let pos = 0;
      for (let i = 0; i < specs.length; i++) {
        const nl = buf.indexOf(10, pos);
        const header = buf.subarray(pos, nl).toString();
        pos = nl + 1;
        const m = /^[0-9a-f]+ (\w+) (\d+)$/.exec(header);
        if (!m) {
          out.push(null); // "<spec> missing" or "ambiguous"
          continue;
        }
        const size = Number(m[2]);
        out.push(m[1] === 'blob' ? buf.subarray(pos, pos + size) : null);
        pos += size + 1;
      }
      resolve(out);
    });
    child.stdin.end(specs.map((s) => `${s}\n`).join(''));
  });
}
