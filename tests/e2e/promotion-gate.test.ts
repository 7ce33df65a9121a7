/**
 * The promotion workflow as GitHub runs it: the built CLI as a process with the Actions
 * environment and a pull_request event payload, against the GitHub stand-in backed by the real
 * bare repository. validate posts git-promote/validate; merge merges with the head-sha guard.
 */
import { describe, expect, it } from 'vitest';
import {
  api,
  mergeRequests,
  openPull,
  REPO,
  runStep,
  statusesOf,
  usePromotionGate,
} from '../helpers/actions.js';
import { evidenceFile, evidenceJson } from '../helpers/evidence.js';
import { git } from '../helpers/git-repo.js';
import { slateDate } from '../../src/core/game-date.js';
import { pointerJson } from '../helpers/fixtures.js';
import { promotionFiles, pushBranch, remoteSha } from '../helpers/promotion-repo.js';

// The CLI runs on the real clock: evidence is dated today's ET slate.
const TODAY = slateDate(new Date());
const fresh = (run: string) => promotionFiles(run, evidenceJson('minutes', run, { gameDate: TODAY }));

const gate = usePromotionGate();

const validate = (pr: Parameters<typeof runStep>[4], extra?: Record<string, string>) =>
  runStep(gate.gh, gate.repo.clone, gate.repo.dir, ['validate'], pr, extra);
const merge = (pr: Parameters<typeof runStep>[4], args: string[] = ['--sha', pr.head]) =>
  runStep(gate.gh, gate.repo.clone, gate.repo.dir, ['merge', '--pr', String(pr.number), ...args], pr);

describe('the promotion gate in GitHub Actions', () => {
  it('validates a good promotion, posts success on its head and merges it as one squash commit', async () => {
    pushBranch(gate.repo, 'promote/minutes/m2', fresh('m2'));
    const pr = await openPull(gate.gh, 'promote/minutes/m2');
    const mainBefore = remoteSha(gate.repo, 'main');

    const v = await validate(pr);
    expect(v.stderr).toBe('');
    expect(v.code).toBe(0);
    expect(v.stdout).toMatch(/^validate [0-9a-f]{12}\.\.[0-9a-f]{12}: all \d+ checks passed$/m);
    expect(v.stdout).toContain(`status git-promote/validate = success on ${pr.head.slice(0, 12)}`);
    expect(v.stdout).not.toMatch(/^::/m);
    expect(v.summary).toMatch(/^### git-promote validate: passed/);
    const [latest, first] = statusesOf(gate.gh, pr.head);
    expect(first).toMatchObject({ state: 'pending', context: 'git-promote/validate' });
    expect(latest).toMatchObject({
      state: 'success',
      context: 'git-promote/validate',
      targetUrl: 'https://github.example/acme/projections/actions/runs/4242',
    });

    const m = await merge(pr);
    expect(m.stderr).toBe('');
    expect(m.code).toBe(0);
    const merged = remoteSha(gate.repo, 'main');
    expect(m.stdout.trim()).toBe(
      `merged PR #${pr.number} (squash, head ${pr.head.slice(0, 12)}) as ${merged.slice(0, 12)}`,
    );
    expect(mergeRequests(gate.gh)).toHaveLength(1);
    expect(mergeRequests(gate.gh)[0]!.body).toMatchObject({ sha: pr.head, merge_method: 'squash' });
    expect(git(gate.repo.remote, ['rev-parse', `${merged}^`]).trim()).toBe(mainBefore);
    expect(git(gate.repo.remote, ['show', `${merged}:config/minutes_current_run.json`])).toBe(
      pointerJson('m2'),
    );
    expect(gate.gh.pull(REPO, pr.number)).toMatchObject({ merged: true, state: 'closed' });
    gate.gh.assertNoUnexpected();

    // Running the job again (a re-run) finds it merged: nothing to do.
    const again = await merge(pr);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('is already merged');
  });

  // Every check is failed by name in the in-process tests; here the ones the issue names, as processes.
  const failing: [string, Record<string, string | null>, RegExp][] = [
    [
      'rows',
      promotionFiles('m10', evidenceJson('minutes', 'm10', { rows: 3, gameDate: TODAY })),
      /3 rows, outside \[100, ∞\]/,
    ],
    [
      'smoke',
      promotionFiles('m11', evidenceJson('minutes', 'm11', { smoke: { published: true }, gameDate: TODAY })),
      /published/,
    ],
    ['invariant', { 'config/minutes_current_run.json': pointerJson('m404') }, /no evidence for minutes=m404/],
    [
      'append-only',
      {
        ...fresh('m20'),
        [evidenceFile('minutes', 'm1')]: evidenceJson('minutes', 'm1', { rows: 101 }),
      },
      /evidence file modified/,
    ],
    ['scope', { ...fresh('m21'), 'src/pipeline.py': 'print("also this")\n' }, /needs human review/],
  ];
  it.each(failing)(
    'fails the %s check by name, posts failure, and merge refuses',
    async (name, files, reason) => {
      const branch = `promote/fail-${name}`;
      pushBranch(gate.repo, branch, files);
      const pr = await openPull(gate.gh, branch);
      const v = await validate(pr);
      expect(v.code).toBe(1);
      const line = v.stdout.split('\n').find((l) => l.startsWith(`FAIL ${name}`));
      expect(line, v.stdout).toMatch(reason);
      expect(v.stdout).toMatch(new RegExp(`^::error (file=[^,]+,)?title=git-promote ${name}[ :]`, 'm'));
      expect(v.summary).toContain(`| **FAIL** | ${name} |`);
      expect(statusesOf(gate.gh, pr.head)[0]).toMatchObject({ state: 'failure' });

      const m = await merge(pr);
      expect(m.code).toBe(1);
      expect(m.stderr).toMatch(/^error: git-promote\/validate is failure on head [0-9a-f]{12}: /);
      expect(mergeRequests(gate.gh)).toHaveLength(0);
      expect(gate.gh.pull(REPO, pr.number)).toMatchObject({ state: 'open', merged: false });
    },
  );

  it('does not merge a fork PR, and a fork token that cannot post statuses does not change the result', async () => {
    pushBranch(gate.repo, 'fork/minutes/m30', fresh('m30'));
    const pr = { ...(await openPull(gate.gh, 'fork/minutes/m30')), headRepo: 'evil/projections' };
    // A fork PR's GITHUB_TOKEN is read-only: GitHub refuses the status.
    gate.gh.inject({ method: 'POST', path: /\/statuses\//, status: 403, times: 2 });
    const v = await validate(pr);
    expect(v.code).toBe(0);
    expect(v.stdout).toMatch(
      /warning: status git-promote\/validate not posted: GitHub: could not set commit status .*forbidden \(403/,
    );
    expect(v.stdout).toMatch(
      /^::warning title=git-promote status::status git-promote\/validate not posted: /m,
    );

    // GitHub reports the PR's head in the fork.
    const live = (await api(gate.gh, 'GET', `/pulls/${pr.number}`)) as {
      head: { repo: { full_name: string } };
    };
    live.head.repo.full_name = 'evil/projections';
    gate.gh.inject({ method: 'GET', path: `/repos/${REPO}/pulls/${pr.number}`, status: 200, body: live });
    const m = await merge(pr);
    expect(m.code).toBe(1);
    expect(m.stderr.split('\n')[0]).toBe(
      `error: PR #${pr.number} comes from evil/projections, not acme/projections: fork PRs are never merged automatically`,
    );
    expect(mergeRequests(gate.gh)).toHaveLength(0);
  });

  it('does not merge when the validation status is missing', async () => {
    pushBranch(gate.repo, 'promote/minutes/m31', fresh('m31'));
    const pr = await openPull(gate.gh, 'promote/minutes/m31');
    const m = await merge(pr);
    expect(m.code).toBe(1);
    expect(m.stderr.trim().split('\n')).toEqual([
      `error: no git-promote/validate status on head ${pr.head.slice(0, 12)}: it was never validated`,
      'hint: Let the promotion workflow run git promote validate on this head first.',
    ]);
    expect(mergeRequests(gate.gh)).toHaveLength(0);
  });

  it('handles a head pushed after validation: refused before merging, or 409/405 from GitHub, never retried (exit 4)', async () => {
    pushBranch(gate.repo, 'promote/minutes/m32', fresh('m32'));
    const pr = await openPull(gate.gh, 'promote/minutes/m32');
    expect((await validate(pr)).code).toBe(0);
    // Someone pushes to the PR branch after validation passed.
    const moved = pushBranch(
      gate.repo,
      'promote/minutes/m32',
      { [evidenceFile('minutes', 'm33')]: evidenceJson('minutes', 'm33', { gameDate: TODAY }) },
      'promote/minutes/m32',
    );
    const stale = await merge(pr);
    expect(stale.code).toBe(4);
    expect(stale.stderr.split('\n')[0]).toBe(
      `error: PR #${pr.number} head moved: validated ${pr.head.slice(0, 12)}, now ${moved.slice(0, 12)}`,
    );
    expect(mergeRequests(gate.gh)).toHaveLength(0);

    // The new head validates; the head moves again between the check and the merge: GitHub's 409.
    const next = { ...pr, head: moved };
    expect((await validate(next)).code).toBe(0);
    for (const [status, message] of [
      [409, 'Head branch was modified. Review and try the merge again.'],
      [405, 'Pull Request is not mergeable'],
    ] as const) {
      gate.gh.reset();
      gate.gh.inject({
        method: 'PUT',
        path: /\/merge$/,
        status,
        body: { message, documentation_url: 'https://docs.github.com' },
      });
      const m = await merge(next);
      expect(m.code).toBe(4);
      expect(m.stderr).toContain(`(${status} ${message})`);
      expect(mergeRequests(gate.gh)).toHaveLength(1);
    }
    expect(gate.gh.pull(REPO, pr.number)).toMatchObject({ state: 'open', merged: false });
  });

  it('passes and merges a rollback (git revert of the promotion) without new smoke evidence', async () => {
    // Its own history, whatever earlier tests merged: main promotes m5, then m6 (as squash merges
    // would leave them), and the rollback reverts m6.
    pushBranch(gate.repo, 'main', fresh('m5'));
    const promotion = pushBranch(gate.repo, 'main', fresh('m6'));
    expect(git(gate.repo.remote, ['show', `${promotion}:config/minutes_current_run.json`])).toBe(
      pointerJson('m6'),
    );
    gate.repo.git(['checkout', '--quiet', '-B', 'rollback/minutes', 'main']);
    gate.repo.git(['revert', '--no-edit', promotion]);
    gate.repo.git(['push', '--quiet', 'origin', 'HEAD:refs/heads/rollback/minutes']);
    const pr = await openPull(gate.gh, 'rollback/minutes', ['rollback']);

    const v = await validate({ ...pr, labels: ['rollback'] });
    expect(v.code).toBe(0);
    expect(v.stdout).toMatch(
      /^pass rollback \(minutes\): minutes returns m6 -> m5, a run it selected before on the target branch$/m,
    );
    expect(v.stdout).not.toMatch(/^pass (smoke|evidence-age) \(minutes\)/m);
    const m = await merge({ ...pr, labels: ['rollback'] });
    expect(m.code).toBe(0);
    expect(git(gate.repo.remote, ['show', 'main:config/minutes_current_run.json'])).toBe(pointerJson('m5'));
  });

  it('refuses merge usage errors with exit 2 before calling GitHub', async () => {
    const pr = { number: 1, head: 'a'.repeat(40), base: 'b'.repeat(40) };
    for (const args of [['merge'], ['merge', '--pr', 'x'], ['merge', '--pr', '1', '--sha', 'HEAD~1']]) {
      const r = await runStep(gate.gh, gate.repo.clone, gate.repo.dir, args, pr);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(/^error: .*\nhint: /);
    }
    const noToken = await runStep(gate.gh, gate.repo.clone, gate.repo.dir, ['merge', '--pr', '1'], pr, {
      GITHUB_TOKEN: '',
    });
    expect(noToken.code).toBe(2);
    expect(noToken.stderr.split('\n')[0]).toBe('error: no GitHub token: GITHUB_TOKEN and GH_TOKEN are unset');
    expect(gate.gh.requests).toHaveLength(0);
  });
});
