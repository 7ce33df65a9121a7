/**
 * Runs a smoke scoring command: an argument array (never a shell), in its own process group so a
 * timeout or an abort kills everything it started, with secrets removed from its environment.
 * It is over when the command exits; processes that escaped its group are named in `leftovers`.
 */
import { spawn } from 'node:child_process';
import { SECRET_ENV_VARS } from '../core/redact.js';
import { setLongTimeout } from './long-timeout.js';
import {
  CHILD_MARK_VAR,
  exitOf,
  killGroup as signalGroup,
  leftoverProcesses,
  newChildMark,
  releasePipes,
  type Leftover,
} from './child-group.js';

interface SmokeRun {
  exitCode: number | null;
  /** The signal that ended it, if any. */
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  aborted: boolean;
  /** The program could not be started (ENOENT, EACCES). */
  spawnError: NodeJS.ErrnoException | null;
  startedAt: Date;
  finishedAt: Date;
  durationMs: number;
  /** Last lines of its stderr and stdout, for error messages. */
  stderrTail: string[];
  stdoutTail: string[];
  /** Processes it started that escaped its process group and were still running at the end. */
  leftovers: Leftover[];
}

interface SmokeRunOptions {
  command: string[];
  cwd: string;
  env: Record<string, string | undefined>;
  timeoutMs: number;
  now?: () => Date;
  signal?: AbortSignal;
  /** Called every `progressEveryMs` while it runs, with the elapsed milliseconds. */
  onProgress?: (elapsedMs: number) => void;
  progressEveryMs?: number;
  /** Time between SIGTERM and SIGKILL of the process group (default 2000 ms). */
  killGraceMs?: number;
  /** After it exited, how long its pipes may still deliver output (default 500 ms). */
  pipeGraceMs?: number;
}

const TAIL_LINES = 20;

function tailCollector() {
  let text = '';
  return {
    push(chunk: Buffer) {
      text = (text + chunk.toString('utf8')).slice(-8192);
    },
    lines: () =>
      text
        .split('\n')
        .map((l) => l.trimEnd())
        .filter(Boolean)
        .slice(-TAIL_LINES),
  };
}

function smokeEnv(env: Record<string, string | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined) out[k] = v;
  for (const name of SECRET_ENV_VARS) delete out[name];
  return out;
}

export function runSmokeCommand(options: SmokeRunOptions): Promise<SmokeRun> {
  const now = options.now ?? (() => new Date());
  const [program, ...args] = options.command;
  if (!program) throw new Error('empty smoke command');
  const startedAt = now();
  const started = performance.now();
  const stderr = tailCollector();
  const stdout = tailCollector();

  return new Promise((resolve) => {
    let timedOut = false;
    let aborted = false;
    let spawnError: NodeJS.ErrnoException | null = null;
    const mark = newChildMark();
    const child = spawn(program, args, {
      cwd: options.cwd,
      env: { ...smokeEnv(options.env), [CHILD_MARK_VAR]: mark },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true, // its own process group: kill(-pid) reaches grandchildren
      shell: false,
    });
    child.stdout?.on('data', (c: Buffer) => stdout.push(c));
    child.stderr?.on('data', (c: Buffer) => stderr.push(c));

    const killGroup = (sig: NodeJS.Signals) => signalGroup(child.pid, sig);
    let killTimer: NodeJS.Timeout | undefined;
    const stop = () => {
      killGroup('SIGTERM');
      killTimer = setTimeout(() => killGroup('SIGKILL'), options.killGraceMs ?? 2000);
    };
    const cancelTimeout = setLongTimeout(() => {
      timedOut = true;
      stop();
    }, options.timeoutMs);
    const progress = options.onProgress
      ? setInterval(() => options.onProgress!(performance.now() - started), options.progressEveryMs ?? 1000)
      : undefined;
    const onAbort = () => {
      aborted = true;
      stop();
    };
    options.signal?.addEventListener('abort', onAbort, { once: true });

    let settled = false;
    const finish = async (exitCode: number | null, signal: NodeJS.Signals | null) => {
      if (settled) return;
      settled = true;
      cancelTimeout();
      if (progress) clearInterval(progress);
      options.signal?.removeEventListener('abort', onAbort);
      // Whatever it left behind in its group goes too (a scorer's workers must not outlive it).
      killGroup('SIGKILL');
      if (killTimer) clearTimeout(killTimer);
      const finishedAt = now();
      // A grandchild that left the group may hold the pipes: read what is there, then let go.
      await releasePipes(child, options.pipeGraceMs ?? 500);
      resolve({
        exitCode,
        signal,
        timedOut,
        aborted,
        spawnError,
        startedAt,
        finishedAt,
        durationMs: Math.round(performance.now() - started),
        stderrTail: stderr.lines(),
        stdoutTail: stdout.lines(),
        leftovers: spawnError ? [] : leftoverProcesses(mark, child.pid),
      });
    };
    child.on('error', (err: NodeJS.ErrnoException) => {
      spawnError = err;
      void finish(null, null);
    });
    void exitOf(child).then(({ code, signal }) => finish(code, signal));
  });
}
