/**
 * `git promote propose` in-process, with real git (bare origin + clone), the real fake scorer
 * and the loopback GitHub stand-in backed by the same bare repository.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildProposal, propose } from '../../src/commands/propose.js';
import { buildPullRequest } from '../../src/core/promotion-pr.js';
import { PrBody } from '../../src/core/pr-body.js';
import { evidenceSchema } from '../../src/core/schemas.js';
import { loadConfig } from '../../src/adapters/config-file.js';
import { secondaryRateLimit, type GitHubStandIn } from '../../src/sandbox/github/index.js';
import { startGitHubStandIn } from '../helpers/github-traffic.js';
import { testContext, type TestContext } from '../helpers/context.js';
import { promoteErrorOf } from '../helpers/errors.js';
import { evidenceJson } from '../helpers/evidence.js';
import { git, testEnv } from '../helpers/git-repo.js';
import { createPipelineWorld, type PipelineWorld } from '../helpers/smoke-scorer.js';

const REPO = 'acme/projections';
let world: PipelineWorld;
let gh: GitHubStandIn;

beforeEach(async () => {
  world = createPipelineWorld();
  world.addRun('minutes', 'm-new', { metrics: { mae: 4.1 } });
  world.addRun('rates', 'r-new');
  gh = await startGitHubStandIn({ repos: { [REPO]: world.repo.remote } });
});
afterEach(async () => {
  await gh.close();
  world.cleanup();
});

function ctx(extra: Record<string, string | undefined> = {}): TestContext {
  return testContext({
    cwd: world.root,
    env: testEnv({ GITHUB_TOKEN: gh.token, GITHUB_API_URL: gh.url, ...extra }),
  });
}
const remote = (args: string[]) => git(world.repo.remote, args).trim();
const remoteBranches = () => remote(['for-each-ref', '--format=%(refname:short)', 'refs/heads/']).split('\n');

describe('propose', () => {
  it('commits pointer + evidence on promote/<pointer>/<run>, pushes, and opens a labelled PR', async () => {
    writeFileSync(join(world.root, 'scratch.txt'), 'uncommitted work\n');
    writeFileSync(join(world.root, 'config/minutes_current_run.json'), '{"run_id": "local-edit"}\n');
    const headBefore = world.repo.head();
    const c = ctx();
    const outcome = await propose(['minutes=m-new'], { gameDate: '2026-11-24' }, c);
    expect(outcome.exitCode).toBe(0);

    // The user's checkout is untouched: same HEAD, same dirty files, nothing staged.
    expect(world.repo.head()).toBe(headBefore);
    expect(world.repo.git(['status', '--porcelain']).split('\n').filter(Boolean).sort()).toEqual([
      ' M config/minutes_current_run.json',
      '?? scratch.txt',
    ]);

    const branch = 'promote/minutes/m-new';
    expect(remoteBranches()).toContain(branch);
    expect(remote(['rev-parse', `${branch}^`])).toBe(remote(['rev-parse', 'main']));
    expect(remote(['diff', '--name-only', 'main', branch]).split('\n')).toEqual([
      'config/minutes_current_run.json',
      'promotions/minutes/m-new.json',
    ]);
    expect(JSON.parse(remote(['show', `${branch}:config/minutes_current_run.json`]))).toEqual({
      run_id: 'm-new',
      note: 'kept',
    });
    const evidence = evidenceSchema.parse(
      JSON.parse(remote(['show', `${branch}:promotions/minutes/m-new.json`])),
    );
    expect(evidence).toMatchObject({ pointer: 'minutes', run_id: 'm-new', game_date: '2026-11-24' });

    const [pr] = gh.pulls(REPO);
    expect(pr).toMatchObject({ number: 1, state: 'open', head: branch, base: 'main', labels: ['promotion'] });
    expect(pr!.title).toBe('promote minutes → m-new');
    const block = PrBody.parse(pr!.body);
    expect(block).toEqual({
      v: 1,
      kind: 'promotion',
      base: 'main',
      branch,
      pointers: [
        {
          pointer: 'minutes',
          file: 'config/minutes_current_run.json',
          from: 'm-old',
          to: 'm-new',
          evidence: 'promotions/minutes/m-new.json',
          meta_sha256: evidence.meta_sha256,
          game_date: '2026-11-24',
        },
      ],
    });
    expect(pr!.body).toContain('| minutes | m-old | m-new | 2026-11-24 | 450 | 3 |');
    expect(pr!.body).toContain('| minutes | mae | 4.5 | 4.1 | -0.4 (-8.9%) |');
    expect(pr!.body).toContain('-  "run_id": "m-old",');
    expect(pr!.body).toContain('+  "run_id": "m-new",');
    expect(outcome.text.at(-1)).toBe(`opened pull request #1: https://github.com/${REPO}/pull/1`);
    gh.assertNoUnexpected();
  });

  it('updates the same branch and pull request when run again', async () => {
    await propose(['minutes=m-new'], {}, ctx());
    const first = remote(['rev-parse', 'promote/minutes/m-new']);
    world.repo.commit({ 'README.md': 'main moved\n' }, 'unrelated change on main');
    const again = await propose(['minutes=m-new'], {}, ctx());
    expect(again.text.at(-1)).toBe(`updated pull request #1: https://github.com/${REPO}/pull/1`);
    expect(gh.pulls(REPO)).toHaveLength(1);
    const second = remote(['rev-parse', 'promote/minutes/m-new']);
    expect(second).not.toBe(first);
    expect(remote(['rev-parse', 'promote/minutes/m-new^'])).toBe(remote(['rev-parse', 'main']));
    expect(gh.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/pulls'))).toHaveLength(1);
    expect(gh.requests.filter((r) => r.method === 'PATCH')).toHaveLength(1);
  });

  it('proposes several pointers in one branch and one PR', async () => {
    const outcome = await propose(['rates=r-new', 'minutes=m-new'], {}, ctx());
    expect(outcome.exitCode).toBe(0);
    const branch = 'promote/minutes,rates/m-new,r-new';
    expect(remote(['diff', '--name-only', 'main', branch]).split('\n')).toEqual([
      'config/minutes_current_run.json',
      'config/rates_current_run.json',
      'promotions/minutes/m-new.json',
      'promotions/rates/r-new.json',
    ]);
    const [pr] = gh.pulls(REPO);
    expect(pr!.title).toBe('promote minutes → m-new, rates → r-new');
    expect(PrBody.parse(pr!.body)?.pointers.map((p) => `${p.pointer}:${p.from}->${p.to}`)).toEqual([
      'minutes:m-old->m-new',
      'rates:r-old->r-new',
    ]);
  });

  it.each([
    ['a failing smoke command', { mode: 'fail' as const }, 'exited with 3'],
    ['a smoke run writing no manifest', { mode: 'no-manifest' as const }, 'wrote no manifest'],
    ['missing columns', { columns: ['player_id'] }, 'columns (missing game_id, minutes_p50)'],
    ['too few rows', { rows: 3 }, 'rows (3 rows (expected >= 100))'],
  ])('pushes nothing and opens nothing after %s', async (_name, behaviour, detail) => {
    world.addRun('minutes', 'bad', { smoke: behaviour });
    const err = await promoteErrorOf(propose(['minutes=bad'], {}, ctx()));
    expect(err.exitCode).toBe(1);
    expect(err.message).toContain(detail);
    expect(remoteBranches()).toEqual(['main']);
    // Only the read of the repository before smoke (token valid, repository visible).
    expect(gh.requests.map((r) => `${r.method} ${r.path}`)).toEqual([`GET /repos/${REPO}`]);
  });

  it('refuses a candidate with an incompatible contract; nothing pushed', async () => {
    world.addRun('minutes', 'm-v3', { contract: '3.0.0' });
    const err = await promoteErrorOf(propose(['minutes=m-v3'], {}, ctx()));
    expect(err.exitCode).toBe(1);
    expect(err.message).toContain("contract 3.0.0 does not satisfy the pointer's range ^2.0.0");
    expect(remoteBranches()).toEqual(['main']);
  });

  it('--dry-run prints exactly what would be pushed and sent, and changes nothing', async () => {
    const c = ctx();
    const outcome = await propose(['minutes=m-new'], { dryRun: true, gameDate: '2026-11-24' }, c);
    expect(outcome.exitCode).toBe(0);
    const data = outcome.data as {
      files: Record<string, string>;
      pullRequest: { title: string; body: string; labels: string[]; head: string };
    };
    expect(Object.keys(data.files)).toEqual([
      'config/minutes_current_run.json',
      'promotions/minutes/m-new.json',
    ]);
    expect(data.pullRequest).toMatchObject({
      title: 'promote minutes → m-new',
      labels: ['promotion'],
      head: 'promote/minutes/m-new',
    });
    expect(PrBody.parse(data.pullRequest.body)?.pointers[0]?.to).toBe('m-new');
    expect(outcome.text.join('\n')).toContain('would commit on promote/minutes/m-new');
    expect(remoteBranches()).toEqual(['main']);
    expect(gh.requests).toEqual([]);
  });

  it('buildPullRequest is pure: the same proposal gives the same request', async () => {
    const { config, root } = await loadConfig(world.root, testEnv());
    const proposal = await buildProposal({
      config,
      root,
      assignments: [{ pointer: 'minutes', run: 'm-new' }],
      evidenceFiles: [],
      ctx: ctx(),
    });
    expect(buildPullRequest(proposal)).toEqual(buildPullRequest(proposal));
  });

  it('--no-pr pushes the branch without any token or GitHub request', async () => {
    const outcome = await propose(['minutes=m-new'], { pr: false }, ctx({ GITHUB_TOKEN: undefined }));
    expect(outcome.exitCode).toBe(0);
    expect(remoteBranches()).toContain('promote/minutes/m-new');
    expect(gh.requests).toEqual([]);
  });

  it('refuses a run id that is a path (minutes=../x) before reading any artifact (exit 2)', async () => {
    for (const run of ['../x', 'm/../../x', 'a/b']) {
      const err = await promoteErrorOf(propose([`minutes=${run}`], { pr: false }, ctx()));
      expect(err.exitCode, run).toBe(2);
      expect(err.message).toContain(`invalid run id for minutes ${JSON.stringify(run)}: `);
    }
    expect(remoteBranches()).toEqual(['main']);
    expect(gh.requests).toEqual([]);
  });

  it('without a token it stops before smoke or push (exit 2)', async () => {
    const err = await promoteErrorOf(propose(['minutes=m-new'], {}, ctx({ GITHUB_TOKEN: undefined })));
    expect(err.exitCode).toBe(2);
    expect(err.message).toContain('no GitHub token');
    expect(remoteBranches()).toEqual(['main']);
  });

  it('takes --evidence from smoke --out instead of running smoke, and checks it', async () => {
    const { smoke } = await import('../../src/commands/smoke.js');
    const file = join(world.repo.dir, 'ev.json');
    await smoke(['minutes', 'm-new'], { out: file }, ctx());
    // Make any further smoke run fail: propose must not run it.
    world.addRun('minutes', 'm-new', { metrics: { mae: 4.1 }, smoke: { mode: 'fail' } });
    const outcome = await propose(['minutes=m-new'], { evidence: [file] }, ctx());
    expect(outcome.exitCode).toBe(0);
    expect(remote(['show', 'promote/minutes/m-new:promotions/minutes/m-new.json'])).toBe(
      readFileSync(file, 'utf8').trim(),
    );

    world.addRun('minutes', 'm-other');
    const wrongRun = await promoteErrorOf(
      propose(['minutes=m-other'], { evidence: [file], dryRun: true }, ctx()),
    );
    expect(wrongRun.exitCode).toBe(1);
    expect(wrongRun.message).toContain('it is for run m-new, not m-other');
    const wrongPointer = await promoteErrorOf(
      propose(['rates=r-new'], { evidence: [file], dryRun: true }, ctx()),
    );
    expect(wrongPointer.exitCode).toBe(2);
    expect(wrongPointer.message).toContain('--evidence for minutes, which is not being proposed');
  });

  it('with the same evidence again, pushes nothing and only refreshes the PR', async () => {
    const { smoke } = await import('../../src/commands/smoke.js');
    const file = join(world.repo.dir, 'ev.json');
    await smoke(['minutes', 'm-new'], { out: file }, ctx());
    const first = await propose(['minutes=m-new'], { evidence: [file] }, ctx());
    const second = await propose(['minutes=m-new'], { evidence: [file] }, ctx());
    expect((first.data as { pushed: boolean }).pushed).toBe(true);
    expect((second.data as { pushed: boolean; commit: string }).pushed).toBe(false);
    expect((second.data as { commit: string }).commit).toBe((first.data as { commit: string }).commit);
    expect(second.text).toContain(
      `promote/minutes/m-new on origin already holds this change (${(first.data as { commit: string }).commit.slice(0, 12)})`,
    );
  });

  it('encodes run-id characters git refuses in a branch name', async () => {
    world.addRun('minutes', 'run=7:b+c');
    await propose(['minutes=run=7:b+c'], {}, ctx());
    expect(remoteBranches()).toContain('promote/minutes/run=7%3Ab+c');
    expect(remote(['show', 'promote/minutes/run=7%3Ab+c:config/minutes_current_run.json'])).toContain(
      '"run=7:b+c"',
    );
    expect(gh.pulls(REPO)[0]!.title).toBe('promote minutes → run=7:b+c');
  });

  it('keeps an evidence file that is already on the base branch (evidence is append-only)', async () => {
    const old = evidenceJson('minutes', 'm-new', { extra: { note: 'kept as it was' } });
    world.repo.commit({ 'promotions/minutes/m-new.json': old }, 'earlier evidence');
    await propose(['minutes=m-new'], {}, ctx());
    expect(remote(['diff', '--name-only', 'main', 'promote/minutes/m-new'])).toBe(
      'config/minutes_current_run.json',
    );
  });

  it('does nothing for a pointer already at the run (exit 0)', async () => {
    const outcome = await propose(['minutes=m-old'], {}, ctx());
    expect(outcome.exitCode).toBe(0);
    expect(outcome.text).toEqual(['minutes already points at m-old on main; nothing to propose for it']);
    expect(remoteBranches()).toEqual(['main']);
  });

  it('survives GitHub 502s: retries the lookup, and finds the PR a lost 502 answer created', async () => {
    gh.inject({ method: 'GET', path: /\/pulls$/, status: 502 });
    gh.inject({ method: 'POST', path: /\/pulls$/, status: 502, when: 'after' });
    const outcome = await propose(['minutes=m-new'], {}, ctx());
    expect(outcome.exitCode).toBe(0);
    expect(gh.pulls(REPO)).toHaveLength(1);
    expect(gh.pulls(REPO)[0]!.labels).toEqual(['promotion']);
    expect(gh.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/pulls'))).toHaveLength(1);
  });

  it('a 502 on creating the PR, not carried out, is exit 3 and a rerun completes it', async () => {
    gh.inject({ method: 'POST', path: /\/pulls$/, status: 502 });
    const err = await promoteErrorOf(propose(['minutes=m-new'], {}, ctx()));
    expect(err.exitCode).toBe(3);
    expect(err.remedy).toContain('retry');
    expect(gh.pulls(REPO)).toHaveLength(0);
    const outcome = await propose(['minutes=m-new'], {}, ctx());
    expect(outcome.text.at(-1)).toContain('opened pull request #1');
  });

  it('honours a secondary rate limit with retry-after and says so', async () => {
    gh.inject({ method: 'POST', path: /\/pulls$/, ...secondaryRateLimit(1) });
    const c = ctx();
    const started = Date.now();
    const outcome = await propose(['minutes=m-new'], {}, c);
    expect(outcome.exitCode).toBe(0);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    expect(c.err()).toContain('GitHub secondary-rate-limit: waiting 1s before retry 1');
    expect(
      gh.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/pulls')).map((r) => r.status),
    ).toEqual([403, 201]);
  });
});
