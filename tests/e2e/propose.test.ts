/**
 * The built CLI as a process: smoke and propose against the loopback GitHub stand-in, with a
 * token that must never show up in any output.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { GitHubStandIn } from '../../src/sandbox/github/index.js';
import { startGitHubStandIn } from '../helpers/github-traffic.js';
import { runCliProcess } from '../helpers/cli.js';
import { slateDate } from '../../src/core/game-date.js';
import { git } from '../helpers/git-repo.js';
import { createPipelineWorld, type PipelineWorld } from '../helpers/smoke-scorer.js';

const REPO = 'acme/projections';
// The CLI runs on the real clock, and CI (so propose) refuses evidence older than 3 days.
const GAME_DATE = slateDate(new Date());
const TOKEN = 'ghp_e2eTokenThatMustNeverBePrinted0000000';
let world: PipelineWorld;
let gh: GitHubStandIn;

beforeEach(async () => {
  world = createPipelineWorld();
  world.addRun('minutes', 'm-new', { metrics: { mae: 4.1 } });
  gh = await startGitHubStandIn({ repos: { [REPO]: world.repo.remote }, token: TOKEN });
});
afterEach(async () => {
  await gh.close();
  world.cleanup();
});

const env = () => ({ GITHUB_TOKEN: TOKEN, GITHUB_API_URL: gh.url });
const noToken = (text: string) => {
  expect(text).not.toContain(TOKEN);
  expect(text).not.toContain(Buffer.from(TOKEN).toString('base64'));
};

describe('git-promote propose (built CLI)', () => {
  it('smokes, pushes and opens the PR; a second run updates it', async () => {
    const started = Date.now();
    const first = await runCliProcess(['propose', 'minutes=m-new', '--game-date', GAME_DATE], {
      cwd: world.root,
      env: env(),
    });
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toContain(`minutes: m-old → m-new (game date ${GAME_DATE}, smoke passed)`);
    expect(first.stdout).toMatch(/pushed promote\/minutes\/m-new \([0-9a-f]{12}\) to origin/);
    expect(first.stdout).toContain(`opened pull request #1: https://github.com/${REPO}/pull/1`);
    expect(Date.now() - started).toBeLessThan(15_000); // no lingering timers keep the process alive
    expect(git(world.repo.remote, ['rev-parse', '--verify', 'promote/minutes/m-new']).trim()).toMatch(
      /^[0-9a-f]{40}$/,
    );

    const second = await runCliProcess(['propose', 'minutes=m-new', '--json'], {
      cwd: world.root,
      env: env(),
    });
    expect(second.code).toBe(0);
    const data = JSON.parse(second.stdout) as {
      pullRequest: { number: number; action: string };
      branch: string;
    };
    expect(data.pullRequest).toMatchObject({ number: 1, action: 'updated' });
    expect(data.branch).toBe('promote/minutes/m-new');
    expect(gh.pulls(REPO)).toHaveLength(1);
    for (const out of [first.stdout, first.stderr, second.stdout, second.stderr]) noToken(out);
    gh.assertNoUnexpected();
  });

  it('prints evidence from smoke --json', async () => {
    const r = await runCliProcess(['smoke', 'minutes', 'm-new', '--json'], { cwd: world.root, env: env() });
    expect(r.code).toBe(0);
    const evidence = JSON.parse(r.stdout) as { schema: string; run_id: string; checks: { ok: boolean }[] };
    expect(evidence.schema).toBe('git-promote/evidence@1');
    expect(evidence.run_id).toBe('m-new');
    expect(evidence.checks.every((c) => c.ok)).toBe(true);
  });

  it('a refusal from GitHub is one error and one hint, without the token even with --debug', async () => {
    gh.inject({
      method: 'POST',
      path: /\/pulls$/,
      status: 403,
      times: 5,
      body: { message: 'Resource not accessible by integration' },
    });
    const r = await runCliProcess(['propose', 'minutes=m-new', '--debug'], { cwd: world.root, env: env() });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /^error: GitHub: could not open a pull request from promote\/minutes\/m-new: forbidden \(403 Resource not accessible by integration\)\n {2}already pushed: promote\/minutes\/m-new \([0-9a-f]{12}\) to origin\nhint: .*again reuses promote\/minutes\/m-new/,
    );
    noToken(r.stdout);
    noToken(r.stderr);
  });

  it('an incompatible contract is refused before anything runs (exit 1)', async () => {
    world.addRun('minutes', 'm-v3', { contract: '3.0.0' });
    const r = await runCliProcess(['propose', 'minutes=m-v3'], { cwd: world.root, env: env() });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      "error: candidate minutes=m-v3 refused: contract 3.0.0 does not satisfy the pointer's range ^2.0.0\n" +
        'hint: Promote a run whose contract fits pointers.minutes.contract, or change that range deliberately in promote.config.json.\n',
    );
    // Only the read of the repository that checks the token first.
    expect(gh.requests.map((q) => `${q.method} ${q.path}`)).toEqual([`GET /repos/${REPO}`]);
  });
});
