/**
 * First use and daily use through the built CLI (issue #16): one test per problem a new user or
 * on-call hit. `npm run build` must have run.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { addDays, slateDate } from '../../src/core/game-date.js';
import { startGitHubStandIn, type GitHubStandIn } from '../../src/sandbox/github/index.js';
import { runCliProcess } from '../helpers/cli.js';
import { createRepo, git, type TestRepo } from '../helpers/git-repo.js';
import { pointerJson, sampleConfig } from '../helpers/fixtures.js';
import { createPipelineWorld, type PipelineWorld } from '../helpers/smoke-scorer.js';

let repo: TestRepo;
beforeAll(() => {
  repo = createRepo({ 'config/minutes_current_run.json': pointerJson('m1') });
});
afterAll(() => repo.cleanup());

describe('strict config', () => {
  it('refuses a typo in a security setting (exit 2) with its dot-path and a "did you mean"', async () => {
    const config = sampleConfig(repo.dir, {
      agent: { target: join(repo.dir, 'target'), requireSignedCommit: true },
    });
    writeFileSync(join(repo.clone, 'promote.config.json'), JSON.stringify(config, null, 2));
    const r = await runCliProcess(['status', '--no-fetch'], { cwd: repo.clone });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('promote.config.json has 1 problem:');
    expect(r.stderr).toContain(
      '  agent.requireSignedCommit: unknown key; did you mean "requireSignedCommits"?',
    );
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('names the line and column of a JSON syntax error (exit 2)', async () => {
    writeFileSync(join(repo.clone, 'promote.config.json'), '{\n  "pointers": {}\n  "policy": {}\n}\n');
    const r = await runCliProcess(['status', '--no-fetch'], { cwd: repo.clone });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/promote\.config\.json is not valid JSON: line 3, column 3: unexpected "\\""/);
  });
});

describe('propose checks before it pushes', () => {
  const REPO = 'acme/projections';
  const TOKEN = 'ghp_firstUseTokenNeverPrinted000000000000';
  let world: PipelineWorld;
  let gh: GitHubStandIn;
  beforeEach(async () => {
    world = createPipelineWorld();
    world.addRun('minutes', 'm-new');
    gh = await startGitHubStandIn({ repos: { [REPO]: world.repo.remote }, token: TOKEN });
  });
  afterEach(async () => {
    await gh.close();
    world.cleanup();
  });
  const branches = () =>
    git(world.repo.remote, ['for-each-ref', '--format=%(refname:short)', 'refs/heads/']).trim().split('\n');
  const propose = (args: string[], env: Record<string, string>) =>
    runCliProcess(['propose', 'minutes=m-new', ...args], { cwd: world.root, env });

  it('a rejected token stops it before smoke, commit or push (exit 2)', async () => {
    const r = await propose([], { GITHUB_TOKEN: 'ghp_wrong', GITHUB_API_URL: gh.url });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      'error: propose refused before committing or pushing anything: 1 check failed',
    );
    expect(r.stderr).toContain(
      '  github: GitHub: could not read repository acme/projections: the token was rejected',
    );
    expect(r.stdout).not.toContain('smoke passed');
    expect(branches()).toEqual(['main']);
  });

  it('GitHub unreachable stops it at once, before any push (exit 3)', async () => {
    const port = await closedPort();
    const started = Date.now();
    const r = await propose([], { GITHUB_TOKEN: TOKEN, GITHUB_API_URL: `http://127.0.0.1:${port}` });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(
      /^ {2}github: GitHub: could not read repository acme\/projections: connect ECONNREFUSED /m,
    );
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(branches()).toEqual(['main']);
  });

  it('evidence CI would reject (30 days old) is refused before the push; --force proposes anyway', async () => {
    const old = addDays(slateDate(new Date()), -30);
    const env = { GITHUB_TOKEN: TOKEN, GITHUB_API_URL: gh.url };
    const refused = await propose(['--game-date', old], env);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(
      / {2}evidence-age \(minutes\): game date \S+ is 30 days old \(at most 3\)/,
    );
    expect(refused.stderr).toContain('`--force` proposes anyway');
    expect(branches()).toEqual(['main']);
    expect(gh.pulls(REPO)).toHaveLength(0);

    const forced = await propose(['--game-date', old, '--force'], env);
    expect(forced.code).toBe(0);
    expect(forced.stderr).toContain('warning: proposing despite 1 failing check (--force):');
    expect(branches()).toContain('promote/minutes/m-new');
    expect(gh.pulls(REPO)).toHaveLength(1);
  });
});

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((done) => server.close(() => done()));
  return port;
}
