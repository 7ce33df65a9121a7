/**
 * Files in places git-promote does not own (artifacts, the target, manifests) that are not
 * regular files: a FIFO would block open() forever. Each is refused at once, with its path,
 * through the built CLI; the lock is not left behind.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCliProcess } from '../helpers/cli.js';
import { createAgentWorld, FILES, type AgentWorld } from '../helpers/agent-world.js';
import { createPipelineWorld, type PipelineWorld } from '../helpers/smoke-scorer.js';

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((c) => c()));

function fifo(path: string): void {
  rmSync(path, { force: true });
  execFileSync('mkfifo', [path]);
}

// A command blocked in open() would run into this and fail the test.
const BOUND = { timeoutMs: 20_000 };

describe('special files where a regular file belongs', () => {
  it('smoke refuses a FIFO as the candidate meta.json (exit 2, path named)', async () => {
    const world: PipelineWorld = createPipelineWorld();
    cleanups.push(() => world.cleanup());
    world.addRun('minutes', 'm-new');
    const meta = join(world.data, 'models/minutes/run=m-new/meta.json');
    fifo(meta);
    const res = await runCliProcess(['smoke', 'minutes', 'm-new'], { cwd: world.root, ...BOUND });
    expect(res.stderr).toContain(`error: ${meta} is a FIFO, not a regular file: refusing to read it`);
    expect(res.stderr).toContain(`hint: Replace ${meta} with a regular file`);
    expect(res.code).toBe(2);
  });

  it('apply refuses a FIFO as a pointer file in the target (exit 2) and releases the lock', async () => {
    const w: AgentWorld = createAgentWorld();
    cleanups.push(() => w.cleanup());
    w.promote({ minutes: 'm2' });
    const pointer = join(w.target, FILES.minutes);
    fifo(pointer);
    const res = await runCliProcess(['apply'], { cwd: w.cwd, ...BOUND });
    expect(res.stderr).toContain(`error: ${pointer} is a FIFO, not a regular file`);
    expect(res.code).toBe(2);
    expect(existsSync(join(w.state, 'agent.lock'))).toBe(false);
  });

  it("apply refuses a FIFO as an artifact's meta.json as a failed check naming it (exit 1)", async () => {
    const w: AgentWorld = createAgentWorld();
    cleanups.push(() => w.cleanup());
    w.promote({ minutes: 'm2' });
    const meta = join(w.artifacts, 'minutes/run=m2/meta.json');
    fifo(meta);
    const res = await runCliProcess(['apply'], { cwd: w.cwd, ...BOUND });
    expect(res.stderr).toContain(`${meta} is a FIFO, not a regular file`);
    expect(res.code).toBe(1);
    expect(w.runInTarget('minutes')).toBe('m1');
  });
});
