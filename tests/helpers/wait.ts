/**
 * Waiting in tests: for a condition, with a deadline, never for a fixed time. A loaded machine
 * only makes these slower, never wrong; a condition that never comes fails with what was awaited.
 */
import { readFileSync, watch } from 'node:fs';

/** Poll `check` until it is true; throw after `timeoutMs` naming what was awaited. */
export async function waitUntil(
  check: () => boolean,
  what: string | (() => string),
  timeoutMs = 15_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline)
      throw new Error(
        `timed out after ${timeoutMs}ms waiting for ${typeof what === 'string' ? what : what()}`,
      );
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** True while the process exists and is not a zombie (Linux /proc; elsewhere, kill(pid, 0)). */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true;
  }
}

/** Wait until the process is gone (dead or zombie). */
export function waitGone(pid: number, timeoutMs = 10_000): Promise<void> {
  return waitUntil(() => !alive(pid), `process ${pid} to end`, timeoutMs);
}

/**
 * Resolve with the name of the first entry created or renamed in `dir` that `matches`, as the
 * kernel reports it (inotify on Linux): it sees files that exist only for microseconds.
 */
export function waitForEntry(
  dir: string,
  matches: (name: string) => boolean,
  timeoutMs = 15_000,
): { seen: Promise<string> } {
  const watcher = watch(dir);
  let timer: NodeJS.Timeout | undefined;
  const seen = new Promise<string>((resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out waiting for an entry in ${dir}`)), timeoutMs);
    watcher.on('change', (_event, name) => {
      if (typeof name === 'string' && matches(name)) resolve(name);
    });
    watcher.on('error', reject);
  }).finally(() => {
    clearTimeout(timer);
    watcher.close();
  });
  return { seen };
}
