/**
 * Putting git-promote on a pipeline that already runs (issue #23), through the built CLI: init
 * then adopt, the adoption PR validated and merged as a workflow step would, and the first
 * promotion after it; and adopted evidence that tries to stand for a run that was not current.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { GitHubStandIn } from '../../src/sandbox/github/index.js';
import { canonicalSha256 } from '../../src/core/meta-hash.js';
import { slateDate } from '../../src/core/game-date.js';
import { REPO, runStep, type OpenPull } from '../helpers/actions.js';
import { runCliProcess } from '../helpers/cli.js';
import { adoptedEvidenceJson, evidenceFile, evidenceJson } from '../helpers/evidence.js';
import { pointerJson } from '../helpers/fixtures.js';
import { startGitHubStandIn } from '../helpers/github-traffic.js';
import { git } from '../helpers/git-repo.js';
import { pushBranch, remoteSha } from '../helpers/promotion-repo.js';
import { createPipelineWorld, type PipelineWorld } from '../helpers/smoke-scorer.js';

const TOKEN = 'ghp_adoptTokenThatMustNeverBePrinted00000';
let world: PipelineWorld;
let gh: GitHubStandIn;

beforeEach(async () => {
  // A pipeline that runs without git-promote: pointer files on main, artifacts on disk, no evidence.
  world = createPipelineWorld({ evidence: false });
  gh = await startGitHubStandIn({ repos: { [REPO]: world.repo.remote }, token: TOKEN });
});
afterEach(async () => {
  await gh.close();
  world.cleanup();
});

const env = () => ({ GITHUB_TOKEN: TOKEN, GITHUB_API_URL: gh.url });
const cli = (args: string[]) => runCliProcess(args, { cwd: world.root, env: env() });

/** The PR GitHub holds for a branch, as the workflow's event describes it. */
function pullFor(branch: string): OpenPull {
  const pr = gh.pulls(REPO).find((p) => p.head === branch);
  if (!pr) throw new Error(`no pull request from ${branch}`);
  return { number: pr.number, head: remoteSha(world.repo, branch), base: remoteSha(world.repo, 'main') };
}

/** validate, then merge, as the promotion workflow's two jobs run them on the runner's checkout. */
async function gate(pr: OpenPull) {
  world.repo.git(['fetch', '--quiet', 'origin']);
  const validate = await runStep(gh, world.root, world.repo.dir, ['validate'], pr);
  if (validate.code !== 0) return { validate, merge: null };
  const merge = await runStep(
    gh,
    world.root,
    world.repo.dir,
    ['merge', '--pr', String(pr.number), '--sha', pr.head],
    pr,
  );
  world.repo.git(['fetch', '--quiet', 'origin']);
  world.repo.git(['checkout', '--quiet', '-B', 'main', 'origin/main']);
  return { validate, merge };
}

describe('init then adopt on a running pipeline', () => {
  it('adopts the runs in production as a PR that validates and merges; then a promotion passes', async () => {
    // init in the pipeline repository: it finds the pointer holding a run without evidence.
    const init = await cli(['init', '--force', '--github', REPO]);
    expect(init.code).toBe(0);
    expect(init.stdout).toContain(
      'next: minutes=m-old holds a run with no evidence (from before git-promote): once the config is committed, run `git promote adopt`',
    );
    // The user edits the scaffolded config for this pipeline (here: the world's), keeping what
    // init wrote at the top, and commits it with the workflow.
    const scaffold = JSON.parse(readFileSync(join(world.root, 'promote.config.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    expect(scaffold.minVersion).toMatch(/^>=\d+\.\d+\.\d+$/);
    writeFileSync(
      join(world.root, 'promote.config.json'),
      `${JSON.stringify({ $schema: scaffold.$schema, minVersion: scaffold.minVersion, ...world.config }, null, 2)}\n`,
    );
    world.repo.commit({}, 'adopt git-promote');

    // Before adoption no promotion can pass: rates holds a run without evidence.
    world.addRun('minutes', 'm-new');
    const early = await cli(['propose', 'minutes=m-new', '--no-pr']);
    expect(early.code).toBe(1);
    expect(early.stderr).toContain(
      'invariant (rates): no evidence for rates=r-old at promotions/rates/r-old.json: run git promote adopt',
    );

    const adopt = await cli(['adopt']);
    expect(adopt.stderr).toBe('');
    expect(adopt.code).toBe(0);
    expect(adopt.stdout).toContain('minutes: adopting m-old (meta ');
    expect(adopt.stdout).toContain('by Test Author <author@example.com>)');
    expect(adopt.stdout).toContain('pushed adopt/minutes,rates/m-old,r-old');
    expect(adopt.stdout).toMatch(/^opened pull request #\d+: /m);
    const pr = gh.pulls(REPO).find((p) => p.head === 'adopt/minutes,rates/m-old,r-old')!;
    expect(pr.labels).toEqual(['promotion']);
    expect(pr.body).toContain('## Adoption');
    expect(pr.body).toMatch(/<!-- git-promote:pr \{"v":2,"kind":"adoption",/);

    // The evidence on the branch: kind adopted, the hash of meta.json on disk, who and when.
    const branchEvidence = JSON.parse(
      git(world.repo.remote, ['show', 'adopt/minutes,rates/m-old,r-old:promotions/minutes/m-old.json']),
    ) as Record<string, unknown>;
    const meta = JSON.parse(readFileSync(join(world.data, 'models/minutes/run=m-old/meta.json'), 'utf8'));
    expect(branchEvidence).toMatchObject({
      schema: 'git-promote/evidence@2',
      kind: 'adopted',
      pointer: 'minutes',
      run_id: 'm-old',
      meta_sha256: canonicalSha256(meta),
      adopted: { by: 'Test Author <author@example.com>' },
    });
    expect(branchEvidence).not.toHaveProperty('smoke');

    const adoption = await gate(pullFor('adopt/minutes,rates/m-old,r-old'));
    expect(adoption.validate.stdout).toMatch(/all \d+ checks passed/);
    expect(adoption.validate.code).toBe(0);
    expect(adoption.merge?.code).toBe(0);
    // Nothing left to adopt, and it says so.
    const again = await cli(['adopt', '--no-pr']);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('minutes: m-old already has evidence (promotions/minutes/m-old.json)');
    expect(again.stdout).toContain('nothing to adopt');

    // The first promotion: smoke, propose, validate and merge like any other.
    const propose = await cli(['propose', 'minutes=m-new', '--game-date', slateDate(new Date())]);
    expect(propose.stderr).toBe('');
    expect(propose.code).toBe(0);
    const promotion = await gate(pullFor('promote/minutes/m-new'));
    expect(promotion.validate.code).toBe(0);
    expect(promotion.merge?.code).toBe(0);
    expect(git(world.repo.remote, ['show', 'main:config/minutes_current_run.json'])).toContain('"m-new"');

    // And rolling back to the adopted run is accepted: it is the run minutes held where it was adopted.
    const rollback = await cli(['rollback', 'minutes']);
    expect(rollback.code).toBe(0);
    const back = await gate(pullFor(gh.pulls(REPO).find((p) => p.head.startsWith('rollback/'))!.head));
    expect(back.validate.stdout).toContain('returns to m-old, the run it held where its adoption landed');
    expect(back.validate.code).toBe(0);
    expect(back.merge?.code).toBe(0);
  });

  it('--dry-run prints the adoption and changes nothing; adopting part of the pointers says what CI will refuse', async () => {
    const r = await cli(['adopt', '--dry-run', '--json']);
    expect(r.code).toBe(0);
    const data = JSON.parse(r.stdout) as { adopted: { pointer: string }[]; failedChecks: unknown[] };
    expect(data.adopted.map((a) => a.pointer)).toEqual(['minutes', 'rates']);
    expect(data.failedChecks).toEqual([]);

    // rates alone leaves minutes without evidence: the checks CI runs fail on its invariant.
    const part = await cli(['adopt', 'rates', '--dry-run']);
    expect(part.code).toBe(1);
    expect(part.stdout).toContain('FAIL invariant (minutes): no evidence for minutes=m-old');
    expect(gh.pulls(REPO)).toHaveLength(0);
    expect(git(world.repo.remote, ['branch', '--list']).trim()).toBe('* main');
  });

  it('refuses a run whose artifact on disk is not that run, writing nothing', async () => {
    writeFileSync(
      join(world.data, 'models/rates/run=r-old/meta.json'),
      JSON.stringify({
        run_id: 'r-other',
        model: 'x',
        created_at: '2026-01-01T00:00:00Z',
        contract: '1.2.0',
      }),
    );
    const r = await cli(['adopt']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('error: candidate rates=r-old refused: meta.json is for r-other, not r-old');
    expect(gh.pulls(REPO)).toHaveLength(0);
  });
});

describe('adopted evidence stands only for the run its pointer held where it landed', () => {
  beforeEach(() => {
    // Adopted: minutes=m-old and rates=r-old are on main with their adopted evidence.
    world.repo.commit(
      {
        [evidenceFile('minutes', 'm-old')]: adoptedEvidenceJson('minutes', 'm-old'),
        [evidenceFile('rates', 'r-old')]: adoptedEvidenceJson('rates', 'r-old', { contract: '1.2.0' }),
      },
      'adopt',
    );
  });

  async function validatePr(branch: string, files: Record<string, string | null>) {
    pushBranch(world.repo, branch, files);
    const head = remoteSha(world.repo, branch);
    const pr = { number: 7, head, base: remoteSha(world.repo, 'main') };
    world.repo.git(['fetch', '--quiet', 'origin']);
    return runStep(gh, world.root, world.repo.dir, ['validate'], pr);
  }

  it('refuses adopted evidence minted for a run the pointer does not hold', async () => {
    const r = await validatePr('adopt/minutes/m-mint', {
      [evidenceFile('minutes', 'm-mint')]: adoptedEvidenceJson('minutes', 'm-mint'),
    });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(
      'adoption (minutes): adopted evidence for m-mint, but minutes holds m-old on the target branch',
    );
  });

  it('refuses adopted evidence as the evidence of a promotion', async () => {
    const r = await validatePr('promote/minutes/m-mint', {
      'config/minutes_current_run.json': pointerJson('m-mint'),
      [evidenceFile('minutes', 'm-mint')]: adoptedEvidenceJson('minutes', 'm-mint'),
    });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('minutes holds m-old on the target branch and m-mint after this PR');
  });

  it('refuses a "rollback" to a past run whose adopted evidence landed while the pointer held another', async () => {
    // minutes held m-past before m-old (history from before git-promote). Adopted evidence for
    // m-past reached main without validation (a direct push), while minutes held m-old.
    const main = git(world.repo.remote, ['rev-parse', 'main']).trim();
    world.repo.commit({ 'config/minutes_current_run.json': pointerJson('m-past') }, 'old model');
    world.repo.commit({ 'config/minutes_current_run.json': pointerJson('m-old') }, 'new model');
    world.repo.commit(
      { [evidenceFile('minutes', 'm-past')]: adoptedEvidenceJson('minutes', 'm-past') },
      'adopt m-past behind validate',
    );
    expect(main).not.toBe(remoteSha(world.repo, 'main'));
    const r = await validatePr('rollback/minutes/m-past', {
      'config/minutes_current_run.json': pointerJson('m-past'),
    });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(
      'adoption (minutes): promotions/minutes/m-past.json was adopted where minutes held m-old, not m-past',
    );

    // The same return to m-past with smoke evidence that was validated is a rollback like any other.
    world.repo.commit(
      { [evidenceFile('minutes', 'm-past')]: evidenceJson('minutes', 'm-past') },
      'replace it by smoke evidence',
    );
    const ok = await validatePr('rollback/minutes/m-past-2', {
      'config/minutes_current_run.json': pointerJson('m-past'),
    });
    expect(ok.stdout).toContain('rollback (minutes)');
    expect(ok.code).toBe(0);
  });
});
