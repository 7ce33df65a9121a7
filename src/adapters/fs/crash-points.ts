/**
 * Fault injection for the crash tests, and nothing else. When GIT_PROMOTE_TEST_CRASH_AT is
 * `<step>:<n>` in the injected environment, the process SIGKILLs itself the n-th time it reaches
 * `<step>` (a named point between two durable steps of a write). Two more variables let a test aim
 * kills from outside: GIT_PROMOTE_TEST_STEP_LOG=<file> appends each step's name to the file as it
 * is reached (so a killed run tells how far it got), and GIT_PROMOTE_TEST_STEP_PAUSE_MS=<ms> pauses
 * at each step (so the write spans long enough for a kill at a random instant to land inside it).
 * Production never sets them, so every call is a no-op there: a string compare, no I/O.
 * Documented in docs/agent.md ("Fault injection (tests only)").
 */
import { appendFileSync } from 'node:fs';

export type CrashHook = (step: string) => void;

export const CRASH_ENV = 'GIT_PROMOTE_TEST_CRASH_AT';
export const STEP_LOG_ENV = 'GIT_PROMOTE_TEST_STEP_LOG';
export const STEP_PAUSE_ENV = 'GIT_PROMOTE_TEST_STEP_PAUSE_MS';

export const noCrash: CrashHook = () => undefined;

/** SIGKILL this process: no exit handlers, no cleanup, as a power cut or an OOM kill would. */
const killSelf = (): void => void process.kill(process.pid, 'SIGKILL');

/** `die` is what a kill point does when its turn comes (tests in process pass a recorder). */
export function crashHook(env: Record<string, string | undefined>, die: () => void = killSelf): CrashHook {
  const kill = killAt(env[CRASH_ENV], die);
  const log = env[STEP_LOG_ENV];
  const pauseMs = Number(env[STEP_PAUSE_ENV] ?? 0);
  if (!kill && !log && !(pauseMs > 0)) return noCrash;
  return (step) => {
    if (log) appendFileSync(log, `${step}\n`);
    if (pauseMs > 0) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, pauseMs);
    kill?.(step);
  };
}

function killAt(spec: string | undefined, die: () => void): CrashHook | null {
  const m = spec ? /^([a-z0-9-]+):(\d+)$/.exec(spec) : null;
  if (!m) return null;
  const [, target, nth] = m;
  let seen = 0;
  return (step) => {
    if (step !== target) return;
    seen += 1;
    if (seen === Number(nth)) die();
  };
}
