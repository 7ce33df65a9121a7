/**
 * Switching safely (docs/switching-safely.md), through the built CLI against the Prefect and
 * GitHub stand-ins: the quiet window (never write while a flow run is in progress, bounded by
 * agent.quietWait), freeze windows (only rollbacks apply), and rollback readiness (status, doctor,
 * the agent's warning, validate's warning).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SANDBOX_POINTERS } from '../../src/sandbox/world/build-world.js';
import { git, removeTempDirs } from '../helpers/git-repo.js';
import { testContext } from '../helpers/context.js';
import { smokeEvidence } from '../../src/sandbox/world/smoke-evidence.js';
import { promoteOnMain } from '../helpers/sandbox-promotion.js';
import { spawnCli } from '../helpers/agent-world.js';
import { waitUntil } from '../helpers/wait.js';
import {
  etClock,
  MINUTES_FILE,
  switchWorld,
  type HostConfig,
  type SwitchWorld,
} from '../helpers/switch-world.js';

const worlds: SwitchWorld[] = [];
afterEach(async () => {
  for (const s of worlds.splice(0)) {
    expect(s.w.prefect.unexpected).toEqual([]);
    await s.w.close();
  }
  removeTempDirs();
});

const [m0, m1] = SANDBOX_POINTERS.minutes.runs;

/** A world whose host applied the sandbox's start (minutes = m0). */
async function started(configure?: (c: HostConfig) => void): Promise<SwitchWorld> {
  const s = await switchWorld({
    configure: (c) => {
      c.flow.pollInterval = '50ms';
      configure?.(c);
    },
  });
  worlds.push(s);
  const first = await s.cli(['apply']);
  expect(first.code, first.stderr).toBe(0);
  expect(s.minutes().run).toBe(m0);
  return s;
}

/** A run of the daily flow in progress that git-promote did not start (the nightly schedule). */
function runningFlow(s: SwitchWorld, state: 'RUNNING' | 'PENDING' | 'CANCELLING' = 'RUNNING') {
  return s.w.prefect.seedFlowRun({
    state_type: state,
    deployment_id: s.w.prefect.deployments[0]!.id,
    name: 'nightly-slate',
  });
}

const busyQueries = (s: SwitchWorld) =>
  s.w.prefect.requests.filter(
    (r) =>
      r.path === '/flow_runs/filter' &&
      JSON.stringify((r.body as { flow_runs?: unknown } | undefined)?.flow_runs ?? null).includes('RUNNING'),
  ).length;

const created = (s: SwitchWorld) =>
  s.w.prefect.requests.filter((r) => r.path.endsWith('/create_flow_run')).length;
const appliedChanges = (s: SwitchWorld) =>
  s.journal().filter((e) => e.event === 'applied' && Array.isArray(e.changed) && e.changed.length > 0);

describe('the quiet window', () => {
  it('a merge while a flow run is RUNNING: the pointer stays as it is until the run ends, then is written once', async () => {
    const s = await started();
    const run = runningFlow(s);
    await promoteOnMain(s.w, m1);
    const before = s.minutes();
    // Every state of the file while the agent runs, sampled continuously.
    const seen: { ino: number; run: string; running: boolean }[] = [];
    const sampler = setInterval(() => {
      const now = s.minutes();
      seen.push({ ino: now.ino, run: now.run, running: run.state_type === 'RUNNING' });
    }, 2);
    const agent = spawnCli(['agent', '--interval', '1h'], { cwd: s.w.target, env: s.env, timeoutMs: 60_000 });
    let out = '';
    agent.child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
    try {
      await waitUntil(
        () => /quiet-wait/.test(out),
        () => `the agent to wait for the run; it said:\n${out}`,
      );
      expect(out).toContain(run.id);
      expect(out).toContain('nightly-slate');
      // Let the agent ask Prefect many more times while the run goes on.
      const asked = busyQueries(s);
      await waitUntil(() => busyQueries(s) >= asked + 20, 'twenty more polls of the flow runs in progress');
      expect(s.minutes()).toEqual(before);

      s.w.prefect.setFlowRunState(run.id, 'COMPLETED');
      await waitUntil(() => s.minutes().run === m1, 'the pointer to be written after the run ended');
      await waitUntil(
        () => / summary /.test(out),
        () => `the follow-up to finish; the agent said:\n${out}`,
      );
    } finally {
      clearInterval(sampler);
      agent.child.kill('SIGTERM');
      await agent.done;
    }
    // Never changed while the run was RUNNING; exactly one write (one new inode), one new flow run.
    expect(seen.filter((x) => x.running).every((x) => x.run === m0 && x.ino === before.ino)).toBe(true);
    expect(seen.filter((x) => x.running).length).toBeGreaterThan(10);
    expect([...new Set(seen.map((x) => x.ino))]).toEqual([before.ino, s.minutes().ino]);
    expect(appliedChanges(s)).toHaveLength(1);
    expect(created(s)).toBe(1);
    expect(out).toMatch(/ quiet waited=/);
  }, 90_000);

  it('past agent.quietWait writes nothing, exits 3 and names the run it waited for', async () => {
    const s = await started((c) => (c.agent.quietWait = '1s'));
    const run = runningFlow(s, 'CANCELLING');
    await promoteOnMain(s.w, m1);
    const before = s.minutes();
    const r = await s.cli(['apply']);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/waiting for daily\/live run nightly-slate .* CANCELLING/);
    expect(r.stderr).toMatch(
      new RegExp(
        `error: daily/live run nightly-slate \\(${run.id}\\) CANCELLING.* is still in progress after .*agent\\.quietWait 1s.*no pointer file was written`,
      ),
    );
    expect(r.stderr).toMatch(/^hint: .*cancel it/m);
    expect(s.minutes()).toEqual(before);
    expect(appliedChanges(s)).toHaveLength(0);
    expect(created(s)).toBe(0);
  }, 60_000);

  it('waits for a lock file of flow.command while it exists, and ignores one left by a dead process', async () => {
    const lock = 'daily-flow.lock';
    const s = await started((c) => {
      c.agent.quietWait = '1s';
      c.flow.lockFile = lock;
    });
    const lockPath = join(s.w.target, lock);
    writeFileSync(lockPath, `${process.pid}\n`);
    await promoteOnMain(s.w, m1);
    const held = await s.cli(['apply', '--no-trigger']);
    expect(held.code).toBe(3);
    expect(held.stderr).toContain(`flow lock file ${lockPath}`);
    expect(s.minutes().run).toBe(m0);

    // A pid that does not exist: stale, reported, not waited for.
    writeFileSync(lockPath, '2147483646\n');
    const r = await s.cli(['apply', '--no-trigger']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/warning: .*names pid 2147483646, which is not running/);
    expect(s.minutes().run).toBe(m1);
  }, 60_000);

  it('a write journaled before a crash is completed even while a run is in progress', async () => {
    const s = await started((c) => (c.agent.quietWait = '1s'));
    await promoteOnMain(s.w, m1);
    const crashed = await s.cli(['apply', '--no-trigger'], {
      env: { GIT_PROMOTE_TEST_CRASH_AT: 'intent-written:1' },
    });
    expect(crashed.code).not.toBe(0);
    expect(s.minutes().run).toBe(m0);
    runningFlow(s);
    const r = await s.cli(['apply', '--no-trigger']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/completed an interrupted apply/);
    expect(s.minutes().run).toBe(m1);
  }, 60_000);
});

describe('freeze windows', () => {
  /** A window from an hour ago to an hour from now, ET. */
  const now = (c: HostConfig) =>
    (c.agent.freeze = [{ name: 'slate lock', start: etClock(-60), end: etClock(60) }]);
  /** A window that starts in two hours (its times kept, so a test can name them). */
  let laterWindow = { start: '', end: '' };
  const later = (c: HostConfig) => {
    laterWindow = { start: etClock(120), end: etClock(180) };
    c.agent.freeze = [{ name: 'slate lock', ...laterWindow }];
  };

  it('holds a promotion inside the window (exit 3, said with what waits); status shows it', async () => {
    const s = await started(now);
    await promoteOnMain(s.w, m1);
    const r = await s.cli(['apply']);
    expect(r.code).toBe(3);
    expect(r.stdout).toMatch(
      new RegExp(
        `not applied: freeze window slate lock .*only rollbacks apply; waiting: minutes ${m0} -> ${m1} \\(promotion\\)`,
      ),
    );
    expect(s.minutes().run).toBe(m0);
    expect(created(s)).toBe(0);
    const status = await s.cli(['status']);
    expect(status.stdout).toMatch(
      new RegExp(
        `freeze: slate lock \\(.* ET\\) now, until .*; waiting: minutes ${m0} -> ${m1} \\(promotion\\)`,
      ),
    );
    const dry = await s.cli(['apply', '--dry-run']);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(/would wait: freeze window slate lock/);
    expect(dry.stdout).toContain(`+  "run_id": "${m1}"`);
    const agent = await s.cli(['agent', '--once']);
    expect(agent.stdout).toMatch(/ held .*reason=freeze/);
    expect(s.minutes().run).toBe(m0);
  }, 60_000);

  it('lets a rollback through inside the window, and triggers the flow for it', async () => {
    const s = await started(later);
    await promoteOnMain(s.w, m1);
    expect((await s.cli(['apply'])).code).toBe(0);
    expect(s.minutes().run).toBe(m1);
    s.reconfigure(now);
    // The rollback lands on the branch: the pointer returns to a run it held before.
    writeFileSync(join(s.w.work, MINUTES_FILE), `${JSON.stringify({ run_id: m0 }, null, 2)}\n`);
    git(s.w.work, ['commit', '--quiet', '-am', `Revert "promote minutes → ${m1}"`], s.w.env);
    git(s.w.work, ['push', '--quiet', 'origin', 'HEAD:main'], s.w.env);
    const r = await s.cli(['apply']);
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    expect(s.minutes().run).toBe(m0);
    expect(r.stdout).toMatch(/verification minutes: confirmed/);
    expect(created(s)).toBe(2);
  }, 60_000);

  it('status names the next window and the promotion that would wait for it', async () => {
    const s = await started(later);
    await promoteOnMain(s.w, m1);
    const status = await s.cli(['status']);
    expect(status.stdout).toMatch(
      new RegExp(
        `freeze: next slate lock \\(${laterWindow.start}–${laterWindow.end} ET\\) from \\S+; would hold: minutes ${m0} -> ${m1} \\(promotion\\)`,
      ),
    );
    const data = JSON.parse((await s.cli(['status', '--json'])).stdout) as {
      freeze: { active: unknown; next: { name: string } };
    };
    expect(data.freeze.active).toBeNull();
    expect(data.freeze.next.name).toBe('slate lock');
  }, 60_000);
});

describe('rollback readiness', () => {
  it('the agent warns when the run a promotion replaces has no artifact here; status and doctor say so', async () => {
    const s = await started();
    rmSync(join(s.w.data, 'models', 'minutes', `run=${m0}`), { recursive: true });
    await promoteOnMain(s.w, m1);
    const r = await s.cli(['apply']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(
      new RegExp(
        `warning: rollback of minutes to ${m0} is not ready on this host: artifact of ${m0}: the artifact directory .* does not exist`,
      ),
    );
    expect(s.minutes().run).toBe(m1);
    const status = await s.cli(['status']);
    expect(status.stdout).toMatch(
      new RegExp(`minutes: .*\\n  rollback to ${m0}: NOT ready: artifact of ${m0}: the artifact directory`),
    );
    const doctor = await s.cli(['doctor']);
    expect(doctor.stdout).toMatch(/\[warn\] rollback: 1 pointer\(s\) could not be rolled back on this host/);
    expect(doctor.stdout).toMatch(new RegExp(`\\[warn\\] minutes: NOT ready to roll back to ${m0}`));
  }, 60_000);

  it('status and doctor say ready when the previous artifact is here and hashes to its evidence', async () => {
    const s = await started();
    await promoteOnMain(s.w, m1);
    const r = await s.cli(['apply']);
    expect(r.stderr).not.toMatch(/not ready/);
    const status = await s.cli(['status']);
    expect(status.stdout).toMatch(new RegExp(`  rollback to ${m0}: ready: `));
    // A meta.json that no longer hashes to the evidence is not ready.
    writeFileSync(join(s.w.data, 'models', 'minutes', `run=${m0}`, 'meta.json'), '{"run_id": "tampered"}\n');
    const after = await s.cli(['status']);
    expect(after.stdout).toMatch(new RegExp(`  rollback to ${m0}: NOT ready: artifact of ${m0}: `));
  }, 60_000);

  it('validate warns (and passes) when a promotion leaves a run without evidence on the branch', async () => {
    const s = await switchWorld();
    worlds.push(s);
    const { work, env } = s.w;
    git(work, ['checkout', '--quiet', '-b', 'promote/minutes'], env);
    await smokeEvidence(
      testContext({ env, now: () => new Date() }),
      work,
      env,
      'minutes',
      m1,
      join(work, 'promotions', 'minutes', `${m1}.json`),
    );
    writeFileSync(join(work, MINUTES_FILE), `${JSON.stringify({ run_id: m1 }, null, 2)}\n`);
    git(work, ['rm', '--quiet', `promotions/minutes/${m0}.json`], env);
    git(work, ['add', '--all'], env);
    git(work, ['commit', '--quiet', '-m', `promote minutes → ${m1}`], env);
    const v = await s.cli(['validate', '--base', 'origin/main', '--head', 'HEAD'], { cwd: work });
    expect(v.code, v.stdout).toBe(0);
    expect(v.stdout).toMatch(
      new RegExp(
        `^warn predecessor \\(minutes\\): no evidence for ${m0}, the run this promotion replaces`,
        'm',
      ),
    );
  }, 60_000);
});
