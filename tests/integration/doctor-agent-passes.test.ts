/** doctor's agent check reads the pass record a real agent pass wrote: fresh, stale, failing. */
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/adapters/config-file.js';
import { runCli } from '../../src/cli/program.js';
import { agentCheck } from '../../src/commands/doctor-agent.js';
import { createAgentWorld, FILES, type AgentWorld } from '../helpers/agent-world.js';
import { testContext } from '../helpers/context.js';
import { git, testEnv } from '../helpers/git-repo.js';

const worlds: AgentWorld[] = [];
afterEach(() => worlds.splice(0).forEach((w) => w.cleanup()));

const T0 = Date.parse('2026-11-26T18:00:00Z');
const seconds = (s: number) => new Date(T0 + s * 1000);

async function pass(w: AgentWorld, at: Date): Promise<number> {
  return runCli(['agent', '--once'], testContext({ cwd: w.cwd, now: () => at }));
}

async function check(w: AgentWorld, now: Date) {
  const { config, root } = await loadConfig(w.cwd, testEnv());
  const c = agentCheck(config, root, testEnv(), '2026-11-26', null, now);
  return { check: c, lastPass: c.items.find((i) => i.name === 'last pass') };
}

describe('doctor: the agent last successful pass', () => {
  it('is ok within 3 intervals of 30s and fails past them, naming the last failure', async () => {
    const w = createAgentWorld();
    worlds.push(w);
    expect(await pass(w, seconds(0))).toBe(0);

    let r = await check(w, seconds(89));
    expect(r.lastPass).toMatchObject({
      status: 'ok',
      detail: 'last successful pass at 2026-11-26T18:00:00.000Z (1m29s ago)',
    });
    expect(r.check.status).toBe('ok');

    r = await check(w, seconds(91));
    expect(r.lastPass).toMatchObject({ status: 'fail' });
    expect(r.lastPass!.detail).toBe(
      'last successful pass at 2026-11-26T18:00:00.000Z (1m31s ago), more than 3 intervals of 30s',
    );
    expect(r.check.status).toBe('fail');
    expect(r.check.detail).toContain('the agent is not completing its passes');
    expect(r.check.detail).toContain('journalctl -p err -u git-promote-agent');

    // A pass that fails after it: still stale past 3 intervals, and doctor says why.
    // Nothing listens on port 1: a network failure (transient), not a missing repository.
    git(w.target, ['remote', 'set-url', 'origin', 'http://127.0.0.1:1/projections.git']);
    expect(await pass(w, seconds(60))).toBe(3);
    r = await check(w, seconds(61));
    expect(r.lastPass!.status).toBe('warn');
    expect(r.lastPass!.detail).toMatch(/; last failure at 2026-11-26T18:01:00.000Z \(transient\): git fetch/);
    r = await check(w, seconds(120));
    expect(r.lastPass!.status).toBe('fail');
  });

  it('reports an agent that has never passed, even though nothing was applied, after 3 intervals', async () => {
    const w = createAgentWorld();
    worlds.push(w);
    w.repo.commit({ [FILES.minutes]: '{"run_id": ' });
    expect(await pass(w, seconds(0))).toBe(1);
    let r = await check(w, seconds(1));
    expect(r.lastPass).toMatchObject({ status: 'warn' });
    expect(r.lastPass!.detail).toMatch(
      /^no pass has succeeded yet \(since 2026-11-26T18:00:00.000Z\); last failure at .* \(refused\): .*not valid JSON/,
    );
    expect(await pass(w, seconds(30))).toBe(1);
    r = await check(w, seconds(91));
    expect(r.lastPass).toMatchObject({ status: 'fail' });
    expect(r.check.detail).toContain('the agent is not completing its passes');
  });
});
