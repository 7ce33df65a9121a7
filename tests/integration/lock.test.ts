/** The agent lock with real processes racing for it, including over a stale lock. */
import { afterEach, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { acquireLock, holderAlive, processStart, readLockInfo } from '../../src/adapters/fs/lock.js';
import { tempDir } from '../helpers/git-repo.js';

const LOCK_JS = fileURLToPath(new URL('../../dist/src/adapters/fs/lock.js', import.meta.url));
const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

/** A child that tries the lock once, holds it for holdMs, and reports its interval. */
function contender(lock: string, holdMs: number): Promise<{ ok: boolean; from?: number; to?: number }> {
  const script = `
    const { acquireLock } = await import(${JSON.stringify(LOCK_JS)});
    try {
      // Widen the race: linger 30ms between judging the lock stale and removing it.
      const pause = () => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 30);
      const held = await acquireLock(${JSON.stringify(lock)}, { beforeStaleRemoval: pause });
      const from = Date.now();
      await new Promise((r) => setTimeout(r, ${holdMs}));
      const to = Date.now();
      held.release();
      console.log(JSON.stringify({ ok: true, from, to }));
    } catch (e) {
      if (e.exitCode !== 4) throw e;
      console.log(JSON.stringify({ ok: false }));
    }`;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`exit ${code}`))));
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
  it('names its holder with pid, start time and host; a recycled pid does not count as the holder', async () => {
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

  it('eight processes racing over a stale lock: exactly one takes it, never two at once', async () => {
    const dir = tempDir();
    dirs.push(dir);
    const lock = join(dir, 'agent.lock');
    for (let round = 0; round < 5; round++) {
      staleLock(lock);
      const results = await Promise.all(Array.from({ length: 8 }, () => contender(lock, 400)));
      const winners = results.filter((r) => r.ok);
      // All start within a few ms and hold for 400ms: a second winner would mean the stale-lock
      // take-over let two processes in.
      expect(winners.length, JSON.stringify(results)).toBe(1);
      expect(existsSync(lock)).toBe(false);
      expect(readdirSync(dir).filter((n) => n.includes('.cand-'))).toEqual([]);
    }
  }, 60_000);

  it('--wait polls until the holder releases, and gives up when stopped', async () => {
    const dir = tempDir();
    dirs.push(dir);
    const lock = join(dir, 'agent.lock');
    const held = await acquireLock(lock);
    setTimeout(() => held.release(), 300);
    const t0 = Date.now();
    const second = await acquireLock(lock, { wait: true, pollMs: 20 });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(250);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    await expect(
      acquireLock(lock, { wait: true, pollMs: 20, signal: controller.signal }),
    ).rejects.toMatchObject({
      exitCode: 4,
    });
    second.release();
  });
});
