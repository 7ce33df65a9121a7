/**
 * The one way git is run (docs/architecture.md, "Running git"): `runGit` for one command and
 * `readBlobBytes` for many blobs through one `git cat-file --batch`, both on one spawn path with one
 * environment. Arguments are arrays and no shell is involved; values that come from users or pull
 * requests are only ever passed after `--` or `--end-of-options`, or as validated refs, never
 * where git would read an option.
 */
import { spawn } from 'node:child_process';
import type { Writable } from 'node:stream';
import { TransientError, UsageError } from '../core/errors.js';
import { gitFailureError } from '../core/git-failure.js';
import { killAll, processTree, releasePipes } from './child-group.js';
import { sleep } from './long-timeout.js';

export type Env = Record<string, string | undefined>;

export function gitEnv(env: Env): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined) out[k] = v;
  out.GIT_TERMINAL_PROMPT = '0';
  out.GIT_OPTIONAL_LOCKS = '0';
  return out;
}

interface GitResult {
  /** Exit code; -1 when the run was killed at its timeout. */
  code: number;
  stdout: string;
  stderr: string;
}

interface GitRunOptions {
  /**
   * Written to git's standard input (closed at once when absent); a function is handed the open
   * pipe instead, to write as it goes and end it itself.
   */
  input?: string | Buffer | ((stdin: Writable) => void);
  /** Aborting kills git and rejects with a TransientError once the process is gone. */
  signal?: AbortSignal;
  /** Milliseconds; past it git is killed and the run fails with code -1 ("timed out after …"). */
  timeout?: number;
  /** Exit codes that are answers rather than failures (default [0]). */
  okCodes?: readonly number[];
}

/** git exited with a code outside okCodes (or timed out: code -1). */
export class GitError extends Error {
  constructor(
    readonly args: readonly string[],
    readonly code: number,
    readonly stdout: string,
    readonly stderr: string,
  ) {
    super(`git ${args[0] ?? ''} failed: ${stderr.trim() || stdout.trim() || `exit code ${code}`}`);
  }
  override get name(): string {
    return 'GitError';
  }
}

/** A git failure's stderr (or message), for gitFailureError. */
export function gitStderr(err: unknown): string {
  if (err instanceof GitError) return err.stderr.trim() ? err.stderr : err.message;
  return err instanceof Error ? err.message : String(err);
}

/** Time a killed git gets to clean up (remove its lock files) before SIGKILL. */
const KILL_GRACE_MS = 2_000;

/**
 * Spawn git, feed it `input`, hand stdout to `onStdout` and settle once the process has exited
 * (and its pipes drained): never while a git started here may still be running.
 */
function spawnGit(
  cwd: string,
  env: Env,
  args: readonly string[],
  options: Omit<GitRunOptions, 'okCodes'>,
  onStdout: (chunk: Buffer) => void,
): Promise<{ code: number; stderr: string; timedOut: boolean }> {
  const { signal, timeout } = options;
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(stopped(args, signal));
    const child = spawn('git', [...args], {
      cwd,
      env: gitEnv(env),
      stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    const stderr: Buffer[] = [];
    let killedFor: 'abort' | 'timeout' | null = null;
    let escalate: NodeJS.Timeout | undefined;
    const kill = (why: 'abort' | 'timeout') => {
      if (
        killedFor !== null ||
        child.pid === undefined ||
        child.exitCode !== null ||
        child.signalCode !== null
      )
        return;
      killedFor = why;
      // git's helpers (git-remote-http, ssh) outlive a killed git: each is signalled by pid.
      const tree = processTree(child.pid);
      killAll(tree, 'SIGTERM');
      escalate = setTimeout(() => killAll(tree, 'SIGKILL'), KILL_GRACE_MS);
    };
    const onAbort = () => kill('abort');
    signal?.addEventListener('abort', onAbort, { once: true });
    const timer = timeout && timeout > 0 ? setTimeout(() => kill('timeout'), timeout) : undefined;
    const done = () => {
      clearTimeout(timer);
      clearTimeout(escalate);
      signal?.removeEventListener('abort', onAbort);
    };
    child.stdout!.on('data', onStdout);
    child.stderr!.on('data', (c: Buffer) => stderr.push(c));
    child.on('error', (err) => {
      done();
      reject(err);
    });
    if (child.stdin) {
      child.stdin.on('error', () => undefined); // git may exit before reading all of it (EPIPE)
      if (typeof options.input === 'function') options.input(child.stdin);
      else child.stdin.end(options.input);
    }
    child.on('exit', (code) => {
      // A helper git started (ssh, a credential helper) may hold the pipes open after git exits.
      void releasePipes(child, KILL_GRACE_MS).then(() => {
        done();
        if (killedFor === 'abort') return reject(stopped(args, signal));
        const text = Buffer.concat(stderr).toString('utf8');
        if (killedFor === 'timeout')
          return resolve({ code: -1, stderr: `${text}\ntimed out after ${timeout} ms`, timedOut: true });
        resolve({ code: code ?? -1, stderr: text, timedOut: false });
      });
    });
  });
}

function stopped(args: readonly string[], signal: AbortSignal | undefined): TransientError {
  return new TransientError(`stopped by a signal during git ${args[0] ?? ''}`, 'Run it again.', {
    cause: signal?.reason,
  });
}

/**
 * Run one git command. Resolves with its output when the exit code is in `okCodes` (default
 * [0]); otherwise rejects with a GitError carrying code, stdout and stderr.
 */
export async function runGit(
  cwd: string,
  env: Env,
  args: readonly string[],
  options: GitRunOptions = {},
): Promise<GitResult> {
  const out: Buffer[] = [];
  const r = await spawnGit(cwd, env, args, options, (c) => out.push(c));
  const stdout = Buffer.concat(out).toString('utf8');
  if (r.timedOut || !(options.okCodes ?? [0]).includes(r.code))
    throw new GitError(args, r.code, stdout, r.stderr);
  return { code: r.code, stdout, stderr: r.stderr };
}

/**
 * Run one git command whose output is handed to `onStdout` chunk by chunk as it arrives (a long
 * `git log` is parsed while git still walks); rejects with a GitError like runGit.
 */
export async function streamGit(
  cwd: string,
  env: Env,
  args: readonly string[],
  onStdout: (chunk: Buffer) => void,
  options: Omit<GitRunOptions, 'input'> = {},
): Promise<void> {
  const r = await spawnGit(cwd, env, args, options, onStdout);
  if (r.timedOut || !(options.okCodes ?? [0]).includes(r.code))
    throw new GitError(args, r.code, '', r.stderr);
}

/**
 * Parses `git cat-file --batch` output as it streams in: `<oid> <type> <size>\n<content>\n` per
 * object, or `<name> missing\n` / `<name> ambiguous\n`. Non-blobs and missing objects are null.
 */
class BatchParser {
  readonly objects: (Buffer | null)[] = [];
  private header: Buffer[] = [];
  private body: Buffer | null = null;
  private filled = 0;
  private blob = false;
  /** Bytes still to skip: the newline after a body. */
  private skip = 0;

  push(chunk: Buffer): void {
    let pos = 0;
    while (pos < chunk.length) {
      if (this.skip > 0) {
        const n = Math.min(this.skip, chunk.length - pos);
        this.skip -= n;
        pos += n;
      } else if (this.body) {
        const n = Math.min(this.body.length - this.filled, chunk.length - pos);
        chunk.copy(this.body, this.filled, pos, pos + n);
        this.filled += n;
        pos += n;
        if (this.filled === this.body.length) this.endBody();
      } else {
        const nl = chunk.indexOf(10, pos);
        if (nl < 0) {
          this.header.push(chunk.subarray(pos));
          return;
        }
        this.header.push(chunk.subarray(pos, nl));
        pos = nl + 1;
        this.startObject(Buffer.concat(this.header).toString('utf8'));
        this.header = [];
      }
    }
  }

  private startObject(header: string): void {
    const m = /^[0-9a-f]{40,64} (\w+) (\d+)$/.exec(header);
    if (!m) {
      this.objects.push(null); // "<name> missing" or "<name> ambiguous"
      return;
    }
    this.blob = m[1] === 'blob';
    this.body = Buffer.allocUnsafe(Number(m[2]));
    this.filled = 0;
    if (this.body.length === 0) this.endBody();
  }

  private endBody(): void {
    this.objects.push(this.blob ? this.body : null);
    this.body = null;
    this.skip = 1;
  }
}

/** One name per line: a newline would split it, a NUL would cut it short (another object). */
function assertObjectName(spec: string): void {
  if (/[\n\0]/.test(spec)) throw new UsageError('object name contains a newline or NUL', 'Fix the path.');
}

/** One `git cat-file --batch` taking names while it runs; see openBlobReader. */
export interface BlobReader {
  /** Ask for one more object; its bytes (or null) come at its position in close()'s answer. */
  request(spec: string): void;
  /** No more names: every object asked for, in order, once git has exited. */
  close(): Promise<(Buffer | null)[]>;
}

/**
 * A `git cat-file --batch` that reads objects while the caller is still finding out which
 * (history asks for evidence while its `git log` still runs). A missing object, or one that is
 * not a blob, is null. Always close() it: git waits for names until then.
 */
export function openBlobReader(cwd: string, env: Env, options: { signal?: AbortSignal } = {}): BlobReader {
  const parser = new BatchParser();
  const args = ['cat-file', '--batch'];
  let stdin: Writable | undefined;
  let asked = 0;
  // Names asked for in one synchronous stretch go to git in one write.
  let pending = '';
  const flush = () => {
    if (pending) stdin?.write(pending);
    pending = '';
  };
  const exited = spawnGit(cwd, env, args, { input: (pipe) => (stdin = pipe), signal: options.signal }, (c) =>
    parser.push(c),
  );
  // A failure is reported by close(); until then it must not count as unhandled.
  exited.catch(() => undefined);
  return {
    request(spec) {
      assertObjectName(spec);
      asked += 1;
      if (!pending) queueMicrotask(flush);
      pending += `${spec}\n`;
    },
    async close() {
      flush();
      stdin?.end();
      const r = await exited;
      if (r.code !== 0 || parser.objects.length !== asked)
        throw new GitError(args, r.code, `${parser.objects.length} of ${asked} objects read`, r.stderr);
      return parser.objects;
    },
  };
}

/**
 * Read many objects (`<rev>:<path>`, shas) with one `git cat-file --batch`, parsed as the output
 * streams in. A missing object, or one that is not a blob, is null.
 */
export async function readBlobBytes(
  cwd: string,
  env: Env,
  specs: readonly string[],
  options: { signal?: AbortSignal } = {},
): Promise<(Buffer | null)[]> {
  if (specs.length === 0) return [];
  specs.forEach(assertObjectName);
  const reader = openBlobReader(cwd, env, options);
  for (const s of specs) reader.request(s);
  return reader.close();
}

/** Read many `<rev>:<path>` blobs as UTF-8 text in one `git cat-file --batch`. A missing blob is null. */
export async function readBlobs(cwd: string, env: Env, specs: readonly string[]): Promise<(string | null)[]> {
  return (await readBlobBytes(cwd, env, specs)).map((b) => (b === null ? null : b.toString('utf8')));
}

/** A full ref name that is safe to hand to git (no leading dash, no option syntax). */
export function assertSafeRef(ref: string): string {
  if (!/^(?!-)[A-Za-z0-9._/@^~-]+$/.test(ref) || ref.includes('..')) {
    throw new UsageError(`unsafe git ref ${JSON.stringify(ref)}`, 'Name a branch, tag or commit sha.');
  }
  return ref;
}

/** The commit sha `ref` (a checked ref or a sha) names, or null when it names no commit. */
export async function resolveCommit(cwd: string, env: Env, ref: string): Promise<string | null> {
  assertSafeRef(ref);
  const r = await runGit(
    cwd,
    env,
    ['rev-parse', '--verify', '--quiet', '--end-of-options', `${ref}^{commit}`],
    {
      okCodes: [0, 1, 128],
    },
  );
  const sha = r.stdout.trim();
  return r.code === 0 && /^[0-9a-f]{40,64}$/.test(sha) ? sha : null;
}

/**
 * The repository-relative directory of `cwd` ("" at the top, else ending in "/"): where the config
 * root, and so promotions/ and the pointer files, sit inside the repository.
 */
export async function repoPrefix(cwd: string, env: Env, command: string): Promise<string> {
  try {
    return (await runGit(cwd, env, ['rev-parse', '--show-prefix'])).stdout.trim();
  } catch (err) {
    throw new UsageError(
      `${cwd} is not inside a git repository`,
      `Run git promote ${command} in a clone of the pipeline repository.`,
      { cause: err },
    );
  }
}

/**
 * A ref update lost to another git in the same repository: two fetches both read the old tip and
 * the second one's compare-and-swap fails ("cannot lock ref '…': is at X but expected Y"), or
 * the other holds the lock longer than core.filesRefLockTimeout ("Unable to create '….lock'").
 */
const REF_LOCK_TROUBLE = /cannot lock ref|\.lock': File exists|unable to create .*\.lock/i;

/**
 * runGit, run again while it fails only because another git held or moved a ref it updates
 * (REF_LOCK_TROUBLE): at most `attempts` runs, `pause(n)` ms after the n-th, then `beforeRetry`.
 * Any other failure, and the last one, is thrown as runGit threw it.
 */
export async function runGitRetryingRefLocks(
  cwd: string,
  env: Env,
  args: readonly string[],
  options: GitRunOptions & { attempts: number; pause: (attempt: number) => number; beforeRetry?: () => void },
): Promise<GitResult> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await runGit(cwd, env, args, options);
    } catch (err) {
      if (attempt >= options.attempts || !(err instanceof GitError) || !REF_LOCK_TROUBLE.test(err.stderr))
        throw err;
    }
    // An abort ends the pause early; the next run then stops with "stopped by a signal".
    await sleep(options.pause(attempt), options.signal).catch(() => undefined);
    options.beforeRetry?.();
  }
}

/**
 * Fetch one branch of a remote into refs/remotes/<remote>/<branch>; returns the fetched sha.
 * Several processes may fetch in one clone at once (merge jobs sharing a checkout): a ref
 * update lost to another fetch is retried, and the ref is read after this process's fetch.
 * With `commit` (a PR head), that commit is fetched in the same call, and a shallow clone is
 * deepened first: the branch's whole history decides what is a rollback. GitHub serves any
 * commit reachable from its refs by sha (pull request heads included).
 */
export async function fetchBranch(
  cwd: string,
  env: Env,
  remote: string,
  branch: string,
  options: { commit?: string } = {},
): Promise<string> {
  assertSafeRef(remote);
  assertSafeRef(branch);
  const { commit } = options;
  if (commit !== undefined && !/^[0-9a-f]{40,64}$/.test(commit))
    throw new UsageError(`not a commit id: ${commit}`, 'Pass a full sha.');
  const ref = `refs/remotes/${remote}/${branch}`;
  const shallow =
    commit !== undefined &&
    (await runGit(cwd, env, ['rev-parse', '--is-shallow-repository'])).stdout.trim() === 'true';
  const args = ['fetch', '--quiet', '--no-tags', ...(shallow ? ['--unshallow'] : [])];
  args.push('--', remote, `+refs/heads/${branch}:${ref}`, ...(commit !== undefined ? [commit] : []));
  try {
    await runGitRetryingRefLocks(cwd, env, args, {
      attempts: 5,
      pause: (n) => 25 * n + Math.floor(Math.random() * 50),
    });
  } catch (err) {
    throw gitFailureError({
      what:
        commit === undefined
          ? `git fetch ${remote} ${branch}`
          : `git fetch of ${branch} and ${commit.slice(0, 12)} from ${remote}`,
      stderr: gitStderr(err),
      remote,
      branch,
      otherHint:
        commit === undefined
          ? `Check that remote "${remote}" is reachable and has branch "${branch}", then retry.`
          : `Check that remote "${remote}" is reachable with the workflow token, then rerun the job.`,
      cause: err,
    });
  }
  const sha = await resolveCommit(cwd, env, ref);
  if (sha === null) throw new Error(`${ref} names no commit right after fetching it`);
  return sha;
}
