/**
 * The single-instance lock of a target. The lock is a file created with link(2) from a complete,
 * fsynced candidate, so it is taken exclusively and never seen half-written. It names its holder:
 * pid, the process start time from /proc/<pid>/stat (so a recycled pid is not mistaken for the
 * holder) and the hostname.
 *
 * A lock whose holder is gone (same host, pid dead or started at another time) is stale and may be
 * removed, but removing by path is not conditional: two processes that both saw the same stale
 * lock could each remove it, and the second would remove the first one's fresh lock. So a process
 * first binds the lock's holder socket, an abstract-namespace unix socket named after the lock
 * path, and only the process that bound it may inspect, remove or take the lock file. The kernel
 * lets only one process bind the name and frees it when the process dies, so it can never go
 * stale. The taker keeps it bound for as long as it holds the lock and releases the file before
 * the socket; a try that does not take the lock closes it at once. The file can vanish (someone
 * deletes the state directory); the socket cannot, so a second process is still refused, and the
 * holder learns from stillHeld() that its file is gone. Where abstract sockets are missing (not
 * Linux) the file alone decides and a stale lock is left to a person.
 */
import { createHash, randomBytes } from 'node:crypto';
import { linkSync, readFileSync, readdirSync, realpathSync, unlinkSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { hostname } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { BusyError } from '../../core/errors.js';
import { sleep } from '../long-timeout.js';
import { fsyncDir, removeQuietly, writeDurable } from './atomic-write.js';

export interface LockInfo {
  pid: number;
  /** Field 22 of /proc/<pid>/stat (clock ticks since boot), or null where /proc is missing. */
  start: string | null;
  host: string;
  token: string;
  since: string;
  command: string;
}

export interface HeldLock {
  readonly path: string;
  readonly info: LockInfo;
  /** True while the lock file still names this holder. */
  stillHeld(): boolean;
  /** Remove the lock if it is still ours. Synchronous, so it also works on the way out. */
  release(): void;
}

export interface LockOptions {
  wait?: boolean;
  signal?: AbortSignal;
  /** Poll period while waiting (ms). */
  pollMs?: number;
  now?: () => Date;
  command?: string;
  /**
   * Called after a stale lock was judged stale and before it is removed. Tests use it to widen
   * the window in which a second process could interfere; nothing else passes it.
   */
  beforeStaleRemoval?: () => void;
  /** Called after each try that did not take the lock, with who holds it. */
  onRefused?: (holder: string) => void;
}

/** The start time of a live process, or null when it does not exist (or /proc is missing). */
export function processStart(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // comm (field 2) may contain spaces and parentheses: fields resume after the last ')'.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return rest[19] ?? null;
  } catch {
    return null;
  }
}

function pidExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Whether the holder named in a lock may still be running. Another host's holder always may. */
export function holderAlive(info: LockInfo): boolean {
  if (info.host !== hostname()) return true;
  if (!Number.isInteger(info.pid) || info.pid <= 0) return false;
  if (!pidExists(info.pid)) return false;
  if (info.start === null) return true;
  const start = processStart(info.pid);
  return start === null ? true : start === info.start;
}

export function readLockInfo(path: string): LockInfo | null | 'missing' {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 'missing';
    throw err;
  }
  try {
    const data = JSON.parse(text) as LockInfo;
    return typeof data.pid === 'number' && typeof data.token === 'string' ? data : null;
  } catch {
    return null;
  }
}

/** The holder socket's name: one per lock file, whichever path names its directory. */
function holderSocketName(lockPath: string): string {
  let dir = dirname(lockPath);
  try {
    dir = realpathSync(dir);
  } catch {
    // the caller creates the directory; hashing the given path is fine before that
  }
  const key = createHash('sha256')
    .update(join(dir, basename(lockPath)))
    .digest('hex')
    .slice(0, 32);
  return `\0git-promote-held-${key}`;
}

function bind(server: Server, name: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ path: name }, resolve);
  });
}

function describeHolder(info: LockInfo | null): string {
  if (!info) return 'an unreadable lock file';
  return `pid ${info.pid} on ${info.host} (${info.command}, since ${info.since})`;
}

/** How long a bound holder socket without a live holder in the file is given to go away. */
const HOLDER_SETTLE_MS = 1000;
const HOLDER_POLL_MS = 20;

type Attempt =
  | { ok: true; info: LockInfo; held: Server | null }
  | { ok: false; holder: LockInfo | null; stale?: boolean; fileMissing?: boolean };

/**
 * Bind the holder socket: the server when it is ours now, 'busy' when a live process holds it,
 * null where abstract sockets are not available (then the file alone decides).
 */
async function bindHolder(path: string): Promise<Server | 'busy' | null> {
  const server = createServer();
  server.unref();
  try {
    await bind(server, holderSocketName(path));
    return server;
  } catch (err) {
    server.close();
    return (err as NodeJS.ErrnoException).code === 'EADDRINUSE' ? 'busy' : null;
  }
}

/** One try: the holder socket first, then, only by the process that bound it, the file. */
async function attemptHeld(path: string, info: LockInfo, beforeStaleRemoval?: () => void): Promise<Attempt> {
  let held: Server | 'busy' | null;
  for (let waited = 0; (held = await bindHolder(path)) === 'busy'; waited += HOLDER_POLL_MS) {
    const holder = readLockInfo(path);
    if (holder !== 'missing' && holder !== null && holderAlive(holder)) return { ok: false, holder };
    // The socket is bound but no live process names itself in the file: someone is taking the
    // lock right now, the state directory was deleted under its holder, or the holder was killed
    // while forking (its child holds a copy of the socket until it execs). Give it a moment.
    if (waited >= HOLDER_SETTLE_MS) return { ok: false, holder: null, fileMissing: true };
    await sleep(HOLDER_POLL_MS);
  }
  let result: Attempt;
  try {
    result = attempt(path, info, held !== null, beforeStaleRemoval);
  } catch (err) {
    held?.close();
    throw err;
  }
  if (!result.ok) {
    held?.close();
    return result;
  }
  return { ...result, held };
}

/** Take the lock file; `exclusive` when this process holds the holder socket (may remove a stale lock). */
function attempt(path: string, info: LockInfo, exclusive: boolean, beforeStaleRemoval?: () => void): Attempt {
  const dir = dirname(path);
  const candidate = `${path}.cand-${process.pid}-${randomBytes(4).toString('hex')}`;
  writeDurable(candidate, `${JSON.stringify(info)}\n`, 0o644);
  try {
    for (let tries = 0; tries < 2; tries++) {
      try {
        linkSync(candidate, path);
        fsyncDir(dir);
        return { ok: true, info, held: null };
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      const holder = readLockInfo(path);
      if (holder === 'missing') continue; // released between link and read: try again
      if (holder !== null && holderAlive(holder)) return { ok: false, holder };
      // Without the holder socket (no abstract sockets here) a take-over could race: leave it to a human.
      if (!exclusive) return { ok: false, holder, stale: true };
      // Stale, and we hold the socket: nobody else can inspect or remove it until we are done.
      beforeStaleRemoval?.();
      unlinkSync(path);
      fsyncDir(dir);
    }
    const holder = readLockInfo(path);
    return { ok: false, holder: holder === 'missing' ? null : holder };
  } finally {
    removeQuietly(candidate);
    if (exclusive) removeDeadCandidates(path);
  }
}

/** Candidates of processes killed between writing and linking them. */
function removeDeadCandidates(path: string): void {
  const prefix = `${basename(path)}.cand-`;
  let names: string[];
  try {
    names = readdirSync(dirname(path));
  } catch {
    return;
  }
  for (const name of names) {
    if (!name.startsWith(prefix)) continue;
    const pid = Number(name.slice(prefix.length).split('-')[0]);
    if (!pidExists(pid)) removeQuietly(join(dirname(path), name));
  }
}

/** Take the lock at `path`, or throw BusyError (exit 4); with wait, poll until it is free. */
export async function acquireLock(path: string, options: LockOptions = {}): Promise<HeldLock> {
  const now = options.now ?? (() => new Date());
  const info: LockInfo = {
    pid: process.pid,
    start: processStart(process.pid),
    host: hostname(),
    token: randomBytes(12).toString('hex'),
    since: now().toISOString(),
    command: options.command ?? 'git-promote',
  };
  for (;;) {
    const result = await attemptHeld(path, info, options.beforeStaleRemoval);
    if (result.ok) return heldLock(path, info, result.held);
    const who = result.fileMissing
      ? 'a running git-promote whose lock file is missing (being taken right now, or its state directory was deleted)'
      : describeHolder(result.holder);
    if (result.stale) {
      throw new BusyError(
        `the agent lock ${path} is left by ${who}, which is no longer running`,
        `Make sure no agent runs for this target, then remove ${path} and retry.`,
      );
    }
    options.onRefused?.(who);
    if (!options.wait || options.signal?.aborted) {
      throw new BusyError(
        `the agent lock ${path} is held by ${who}`,
        options.wait
          ? 'Stopped while waiting; run again when the other agent is done.'
          : 'Another agent is applying to this target: wait for it, pass --wait, or stop it (systemctl stop git-promote-agent).',
      );
    }
    // An abort ends the wait early; the next round then refuses.
    await sleep(options.pollMs ?? 200, options.signal).catch(() => undefined);
  }
}

function heldLock(path: string, info: LockInfo, holderSocket: Server | null): HeldLock {
  const stillHeld = () => {
    const current = readLockInfo(path);
    return current !== 'missing' && current !== null && current.token === info.token;
  };
  return {
    path,
    info,
    stillHeld,
    // Idempotent: once the file no longer names this holder it is left alone, and closing the
    // socket again does nothing.
    release() {
      try {
        if (stillHeld()) {
          removeQuietly(path);
          fsyncDir(dirname(path));
        }
      } finally {
        holderSocket?.close();
      }
    },
  };
}
