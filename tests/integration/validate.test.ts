import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validate, type ValidateOptions } from '../../src/commands/validate.js';
import type { ValidateReport } from '../../src/core/validate-report.js';
import { evidenceFile, evidenceJson } from '../helpers/evidence.js';
import { createRepo, git, testEnv, type TestRepo } from '../helpers/git-repo.js';
import { testContext } from '../helpers/context.js';
import { pointerJson } from '../helpers/fixtures.js';
import {
  createPromotionRepo,
  promotionConfig,
  promotionFiles,
  pushBranch,
  writePullRequestEvent,
} from '../helpers/promotion-repo.js';

let repo: TestRepo;

beforeAll(() => {
  repo = createPromotionRepo();
});
afterAll(() => repo.cleanup());

async function run(opts: ValidateOptions, env: Record<string, string> = {}) {
  const ctx = testContext({ cwd: repo.clone, env: testEnv(env) });
  const outcome = await validate([], opts, ctx);
  return { outcome, report: outcome.data as ValidateReport, ctx };
}

const failedNames = (report: ValidateReport) =>
  [...new Set(report.results.filter((r) => !r.ok).map((r) => r.name))].sort();

describe('validate (real git, in process)', () => {
  it('passes a good promotion branch against origin/main by default', async () => {
    const head = pushBranch(repo, 'promote/minutes/m2', promotionFiles());
    const { outcome, report } = await run({ head });
    expect(failedNames(report)).toEqual([]);
    expect(outcome.exitCode).toBe(0);
    expect(report.head).toBe(head);
    expect(report.base).toBe(git(repo.clone, ['rev-parse', 'origin/main']).trim());
    expect(outcome.text[0]).toMatch(/^validate [0-9a-f]{12}\.\.[0-9a-f]{12}: all \d+ checks passed$/);
  });

  it('fails a modified evidence file with exit 1, naming the check and the file', async () => {
    const head = pushBranch(repo, 'promote/bad-modify', {
      ...promotionFiles(),
      [evidenceFile('minutes', 'm1')]: evidenceJson('minutes', 'm1', { rows: 101 }),
    });
    const { outcome, report } = await run({ base: 'main', head });
    expect(outcome.exitCode).toBe(1);
    expect(failedNames(report)).toEqual(['append-only']);
    expect(outcome.text[1]).toBe(
      'FAIL append-only (minutes): evidence file modified: evidence is append-only, add a new file instead [promotions/minutes/m1.json]',
    );
  });

  it('fails a pointer to a run without evidence', async () => {
    const head = pushBranch(repo, 'promote/no-evidence', {
      'config/minutes_current_run.json': pointerJson('m7'),
    });
    const { outcome, report } = await run({ base: 'main', head });
    expect(outcome.exitCode).toBe(1);
    expect(failedNames(report)).toEqual(['invariant']);
  });

  it('diffs from the merge base: commits landing on main meanwhile are not the PR’s changes', async () => {
    const fork = repo.head();
    const head = pushBranch(repo, 'promote/minutes/m3', promotionFiles('m3'), fork);
    // main moves on: an unrelated code change and a new evidence file land after the branch point.
    const mainMoved = pushBranch(repo, 'main', { 'src/app.py': 'x = 1\n' });
    git(repo.clone, ['reset', '--quiet', '--hard', mainMoved]);
    const { report } = await run({ base: mainMoved, head });
    expect(failedNames(report)).toEqual([]);
  });

  it('passes a rollback to the previous run without new smoke', async () => {
    const head = pushBranch(
      repo,
      'rollback/minutes',
      { 'config/minutes_current_run.json': pointerJson('m1') },
      'promote/minutes/m2',
    );
    // Base = a main on which m2 is promoted (the promotion branch itself).
    const { outcome, report } = await run({ base: 'promote/minutes/m2', head });
    expect(failedNames(report)).toEqual([]);
    expect(report.results.find((r) => r.name === 'rollback')?.reason).toMatch(/returns m2 -> m1/);
    expect(outcome.exitCode).toBe(0);
  });

  it('keeps hostile file names on one line in text, annotations and summary', async () => {
    const evil = 'x\n::error file=y::pwned|<b>.txt';
    const head = pushBranch(repo, 'promote/hostile', { ...promotionFiles('m4'), [evil]: 'x' });
    const dir = repo.dir;
    const summary = join(dir, 'summary.md');
    writeFileSync(summary, '');
    const event = writePullRequestEvent(dir, {
      number: 7,
      base: repo.head(),
      head,
      headRepo: 'acme/projections',
    });
    const { outcome, report, ctx } = await run(
      {},
      {
        GITHUB_ACTIONS: 'true',
        GITHUB_EVENT_PATH: event,
        GITHUB_STEP_SUMMARY: summary,
        GITHUB_REPOSITORY: 'acme/projections',
      },
    );
    expect(outcome.exitCode).toBe(1);
    expect(failedNames(report)).toEqual(['scope']);
    const stdout = ctx.out();
    for (const line of [...stdout.split('\n'), ...outcome.text])
      expect(
        line.startsWith('::') ? line.startsWith('::error file=x%0A%3A%3Aerror') : !line.includes('\n'),
      ).toBe(true);
    expect(stdout.split('\n').filter((l) => l.startsWith('::'))).toHaveLength(1);
    expect(outcome.text.join('\n')).toContain('x\\u000a::error file=y::pwned|<b>.txt');
    const md = readFileSync(summary, 'utf8');
    expect(md).toContain('x\\\\u000a::error file=y::pwned\\|&lt;b&gt;.txt');
    expect(md).not.toContain('<b>');
  });

  it('reads base and head from the pull_request event, writes the summary and annotations', async () => {
    const head = pushBranch(
      repo,
      'promote/actions',
      promotionFiles('m5', evidenceJson('minutes', 'm5', { rows: 3 })),
    );
    const summary = join(repo.dir, 'summary-actions.md');
    writeFileSync(summary, '# earlier step\n');
    const event = writePullRequestEvent(repo.dir, {
      number: 8,
      base: repo.head(),
      head,
      headRepo: 'acme/projections',
    });
    const { outcome, report, ctx } = await run(
      { json: true },
      { GITHUB_ACTIONS: 'true', GITHUB_EVENT_PATH: event, GITHUB_STEP_SUMMARY: summary },
    );
    expect(report.head).toBe(head);
    expect(outcome.exitCode).toBe(1);
    expect(failedNames(report)).toEqual(['rows']);
    // With --json the annotations go to stderr so stdout stays one JSON document.
    expect(ctx.err()).toBe(
      '::error file=promotions/minutes/m5.json,title=git-promote rows (minutes)::3 rows, outside [100, ∞]\n',
    );
    const md = readFileSync(summary, 'utf8');
    expect(md.startsWith('# earlier step\n### git-promote validate: 1 failed')).toBe(true);
    expect(outcome.text).toContain('status git-promote/validate not posted: no GITHUB_TOKEN or repository');
  });

  it('rejects refs that are not commits or look like options (exit 2)', async () => {
    await expect(run({ base: 'main', head: 'no-such-branch' })).rejects.toMatchObject({
      exitCode: 2,
      message: '--head "no-such-branch" is not a commit in this repository',
    });
    await expect(run({ base: '--output=/tmp/x', head: 'HEAD' })).rejects.toMatchObject({ exitCode: 2 });
  });

  it('treats an unreadable event or one without valid shas as a usage error', async () => {
    const bad = join(repo.dir, 'bad-event.json');
    writeFileSync(bad, '{');
    await expect(run({}, { GITHUB_ACTIONS: 'true', GITHUB_EVENT_PATH: bad })).rejects.toMatchObject({
      exitCode: 2,
    });
    writeFileSync(
      bad,
      JSON.stringify({ pull_request: { number: 3, base: { sha: 'main' }, head: { sha: '$(id)' } } }),
    );
    await expect(run({}, { GITHUB_ACTIONS: 'true', GITHUB_EVENT_PATH: bad })).rejects.toMatchObject({
      exitCode: 2,
      message: `the pull_request event in ${bad} has no valid base and head sha`,
    });
  });
});

describe('validate with the config in a subdirectory', () => {
  it('maps paths through the prefix and treats files outside it as out of scope', async () => {
    const sub = createRepo({ 'README.md': 'x\n' });
    try {
      const dir = 'pipeline';
      sub.commit({
        [`${dir}/promote.config.json`]: promotionConfig(sub.dir),
        [`${dir}/config/minutes_current_run.json`]: pointerJson('m1'),
        [`${dir}/config/rates_current_run.json`]: pointerJson('r1'),
        [`${dir}/${evidenceFile('minutes', 'm1')}`]: evidenceJson('minutes', 'm1'),
        [`${dir}/${evidenceFile('rates', 'r1')}`]: evidenceJson('rates', 'r1', { contract: '1.0.0' }),
      });
      const files = Object.fromEntries(Object.entries(promotionFiles()).map(([k, v]) => [`${dir}/${k}`, v]));
      const good = pushBranch(sub, 'promote/a', files);
      const mixed = pushBranch(sub, 'promote/b', { ...files, 'other/app.py': 'y\n' });
      const cwd = join(sub.clone, dir);
      const ok = await validate([], { base: 'main', head: good }, testContext({ cwd }));
      expect(ok.exitCode).toBe(0);
      const bad = await validate([], { base: 'main', head: mixed }, testContext({ cwd }));
      expect(failedNames(bad.data as ValidateReport)).toEqual(['scope']);
      expect(bad.text[1]).toMatch(/needs human review: .*other\/app\.py/);
    } finally {
      sub.cleanup();
    }
  });
});
