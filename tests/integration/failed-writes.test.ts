/**
 * A write that fails half-way leaves nothing behind: no partial file, no temp file, the old content
 * in place, and an error that names the file. The full disk is a real 64 KiB tmpfs (mounting needs
 * root: skipped otherwise, with the reason).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, type TestContext } from 'vitest';
import { stageFile, writeDurable, writeFileAtomic } from '../../src/adapters/fs/atomic-write.js';
import { appendJournal, statePaths } from '../../src/adapters/fs/state-store.js';
import { tempDir } from '../helpers/git-repo.js';
import { linuxOnly } from '../helpers/platform.js';
import { alive } from '../helpers/wait.js';

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((c) => c()));

function dir(): string {
  const d = tempDir();
  cleanups.push(() => rmSync(d, { recursive: true, force: true }));
  return d;
}

// The mount's source names this process, so a later run can tell debris from a live test's mount.
const SOURCE = 'git-promote-failed-writes';

/**
 * Unmount what a test process killed before its cleanup left (Stryker kills a worker whose mutant
 * hangs a test): mounts of this file whose process is gone.
 */
function unmountLeftovers(): void {
  for (const line of readFileSync('/proc/self/mounts', 'utf8').split('\n')) {
    const [source, target] = line.split(' ');
    const pid = new RegExp(`^${SOURCE}-(\\d+)$`).exec(source ?? '')?.[1];
    if (pid && target && !alive(Number(pid))) {
      execFileSync('umount', [target]);
      rmSync(target, { recursive: true, force: true });
    }
  }
}

/** A directory on a fresh 64 KiB tmpfs, unmounted after the test. */
function smallDisk(ctx: TestContext): string {
  linuxOnly(ctx, 'a tmpfs mount');
  ctx.skip(process.getuid?.() !== 0, 'mounting a tmpfs needs root');
  unmountLeftovers();
  const d = dir();
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', `${SOURCE}-${process.pid}`, d]);
  cleanups.unshift(() => execFileSync('umount', [d]));
  return d;
}

const BIG = 'x'.repeat(256 * 1024);

function failure(fn: () => unknown): NodeJS.ErrnoException {
  try {
    fn();
  } catch (err) {
    return err as NodeJS.ErrnoException;
  }
  throw new Error('expected the write to fail');
}

describe('failed writes', () => {
  it('a durable write that runs out of space fails naming the file and removes it', (ctx) => {
    const d = smallDisk(ctx);
    const path = join(d, 'state.json');
    const err = failure(() => writeDurable(path, BIG));
    expect(err.code).toBe('ENOSPC');
    expect(err.path).toBe(path);
    expect(readdirSync(d)).toEqual([]);
  });

  it('an atomic replace that runs out of space keeps the old file and leaves no temp file', (ctx) => {
    const d = smallDisk(ctx);
    const path = join(d, 'minutes_current_run.json');
    writeFileSync(path, '{"run_id": "m1"}\n');
    const err = failure(() => writeFileAtomic(path, BIG));
    expect(err.code).toBe('ENOSPC');
    expect(readFileSync(path, 'utf8')).toBe('{"run_id": "m1"}\n');
    expect(readdirSync(d)).toEqual(['minutes_current_run.json']);
    expect(() => stageFile(path, BIG)).toThrow(/ENOSPC/);
    expect(readdirSync(d)).toEqual(['minutes_current_run.json']);
  });

  it('a journal append that runs out of space fails naming the journal', (ctx) => {
    const paths = statePaths(smallDisk(ctx));
    const err = failure(() => appendJournal(paths, { at: 't', event: 'applied', note: BIG }));
    expect(err.code).toBe('ENOSPC');
    expect(err.path).toBe(paths.journal);
  });

  it('an atomic replace whose rename fails leaves no temp file', () => {
    const d = dir();
    const path = join(d, 'pointer.json');
    mkdirSync(path);
    writeFileSync(join(path, 'inside'), '');
    expect(failure(() => writeFileAtomic(path, '{}')).code).toMatch(/^(EISDIR|ENOTEMPTY|EEXIST)$/);
    expect(readdirSync(d)).toEqual(['pointer.json']);
    expect(statSync(path).isDirectory()).toBe(true);
  });

  it('a durable write never replaces a file that exists', () => {
    const d = dir();
    const path = join(d, 'agent.lock');
    writeFileSync(path, 'held');
    expect(failure(() => writeDurable(path, 'mine')).code).toBe('EEXIST');
    expect(existsSync(path) && readFileSync(path, 'utf8')).toBe('held');
  });
});
