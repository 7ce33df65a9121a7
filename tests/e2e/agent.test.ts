/** The built CLI as real processes: two applies at once, and the agent loop under SIGTERM. */
import { afterEach, describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createAgentWorld, spawnCli, type AgentWorld } from '../helpers/agent-world.js';
import { git } from '../helpers/git-repo.js';
import { waitForEntry, waitUntil } from '../helpers/wait.js';

const worlds: AgentWorld[] = [];
afterEach(() => worlds.splice(0).forEach((w) => w.cleanup()));

function world(): AgentWorld {
  const w = createAgentWorld();
  worlds.push(w);
  return w;
}

function appliedEntries(w: AgentWorld): { commit: string }[] {
  return readFileSync(join(w.state, 'journal.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l))
    .filter((e) => e.event === 'applied');
}

function waitFor(get: () => string, pattern: RegExp): Promise<void> {
  return waitUntil(
    () => pattern.test(get()),
    () => `${pattern}: ${get()}`,
  );
}

describe('apply and agent as processes', () => {
  it('two applies started together: exactly one applies, the journal has one entry', async () => {
    const w = world();
    for (let round = 0; round < 4; round++) {
      const commit = w.promote({ minutes: `m${round + 2}` });
      const [a, b] = await Promise.all([
        spawnCli(['apply'], { cwd: w.cwd }).done,
        spawnCli(['apply'], { cwd: w.cwd }).done,
      ]);
      const results = [a, b];
      const appliedBy = results.filter((r) => r.code === 0 && r.stdout.startsWith('applied '));
      expect(appliedBy, JSON.stringify(results)).toHaveLength(1);
      const other = results.find((r) => r !== appliedBy[0])!;
      // The other one was either refused as busy (exit 4) or came second and found nothing to do.
      if (other.code === 4) expect(other.stderr).toMatch(/^error: the agent lock .* is held by pid \d+/);
      else expect(other).toMatchObject({ code: 0, stdout: expect.stringContaining('up to date') });
      expect(appliedEntries(w).filter((e) => e.commit === commit)).toHaveLength(1);
      expect(w.runInTarget('minutes')).toBe(`m${round + 2}`);
    }
    expect(existsSync(join(w.state, 'agent.lock'))).toBe(false);
  });

  it('apply --wait waits for the holder instead of exiting 4', async () => {
    const w = world();
    const agent = spawnCli(['agent', '--interval', '200ms'], { cwd: w.cwd });
    let out = '';
    agent.child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
    await waitFor(() => out, /(up-to-date|applied) commit=/);
    const busy = await spawnCli(['apply'], { cwd: w.cwd }).done;
    expect(busy.code).toBe(4);
    const secondAgent = await spawnCli(['agent', '--once'], { cwd: w.cwd }).done;
    expect(secondAgent.code).toBe(4);
    expect(secondAgent.stderr).toMatch(
      new RegExp(`^error: the agent lock .* is held by pid ${agent.child.pid} `),
    );
    expect(secondAgent.stderr).toMatch(/\nhint: .*--wait/);
    // Stop the holder only once the waiting apply has tried the lock (its candidate file appeared
    // while the agent held it), so it really waited instead of finding the lock free.
    const tried = waitForEntry(w.state, (n) => n.startsWith('agent.lock.cand-'));
    const waiting = spawnCli(['apply', '--wait'], { cwd: w.cwd });
    expect(await tried.seen).toMatch(new RegExp(`^agent\\.lock\\.cand-${waiting.child.pid}-`));
    agent.child.kill('SIGTERM');
    const waited = await waiting.done;
    expect(waited.code, waited.stderr).toBe(0);
    expect((await agent.done).code).toBe(0);
  });

  it('agent: applies new commits every interval, one log line per event, stops cleanly on SIGTERM', async () => {
    const w = world();
    const { child, done } = spawnCli(['agent', '--interval', '100ms'], { cwd: w.cwd });
    let out = '';
    child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
    await waitFor(() => out, /(up-to-date|applied) commit=/);
    expect(readFileSync(join(w.state, 'agent.lock'), 'utf8')).toContain(`"pid":${child.pid}`);
    const commit = w.promote({ minutes: 'm2', rates: 'r2' });
    await waitFor(() => out, new RegExp(` applied commit=${commit.slice(0, 12)}`));
    expect([w.runInTarget('minutes'), w.runInTarget('rates')]).toEqual(['m2', 'r2']);
    child.kill('SIGTERM');
    const r = await done;
    expect(r.code, r.stderr).toBe(0);
    const lines = out.trim().split('\n');
    expect(lines[0]).toMatch(/^\S+Z started target=/);
    expect(lines.at(-1)).toMatch(/^\S+Z stopped reason=signal$/);
    expect(lines.filter((l) => / applied /.test(l))).toHaveLength(2); // the first commit, then the promotion
    expect(out).toContain(`commit=${commit.slice(0, 12)} changed=minutes:m1->m2,rates:r1->r2`);
    expect(existsSync(join(w.state, 'agent.lock'))).toBe(false);
    expect(existsSync(join(w.state, 'intent.json'))).toBe(false);
  });

  it('agent --once reports a transient failure with exit 3', async () => {
    const w = world();
    // The agent fetches from the remote of its target checkout (its config may live elsewhere).
    git(w.target, ['remote', 'set-url', 'origin', 'http://127.0.0.1:1/projections.git']);
    const r = await spawnCli(['agent', '--once'], { cwd: w.cwd }).done;
    expect(r.code).toBe(3);
    expect(r.stdout).toMatch(/ retry message="git fetch of branch main into the agent mirror failed: /);
    expect(r.stdout).toMatch(/ stopped reason=once\n$/);
  });
});
