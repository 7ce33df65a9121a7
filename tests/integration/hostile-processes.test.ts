/**
 * Commands that leave a process behind which escaped their process group (`setsid sleep 45 &`)
 * and holds their stdout/stderr: git-promote returns on time and names that process. Runs the
 * built CLI (smoke) and the command flow trigger against real processes.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createCommandTrigger } from '../../src/adapters/flow/command-trigger.js';
import { runCliProcess } from '../helpers/cli.js';
import { createAgentWorld } from '../helpers/agent-world.js';
import { createPipelineWorld, type PipelineWorld } from '../helpers/smoke-scorer.js';
import { alive } from '../helpers/wait.js';

let world: PipelineWorld | undefined;
const spawned: number[] = [];
afterEach(() => {
  for (const pid of spawned.splice(0)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
  world?.cleanup();
  world = undefined;
});

function escapedPid(w: PipelineWorld, run: string): number {
  const file = join(w.data, 'models/minutes', `run=${run}`, 'escaped.json');
  expect(existsSync(file)).toBe(true);
  const pid = (JSON.parse(readFileSync(file, 'utf8')) as { pid: number }).pid;
  spawned.push(pid);
  return pid;
}

describe('a child that escaped its process group and holds the pipes', () => {
  it('smoke times out on time, kills the group and names the process left running', async () => {
    world = createPipelineWorld({ timeout: '1s' });
    world.addRun('minutes', 'm-new', { smoke: { mode: 'hang', escape: true } });
    const started = Date.now();
    // 40 s of the escaped process's 45 would be a hang: the CLI gets 15 s.
    const res = await runCliProcess(['smoke', 'minutes', 'm-new'], { cwd: world.root, timeoutMs: 15_000 });
    const took = Date.now() - started;
    const pid = escapedPid(world, 'm-new');
    expect(res.code).toBe(1);
    expect(took).toBeLessThan(10_000);
    expect(res.stderr).toContain('timed out after 1s and was stopped: its process group was killed');
    expect(res.stderr).toContain(`but pid ${pid} (`);
    expect(res.stderr).toContain('left its process group and still runs');
    expect(res.stderr).toMatch(new RegExp(`hint: Stop ${pid} yourself`));
    expect(alive(pid)).toBe(true);
    const pids = JSON.parse(readFileSync(join(world.data, 'models/minutes/run=m-new/pids.json'), 'utf8')) as {
      scorer: number;
    };
    expect(alive(pids.scorer)).toBe(false);
  });

  it('smoke that succeeds but leaves such a process finishes at once and warns about it', async () => {
    world = createPipelineWorld({ timeout: '30s' });
    world.addRun('minutes', 'm-new', { smoke: { escape: true } });
    const started = Date.now();
    const res = await runCliProcess(['smoke', 'minutes', 'm-new'], { cwd: world.root, timeoutMs: 15_000 });
    const pid = escapedPid(world, 'm-new');
    expect(res.stderr).toContain(`warning: smoke minutes=m-new`);
    expect(res.stderr).toContain(`pid ${pid} (`);
    expect(res.code).toBe(0);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('flow.command: the timeout returns on time and names the escaped process', async () => {
    world = createPipelineWorld();
    const pidFile = join(world.data, 'flow-escaped.json');
    const script = [
      "const cp = require('node:child_process');",
      "const c = cp.spawn(process.execPath, ['-e', 'setTimeout(() => {}, 45000)'], { detached: true, stdio: ['ignore', 'inherit', 'inherit'] });",
      `require('node:fs').writeFileSync(${JSON.stringify(pidFile)}, String(c.pid));`,
      'setInterval(() => {}, 1000);',
    ].join('\n');
    const trigger = createCommandTrigger({
      command: [process.execPath, '-e', script],
      cwd: world.root,
      env: { PATH: process.env.PATH },
      now: () => new Date(),
      killGraceMs: 200,
    });
    const { flowRunId } = await trigger.trigger({
      commit: '1'.repeat(40),
      gameDate: '2026-11-25',
      pointers: [],
    });
    const started = Date.now();
    const run = await trigger.follow(flowRunId, { timeoutMs: 700 });
    expect(Date.now() - started).toBeLessThan(5_000);
    const pid = Number(readFileSync(pidFile, 'utf8'));
    spawned.push(pid);
    expect(run.state).toBe('CRASHED');
    expect(run.message).toContain('killed after the flow timeout');
    expect(run.message).toContain(`pid ${pid} (`);
    expect(alive(pid)).toBe(true);
  }, 15_000);

  it('apply with a flow.command that hangs and leaves such a process returns on time (built CLI)', async () => {
    const w = createAgentWorld({
      config: {
        flow: {
          command: [
            process.execPath,
            '-e',
            [
              "const cp = require('node:child_process');",
              "const c = cp.spawn(process.execPath, ['-e', 'setTimeout(() => {}, 45000)'], { detached: true, stdio: ['ignore', 'inherit', 'inherit'] });",
              "require('node:fs').writeFileSync('flow-escaped.pid', String(c.pid));",
              'setInterval(() => {}, 1000);',
            ].join('\n'),
          ],
          timeout: '1s',
        },
      },
    });
    const cleanupWorld = () => w.cleanup();
    try {
      w.promote({ minutes: 'm2' });
      const started = Date.now();
      const res = await runCliProcess(['apply'], { cwd: w.cwd, timeoutMs: 30_000 });
      const pid = Number(readFileSync(join(w.target, 'flow-escaped.pid'), 'utf8'));
      spawned.push(pid);
      expect(Date.now() - started).toBeLessThan(20_000);
      expect(w.runInTarget('minutes')).toBe('m2');
      expect(res.stdout + res.stderr).toContain('killed after the flow timeout of 1.0s');
      expect(res.stdout + res.stderr).toContain(`pid ${pid} (`);
      expect(res.code).toBe(1);
    } finally {
      cleanupWorld();
    }
  }, 40_000);
});
