import { afterEach, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../../src/cli/program.js';
import { createAgentWorld, FILES, type AgentWorld } from '../helpers/agent-world.js';
import { testContext } from '../helpers/context.js';

const worlds: AgentWorld[] = [];
afterEach(() => worlds.splice(0).forEach((w) => w.cleanup()));

async function until(check: () => boolean, ms = 15_000): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > ms) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('git promote agent (in process)', () => {
  it('logs a refusal once while it lasts, applies the fix, and exits 0 when stopped', async () => {
    const w = createAgentWorld();
    worlds.push(w);
    w.repo.commit({ [FILES.minutes]: '{"run_id": ' });
    const controller = new AbortController();
    const ctx = testContext({ cwd: w.cwd, signal: controller.signal, now: () => new Date() });
    const running = runCli(['agent', '--interval', '50ms', '--json'], ctx);
    const events = () =>
      ctx
        .out()
        .split('\n')
        .filter((l) => l.startsWith('{"')) // event lines; the final outcome is printed after them
        .map((l) => JSON.parse(l) as { event: string; message?: string; commit?: string });

    await until(() => events().some((e) => e.event === 'refused'));
    await new Promise((r) => setTimeout(r, 300)); // several more passes, same refusal
    expect(events().filter((e) => e.event === 'refused')).toHaveLength(1);
    expect(events().find((e) => e.event === 'refused')!.message).toContain('not valid JSON');

    const fixed = w.promote({ minutes: 'm2' });
    await until(() => events().some((e) => e.event === 'applied'));
    expect(w.runInTarget('minutes')).toBe('m2');
    expect(events().find((e) => e.event === 'applied')!.commit).toBe(fixed.slice(0, 12));

    controller.abort(new Error('received SIGTERM'));
    expect(await running).toBe(0);
    expect(events().at(-1)).toMatchObject({ event: 'stopped', reason: 'signal' });
    expect(events().map((e) => e.event)).toEqual(['started', 'refused', 'applied', 'summary', 'stopped']);
    expect(existsSync(join(w.state, 'agent.lock'))).toBe(false);
  });

  it('rejects a bad --interval (exit 2) before taking the lock', async () => {
    const w = createAgentWorld();
    worlds.push(w);
    const ctx = testContext({ cwd: w.cwd });
    expect(await runCli(['agent', '--interval', 'soon'], ctx)).toBe(2);
    expect(ctx.err()).toMatch(/^error: invalid --interval "soon"\nhint: /);
    expect(existsSync(join(w.state, 'agent.lock'))).toBe(false);
  });
});
