/**
 * Run a command under Debian's strace and read back the file system calls of its main thread as a
 * list of events with paths resolved from descriptors. Linux only; `strace` must be on PATH
 * (.ci/run installs it).
 */
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';

export const TRACED = 'openat,write,pwrite64,writev,pwritev,fsync,fdatasync,close,rename,renameat,renameat2';

export function straceAvailable(): boolean {
  if (process.platform !== 'linux') return false;
  try {
    // Present and allowed to trace (a container without CAP_SYS_PTRACE may forbid it).
    execFileSync('strace', ['-f', '-qq', '-o', '/dev/null', 'true'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export type FsEvent =
  | { kind: 'open'; path: string; fd: number; flags: string }
  | { kind: 'write'; path: string }
  | { kind: 'fsync'; path: string }
  | { kind: 'rename'; from: string; to: string };

/** Run `command args` under `strace -f`; resolves with the exit code once the trace is complete. */
export function runTraced(
  out: string,
  command: string,
  args: string[],
  options: { cwd: string; env: Record<string, string | undefined> },
): Promise<number | null> {
  const child = spawn(
    'strace',
    ['-f', '-qq', '-s', '4096', '-e', `trace=${TRACED}`, '-o', out, command, ...args],
    {
      cwd: options.cwd,
      env: options.env as NodeJS.ProcessEnv,
      stdio: 'ignore',
    },
  );
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
}

const quoted = (s: string) => JSON.parse(s.replace(/\\x([0-9a-f]{2})/g, '\\u00$1')) as string;

/**
 * The events of the traced program's main thread (the first pid in the trace: Node does every
 * synchronous file operation there), in order, successful calls only. Lines that another thread
 * interrupted (`<unfinished ...>` / `<... resumed>`) are joined first.
 */
export function mainThreadEvents(tracePath: string): FsEvent[] {
  const lines = readFileSync(tracePath, 'utf8').split('\n').filter(Boolean);
  const main = lines[0]?.split(/\s+/)[0];
  const pending = new Map<string, string>();
  const calls: string[] = [];
  for (const line of lines) {
    const m = /^(\d+)\s+(.*)$/.exec(line);
    if (!m || m[1] !== main) continue;
    const body = m[2]!;
    if (body.endsWith('<unfinished ...>')) {
      pending.set(m[1]!, body.slice(0, -'<unfinished ...>'.length));
      continue;
    }
    const resumed = /^<\.\.\. \w+ resumed>(.*)$/.exec(body);
    if (resumed) {
      calls.push(`${pending.get(m[1]!) ?? ''}${resumed[1]}`);
      pending.delete(m[1]!);
    } else calls.push(body);
  }
  const fds = new Map<number, string>();
  const events: FsEvent[] = [];
  const str = '"((?:[^"\\\\]|\\\\.)*)"';
  for (const call of calls) {
    const ok = /\)\s+=\s+(\d+)(?:\s|$)/.exec(call);
    if (!ok) continue; // failed calls (= -1 E...) change nothing
    let m: RegExpExecArray | null;
    if ((m = new RegExp(`^openat\\(AT_FDCWD, ${str}, ([A-Z_|]+)`).exec(call))) {
      const path = quoted(`"${m[1]}"`);
      fds.set(Number(ok[1]), path);
      events.push({ kind: 'open', path, fd: Number(ok[1]), flags: m[2]! });
    } else if ((m = /^(?:write|pwrite64|writev|pwritev)\((\d+),/.exec(call))) {
      const path = fds.get(Number(m[1]));
      if (path) events.push({ kind: 'write', path });
    } else if ((m = /^(?:fsync|fdatasync)\((\d+)\)/.exec(call))) {
      const path = fds.get(Number(m[1]));
      if (path) events.push({ kind: 'fsync', path });
    } else if ((m = /^close\((\d+)\)/.exec(call))) {
      fds.delete(Number(m[1]));
    } else if ((m = new RegExp(`^rename\\(${str}, ${str}\\)`).exec(call))) {
      events.push({ kind: 'rename', from: quoted(`"${m[1]}"`), to: quoted(`"${m[2]}"`) });
    } else if ((m = new RegExp(`^renameat2?\\(AT_FDCWD, ${str}, AT_FDCWD, ${str}`).exec(call))) {
      events.push({ kind: 'rename', from: quoted(`"${m[1]}"`), to: quoted(`"${m[2]}"`) });
    }
  }
  return events;
}
