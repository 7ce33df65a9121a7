/**
 * The agent's follow-up after an apply, end to end in a sandbox world: the GitHub deployment, the
 * Prefect flow run (created once, resumed after a failure), and verification from the manifests.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../../src/cli/program.js';
import {
  buildWorld,
  SANDBOX_POINTERS,
  SANDBOX_REPO,
  type SandboxWorld,
} from '../../src/sandbox/world/build-world.js';
import { removeTempDirs, tempDir, testEnv, writeFiles } from '../helpers/git-repo.js';
import { slateDate } from '../../src/core/game-date.js';
import { testContext } from '../helpers/context.js';
import { CLI } from '../helpers/cli.js';
import { promoteOnMain } from '../helpers/sandbox-promotion.js';

const worlds: SandboxWorld[] = [];
afterEach(async () => {
  for (const w of worlds.splice(0)) await w.close();
  removeTempDirs();
});

async function world(options: { flowStepMs?: number } = {}): Promise<SandboxWorld> {
  const w = await buildWorld(
    join(tempDir(), 'world'),
    testContext({ env: testEnv(), now: () => new Date() }),
    options,
  );
  worlds.push(w);
  return w;
}

async function apply(w: SandboxWorld) {
  const ctx = testContext({ cwd: w.target, env: w.env, now: () => new Date() });
  const code = await runCli(['apply', '--json'], ctx);
  return { code, data: JSON.parse(ctx.out()), err: ctx.err() };
}

function deploymentStates(w: SandboxWorld): string[] {
  return w.github.repoState(SANDBOX_REPO).deploymentStatuses.map((s) => s.state);
}

/** The apply after an interrupted follow-up: the same flow run and deployment, now finished. */
async function expectResumed(w: SandboxWorld): Promise<void> {
  const r = await apply(w);
  expect(r.code).toBe(0);
  expect(r.data.followUps.flow).toMatchObject({
    ok: true,
    resumed: true,
    flowRunId: w.prefect.flowRuns[0]!.id,
  });
  expect(creates(w)).toHaveLength(1);
  expect(w.prefect.flowRuns).toHaveLength(1);
  expect(w.github.repoState(SANDBOX_REPO).deployments).toHaveLength(1);
  expect(deploymentStates(w)).toEqual(['in_progress', 'success']);
}

const creates = (w: SandboxWorld) => w.prefect.requests.filter((r) => r.path.endsWith('/create_flow_run'));
const candidate = SANDBOX_POINTERS.minutes.runs[1];

describe('agent follow-up after apply', () => {
  it('on a day without a slate (the flow completes, no manifests): its own outcome, a success, never a failure', async () => {
    const w = await world();
    w.prefect.nextOutcome({ state: 'COMPLETED', writeManifests: false });
    await promoteOnMain(w, candidate);
    const r = await apply(w);
    expect(r.code).toBe(0);
    const flow = r.data.followUps.flow;
    expect(flow).toMatchObject({ ok: true, state: 'COMPLETED' });
    expect(flow.verified).toEqual([
      {
        pointer: 'minutes',
        ok: true,
        reason: 'no-slate',
        detail: expect.stringMatching(/^no slate for \d{4}-\d{2}-\d{2}: /),
      },
    ]);
    expect(flow.detail).toMatch(/^flow run COMPLETED; no slate for /);
    expect(deploymentStates(w)).toEqual(['in_progress', 'success']);
  });

  it('opens a deployment, triggers one flow run for the commit, verifies, and closes the deployment', async () => {
    const w = await world();
    const commit = await promoteOnMain(w, candidate);
    const r = await apply(w);
    expect(r.code).toBe(0);
    const flow = r.data.followUps.flow;
    expect(flow).toMatchObject({ ok: true, state: 'COMPLETED', resumed: false });
    expect(flow.verified).toEqual([expect.objectContaining({ pointer: 'minutes', ok: true })]);

    expect(w.prefect.flowRuns).toHaveLength(1);
    expect(w.prefect.flowRuns[0]!.idempotency_key).toBe(`daily/live:${commit}:minutes`);
    expect(w.prefect.flowRuns[0]!.tags).toEqual(expect.arrayContaining(['git-promote', 'minutes']));
    const deployment = w.github.repoState(SANDBOX_REPO).deployments[0]!;
    expect(deployment.sha).toBe(commit);
    expect(deployment.environment).toMatch(/^production\//);
    expect(deploymentStates(w)).toEqual(['in_progress', 'success']);

    // The manifest written by the flow names the new run.
    const journal = readFileSync(join(w.state, 'journal.jsonl'), 'utf8');
    expect(journal).toContain(flow.flowRunId);

    // Idempotent: a second pass triggers nothing.
    const again = await apply(w);
    expect(again.code).toBe(0);
    expect(w.prefect.flowRuns).toHaveLength(1);
    expect(deploymentStates(w)).toHaveLength(2);
  });

  it('exits 1 and marks the deployment failed when the flow run fails', async () => {
    const w = await world();
    await promoteOnMain(w, candidate);
    w.prefect.nextOutcome({ state: 'FAILED', failureReason: 'missing required columns [minutes_p50]' });
    const r = await apply(w);
    expect(r.code).toBe(1);
    expect(r.data.followUps.flow).toMatchObject({ ok: false, state: 'FAILED' });
    expect(deploymentStates(w)).toEqual(['in_progress', 'failure']);
    // The pointer itself is applied: rollback is a new commit, not an undo by the agent.
    expect(JSON.parse(readFileSync(join(w.target, 'config/minutes_current_run.json'), 'utf8')).run_id).toBe(
      candidate,
    );
  });

  it('exits 1 when the flow completes but the manifests do not show the new run', async () => {
    const w = await world();
    await promoteOnMain(w, candidate);
    w.prefect.nextOutcome({ state: 'COMPLETED', writeManifests: false });
    // A slate day (the pipeline wrote another asset's manifest today) whose minutes manifest is missing.
    const today = slateDate(new Date());
    writeFiles(w.manifests, {
      [`${SANDBOX_POINTERS.rates.asset}/game_date=${today}/run=live-1/manifest.json`]: JSON.stringify({
        asset: SANDBOX_POINTERS.rates.asset,
        game_date: today,
        run_id: 'live-1',
        run_as_of_ts: new Date().toISOString(),
        status: 'success',
      }),
    });
    const r = await apply(w);
    expect(r.code).toBe(1);
    expect(r.data.followUps.flow.ok).toBe(false);
    expect(r.data.followUps.flow.detail).toMatch(/verification failed/);
    expect(deploymentStates(w)).toEqual(['in_progress', 'failure']);
  });

  it('resumes the same flow run and deployment after an interrupted follow-up', async () => {
    const w = await world();
    await promoteOnMain(w, candidate);
    // The run is created, then reading it fails for good (Prefect lost it for a moment): the hook
    // stops after saving the flow run id.
    w.prefect.inject({ method: 'GET', path: /^\/flow_runs\//, status: 404, times: 1 });
    const first = await apply(w);
    expect(first.code).not.toBe(0);
    expect(creates(w)).toHaveLength(1);
    const state = JSON.parse(readFileSync(join(w.state, 'state.json'), 'utf8'));
    expect(state.pending.progress.flow.flow.flowRunId).toBe(w.prefect.flowRuns[0]!.id);

    await expectResumed(w);
  });

  it('with --no-trigger applies and records that nothing was triggered', async () => {
    const w = await world();
    await promoteOnMain(w, candidate);
    const ctx = testContext({ cwd: w.target, env: w.env, now: () => new Date() });
    expect(await runCli(['apply', '--no-trigger', '--json'], ctx)).toBe(0);
    expect(JSON.parse(ctx.out()).trigger).toBe('skipped');
    expect(w.prefect.flowRuns).toHaveLength(0);
    expect(deploymentStates(w)).toEqual([]);
    expect(JSON.parse(readFileSync(join(w.target, 'config/minutes_current_run.json'), 'utf8')).run_id).toBe(
      candidate,
    );
  });
});

describe('agent follow-up across a crash', () => {
  it('an apply killed while following the flow run resumes the same run; no second run is created', async () => {
    // A slow flow (about 3 s from SCHEDULED to COMPLETED) so the process can be killed mid-follow.
    const w = await world({ flowStepMs: 1000 });
    await promoteOnMain(w, candidate);
    const child = spawn(process.execPath, [CLI, 'apply'], {
      cwd: w.target,
      env: w.env as NodeJS.ProcessEnv,
      stdio: 'ignore',
    });
    const exited = new Promise((resolve) => child.on('exit', resolve));
    // Kill it once the flow run exists and its id is saved in the agent state.
    const statePath = join(w.state, 'state.json');
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline) {
      const saved =
        existsSync(statePath) && JSON.parse(readFileSync(statePath, 'utf8')).pending?.progress?.flow?.flow;
      if (saved) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(w.prefect.flowRuns).toHaveLength(1);
    child.kill('SIGKILL');
    await exited;
    expect(['COMPLETED']).not.toContain(w.prefect.flowRuns[0]!.state.type);

    await expectResumed(w);
  });
});
