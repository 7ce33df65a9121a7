/**
 * The state directory on a read-only or full file system, or with a directory where a file
 * belongs: exit 2 or 3 with the path and the fix, never "This is a bug", and no debris.
 * As root (the CI machine) these use a real read-only bind mount and a real 64 KiB tmpfs; as
 * another user they are skipped (mounting needs root).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCliProcess } from '../helpers/cli.js';
import { createAgentWorld, type AgentWorld } from '../helpers/agent-world.js';

const isRoot = process.getuid?.() === 0;
const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((c) => c()));

function world(): AgentWorld {
  const w = createAgentWorld();
  cleanups.push(() => w.cleanup());
  w.promote({ minutes: 'm2' });
  mkdirSync(w.state, { recursive: true });
  return w;
}

function mount(args: string[], dir: string): void {
  execFileSync('mount', [...args, dir]);
  cleanups.unshift(() => execFileSync('umount', [dir]));
}

const BOUND = { timeoutMs: 30_000 };

describe('file systems that refuse', () => {
  it.skipIf(!isRoot)('a read-only state directory is exit 2 naming the path', async () => {
    const w = world();
    mount(['--bind', w.state], w.state);
    execFileSync('mount', ['-o', 'remount,bind,ro', w.state]);
    const res = await runCliProcess(['apply'], { cwd: w.cwd, ...BOUND });
    expect(res.stderr).toMatch(new RegExp(`^error: read-only file system: ${w.state}/`, 'm'));
    expect(res.stderr).toContain('hint: Make that path writable');
    expect(res.stderr).not.toContain('This is a bug');
    expect(res.code).toBe(2);
  });

  it.skipIf(!isRoot)('a full state directory is exit 3 and leaves no lock candidate behind', async () => {
    const w = world();
    mount(['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs'], w.state);
    try {
      writeFileSync(join(w.state, 'filler'), Buffer.alloc(1024 * 1024));
    } catch (err) {
      expect((err as NodeJS.ErrnoException).code).toBe('ENOSPC');
    }
    const res = await runCliProcess(['apply'], { cwd: w.cwd, ...BOUND });
    expect(res.stderr).toMatch(new RegExp(`^error: no space left on the device: ${w.state}/`, 'm'));
    expect(res.stderr).not.toContain('This is a bug');
    expect(res.code).toBe(3);
    expect(readdirSync(w.state).filter((n) => n.includes('.cand-'))).toEqual([]);
    expect(w.runInTarget('minutes')).toBe('m1');
  });

  it('a directory where state.json belongs is exit 2 naming it', async () => {
    const w = world();
    mkdirSync(join(w.state, 'state.json'));
    const res = await runCliProcess(['apply'], { cwd: w.cwd, ...BOUND });
    expect(res.stderr).toContain(
      `error: a directory is where a file belongs: ${join(w.state, 'state.json')}`,
    );
    expect(res.stderr).not.toContain('This is a bug');
    expect(res.code).toBe(2);
  });
});
