/**
 * Fault injection for the crash tests, and nothing else. When GIT_PROMOTE_TEST_CRASH_AT is
 * `<step>:<n>` in the injected environment, the process SIGKILLs itself the n-th time it reaches
 * `<step>` (a named point between two durable steps of a write). Production never sets the
 * variable, so every call is a no-op there: a string compare, no I/O. Documented in the README ("Fault injection").
 */
export type CrashHook = (step: string) => void;

export const CRASH_ENV = 'GIT_PROMOTE_TEST_CRASH_AT';

export const noCrash: CrashHook = () => undefined;

export function crashHook(env: Record<string, string | undefined>): CrashHook {
  const spec = env[CRASH_ENV];
  if (!spec) return noCrash;
  const m = /^([a-z0-9-]+):(\d+)$/.exec(spec);
  if (!m) return noCrash;
  const [, target, nth] = m;
  let seen = 0;
  return (step) => {
    if (step !== target) return;
    seen += 1;
    if (seen === Number(nth)) process.kill(process.pid, 'SIGKILL');
  };
}
