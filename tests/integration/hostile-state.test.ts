/**
 * The state directory deleted under a running agent: the lock file goes with it, but mutual
 * exclusion holds (a concurrent apply exits 4) and the agent stops with exit 3 before it writes
 * anything else (no fresh state, so no reset rewrite baseline). Built CLI, real processes.
 */
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCliProcess } from '../helpers/cli.js';
import { createAgentWorld, spawnCli, type AgentWorld } from '../helpers/agent-world.js';

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((c) => c()));

async function until(check: () => boolean, ms = 20_000): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > ms) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('the state directory vanishing under a running agent', () => {
  it('a concurrent apply exits 4; the agent exits 3 before writing again', async () => {
    const w: AgentWorld = createAgentWorld();
    cleanups.push(() => w.cleanup());
    // The interval leaves a wide window between the first and the second pass.
    const agent = spawnCli(['agent', '--interval', '5s', '--json'], { cwd: w.cwd, timeoutMs: 40_000 });
    cleanups.unshift(() => agent.child.kill('SIGKILL'));
    let out = '';
    agent.child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
    await until(() => /"event":"(applied|up-to-date)"/.test(out));
    expect(w.runInTarget('minutes')).toBe('m1');

    rmSync(w.state, { recursive: true, force: true });
    const second = await runCliProcess(['apply'], { cwd: w.cwd, timeoutMs: 20_000 });
    expect(second.stderr).toContain('whose lock file is missing');
    expect(second.code).toBe(4);

    w.promote({ minutes: 'm2' });
    const res = await agent.done;
    expect(res.code).toBe(3);
    expect(res.stdout).toMatch(/"event":"error".*the lock .*agent\.lock is gone/);
    // It stopped before writing: m2 was not applied, and no new state.json was started.
    expect(w.runInTarget('minutes')).toBe('m1');
    expect(existsSync(join(w.state, 'state.json'))).toBe(false);
    // Nor did it record that pass in the directory the concurrent apply made, nor try to. (Recording
    // the first pass may have met the deletion half-way: a warning, before the error.)
    expect(existsSync(join(w.state, 'passes.json'))).toBe(false);
    const afterError = res.stdout.slice(res.stdout.indexOf('"event":"error"'));
    expect(afterError).not.toContain('could not record the pass');
  });
});
