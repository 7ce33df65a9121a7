/**
 * Break-glass (docs/switching-safely.md), through the built CLI against the GitHub and Prefect
 * stand-ins: `rollback --local` with GitHub unreachable rolls the host back, triggers and verifies
 * the flow and records the host as diverged; the agent then holds instead of applying the branch
 * over it; `reconcile` pushes the revert branch and opens its PR once GitHub answers; after the
 * merge the agent resumes without writing again.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { existsSync, writeFileSync } from 'node:fs';
import { smokeEvidence } from '../../src/sandbox/world/smoke-evidence.js';
import { testContext } from '../helpers/context.js';
import { join } from 'node:path';
import { SANDBOX_POINTERS, SANDBOX_REPO } from '../../src/sandbox/world/build-world.js';
import { PrBody } from '../../src/core/pr-body.js';
import { git, removeTempDirs } from '../helpers/git-repo.js';
import { promoteOnMain } from '../helpers/sandbox-promotion.js';
import { switchWorld, type SwitchWorld } from '../helpers/switch-world.js';

const worlds: SwitchWorld[] = [];
afterEach(async () => {
  for (const s of worlds.splice(0)) await s.w.close();
  removeTempDirs();
});

const [m0, m1, m2] = SANDBOX_POINTERS.minutes.runs;

/** A world whose host applied the sandbox's start and then a promotion of minutes to m1. */
async function promoted(): Promise<SwitchWorld> {
  const s = await switchWorld();
  worlds.push(s);
  expect((await s.cli(['apply'])).code).toBe(0);
  await promoteOnMain(s.w, m1);
  const applied = await s.cli(['apply']);
  expect(applied.code, applied.stderr).toBe(0);
  expect(s.minutes().run).toBe(m1);
  expect(s.w.prefect.flowRuns).toHaveLength(1);
  return s;
}

async function mergePull(s: SwitchWorld, number: number): Promise<void> {
  const res = await fetch(`${s.w.github.url}/repos/${SANDBOX_REPO}/pulls/${number}/merge`, {
    method: 'PUT',
    headers: { authorization: `token ${s.w.github.token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ merge_method: 'squash' }),
  });
  expect(res.status).toBe(200);
}

describe('rollback --local (break-glass)', () => {
  it('with GitHub down rolls back, runs and verifies the flow; the agent holds; reconcile opens the PR; after the merge the agent resumes without a second write', async () => {
    const s = await promoted();
    s.w.github.reset();
    await s.githubDown();

    const r = await s.cli(['rollback', 'minutes', '--local', '--reason', 'minutes blew up at 6pm']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`rolled back minutes on this host: ${m1} -> ${m0}`);
    expect(r.stdout).toMatch(/verification minutes: confirmed/);
    expect(r.stdout).toContain('diverged');
    expect(r.stdout).toContain('git promote reconcile');
    expect(r.stdout).not.toMatch(/deployment/);
    const rolledBack = s.minutes();
    expect(rolledBack.run).toBe(m0);
    // A second flow run, created for the rollback and completed.
    expect(s.w.prefect.flowRuns).toHaveLength(2);
    expect(s.w.prefect.flowRuns[1]!.state_type).toBe('COMPLETED');
    const state = s.state();
    expect(state.diverged).toMatchObject({
      runs: { minutes: m0 },
      branch: expect.stringMatching(/^rollback\/minutes\//),
    });
    // Nothing reached GitHub: no branch pushed, no deployment tried.
    expect(s.w.github.requests).toEqual([]);

    // While GitHub is down reconcile can only say so (exit 3: retry later).
    const early = await s.cli(['reconcile']);
    expect(early.code, early.stderr).toBe(3);
    expect(early.stderr).toMatch(/cannot reach/);

    // GitHub is back, the branch still selects m1: the agent holds, writes nothing, triggers nothing.
    s.githubUp();
    const held = await s.cli(['agent', '--once']);
    expect(held.code, held.stderr).toBe(0);
    expect(held.stdout).toMatch(/ held .*reason=diverged/);
    expect(s.minutes()).toEqual(rolledBack);
    expect(s.w.prefect.flowRuns).toHaveLength(2);
    const apply = await s.cli(['apply']);
    expect(apply.code).toBe(1);
    expect(apply.stdout).toMatch(/rolled back locally .*minutes: host .*, branch /);
    const status = await s.cli(['status']);
    expect(status.stdout).toMatch(/diverged/);
    expect(status.stdout).toContain('git promote reconcile');

    // reconcile pushes the prepared branch and opens its PR.
    const rec = await s.cli(['reconcile']);
    expect(rec.code, rec.stderr).toBe(0);
    const pulls = s.w.github.pulls(SANDBOX_REPO);
    expect(pulls).toHaveLength(1);
    expect(pulls[0]).toMatchObject({
      state: 'open',
      head: state.diverged!.branch,
      base: 'main',
      labels: ['rollback'],
    });
    expect(PrBody.parse(pulls[0]!.body)).toMatchObject({
      kind: 'rollback',
      pointers: [{ pointer: 'minutes', from: m1, to: m0 }],
      reason: 'minutes blew up at 6pm',
    });
    expect(rec.stdout).toContain(`opened PR #${pulls[0]!.number}`);
    // doctor: diverged on purpose is a warning with the next step, not "broken".
    const doctorBefore = await s.cli(['doctor']);
    expect(doctorBefore.stdout).toMatch(
      /\[warn\] pointers: .* rolled back locally and differs .* on purpose/,
    );
    expect(doctorBefore.stdout).toMatch(/\[warn\] diverged: this host was rolled back locally/);
    expect(doctorBefore.stdout).toContain(`next: merge PR #${pulls[0]!.number}`);
    expect(doctorBefore.code, doctorBefore.stdout).toBe(0);

    // Merged: the branch agrees with the host. The agent resumes without writing or triggering.
    await mergePull(s, pulls[0]!.number);
    const resumed = await s.cli(['agent', '--once']);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(s.minutes()).toEqual(rolledBack);
    expect(s.w.prefect.flowRuns).toHaveLength(2);
    expect(s.state().diverged).toBeNull();
    const last = s
      .journal()
      .filter((e) => e.event === 'applied')
      .at(-1)!;
    expect(last).toMatchObject({ changed: [], reconciled: state.diverged!.id });
    const after = await s.cli(['status']);
    expect(after.stdout).not.toMatch(/diverged/);

    // And the next promotion is applied as usual.
    git(s.w.work, ['pull', '--quiet', '--ff-only', 'origin', 'main'], s.w.env);
    await promoteOnMain(s.w, m2);
    expect((await s.cli(['apply'])).code).toBe(0);
    expect(s.minutes().run).toBe(m2);
  }, 120_000);

  it('when the branch moved meanwhile, reconcile rebuilds the revert on its tip; after the merge the agent applies only the other change', async () => {
    const s = await promoted();
    await s.githubDown();
    expect((await s.cli(['rollback', 'minutes', '--local'])).code).toBe(0);
    const rolledBack = s.minutes();
    s.githubUp();
    // Meanwhile rates is promoted on the branch.
    const rates = SANDBOX_POINTERS.rates.runs[1];
    const { work, env } = s.w;
    git(work, ['pull', '--quiet', '--ff-only', 'origin', 'main'], env);
    await smokeEvidence(
      testContext({ env, now: () => new Date() }),
      work,
      env,
      'rates',
      rates,
      join(work, 'promotions', 'rates', `${rates}.json`),
    );
    writeFileSync(
      join(work, 'config/rates_current_run.json'),
      `${JSON.stringify({ run_id: rates }, null, 2)}\n`,
    );
    git(work, ['add', '--all'], env);
    git(work, ['commit', '--quiet', '-m', `promote rates → ${rates}`], env);
    git(work, ['push', '--quiet', 'origin', 'HEAD:main'], env);

    const rec = await s.cli(['reconcile']);
    expect(rec.code, rec.stderr).toBe(0);
    expect(rec.stdout).toMatch(/, rebuilt on origin\/main @ /);
    const [pull] = s.w.github.pulls(SANDBOX_REPO);
    await mergePull(s, pull!.number);
    const r = await s.cli(['apply']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`rates: rates-\\S+ -> ${rates}`));
    expect(r.stdout).not.toMatch(/ {2}minutes: /);
    expect(s.minutes()).toEqual(rolledBack);
    expect(s.state().diverged).toBeNull();
  }, 120_000);

  it('refuses while the agent holds the lock (exit 4, saying to stop it) and changes nothing', async () => {
    const s = await promoted();
    const { spawnCli } = await import('../helpers/agent-world.js');
    const agent = spawnCli(['agent', '--interval', '1h'], { cwd: s.w.target, env: s.env });
    try {
      const { waitUntil } = await import('../helpers/wait.js');
      await waitUntil(() => existsSync(join(s.w.state, 'agent.lock')), 'the agent lock');
      const r = await s.cli(['rollback', 'minutes', '--local']);
      expect(r.code).toBe(4);
      expect(r.stderr).toMatch(/hint: Stop the agent first/);
      expect(s.minutes().run).toBe(m1);
    } finally {
      agent.child.kill('SIGTERM');
      await agent.done;
    }
  }, 60_000);

  it('refuses when the artifact of the previous run is gone, and writes nothing', async () => {
    const s = await promoted();
    const { rmSync } = await import('node:fs');
    rmSync(join(s.w.data, 'models', 'minutes', `run=${m0}`), { recursive: true });
    const r = await s.cli(['rollback', 'minutes', '--local']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/cannot roll minutes back to .* does not exist; nothing was written/);
    expect(s.minutes().run).toBe(m1);
    expect(s.state().diverged).toBeNull();
    expect(s.w.prefect.flowRuns).toHaveLength(1);
  }, 60_000);

  it('reconcile --abandon lets the branch win: the agent applies it over the local rollback', async () => {
    const s = await promoted();
    expect((await s.cli(['rollback', 'minutes', '--local', '--no-trigger'])).code).toBe(0);
    expect(s.minutes().run).toBe(m0);
    const r = await s.cli(['reconcile', '--abandon']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/forgot the local rollback/);
    expect((await s.cli(['apply', '--no-trigger'])).code).toBe(0);
    expect(s.minutes().run).toBe(m1);
  }, 60_000);
});

describe('rollback --local usage', () => {
  it('refuses (exit 2) --local with --dry-run, --no-pr or --no-fetch, and --no-trigger or --wait without --local', async () => {
    const { runCli } = await import('../../src/cli/program.js');
    const { testContext } = await import('../helpers/context.js');
    for (const args of [
      ['rollback', 'minutes', '--local', '--dry-run'],
      ['rollback', 'minutes', '--local', '--no-pr'],
      ['rollback', 'minutes', '--local', '--no-fetch'],
      ['rollback', 'minutes', '--no-trigger'],
      ['rollback', 'minutes', '--wait'],
    ]) {
      const ctx = testContext({ cwd: '/' });
      expect(await runCli(args, ctx), args.join(' ')).toBe(2);
      expect(ctx.err()).toMatch(/^error: .*(--local|--no-trigger)[\s\S]*^hint: /m);
    }
  });
});
