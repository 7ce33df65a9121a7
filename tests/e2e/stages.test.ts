/**
 * Stages through the CLI against the stand-ins (docs/stages.md): two agents, one per stage, each
 * with its own target, Prefect and GitHub token. Staging is promoted with smoke evidence and
 * verified by its agent; production takes what staging runs, on staging's record read from GitHub
 * Deployments, only after the soak. Agents and CI jobs run as processes of the built CLI; steps
 * that need the clock past the soak run the same CLI in-process with a later `now`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../../src/cli/program.js';
import { actionsJob } from '../../src/sandbox/world/ci-runner.js';
import { SANDBOX_POINTERS, SANDBOX_REPO } from '../../src/sandbox/world/build-world.js';
import {
  buildStagesWorld,
  STAGE_AGENTS,
  type SandboxStage,
  type StagesWorld,
} from '../../src/sandbox/world/stages-world.js';
import { smokeEvidence } from '../../src/sandbox/world/smoke-evidence.js';
import { runCliProcess } from '../helpers/cli.js';
import { testContext } from '../helpers/context.js';
import { git, removeTempDirs, tempDir, testEnv, writeFiles } from '../helpers/git-repo.js';
import { checkTrafficOf } from '../helpers/github-traffic.js';

const DAY = 86_400_000;
const AFTER_SOAK = DAY + 3_600_000;
const [m0, m1, m2] = SANDBOX_POINTERS.minutes.runs;
const RECORD = `promotions/production/minutes/${m1}.json`;

let w: StagesWorld;
beforeAll(async () => {
  w = await buildStagesWorld(
    join(tempDir(), 'world'),
    testContext({ env: testEnv(), now: () => new Date() }),
    {
      soak: '1d',
    },
  );
  checkTrafficOf(w.github);
}, 120_000);
afterAll(async () => {
  await w?.close();
  removeTempDirs();
});

type Env = Record<string, string | undefined>;

/** The CLI in-process, with the clock `shiftMs` ahead (GitHub's timestamps stay real). */
async function cli(args: string[], cwd: string, env: Env, shiftMs = 0) {
  const ctx = testContext({ cwd, env, now: () => new Date(Date.now() + shiftMs) });
  const code = await runCli(args, ctx);
  return { code, stdout: ctx.out(), stderr: ctx.err() };
}

const apply = (stage: SandboxStage) =>
  runCliProcess(['apply', '--json'], {
    cwd: w.hosts[stage].target,
    env: w.hosts[stage].env,
    timeoutMs: 60_000,
  });

/** A CI job for PR `number` as the promotion workflow runs it. */
async function ci(number: number, job: 'validate' | 'merge', shiftMs = 0, extra: Env = {}) {
  const j = await actionsJob(w, number, job, job === 'validate' ? 'head' : 'base');
  const args = job === 'validate' ? ['validate'] : ['merge', '--pr', String(number), '--sha', j.headSha];
  const env = { ...j.env, ...extra };
  return shiftMs ? cli(args, j.cwd, env, shiftMs) : runCliProcess(args, { cwd: j.cwd, env });
}

const repo = () => w.github.repoState(SANDBOX_REPO);
const deploymentsOf = (environment: string) =>
  repo().deployments.filter((d) => d.environment === environment);
const statusesOf = (id: number) => repo().deploymentStatuses.filter((s) => s.deploymentId === id);
const onOrigin = (spec: string) => git(w.origin, ['show', spec]);
/** The pointer file the pipeline reads on a host (what its agent wrote). */
const readTarget = (stage: SandboxStage) =>
  readFileSync(join(w.hosts[stage].target, 'config/minutes_current_run.json'), 'utf8');

describe('stages: staging, then production after a soak', () => {
  let stagingCommit = '';
  let productionPr = 0;

  it('promotes staging with smoke evidence, and its agent applies, verifies and reports to staging/stg-1', async () => {
    const proposed = await runCliProcess(['propose', '--stage', 'staging', `minutes=${m1}`, '--json'], {
      cwd: w.work,
      env: w.env,
      timeoutMs: 60_000,
    });
    expect(proposed.stderr).toBe('');
    expect(proposed.code).toBe(0);
    const pr = JSON.parse(proposed.stdout) as {
      pullRequest: { number: number };
      pointers: { file: string }[];
    };
    expect(pr.pointers[0]!.file).toBe('config/staging/minutes_current_run.json');
    const validated = await ci(pr.pullRequest.number, 'validate');
    expect(validated.stdout).toMatch(/pass smoke \(minutes\)/);
    expect(validated.code).toBe(0);
    expect((await ci(pr.pullRequest.number, 'merge')).code).toBe(0);
    // Production's files did not move.
    expect(JSON.parse(onOrigin('main:config/production/minutes_current_run.json')).run_id).toBe(m0);

    const r = await apply('staging');
    expect(r.stderr).not.toMatch(/^error:/m);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    stagingCommit = report.commit;
    expect(report.followUps.flow).toMatchObject({ ok: true, state: 'COMPLETED' });
    // The agent read its stage's file in git and wrote the pipeline's own file in its target.
    expect(report.changed).toContainEqual(
      expect.objectContaining({ pointer: 'minutes', file: 'config/minutes_current_run.json', to: m1 }),
    );
    expect(JSON.parse(readTarget('staging')).run_id).toBe(m1);
    // Prefect's idempotency key names the stage and host.
    const run = w.hosts.staging.prefect.flowRuns[0]!;
    expect(run.idempotency_key).toBe(`daily/live:staging/stg-1:${stagingCommit}:minutes,rates`);
    // GitHub: a deployment in staging/stg-1 by the staging agent, closed as success with the flow run.
    const [d] = deploymentsOf('staging/stg-1');
    expect(d).toMatchObject({ sha: stagingCommit, creator: STAGE_AGENTS.staging });
    expect(d!.payload).toMatchObject({ stage: 'staging', host: 'stg-1', runs: { minutes: m1 } });
    const statuses = statusesOf(d!.id);
    expect(statuses.map((s) => [s.state, s.creator])).toEqual([
      ['in_progress', STAGE_AGENTS.staging],
      ['success', STAGE_AGENTS.staging],
    ]);
    expect(statuses[1]!.description).toMatch(new RegExp(`^flow run ${run.id} COMPLETED`));
  });

  it('production applies its own files and reports to production/prod-1', async () => {
    const r = await apply('production');
    expect(r.code).toBe(0);
    expect(JSON.parse(readTarget('production')).run_id).toBe(m0);
    const [d] = deploymentsOf('production/prod-1');
    expect(d).toMatchObject({ creator: STAGE_AGENTS.production });
    expect(w.hosts.production.prefect.flowRuns[0]!.idempotency_key).toMatch(
      /^daily\/live:production\/prod-1:/,
    );
  });

  it('refuses a production proposal before the soak, pushing nothing', async () => {
    const r = await runCliProcess(['propose', '--stage', 'production', 'minutes', '--from', 'staging'], {
      cwd: w.work,
      env: w.env,
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/propose refused before committing or pushing anything/);
    expect(r.stderr).toMatch(/stage-record \(minutes\): staging verified it \d+s ago .*the soak is 1d/);
    expect(git(w.origin, ['branch', '--list', 'promote-production/*']).trim()).toBe('');
  });

  it("after the soak, proposes what staging runs with staging's record from GitHub; validate re-reads it", async () => {
    const r = await cli(
      ['propose', '--stage', 'production', 'minutes', '--from', 'staging', '--json'],
      w.work,
      w.env,
      AFTER_SOAK,
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const data = JSON.parse(r.stdout);
    productionPr = data.pullRequest.number;
    expect(data.branch).toBe(`promote-production/minutes/${m1}`);
    // The record is staging's, as GitHub has it: commit, deployment, flow run, agent, time.
    const record = JSON.parse(onOrigin(`${data.branch}:${RECORD}`));
    const [d] = deploymentsOf('staging/stg-1');
    const success = statusesOf(d!.id).at(-1)!;
    expect(record).toMatchObject({
      schema: 'git-promote/stage-record@1',
      stage: 'production',
      from: 'staging',
      pointer: 'minutes',
      run_id: m1,
      verified_at: new Date(success.createdAt).toISOString(),
      hosts: [
        {
          host: 'stg-1',
          environment: 'staging/stg-1',
          commit: stagingCommit,
          deployment_id: d!.id,
          status_creator: STAGE_AGENTS.staging,
          verified_at: success.createdAt,
          flow_run: w.hosts.staging.prefect.flowRuns[0]!.id,
          runs: { minutes: m1, rates: SANDBOX_POINTERS.rates.runs[0] },
        },
      ],
    });
    expect(JSON.parse(onOrigin(`${data.branch}:config/production/minutes_current_run.json`)).run_id).toBe(m1);
    const body = w.github.pull(SANDBOX_REPO, productionPr)!.body!;
    expect(body).toContain(`| minutes | stg-1 | ${stagingCommit.slice(0, 12)} |`);
    expect(body).toContain(STAGE_AGENTS.staging);

    // CI on the real clock: the soak has not passed, whatever the record says.
    const early = await ci(productionPr, 'validate');
    expect(early.code).toBe(1);
    expect(early.stdout).toMatch(/FAIL stage-record \(minutes\): staging verified it .* the soak is 1d/);
    // Without a token a record cannot be checked: a failure, never a pass.
    const blind = await ci(productionPr, 'validate', AFTER_SOAK, {
      GITHUB_TOKEN: undefined,
      GH_TOKEN: undefined,
    });
    expect(blind.code).toBe(1);
    expect(blind.stdout).toMatch(
      /FAIL stage-record \(minutes\): cannot check staging's record of minutes=\S+ on GitHub: no GitHub token/,
    );
    // The last run posts the status merge trusts.
    const later = await ci(productionPr, 'validate', AFTER_SOAK);
    expect(later.code).toBe(0);
    expect(later.stdout).toMatch(
      /pass stage-record \(minutes\): staging verified minutes=\S+ on 1 of 1 host \(stg-1\) by staging-agent\[bot\]/,
    );
  });

  it('refuses a record whose claims do not match GitHub', async () => {
    const branch = `promote-production/minutes/${m1}`;
    const record = JSON.parse(onOrigin(`${branch}:${RECORD}`));
    // Claim the verification two days back, so the soak would have passed.
    const forged = new Date(Date.now() - 2 * DAY).toISOString();
    record.verified_at = forged;
    record.hosts[0].verified_at = forged;
    const head = pushForged('forged/record-time', {
      'config/production/minutes_current_run.json': `${JSON.stringify({ run_id: m1 }, null, 2)}\n`,
      [RECORD]: `${JSON.stringify(record, null, 2)}\n`,
    });
    const r = await cli(['validate', '--base', 'origin/main', '--head', head], w.work, w.env);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(
      /FAIL stage-record \(minutes\): stg-1: the record does not match GitHub \(verified_at: the record says "\S+", GitHub says "\S+"\)/,
    );
  });

  it('status --fleet shows the production host lagging after the merge, then verified after its apply', async () => {
    const merged = await ci(productionPr, 'merge', AFTER_SOAK);
    expect(merged.stderr).not.toMatch(/^error:/m);
    expect(merged.code).toBe(0);
    git(w.work, ['pull', '--quiet', 'origin', 'main']);

    const lagging = await cli(['status', '--fleet', '--json'], w.work, w.env);
    expect(lagging.code).toBe(1);
    const fleet = JSON.parse(lagging.stdout);
    const production = fleet.stages.find((s: { stage: string }) => s.stage === 'production');
    expect(production).toMatchObject({ after: 'staging', verified: false, branch: { minutes: m1 } });
    expect(production.hosts[0]).toMatchObject({
      host: 'prod-1',
      failed: false,
      lag: [{ pointer: 'minutes', branch: m1, applied: m0 }],
      lastVerification: { state: 'success' },
    });
    expect(fleet.stages[0]).toMatchObject({ stage: 'staging', verified: true });
    const text = await cli(['status', '--fleet'], w.work, w.env);
    expect(text.stdout).toMatch(
      /prod-1: LAGGING \| applied \w{12} minutes=\S+ rates=\S+ \| last verification success \d+s ago/,
    );
    expect(text.stdout).toContain(`lag: minutes applied ${m0}, branch ${m1}`);

    expect((await apply('production')).code).toBe(0);
    expect(JSON.parse(readTarget('production')).run_id).toBe(m1);
    const after = await cli(['status', '--fleet', '--json'], w.work, w.env);
    expect(after.code).toBe(0);
    expect(JSON.parse(after.stdout).stages.map((s: { verified: boolean }) => s.verified)).toEqual([
      true,
      true,
    ]);
  });

  it('history, status and rollback work per stage; a stage rollback needs no record and no GitHub', async () => {
    const history = await cli(['history', 'minutes', '--stage', 'production', '--json'], w.work, w.env);
    expect(history.code).toBe(0);
    const entries = JSON.parse(history.stdout).entries as { kind: string; from: string | null; to: string }[];
    expect(entries[0]).toMatchObject({ kind: 'promotion', from: m0, to: m1 });
    const status = await cli(['status', '--stage', 'staging', '--json'], w.work, w.env);
    const st = JSON.parse(status.stdout);
    expect(st.stage).toBe('staging');
    expect(st.pointers[0]).toMatchObject({
      pointer: 'minutes',
      file: 'config/staging/minutes_current_run.json',
      branch: m1,
    });
    const unnamed = await cli(['history', 'minutes'], w.work, w.env);
    expect(unnamed.code).toBe(2);
    expect(unnamed.stderr).toMatch(/has stages \(staging, production\): name the one to work on/);

    const rollback = await cli(['rollback', 'minutes', '--stage', 'production', '--json'], w.work, w.env);
    expect(rollback.stderr).toBe('');
    expect(rollback.code).toBe(0);
    const r = JSON.parse(rollback.stdout);
    expect(r).toMatchObject({ left: m1, restored: m0 });
    // Only production's file moves back; staging keeps m1.
    expect(JSON.parse(onOrigin(`${r.branch}:config/production/minutes_current_run.json`)).run_id).toBe(m0);
    expect(JSON.parse(onOrigin(`${r.branch}:config/staging/minutes_current_run.json`)).run_id).toBe(m1);
    const validated = await ci(r.pr.number, 'validate', 0, { GITHUB_TOKEN: undefined });
    expect(validated.stdout).toMatch(/pass rollback \(minutes\): \[production\] minutes returns \S+ -> \S+/);
    expect(validated.code).toBe(0);
  });

  it('refuses a record of statuses posted by an account that is not a staging agent', async () => {
    // Staging moves to m2 on the branch; its agent has not applied it. Someone with write access
    // posts the deployment and its success in staging/stg-1 by hand.
    const ctx = testContext({ env: w.env, now: () => new Date() });
    await smokeEvidence(
      ctx,
      w.work,
      w.env,
      'minutes',
      m2,
      join(w.work, 'promotions', 'minutes', `${m2}.json`),
    );
    writeFiles(w.work, {
      'config/staging/minutes_current_run.json': `${JSON.stringify({ run_id: m2 }, null, 2)}\n`,
    });
    git(w.work, ['add', '--all'], w.env);
    git(w.work, ['commit', '--quiet', '-m', `promote staging minutes → ${m2}`], w.env);
    git(w.work, ['push', '--quiet', 'origin', 'HEAD:main'], w.env);
    const commit = git(w.work, ['rev-parse', 'HEAD']).trim();
    const as = (method: string, path: string, body: unknown) =>
      fetch(`${w.github.url}/repos/${SANDBOX_REPO}${path}`, {
        method,
        headers: { authorization: `token ${w.personToken}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      }).then((res) => res.json() as Promise<{ id: number; created_at: string }>);
    const d = await as('POST', '/deployments', {
      ref: commit,
      environment: 'staging/stg-1',
      payload: { tool: 'git-promote', host: 'stg-1', stage: 'staging', runs: { minutes: m2 } },
      required_contexts: [],
    });
    const s = await as('POST', `/deployments/${d.id}/statuses`, {
      state: 'success',
      description: `flow run fake COMPLETED; manifests show minutes=${m2}`,
    });

    // propose finds no verification by a staging agent.
    const proposed = await cli(
      ['propose', '--stage', 'production', 'minutes', '--dry-run'],
      w.work,
      w.env,
      AFTER_SOAK,
    );
    expect(proposed.code).toBe(1);
    expect(proposed.stderr).toMatch(/staging has not verified minutes=\S+ on any host/);
    expect(proposed.stderr).toMatch(/deployment #\d+ was created by sandbox-person/);

    // A record written by hand that matches GitHub exactly is still refused.
    const meta = JSON.parse(git(w.work, ['show', `HEAD:promotions/minutes/${m2}.json`]));
    const record = {
      schema: 'git-promote/stage-record@1',
      stage: 'production',
      from: 'staging',
      pointer: 'minutes',
      run_id: m2,
      meta: meta.meta,
      meta_sha256: meta.meta_sha256,
      verified_at: s.created_at,
      hosts: [
        {
          host: 'stg-1',
          environment: 'staging/stg-1',
          commit,
          deployment_id: d.id,
          deployment_creator: 'sandbox-person',
          applied_at: d.created_at,
          state: 'success',
          status_creator: 'sandbox-person',
          verified_at: s.created_at,
          flow_run: 'fake',
          runs: { minutes: m2 },
          description: `flow run fake COMPLETED; manifests show minutes=${m2}`,
        },
      ],
      tool: { name: 'git-promote', version: '0.1.0' },
    };
    const head = pushForged('forged/not-an-agent', {
      'config/production/minutes_current_run.json': `${JSON.stringify({ run_id: m2 }, null, 2)}\n`,
      [`promotions/production/minutes/${m2}.json`]: `${JSON.stringify(record, null, 2)}\n`,
    });
    const r = await cli(['validate', '--base', 'origin/main', '--head', head], w.work, w.env, AFTER_SOAK);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(
      /FAIL stage-record \(minutes\): staging is verified on 0 of 1 host, 1 needed; stg-1: staging\/stg-1 has no verification of \w{12} by a stage agent: deployment #\d+ was created by sandbox-person \(only staging-agent\[bot\] count for staging\)/,
    );

    // The staging host now lags behind its branch.
    const fleet = JSON.parse((await cli(['status', '--fleet', '--json'], w.work, w.env)).stdout);
    expect(fleet.stages[0].hosts[0]).toMatchObject({
      host: 'stg-1',
      lag: [{ pointer: 'minutes', branch: m2, applied: m1 }],
      untrusted: [expect.stringMatching(/^deployment #\d+ by sandbox-person$/)],
    });
  });
});

/** Commit files on a new branch from main in the laptop clone and push it; returns the head sha. */
function pushForged(branch: string, files: Record<string, string>): string {
  git(w.work, ['fetch', '--quiet', 'origin']);
  git(w.work, ['checkout', '--quiet', '-B', branch, 'origin/main']);
  writeFiles(w.work, files);
  git(w.work, ['add', '--all'], w.env);
  git(w.work, ['commit', '--quiet', '-m', `forged ${branch}`], w.env);
  git(w.work, ['push', '--quiet', '--force', 'origin', `HEAD:refs/heads/${branch}`], w.env);
  const head = git(w.work, ['rev-parse', 'HEAD']).trim();
  git(w.work, ['checkout', '--quiet', 'main']);
  return head;
}
