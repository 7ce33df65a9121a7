/**
 * validate and merge in process against the GitHub stand-in (fast): every check failed by name
 * with its status posted, and every merge refusal. tests/e2e/promotion-gate.test.ts runs the
 * issue's cases with the built CLI as processes.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { merge } from '../../src/commands/merge.js';
import { validate } from '../../src/commands/validate.js';
import { fullSha } from '../../src/core/option-values.js';
import type { ValidateReport } from '../../src/core/validate-report.js';
import {
  api,
  mergeRequests,
  openPull,
  REPO,
  statusesOf,
  usePromotionGate,
  type OpenPull,
} from '../helpers/actions.js';
import { testContext } from '../helpers/context.js';
import { evidenceFile, evidenceJson } from '../helpers/evidence.js';
import { pointerJson } from '../helpers/fixtures.js';
import { testEnv } from '../helpers/git-repo.js';
import { promotionFiles, pushBranch, writePullRequestEvent } from '../helpers/promotion-repo.js';

const gate = usePromotionGate();

function actionsContext(pr: OpenPull & { baseRef?: string }, extra: Record<string, string> = {}) {
  const event = writePullRequestEvent(gate.repo.dir, {
    number: pr.number,
    base: pr.base,
    head: pr.head,
    headRepo: REPO,
    ...(pr.baseRef ? { baseRef: pr.baseRef } : {}),
  });
  const summary = join(gate.repo.dir, `summary-${pr.number}.md`);
  writeFileSync(summary, '');
  return testContext({
    cwd: gate.repo.clone,
    env: testEnv({
      GITHUB_ACTIONS: 'true',
      GITHUB_EVENT_PATH: event,
      GITHUB_STEP_SUMMARY: summary,
      GITHUB_REPOSITORY: REPO,
      GITHUB_API_URL: gate.gh.url,
      GITHUB_TOKEN: gate.gh.token,
      ...extra,
    }),
  });
}

async function pull(
  branch: string,
  files: Record<string, string | null>,
  labels?: string[],
): Promise<OpenPull> {
  pushBranch(gate.repo, branch, files);
  return openPull(gate.gh, branch, labels);
}

const failing: [string, Record<string, string | null>][] = [
  ['rows', promotionFiles('m10', evidenceJson('minutes', 'm10', { rows: 3 }))],
  ['smoke', promotionFiles('m11', evidenceJson('minutes', 'm11', { smoke: { exit_code: 1 } }))],
  ['manifest', promotionFiles('m12', evidenceJson('minutes', 'm12', { manifest: { status: 'failed' } }))],
  ['columns', promotionFiles('m13', evidenceJson('minutes', 'm13', { columns: ['player_id'] }))],
  ['evidence-age', promotionFiles('m14', evidenceJson('minutes', 'm14', { gameDate: '2026-11-01' }))],
  ['contract', promotionFiles('m15', evidenceJson('minutes', 'm15', { contract: '9.0.0' }))],
  ['meta-sha256', promotionFiles('m16', evidenceJson('minutes', 'm16', { metaSha256: 'f'.repeat(64) }))],
  ['evidence-match', promotionFiles('m17', evidenceJson('minutes', 'm18'))],
  ['evidence-schema', promotionFiles('m19', '{"schema": "git-promote/evidence@1"}\n')],
  ['pointer-file', { 'config/rates_current_run.json': '{"run_id": "../etc"}\n' }],
  ['config-change', { 'promote.config.json': '{"pointers": {}}\n' }],
  ['invariant', { 'config/minutes_current_run.json': pointerJson('m404') }],
  [
    'append-only',
    {
      ...promotionFiles('m20'),
      [evidenceFile('minutes', 'm1')]: evidenceJson('minutes', 'm1', { rows: 101 }),
    },
  ],
  ['scope', { ...promotionFiles('m21'), 'src/pipeline.py': 'print(2)\n' }],
];

describe('validate and merge against the GitHub stand-in (in process)', () => {
  it.each(failing)('fails only %s, posts failure naming it, and merge refuses', async (name, files) => {
    const pr = await pull(`promote/in-process-${name}`, files);
    const ctx = actionsContext(pr);
    const outcome = await validate([], {}, ctx);
    const report = outcome.data as ValidateReport;
    expect(outcome.exitCode).toBe(1);
    expect([...new Set(report.results.filter((r) => !r.ok).map((r) => r.name))]).toEqual([name]);
    const status = statusesOf(gate.gh, pr.head)[0]!;
    expect(status.state).toBe('failure');
    expect(status.description).toBe(
      name === 'scope'
        ? 'needs human review: changes files besides pointers and their evidence'
        : `failed: ${name}`,
    );
    await expect(merge([], { pr: pr.number, sha: pr.head }, actionsContext(pr))).rejects.toMatchObject({
      exitCode: 1,
      message: `git-promote/validate is failure on head ${pr.head.slice(0, 12)}: ${status.description}`,
    });
    expect(mergeRequests(gate.gh)).toHaveLength(0);
  });

  it('refuses unlabeled PRs, PRs into another branch and closed PRs, listing every reason', async () => {
    const pr = await pull('promote/minutes/m40', promotionFiles('m40'), []);
    expect((await validate([], {}, actionsContext(pr))).exitCode).toBe(0);
    await expect(merge([], { pr: pr.number }, actionsContext(pr))).rejects.toMatchObject({
      exitCode: 1,
      message: `PR #${pr.number} has none of the labels promotion, rollback`,
    });
    pushBranch(gate.repo, 'release', {});
    await api(gate.gh, 'PATCH', `/pulls/${pr.number}`, { base: 'release', state: 'closed' });
    await expect(merge([], { pr: pr.number }, actionsContext(pr))).rejects.toMatchObject({
      exitCode: 1,
      message: `PR #${pr.number} is closed`,
      details: [
        `PR #${pr.number} targets "release", not the configured branch main`,
        `PR #${pr.number} has none of the labels promotion, rollback`,
      ],
    });
    expect(mergeRequests(gate.gh)).toHaveLength(0);
  });

  it('refuses while validation is pending, merges once it passed, using the configured merge method', async () => {
    const pr = await pull('promote/minutes/m41', promotionFiles('m41'));
    await api(gate.gh, 'POST', `/statuses/${pr.head}`, { state: 'pending', context: 'git-promote/validate' });
    await expect(merge([], { pr: pr.number }, actionsContext(pr))).rejects.toMatchObject({
      exitCode: 1,
      message: `git-promote/validate is still pending on head ${pr.head.slice(0, 12)}`,
    });
    // Another context's success does not count.
    await api(gate.gh, 'POST', `/statuses/${pr.head}`, { state: 'success', context: 'ci/other' });
    await expect(merge([], { pr: pr.number }, actionsContext(pr))).rejects.toMatchObject({
      exitCode: 1,
    });

    const ctx = actionsContext(pr);
    const v = await validate([], { json: true }, ctx);
    expect(v.exitCode).toBe(0);
    expect(v.text.at(-1)).toBe(`status git-promote/validate = success on ${pr.head.slice(0, 12)}`);
    const m = await merge([], { pr: pr.number, sha: fullSha(pr.head.toUpperCase()) }, actionsContext(pr));
    expect(m).toMatchObject({
      exitCode: 0,
      data: { pr: pr.number, merged: true, head: pr.head, method: 'squash' },
    });
    expect(mergeRequests(gate.gh)[0]!.body).toMatchObject({ sha: pr.head, merge_method: 'squash' });
  });

  it('reports a status GitHub refuses (bad token) as a warning, not a failed validation', async () => {
    const pr = await pull('promote/minutes/m42', promotionFiles('m42'));
    gate.gh.inject({ method: 'POST', path: /\/statuses\//, status: 401 });
    const outcome = await validate([], {}, actionsContext(pr));
    expect(outcome.exitCode).toBe(0);
    expect(outcome.text.at(-1)).toMatch(
      /^warning: status git-promote\/validate not posted: .*the token was rejected/,
    );
    // The pending post failed, so no second attempt was made.
    expect(gate.gh.requests.filter((r) => r.path.includes('/statuses/'))).toHaveLength(1);
  });

  it('posts error instead of leaving pending when validation cannot run', async () => {
    const pr = await pull('promote/minutes/m44', promotionFiles('m44'));
    // A target branch that shares no history with the head (rewritten, and not fetched by name).
    const empty = gate.repo.git(['hash-object', '-t', 'tree', '-w', '--stdin']).trim();
    const orphan = gate.repo.git(['commit-tree', empty, '-m', 'orphan']).trim();
    const ctx = actionsContext({ ...pr, base: orphan, baseRef: 'rewritten' });
    await expect(validate([], {}, ctx)).rejects.toMatchObject({
      exitCode: 2,
    });
    const [latest, first] = statusesOf(gate.gh, pr.head);
    expect(first!.state).toBe('pending');
    expect(latest).toMatchObject({
      state: 'error',
      description: expect.stringMatching(/^validate could not run: commits .* share no history$/),
    });
  });

  it('never prints the token', async () => {
    const pr = await pull('promote/minutes/m43', promotionFiles('m43'));
    gate.gh.inject({ method: 'GET', path: /\/pulls\//, status: 404 });
    const ctx = actionsContext(pr);
    const err = await merge([], { pr: pr.number }, ctx).catch((e: Error) => e);
    expect(String((err as Error).message)).toMatch(/not found \(404/);
    expect(JSON.stringify(err) + String((err as Error).message) + ctx.out() + ctx.err()).not.toContain(
      gate.gh.token,
    );
  });
});
