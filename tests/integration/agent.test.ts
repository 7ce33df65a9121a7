import { afterEach, describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../../src/cli/program.js';
import { createAgentWorld, FILES, type AgentWorld } from '../helpers/agent-world.js';
import { testContext } from '../helpers/context.js';
import { testEnv } from '../helpers/git-repo.js';
import { waitUntil } from '../helpers/wait.js';

const worlds: AgentWorld[] = [];
afterEach(() => worlds.splice(0).forEach((w) => w.cleanup()));

describe('git promote agent (in process)', () => {
  it('logs a refusal once while it lasts, applies the fix, and exits 0 when stopped', async () => {
    const w = createAgentWorld();
    worlds.push(w);
    w.repo.commit({ [FILES.minutes]: '{"run_id": ' });
    const controller = new AbortController();
    // git appends one trace line per command to GIT_TRACE: each agent pass fetches once.
    const trace = join(w.dir, 'git-trace.log');
    const fetches = () =>
      existsSync(trace)
        ? readFileSync(trace, 'utf8')
            .split('\n')
            .filter((l) => / git fetch /.test(l)).length
        : 0;
    const ctx = testContext({
      cwd: w.cwd,
      env: testEnv({ GIT_TRACE: trace }),
      signal: controller.signal,
      now: () => new Date(),
    });
    const running = runCli(['agent', '--interval', '50ms', '--json'], ctx);
    const events = () =>
      ctx
        .out()
        .split('\n')
        .filter((l) => l.startsWith('{"')) // event lines; the final outcome is printed after them
        .map((l) => JSON.parse(l) as { event: string; message?: string; commit?: string });

    await waitUntil(() => events().some((e) => e.event === 'refused'), 'a refusal');
    const seen = fetches();
    await waitUntil(() => fetches() >= seen + 3, 'three more passes'); // same refusal each time
    expect(events().filter((e) => e.event === 'refused')).toHaveLength(1);
    expect(events().find((e) => e.event === 'refused')!.message).toContain('not valid JSON');

    const fixed = w.promote({ minutes: 'm2' });
    await waitUntil(() => events().some((e) => e.event === 'applied'), 'the fix applied');
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
