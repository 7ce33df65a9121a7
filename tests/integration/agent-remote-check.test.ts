/**
 * Between full passes the agent only runs `git ls-remote` (src/agent/remote-check.ts): an interval
 * in which nothing changed fetches nothing; a push, a hand edit of a pointer file in the target,
 * or FULL_PASS_EVERY quiet intervals bring a full pass (and its fetch) at the next interval.
 * git appends one line per command it runs to GIT_TRACE, so the test counts them.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/program.js';
import { FULL_PASS_EVERY } from '../../src/agent/remote-check.js';
import { createAgentWorld, FILES, type AgentWorld } from '../helpers/agent-world.js';
import { testContext } from '../helpers/context.js';
import { testEnv } from '../helpers/git-repo.js';
import { waitUntil } from '../helpers/wait.js';

const worlds: AgentWorld[] = [];
afterEach(() => worlds.splice(0).forEach((w) => w.cleanup()));

function runningAgent(w: AgentWorld) {
  const trace = join(w.dir, 'git-trace.log');
  const count = (command: string) =>
    existsSync(trace)
      ? readFileSync(trace, 'utf8')
          .split('\n')
          .filter((l) => l.includes(` git ${command} `)).length
      : 0;
  const controller = new AbortController();
  const ctx = testContext({
    cwd: w.cwd,
    env: testEnv({ GIT_TRACE: trace }),
    signal: controller.signal,
    now: () => new Date(),
  });
  const done = runCli(['agent', '--interval', '100ms', '--json'], ctx);
  const events = () =>
    ctx
      .out()
      .split('\n')
      .filter((l) => l.startsWith('{"'))
      .map((l) => JSON.parse(l) as { event: string; commit?: string; drift?: string });
  return {
    fetches: () => count('fetch'),
    looks: () => count('ls-remote'),
    events,
    stop: async () => {
      controller.abort(new Error('received SIGTERM'));
      return done;
    },
  };
}

describe('the agent between full passes', () => {
  it('fetches nothing while nothing changes, and applies a push at the next interval', async () => {
    const w = createAgentWorld();
    worlds.push(w);
    const agent = runningAgent(w);
    await waitUntil(() => agent.events().some((e) => e.event === 'applied'), 'the first pass');
    await waitUntil(() => agent.looks() >= 1, 'a first look at the remote');
    const fetches = agent.fetches();
    const looks = agent.looks();
    await waitUntil(() => agent.looks() >= looks + 4, 'four quiet intervals');
    expect(agent.fetches()).toBe(fetches);

    const commit = w.promote({ minutes: 'm2' });
    const looksAtPush = agent.looks();
    await waitUntil(
      () => agent.events().some((e) => e.event === 'applied' && e.commit === commit.slice(0, 12)),
      'the push applied',
    );
    // The first look after the push saw it (one more if a look was under way as it landed).
    expect(agent.looks() - looksAtPush).toBeLessThanOrEqual(2);
    expect(agent.fetches()).toBe(fetches + 1);
    expect(w.runInTarget('minutes')).toBe('m2');
    expect(await agent.stop()).toBe(0);
  });

  it('restores a hand-edited pointer file at the next interval, though the remote did not move', async () => {
    const w = createAgentWorld();
    worlds.push(w);
    const agent = runningAgent(w);
    await waitUntil(() => agent.events().some((e) => e.event === 'applied'), 'the first pass');
    await waitUntil(() => agent.looks() >= 1, 'a first look at the remote');
    const file = join(w.target, FILES.minutes);
    const written = readFileSync(file, 'utf8');
    writeFileSync(file, written.replace('m1', 'm-by-hand'));
    const looksAtEdit = agent.looks();
    await waitUntil(
      () => agent.events().some((e) => e.event === 'applied' && e.drift === 'minutes'),
      'the drift restored',
    );
    expect(readFileSync(file, 'utf8')).toBe(written);
    // At the next interval, not at the next every-10th full pass.
    expect(agent.looks() - looksAtEdit).toBeLessThanOrEqual(1);
    expect(await agent.stop()).toBe(0);
  });

  it(`does a full pass every ${FULL_PASS_EVERY} intervals even when nothing changed`, async () => {
    const w = createAgentWorld();
    worlds.push(w);
    const agent = runningAgent(w);
    await waitUntil(() => agent.events().some((e) => e.event === 'applied'), 'the first pass');
    const fetches = agent.fetches();
    await waitUntil(() => agent.fetches() > fetches, 'a full pass without a change', 20_000);
    // Between the two full passes, the other intervals only looked.
    expect(agent.looks()).toBeGreaterThanOrEqual(FULL_PASS_EVERY - 1);
    expect(agent.looks()).toBeLessThan(2 * FULL_PASS_EVERY);
    expect(await agent.stop()).toBe(0);
  });
});
