/**
 * agent.metricsFile as node_exporter reads it: the built CLI writes it after passes that succeed,
 * are refused and fail, and a Prometheus text-format parser (not ours) reads it back.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { createAgentWorld, FILES, spawnCli, type AgentWorld } from '../helpers/agent-world.js';
import { git } from '../helpers/git-repo.js';

const worlds: AgentWorld[] = [];
afterEach(() => worlds.splice(0).forEach((w) => w.cleanup()));

type Family = { name: string; type: string; metrics: { value: string; labels?: Record<string, string> }[] };

function metrics(file: string): Map<string, Family> {
  const families = parsePrometheusTextFormat(readFileSync(file, 'utf8')) as Family[];
  return new Map(families.map((f) => [f.name, f]));
}

function value(m: Map<string, Family>, name: string, labels: Record<string, string> = {}): number {
  const family = m.get(name);
  if (!family) throw new Error(`no ${name} in the metrics file`);
  const sample = family.metrics.find((s) => Object.entries(labels).every(([k, v]) => s.labels?.[k] === v));
  if (!sample) throw new Error(`no ${name}${JSON.stringify(labels)}`);
  return Number(sample.value);
}

const errors = (m: Map<string, Family>) =>
  Object.fromEntries(
    m.get('git_promote_pass_errors_total')!.metrics.map((s) => [s.labels!.kind, Number(s.value)]),
  );

describe('agent.metricsFile', () => {
  it('is rewritten after passes that succeed, are refused and fail, and parses as Prometheus text', async () => {
    const w = createAgentWorld({
      // The flow "runs" and fails, so the follow-up verifies none of the pointers it covers.
      config: { flow: { command: ['false'] } },
      agent: (dir) => ({ metricsFile: join(dir, 'textfile', 'git-promote.prom') }),
    });
    worlds.push(w);
    const textfile = join(w.dir, 'textfile');
    mkdirSync(textfile);
    const file = join(textfile, 'git-promote.prom');

    // 1. A pass that applies a promotion: the follow-up fails (exit 1), the pass succeeded.
    w.promote({ minutes: 'm2' });
    const before = Date.now() / 1000;
    const applied = await spawnCli(['apply'], { cwd: w.cwd }).done;
    expect(applied.code, applied.stderr).toBe(1);
    let m = metrics(file);
    expect(m.get('git_promote_last_pass_timestamp_seconds')!.type).toBe('GAUGE');
    expect(m.get('git_promote_pass_errors_total')!.type).toBe('COUNTER');
    const lastPass = value(m, 'git_promote_last_pass_timestamp_seconds');
    expect(lastPass).toBeGreaterThanOrEqual(Math.floor(before));
    expect(value(m, 'git_promote_last_apply_timestamp_seconds')).toBeGreaterThanOrEqual(Math.floor(before));
    expect(m.get('git_promote_applied_run_info')!.metrics.map((s) => s.labels)).toEqual([
      { pointer: 'minutes', run: 'm2' },
      { pointer: 'rates', run: 'r1' },
    ]);
    expect(m.get('git_promote_verification_ok')!.metrics).toEqual([
      { value: '0', labels: { pointer: 'minutes' } },
    ]);
    expect(value(m, 'git_promote_pending_follow_ups')).toBe(0);
    expect(errors(m)).toEqual({ refused: 0, config: 0, transient: 0, busy: 0, internal: 0 });
    // node_exporter runs as another user: readable whatever the umask; no temp file left behind.
    expect(statSync(file).mode & 0o777).toBe(0o644);
    expect(readdirSync(textfile)).toEqual(['git-promote.prom']);

    // 2. A refused pass (a broken pointer file on the branch): counted, the success time kept.
    w.repo.commit({ [FILES.minutes]: '{"run_id": ' });
    const refused = await spawnCli(['agent', '--once'], { cwd: w.cwd }).done;
    expect(refused.code).toBe(1);
    m = metrics(file);
    expect(errors(m)).toMatchObject({ refused: 1, transient: 0 });
    expect(value(m, 'git_promote_last_pass_timestamp_seconds')).toBe(lastPass);

    // 3. A failed pass (the remote is unreachable, nothing listens on port 1: transient).
    git(w.target, ['remote', 'set-url', 'origin', 'http://127.0.0.1:1/projections.git']);
    const failed = await spawnCli(['agent', '--once'], { cwd: w.cwd }).done;
    expect(failed.code).toBe(3);
    m = metrics(file);
    expect(errors(m)).toEqual({ refused: 1, config: 0, transient: 1, busy: 0, internal: 0 });
    expect(value(m, 'git_promote_last_pass_timestamp_seconds')).toBe(lastPass);
    expect(m.get('git_promote_applied_run_info')!.metrics).toHaveLength(2);

    // 4. Fixed: the next pass succeeds and moves the timestamp; the counters stay (a counter).
    git(w.target, ['remote', 'set-url', 'origin', w.repo.remote]);
    w.promote({ minutes: 'm3' });
    await spawnCli(['agent', '--once'], { cwd: w.cwd }).done;
    m = metrics(file);
    expect(value(m, 'git_promote_last_pass_timestamp_seconds')).toBeGreaterThan(lastPass);
    expect(value(m, 'git_promote_applied_run_info', { pointer: 'minutes' })).toBe(1);
    expect(m.get('git_promote_applied_run_info')!.metrics.map((s) => s.labels!.run)).toEqual(['m3', 'r1']);
    expect(errors(m)).toMatchObject({ refused: 1, transient: 1 });
  });

  it('keeps the last pass fresh while a follow-up waits for a long flow run', async () => {
    const w = createAgentWorld({
      config: { flow: { command: ['sleep', '3'], pollInterval: '100ms' } },
      agent: (dir) => ({ interval: '250ms', metricsFile: join(dir, 'git-promote.prom') }),
    });
    worlds.push(w);
    const file = join(w.dir, 'git-promote.prom');
    w.promote({ minutes: 'm2' });
    const agent = spawnCli(['agent', '--once'], { cwd: w.cwd });
    const deadline = Date.now() + 15_000;
    const read = () => {
      try {
        const m = metrics(file);
        return {
          pending: value(m, 'git_promote_pending_follow_ups'),
          lastPass: value(m, 'git_promote_last_pass_timestamp_seconds'),
        };
      } catch {
        return null; // not written yet
      }
    };
    let first: { pending: number; lastPass: number } | null = null;
    let renewed = false;
    while (Date.now() < deadline && !renewed) {
      const now = read();
      if (now?.pending === 1) {
        first ??= now;
        renewed = now.lastPass > first.lastPass;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(first, 'the metrics file showed the pending follow-up').not.toBeNull();
    expect(renewed, 'the last pass was renewed while the flow ran').toBe(true);
    const done = await agent.done;
    // The flow completed and wrote no manifests: a day without a slate, its own outcome (exit 0).
    expect(done.code, done.stdout).toBe(0);
    expect(done.stdout).toMatch(/no slate for /);
    expect(read()!.pending).toBe(0);
  });

  it('is refused in the config unless it ends with .prom', async () => {
    const w = createAgentWorld({ agent: (dir) => ({ metricsFile: join(dir, 'git-promote.txt') }) });
    worlds.push(w);
    const r = await spawnCli(['agent', '--once'], { cwd: w.cwd }).done;
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('agent.metricsFile');
    expect(r.stderr).toContain('must end with .prom');
  });
});
