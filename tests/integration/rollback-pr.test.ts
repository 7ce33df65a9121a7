/** rollback opening its PR, and deployment reporting, against the loopback GitHub stand-in. */
import { afterEach, describe, expect, it } from 'vitest';
import { rollback } from '../../src/commands/rollback.js';
import { history } from '../../src/commands/history.js';
import type { HistoryEntry } from '../../src/core/history.js';
import { PrBody } from '../../src/core/pr-body.js';
import { reportDeployment } from '../../src/agent/report-deployment.js';
import { validateConfig } from '../../src/core/config.js';
import type { GitHubStandIn } from '../../src/sandbox/github/index.js';
import { startGitHubStandIn } from '../helpers/github-traffic.js';
import { testContext } from '../helpers/context.js';
import { git, testEnv } from '../helpers/git-repo.js';
import { sampleConfig } from '../helpers/fixtures.js';
import { createPromotionRepo, type PromotionRepo } from '../helpers/promotion-history.js';

const REPO = 'acme/projections';
let repo: PromotionRepo | undefined;
let gh: GitHubStandIn | undefined;
afterEach(async () => {
  gh?.assertNoUnexpected();
  await gh?.close();
  repo?.cleanup();
  gh = undefined;
  repo = undefined;
});

async function world() {
  repo = createPromotionRepo('A');
  const b = repo.promote('B', 11);
  const c = repo.promote('C', 12);
  gh = await startGitHubStandIn({ repos: { [REPO]: repo.remote } });
  const env = testEnv({ GITHUB_TOKEN: gh.token, GITHUB_API_URL: gh.url });
  return { repo, gh, b, c, env };
}

describe('rollback pull request', () => {
  it('opens a PR labelled rollback naming runs, reverted commits and PRs and the reason, with a block history reads back', async () => {
    const { repo, gh, b, c, env } = await world();
    const ctx = testContext({ cwd: repo.clone, env });
    const out = await rollback(['minutes'], { to: 'A', reason: 'minutes drifted on 2026-11-25' }, ctx);
    const data = out.data as { branch: string; pr: { number: number; url: string; updated: boolean } };
    expect(data.pr).toMatchObject({ updated: false });
    const pulls = gh.pulls(REPO);
    expect(pulls).toHaveLength(1);
    const pull = pulls[0]!;
    expect(pull).toMatchObject({
      number: data.pr.number,
      state: 'open',
      head: data.branch,
      base: 'main',
      labels: ['rollback'],
      title: 'Roll back minutes to A',
    });
    expect(pull.body).toContain('leaves `C`, restores `A`');
    expect(pull.body).toContain(`- ${c.slice(0, 12)} B -> C (#12)`);
    expect(pull.body).toContain(`- ${b.slice(0, 12)} A -> B (#11)`);
    expect(pull.body).toContain('Reason: minutes drifted on 2026-11-25');
    expect(out.text.at(-1)).toBe(`opened PR #${pull.number} ${data.pr.url}`);
    const block = PrBody.parse(pull.body);
    expect(block).toMatchObject({
      v: 1,
      kind: 'rollback',
      base: 'main',
      branch: data.branch,
      pointers: [
        {
          pointer: 'minutes',
          file: 'config/minutes_current_run.json',
          from: 'C',
          to: 'A',
          evidence: 'promotions/minutes/A.json',
          game_date: '2026-11-20',
        },
      ],
      reverts: [
        { sha: c, pr: 12, from: 'B', to: 'C' },
        { sha: b, pr: 11, from: 'A', to: 'B' },
      ],
      reason: 'minutes drifted on 2026-11-25',
    });

    // Squash-merged with the PR body as message, history reads the block back.
    repo.git(['fetch', '--quiet', 'origin']);
    repo.git(['merge', '--quiet', '--squash', `origin/${data.branch}`]);
    repo.git(['commit', '--quiet', '-m', `Roll back minutes to A (#${pull.number})\n\n${pull.body}`]);
    repo.git(['push', '--quiet', 'origin', 'HEAD:refs/heads/main']);
    const hist = await history(['minutes'], { limit: 1 }, ctx);
    expect((hist.data as { entries: HistoryEntry[] }).entries[0]).toMatchObject({
      kind: 'rollback',
      from: 'C',
      to: 'A',
      pr: pull.number,
      reverts: [c, b],
    });
  });

  it('a rerun updates the open PR instead of opening another', async () => {
    const { repo, gh, env } = await world();
    const ctx = testContext({ cwd: repo.clone, env });
    const first = await rollback(['minutes'], { to: 'A', reason: 'drifting' }, ctx);
    const pull = { number: (first.data as { pr: { number: number } }).pr.number };
    const again = await rollback(['minutes'], { to: 'A', reason: 'still drifting' }, ctx);
    expect((again.data as { pr: { number: number; updated: boolean } }).pr).toEqual(
      expect.objectContaining({ number: pull.number, updated: true }),
    );
    expect(gh.pulls(REPO)).toHaveLength(1);
    expect(gh.pull(REPO, pull.number)!.body).toContain('Reason: still drifting');
  });

  it('when GitHub refuses the PR, says the branch was pushed and that a rerun finishes the job', async () => {
    const { repo, gh, env } = await world();
    gh.inject({ method: 'POST', path: '/repos/acme/projections/pulls', status: 422 });
    const ctx = testContext({ cwd: repo.clone, env });
    const err = await rollback(['minutes'], {}, ctx).catch((e: unknown) => e);
    expect(err).toMatchObject({ exitCode: expect.any(Number) });
    expect((err as Error).message).toMatch(/\(the branch rollback\/minutes\/[0-9a-f]{12} was pushed\)$/);
    expect((err as { remedy: string }).remedy).toContain('rerun the rollback');
    expect(gh.pulls(REPO)).toEqual([]);
    const again = await rollback(['minutes'], {}, ctx);
    expect((again.data as { pr: { updated: boolean } }).pr.updated).toBe(false);
    expect(gh.pulls(REPO)).toHaveLength(1);
  });

  it('without a token it refuses before pushing anything (exit 2) and points at --no-pr', async () => {
    const { repo } = await world();
    const err = await rollback(['minutes'], {}, testContext({ cwd: repo.clone })).catch((e: unknown) => e);
    expect(err).toMatchObject({ exitCode: 2 });
    expect((err as { remedy: string }).remedy).toContain('--no-pr');
    expect(git(repo.remote, ['for-each-ref', '--format=%(refname)', 'refs/heads/'])).toBe(
      'refs/heads/main\n',
    );
  });
});

describe('reportDeployment', () => {
  const configFor = (agent: Record<string, unknown> = {}) =>
    validateConfig(sampleConfig('/srv', { agent: { target: '/srv/target', ...agent } })).config!;

  it('records a deployment on the applied commit with statuses in_progress then success', async () => {
    const { gh, c, env } = await world();
    const report = await reportDeployment({
      config: configFor(),
      env,
      sha: c,
      host: 'gpu-01',
      state: 'success',
      description: 'minutes=C applied and verified',
      payload: { pointers: { minutes: 'C' } },
    });
    expect(report).toMatchObject({
      environment: 'production/gpu-01',
      posted: ['in_progress', 'success'],
      warning: null,
    });
    const state = gh.repoState(REPO);
    expect(state.deployments).toEqual([
      expect.objectContaining({
        id: report.deploymentId,
        sha: c,
        ref: c,
        environment: 'production/gpu-01',
        payload: { tool: 'git-promote', host: 'gpu-01', pointers: { minutes: 'C' } },
      }),
    ]);
    expect(state.deploymentStatuses.map((s) => [s.deploymentId, s.state, s.description])).toEqual([
      [report.deploymentId, 'in_progress', 'applying'],
      [report.deploymentId, 'success', 'minutes=C applied and verified'],
    ]);
  });

  it('starts with in_progress and finishes the same deployment later with failure, in a configured environment', async () => {
    const { gh, b, env } = await world();
    const config = configFor({ deployment: { environment: 'live/{host}' } });
    const start = await reportDeployment({
      config,
      env,
      sha: b,
      host: 'box',
      state: 'in_progress',
      description: 'applying minutes=B',
    });
    const end = await reportDeployment({
      config,
      env,
      sha: b,
      host: 'box',
      state: 'failure',
      description: 'verification failed: manifests used A',
      deploymentId: start.deploymentId,
      logUrl: 'http://127.0.0.1/log',
    });
    expect(start.posted).toEqual(['in_progress']);
    expect(end).toMatchObject({ deploymentId: start.deploymentId, posted: ['failure'] });
    const state = gh.repoState(REPO);
    expect(state.deployments).toHaveLength(1);
    expect(state.deployments[0]!.environment).toBe('live/box');
    expect(state.deploymentStatuses.map((s) => [s.state, s.logUrl])).toEqual([
      ['in_progress', ''],
      ['failure', 'http://127.0.0.1/log'],
    ]);
  });

  it('is off when disabled or without a token, and turns GitHub failures into a warning', async () => {
    const { gh, c, env } = await world();
    const base = { sha: c, host: 'gpu-01', state: 'success', description: 'applied' } as const;
    expect(
      (await reportDeployment({ ...base, config: configFor({ deployment: { enabled: false } }), env }))
        .skipped,
    ).toBe('agent.deployment.enabled is false');
    expect((await reportDeployment({ ...base, config: configFor(), env: testEnv() })).skipped).toMatch(
      /no GitHub token/,
    );
    expect(gh.repoState(REPO).deployments).toEqual([]);
    gh.inject({ method: 'POST', path: /\/statuses$/, status: 422 });
    const failed = await reportDeployment({ ...base, config: configFor(), env });
    expect(failed.deploymentId).not.toBeNull();
    expect(failed.posted).toEqual([]);
    expect(failed.warning).toMatch(/^could not report the deployment to GitHub: /);
    expect(failed.warning).not.toContain(gh.token);
  });
});
