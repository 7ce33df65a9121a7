/**
 * Merge → applied latency of a running agent (`agent --interval 10s`): 20 promotions pushed to
 * the branch at random moments of the agent's interval; each latency runs from the end of the
 * push to the agent's `applied` line for that commit. Goal: p95 ≤ interval + 1 s. The agent looks
 * at the remote with `git ls-remote` between full passes (docs/agent-interval.md). Takes about
 * 20 × interval; BENCH_MERGES and BENCH_INTERVAL make it shorter for a trial run.
 */
import { spawn } from 'node:child_process';
import { parseDuration } from '../src/core/duration.js';
import { applyWorld } from './apply.js';
import { CLI } from './cli-path.js';
import { BENCH_ENV } from './git-env.js';
import { quantile } from './harness.js';
import type { LatencyRow } from './types.js';

interface AgentEvent {
  at: string;
  event: string;
  commit?: string;
  message?: string;
}

export async function bench(): Promise<LatencyRow[]> {
  const merges = Number(process.env.BENCH_MERGES ?? 20);
  const intervalText = process.env.BENCH_INTERVAL ?? '10s';
  const intervalMs = parseDuration(intervalText);
  if (!intervalMs || !(merges >= 1)) throw new Error('BENCH_MERGES must be ≥ 1, BENCH_INTERVAL a duration');
  const w = applyWorld();
  const agent = spawn(process.execPath, [CLI, 'agent', '--interval', intervalText, '--json'], {
    cwd: w.clone,
    env: BENCH_ENV,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const events: AgentEvent[] = [];
  let waiters: (() => void)[] = [];
  let buffered = '';
  let stderr = '';
  agent.stdout.on('data', (chunk: Buffer) => {
    buffered += chunk.toString();
    const lines = buffered.split('\n');
    buffered = lines.pop()!;
    for (const line of lines) if (line.startsWith('{"')) events.push(JSON.parse(line) as AgentEvent);
    for (const w of waiters.splice(0)) w();
  });
  agent.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<void>((resolve) => agent.on('close', () => resolve()));
  const eventWhere = async (match: (e: AgentEvent) => boolean, what: string): Promise<AgentEvent> => {
    const deadline = Date.now() + 5 * intervalMs + 30_000;
    for (;;) {
      const found = events.find(match);
      if (found) return found;
      const failure = events.find((e) => e.event === 'refused' || e.event === 'error' || e.event === 'retry');
      if (failure) throw new Error(`the agent reported ${failure.event}: ${failure.message}`);
      if (agent.exitCode !== null || Date.now() > deadline)
        throw new Error(`no ${what} from the agent (exit ${agent.exitCode}): ${stderr}`);
      await new Promise<void>((resolve) => {
        waiters.push(resolve);
        setTimeout(resolve, 1000);
      });
    }
  };
  try {
    await eventWhere((e) => e.event === 'applied' || e.event === 'up-to-date', 'first pass');
    const samples: number[] = [];
    for (let i = 0; i < merges; i++) {
      // A random moment of the agent's interval: what a merge in CI is to the agent.
      await new Promise((r) => setTimeout(r, Math.random() * intervalMs));
      const commit = w.promote('minutes', `m-latency-${i}`);
      const pushed = Date.now();
      const applied = await eventWhere(
        (e) => e.event === 'applied' && e.commit === commit.slice(0, 12),
        `applied line for ${commit.slice(0, 12)}`,
      );
      samples.push(Date.parse(applied.at) - pushed);
      process.stderr.write(`  merge ${i + 1}/${merges}: applied after ${samples.at(-1)} ms\n`);
    }
    waiters = [];
    return [
      {
        kind: 'latency',
        name: `merge → applied, agent --interval ${intervalText}, ${merges} merges`,
        samples,
        p50: quantile(samples, 0.5),
        p95: quantile(samples, 0.95),
        goalMs: intervalMs + 1000,
        goalName: 'interval + 1 s',
      },
    ];
  } finally {
    agent.kill('SIGTERM');
    await exited;
    w.cleanup();
  }
}
