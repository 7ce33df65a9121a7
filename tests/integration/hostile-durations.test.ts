/**
 * Durations past what a timer can hold (setTimeout overflows after 24.8 days and fires at once)
 * are refused by the config schema with exit 2, through the built CLI; nothing is started.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCliProcess } from '../helpers/cli.js';
import { createPipelineWorld, type PipelineWorld } from '../helpers/smoke-scorer.js';

let world: PipelineWorld | undefined;
afterEach(() => {
  world?.cleanup();
  world = undefined;
});

interface EditableConfig {
  pointers: { minutes: { smoke: { timeout: string } } };
  agent: { interval: string };
  flow?: unknown;
}

function withConfig(edit: (c: EditableConfig) => void): PipelineWorld {
  const w = createPipelineWorld();
  const path = join(w.root, 'promote.config.json');
  const config = JSON.parse(readFileSync(path, 'utf8')) as EditableConfig;
  edit(config);
  writeFileSync(path, JSON.stringify(config, null, 2));
  return w;
}

describe('durations over the bounds', () => {
  it('smoke.timeout "25d" is a config error (exit 2) and runs nothing', async () => {
    world = withConfig((c) => (c.pointers.minutes.smoke.timeout = '25d'));
    world.addRun('minutes', 'm-new', { smoke: { mode: 'hang' } });
    const res = await runCliProcess(['smoke', 'minutes', 'm-new'], { cwd: world.root, timeoutMs: 20_000 });
    expect(res.stderr).toContain('pointers.minutes.smoke.timeout');
    expect(res.stderr).toContain('must be at most 24h');
    expect(res.code).toBe(2);
    expect(existsSync(join(world.data, 'models/minutes/run=m-new/pids.json'))).toBe(false);
  });

  it('agent.interval "25d" and --interval 25d are config errors (exit 2)', async () => {
    world = withConfig((c) => {
      c.agent.interval = '25d';
      c.flow = { command: ['true'], timeout: '1h', pollInterval: '2d' };
    });
    const res = await runCliProcess(['agent', '--once'], { cwd: world.root, timeoutMs: 20_000 });
    expect(res.stderr).toContain('agent.interval');
    expect(res.stderr).toContain('flow.pollInterval');
    expect(res.stderr).toContain('must be at most 1d');
    expect(res.code).toBe(2);

    world.cleanup();
    world = createPipelineWorld();
    const flag = await runCliProcess(['agent', '--interval', '25d'], { cwd: world.root, timeoutMs: 20_000 });
    expect(flag.stderr).toContain('error: invalid --interval "25d": must be at most 1d');
    expect(flag.code).toBe(2);
  });
});
