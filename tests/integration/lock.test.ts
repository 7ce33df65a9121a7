/** The agent lock with real processes racing for it, including over a stale lock. */
import { afterEach, describe, expect, it } from 'vitest';
import { execFileSync, spawn } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { hostname, uptime } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { acquireLock, holderAlive, processStart, readLockInfo } from '../../src/adapters/fs/lock.js';
import { tempDir } from '../helpers/git-repo.js';
import { linuxOnly } from '../helpers/platform.js';
import { waitUntil } from '../helpers/wait.js';

const LOCK_JS = fileURLToPath(new URL('../../dist/src/adapters/fs/lock.js', import.meta.url));
const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

interface Holding {
  from: number;
  to: number;
  /** Whether this process judged the lock stale and removed it. */
  tookOver: boolean;
}

/**
 * A child that waits for the lock, holds it for holdMs and reports when it held it. It loads the
 * lock module, says "ready" and starts only on "go", so all contenders try at the same instant.
 * The interval is measured inside the holding (after acquire returned, before release) on
 * CLOCK_MONOTONIC (process.hrtime), one clock for all processes of the host, so two correct
 * holders never report overlapping intervals however late the scheduler runs them.
 * (performance.timeOrigin is not comparable across processes: each samples it at start-up.)
 */
function contender(
  lock: string,
  holdMs: number,
): { ready: Promise<void>; go(): void; done: Promise<Holding> } {
  const script = `
    const { acquireLock } = await import(${JSON.stringify(LOCK_JS)});
    const clock = () => Number(process.hrtime.bigint() / 1000n); // µs on CLOCK_MONOTONIC
    let tookOver = false;
    // Widen the race: linger 30ms between judging the lock stale and removing it.
    const pause = () => {
      tookOver = true;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 30);
    };
    console.log('ready');
    await new Promise((r) => process.stdin.once('data', r));
    process.stdin.pause();
    const held = await acquireLock(${JSON.stringify(lock)}, { wait: true, pollMs: 5, beforeStaleRemoval: pause });
    const from = clock();
    await new Promise((r) => setTimeout(r, ${holdMs}));
    const to = clock();
    held.release();
    console.log(JSON.stringify({ from, to, tookOver }));`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  let out = '';
  let signalReady: () => void;
  const ready = new Promise<void>((r) => (signalReady = r));
  child.stdout.on('data', (c: Buffer) => {
    out += c.toString();
    if (out.startsWith('ready\n')) signalReady();
  });
  const done = new Promise<Holding>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(JSON.parse(out.split('\n').filter(Boolean).at(-1)!) as Holding);
      else reject(new Error(`contender exit ${code}`));
    });
  });
  return { ready, go: () => child.stdin.end('go\n'), done };
}

/** Pairs of holdings that overlap in time (two holders at once), as readable text. */
function overlaps(holdings: Holding[]): string[] {
  const sorted = [...holdings].sort((a, b) => a.from - b.from);
  return sorted.slice(1).flatMap((h, i) => {
    const prev = sorted[i]!;
    return h.from < prev.to ? [`held from ${h.from} while another held until ${prev.to}`] : [];
  });
}

function staleLock(path: string): void {
  writeFileSync(
    path,
    JSON.stringify({
      pid: 2 ** 22 + 3,
      start: '42',
      host: hostname(),
      token: 'stale',
      since: '2026-01-01T00:00:00Z',
      command: 'killed',
    }),
  );
}

describe('agent lock', () => {
  it('names its holder with pid, start time and host; a recycled pid does not count as the holder', async (ctx) => {
    linuxOnly(ctx, 'the start time comes from /proc/<pid>/stat');
    const dir = tempDir();
    dirs.push(dir);
    const held = await acquireLock(join(dir, 'agent.lock'), { command: 'test' });
    const info = readLockInfo(join(dir, 'agent.lock'));
    expect(info).toMatchObject({ pid: process.pid, host: hostname(), start: processStart(process.pid) });
    expect(holderAlive(held.info)).toBe(true);
    expect(holderAlive({ ...held.info, start: 'another-start-time' })).toBe(false);
    expect(holderAlive({ ...held.info, host: 'some-other-host' })).toBe(true); // cannot tell: assume alive
    await expect(acquireLock(join(dir, 'agent.lock'))).rejects.toMatchObject({ exitCode: 4 });
    held.release();
    expect(existsSync(join(dir, 'agent.lock'))).toBe(false);
  });

  it('eight processes racing over a stale lock: every one holds it in turn, never two at once', async (ctx) => {
    linuxOnly(ctx, 'taking over a stale lock needs the abstract holder socket');
    ctx.skip(process.env.GIT_PROMOTE_MUTATION_RUN === '1', 'the contenders load dist/, where no mutant is');
    const dir = tempDir();
    dirs.push(dir);
    const lock = join(dir, 'agent.lock');
    for (let round = 0; round < 3; round++) {
      staleLock(lock);
      const contenders = Array.from({ length: 8 }, () => contender(lock, 40));
      await Promise.all(contenders.map((c) => c.ready));
      contenders.forEach((c) => c.go());
      const holdings = await Promise.all(contenders.map((c) => c.done));
      // Not "how many won": under load a late starter may find the lock already released and
      // take it too, which is correct. The invariants: exactly one process judges the stale lock
      // and removes it (the holder socket lets one at a time inspect it), and no two holding intervals
      // overlap.
      expect(holdings).toHaveLength(8);
      expect(
        holdings.filter((h) => h.tookOver),
        JSON.stringify(holdings),
      ).toHaveLength(1);
      expect(overlaps(holdings), JSON.stringify(holdings)).toEqual([]);
      expect(existsSync(lock)).toBe(false);
      expect(readdirSync(dir).filter((n) => n.includes('.cand-'))).toEqual([]);
    }
  }, 60_000);

  it('--wait polls until the holder releases, and gives up when stopped', async () => {
    const dir = tempDir();
    dirs.push(dir);
    const lock = join(dir, 'agent.lock');
    const held = await acquireLock(lock);
    /** A counter of a waiter's refused tries, and a wait (with a deadline) for the n-th. */
    const counter = () => {
      let refused = 0;
      return {
        onRefused: () => void refused++,
        after: (n: number) => waitUntil(() => refused >= n, `${n} refused tries`),
      };
    };
    const first = counter();
    let acquired = false;
    const waiting = acquireLock(lock, { wait: true, pollMs: 20, onRefused: first.onRefused }).then(
      (l) => ((acquired = true), l),
    );
    await first.after(3);
    expect(acquired).toBe(false); // tried three times while held: still waiting
    held.release();
    const second = await waiting;
    expect(second.stillHeld()).toBe(true);

    const controller = new AbortController();
    const stoppedTries = counter();
    const stopped = acquireLock(lock, {
      wait: true,
      pollMs: 20,
      signal: controller.signal,
      onRefused: stoppedTries.onRefused,
    });
    await stoppedTries.after(2);
    controller.abort();
    await expect(stopped).rejects.toMatchObject({
      exitCode: 4,
      message: expect.stringContaining('is held by'),
    });
    second.release();
  });
});

describe('agent lock in process: what counts as stale', () => {
  const lockIn = () => {
    const dir = tempDir();
    dirs.push(dir);
    return join(dir, 'agent.lock');
  };
  const write = (path: string, info: Record<string, unknown> | string) =>
    writeFileSync(path, typeof info === 'string' ? info : JSON.stringify(info));
  const me = () => ({
    pid: process.pid,
    start: processStart(process.pid),
    host: hostname(),
    token: 'other',
    since: '2026-01-01T00:00:00Z',
    command: 'git-promote agent',
  });

  it('takes over a lock whose holder is dead, recycled or unreadable, and says who held it otherwise', async (ctx) => {
    linuxOnly(ctx, 'taking over a stale lock needs the abstract holder socket and /proc');
    const lock = lockIn();
    const stale: (Record<string, unknown> | string)[] = [
      { ...me(), pid: 2 ** 22 + 3 }, // no such process
      { ...me(), start: 'another-start-time' }, // this pid, but another process started it
      { ...me(), pid: 0 },
      { ...me(), pid: 1.5 },
      '{"pid": "not a number"',
      '{"pid": 12}', // no token
    ];
    for (const info of stale) {
      write(lock, info);
      let judged = 0;
      const held = await acquireLock(lock, { beforeStaleRemoval: () => judged++ });
      expect(judged, JSON.stringify(info)).toBe(1);
      expect(readLockInfo(lock)).toMatchObject({ pid: process.pid, token: held.info.token });
      held.release();
      expect(existsSync(lock)).toBe(false);
    }
  });

  it('is busy (exit 4) while the holder may be alive: this process, or any process on another host', async () => {
    const lock = lockIn();
    for (const info of [me(), { ...me(), start: null }, { ...me(), pid: 2 ** 22 + 3, host: 'elsewhere' }]) {
      write(lock, info);
      const err = await acquireLock(lock).catch((e: unknown) => e);
      expect(err).toMatchObject({ exitCode: 4 });
      expect((err as Error).message).toBe(
        `the agent lock ${lock} is held by pid ${info.pid} on ${info.host} (git-promote agent, since 2026-01-01T00:00:00Z)`,
      );
      expect(readLockInfo(lock)).toMatchObject({ token: 'other' }); // untouched
    }
  });

  it('release removes only its own lock; candidates of dead processes are cleaned up', async (ctx) => {
    linuxOnly(ctx, 'dead candidates are removed only by the holder of the abstract socket');
    const lock = lockIn();
    const held = await acquireLock(lock);
    expect(held.stillHeld()).toBe(true);
    write(lock, me()); // someone else's now (a human removed ours and another agent took it)
    expect(held.stillHeld()).toBe(false);
    held.release();
    expect(readLockInfo(lock)).toMatchObject({ token: 'other' });
    rmSync(lock);
    const dead = `${lock}.cand-${2 ** 22 + 3}-00000000`;
    const alive = `${lock}.cand-${process.pid}-11111111`;
    write(dead, me());
    write(alive, me());
    const again = await acquireLock(lock);
    expect(existsSync(dead)).toBe(false);
    expect(existsSync(alive)).toBe(true);
    again.release();
    expect(readLockInfo(lock)).toBe('missing');
  });
});

describe('agent lock in process: the holder and what a refused process is told', () => {
  const lockIn = () => {
    const dir = tempDir();
    dirs.push(dir);
    return join(dir, 'agent.lock');
  };
  const refusal = (p: Promise<unknown>) =>
    p.then(
      () => {
        throw new Error('expected the lock to be refused');
      },
      (err: unknown) => err as { exitCode: number; message: string; remedy: string },
    );

  it('records the process start in clock ticks since boot, and none for a process that is gone', (ctx) => {
    linuxOnly(ctx, 'the start time comes from /proc/<pid>/stat');
    const ticks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }));
    const started = (uptime() - process.uptime()) * ticks;
    expect(Math.abs(Number(processStart(process.pid)) - started)).toBeLessThan(5 * ticks);
    expect(processStart(2 ** 22 + 3)).toBeNull();
  });

  it('reads a lock file: missing, unreadable, or a path it cannot read at all', () => {
    const lock = lockIn();
    expect(readLockInfo(lock)).toBe('missing');
    writeFileSync(lock, JSON.stringify({ pid: '12', token: 't' }));
    expect(readLockInfo(lock)).toBeNull();
    rmSync(lock);
    mkdirSync(lock);
    expect(() => readLockInfo(lock)).toThrow(/EISDIR/);
  });

  it('tells a second taker who holds it, and what to do', async (ctx) => {
    linuxOnly(ctx, 'the holder socket is an abstract unix socket');
    const lock = lockIn();
    const held = await acquireLock(lock, {
      command: 'git-promote agent',
      now: () => new Date('2026-11-26T18:00:00Z'),
    });
    expect(held.info).toMatchObject({ command: 'git-promote agent', since: '2026-11-26T18:00:00.000Z' });
    const who = `pid ${process.pid} on ${hostname()} (git-promote agent, since 2026-11-26T18:00:00.000Z)`;
    const refused: string[] = [];
    const err = await refusal(acquireLock(lock, { onRefused: (h) => refused.push(h) }));
    expect(err).toMatchObject({
      exitCode: 4,
      message: `the agent lock ${lock} is held by ${who}`,
      remedy:
        'Another agent is applying to this target: wait for it, pass --wait, or stop it (systemctl stop git-promote-agent).',
    });
    expect(refused).toEqual([who]);
    const controller = new AbortController();
    controller.abort();
    expect(await refusal(acquireLock(lock, { wait: true, signal: controller.signal }))).toMatchObject({
      exitCode: 4,
      remedy: 'Stopped while waiting; run again when the other agent is done.',
    });
    held.release();
    const next = await acquireLock(lock);
    expect(next.info.command).toBe('git-promote');
    next.release();
  });

  it('refuses while the holder lives even when its file is gone, whichever path names the directory', async (ctx) => {
    linuxOnly(ctx, 'the holder socket is an abstract unix socket');
    const lock = lockIn();
    const link = `${dirname(lock)}-link`;
    symlinkSync(dirname(lock), link);
    dirs.push(link);
    const held = await acquireLock(lock);
    unlinkSync(lock); // someone deletes the state directory's files under a running agent
    expect(held.stillHeld()).toBe(false);
    const err = await refusal(acquireLock(join(link, 'agent.lock')));
    expect(err.exitCode).toBe(4);
    expect(err.message).toContain('a running git-promote whose lock file is missing');
    held.release();
    held.release(); // twice is harmless
    const again = await acquireLock(join(link, 'agent.lock'));
    expect(again.stillHeld()).toBe(true);
    again.release();
    expect(existsSync(lock)).toBe(false);
  });

  it('--wait polls every 200 ms unless told otherwise', async (ctx) => {
    linuxOnly(ctx, 'the holder socket is an abstract unix socket');
    const lock = lockIn();
    const held = await acquireLock(lock);
    const tries: number[] = [];
    const waiting = acquireLock(lock, { wait: true, onRefused: () => void tries.push(performance.now()) });
    await waitUntil(() => tries.length >= 3, 'three refused tries');
    // A load can only make the waiter slower: the gaps are at least the poll period.
    for (let i = 1; i < tries.length; i++) expect(tries[i]! - tries[i - 1]!).toBeGreaterThanOrEqual(190);
    held.release();
    (await waiting).release();
  });

  it('stops waiting as soon as it is told to, however long the poll', async (ctx) => {
    linuxOnly(ctx, 'the holder socket is an abstract unix socket');
    const lock = lockIn();
    const held = await acquireLock(lock);
    const controller = new AbortController();
    let refused = 0;
    const waiting = refusal(
      acquireLock(lock, {
        wait: true,
        pollMs: 600_000,
        signal: controller.signal,
        onRefused: () => void refused++,
      }),
    );
    await waitUntil(() => refused >= 1, 'the first refused try');
    controller.abort();
    expect((await waiting).remedy).toBe('Stopped while waiting; run again when the other agent is done.');
    held.release();
  });

  it('refuses while the holder lives even when its file is unreadable, and then tells it the lock is not its own', async (ctx) => {
    linuxOnly(ctx, 'the holder socket is an abstract unix socket');
    const lock = lockIn();
    const held = await acquireLock(lock);
    writeFileSync(lock, 'not a lock');
    expect(held.stillHeld()).toBe(false);
    const err = await refusal(acquireLock(lock));
    expect(err.exitCode).toBe(4);
    expect(err.message).toContain('a running git-promote whose lock file is missing');
    held.release();
    expect(readFileSync(lock, 'utf8')).toBe('not a lock'); // not ours: left for a person
  });

  it('waits for a holder that is writing its file, then names it', async (ctx) => {
    linuxOnly(ctx, 'the holder socket is an abstract unix socket');
    const lock = lockIn();
    const held = await acquireLock(lock);
    const file = readFileSync(lock, 'utf8');
    rmSync(lock); // the holder socket is bound, its file not written yet
    // The file appears while the second process is giving the holder its moment (1 s).
    const restore = setTimeout(() => writeFileSync(lock, file), 100);
    const err = await refusal(acquireLock(lock));
    clearTimeout(restore);
    expect(err.message).toBe(
      `the agent lock ${lock} is held by pid ${process.pid} on ${hostname()} (git-promote, since ${held.info.since})`,
    );
    held.release();
  });

  it('frees the holder socket after a try that failed or was refused', async (ctx) => {
    linuxOnly(ctx, 'the holder socket is an abstract unix socket');
    const lock = lockIn();
    const inMissingDir = join(dirname(lock), 'state', 'agent.lock');
    await expect(acquireLock(inMissingDir)).rejects.toMatchObject({ code: 'ENOENT' });
    mkdirSync(dirname(inMissingDir));
    (await acquireLock(inMissingDir)).release();
    // Refused by a live holder named in the file (this process, with another token).
    const alive = { pid: process.pid, start: processStart(process.pid), host: hostname(), token: 'other' };
    writeFileSync(lock, JSON.stringify({ ...alive, since: '2026-01-01T00:00:00Z', command: 'git-promote' }));
    await expect(acquireLock(lock)).rejects.toMatchObject({ exitCode: 4 });
    rmSync(lock);
    (await acquireLock(lock)).release();
  });

  it('takes over a stale lock without a hook, and leaves other files of the directory alone', async (ctx) => {
    linuxOnly(ctx, 'taking over a stale lock needs the abstract holder socket');
    const lock = lockIn();
    staleLock(lock);
    const neighbour = join(dirname(lock), '.state.json.git-promote-tmp-123-abcd');
    writeFileSync(neighbour, '{}');
    const held = await acquireLock(lock);
    expect(held.stillHeld()).toBe(true);
    expect(existsSync(neighbour)).toBe(true);
    held.release();
  });
});
