/**
 * Merging as GitHub really behaves, through the built CLI as the Action runs it: required checks
 * (statuses and check runs) still running when merge starts, GitHub's 405 answers (base modified,
 * review required, merge method not allowed, draft), and several merge jobs at the same moment.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { slateDate } from '../../src/core/game-date.js';
import {
  api,
  mergeRequests,
  openPull,
  REPO,
  runStep,
  usePromotionGate,
  type OpenPull,
} from '../helpers/actions.js';
import { evidenceFile, evidenceJson } from '../helpers/evidence.js';
import { pointerJson } from '../helpers/fixtures.js';
import { runCliProcess } from '../helpers/cli.js';
import { git, writeFiles } from '../helpers/git-repo.js';
import { promotionConfig, pushBranch, remoteSha } from '../helpers/promotion-repo.js';

const TODAY = slateDate(new Date());
const CONTRACT: Record<string, string> = { minutes: '2.1.0', rates: '1.3.0', pace: '1.3.0' };
const files = (pointer: string, run: string) => ({
  [`config/${pointer}_current_run.json`]: pointerJson(run),
  [evidenceFile(pointer, run)]: evidenceJson(pointer, run, { gameDate: TODAY, contract: CONTRACT[pointer] }),
});
// Short enough for a test, long enough for a check to finish while merge waits.
const MERGE_WAIT = '8s';

const gate = usePromotionGate();

/** main gains a third pointer (so three promotions touch different files) and a short mergeWait. */
function configWith(overrides: { ratesContract?: string; merge?: string } = {}): string {
  const config = JSON.parse(promotionConfig(gate.repo.dir)) as {
    pointers: Record<string, Record<string, unknown>>;
    policy: Record<string, unknown>;
  };
  config.pointers.pace = {
    ...config.pointers.rates,
    file: 'config/pace_current_run.json',
    verify: { asset: 'pace_scores' },
  };
  if (overrides.ratesContract) config.pointers.rates!.contract = overrides.ratesContract;
  config.policy.mergeWait = MERGE_WAIT;
  if (overrides.merge) config.policy.merge = overrides.merge;
  return `${JSON.stringify(config, null, 2)}\n`;
}

/** Commit on main as GitHub has it now (merges happen in the stand-in's bare repository). */
function commitOnMain(changes: Record<string, string>, message: string): string {
  gate.repo.git(['fetch', '--quiet', 'origin']);
  gate.repo.git(['checkout', '--quiet', '-B', 'main', 'origin/main']);
  return gate.repo.commit(changes, message);
}

beforeAll(() => {
  commitOnMain(
    {
      'promote.config.json': configWith(),
      'config/pace_current_run.json': pointerJson('p1'),
      [evidenceFile('pace', 'p1')]: evidenceJson('pace', 'p1', { gameDate: '2026-10-01', contract: '1.2.0' }),
    },
    'a third pointer; merge waits 8s',
  );
});

const validate = (pr: OpenPull) => runStep(gate.gh, gate.repo.clone, gate.repo.dir, ['validate'], pr);
const merge = (pr: OpenPull) =>
  runStep(
    gate.gh,
    gate.repo.clone,
    gate.repo.dir,
    ['merge', '--pr', String(pr.number), '--sha', pr.head],
    pr,
  );

/** A validated promotion PR of `pointer` to `run`. */
async function validated(pointer: string, run: string): Promise<OpenPull> {
  const branch = `promote/${pointer}/${run}`;
  pushBranch(gate.repo, branch, files(pointer, run));
  const pr = await openPull(gate.gh, branch);
  const v = await validate(pr);
  expect(v.code, v.stdout + v.stderr).toBe(0);
  return pr;
}

/** Wait, with a deadline, until the stand-in has received a request matching `test`. */
async function requestSeen(test: (r: { method: string; path: string }) => boolean, ms = 15_000) {
  const deadline = Date.now() + ms;
  while (!gate.gh.requests.some(test)) {
    if (Date.now() > deadline) throw new Error('request never arrived');
    await new Promise((r) => setTimeout(r, 20));
  }
}

const requireChecks = (...contexts: string[]) =>
  (gate.gh.repoState(REPO).rules = [
    {
      type: 'required_status_checks',
      parameters: {
        strict_required_status_checks_policy: false,
        required_status_checks: contexts.map((context) => ({ context })),
      },
    },
  ]);

describe("merge waits for the branch's required checks", () => {
  it('a required check run still running when merge starts: merge waits and merges when it passes', async () => {
    requireChecks('git-promote/validate', 'tests');
    const pr = await validated('minutes', 'm60');
    const run = (await api(gate.gh, 'POST', '/check-runs', {
      name: 'tests',
      head_sha: pr.head,
      status: 'in_progress',
    })) as { id: number };

    const job = merge(pr);
    await requestSeen((r) => r.path.endsWith(`/commits/${pr.head}/check-runs`));
    expect(mergeRequests(gate.gh)).toHaveLength(0);
    await api(gate.gh, 'PATCH', `/check-runs/${run.id}`, { conclusion: 'success' });
    const m = await job;
    expect(m.code, m.stderr).toBe(0);
    expect(m.stderr).toContain(
      `waiting for required checks on head ${pr.head.slice(0, 12)}: tests (in_progress)`,
    );
    expect(m.stdout).toMatch(/^merged PR #\d+ \(squash/);
    expect(mergeRequests(gate.gh)).toHaveLength(1);
    expect(gate.gh.pull(REPO, pr.number)).toMatchObject({ merged: true });
  });

  it('a required check that fails while merge waits is reported by name (exit 1), not merged', async () => {
    requireChecks('tests', 'lint');
    const pr = await validated('rates', 'r61');
    await api(gate.gh, 'POST', '/check-runs', { name: 'lint', head_sha: pr.head, conclusion: 'success' });
    const run = (await api(gate.gh, 'POST', '/check-runs', { name: 'tests', head_sha: pr.head })) as {
      id: number;
    };
    const job = merge(pr);
    await requestSeen((r) => r.path.endsWith(`/commits/${pr.head}/check-runs`));
    await api(gate.gh, 'PATCH', `/check-runs/${run.id}`, { conclusion: 'failure' });
    const m = await job;
    expect(m.code).toBe(1);
    expect(m.stderr).toContain('tests (queued)');
    expect(m.stderr).toMatch(
      new RegExp(`^error: required check tests is failure on head ${pr.head.slice(0, 12)}$`, 'm'),
    );
    expect(mergeRequests(gate.gh)).toHaveLength(0);
  });

  it('a status required by classic protection that never arrives: exit 3 after policy.mergeWait, naming it', async () => {
    gate.gh.repoState(REPO).rules = [];
    gate.gh.repoState(REPO).protection.main = { contexts: ['ci/lint'], strict: false, reviews: 0 };
    try {
      const pr = await validated('rates', 'r62');
      const started = Date.now();
      const m = await merge(pr);
      expect(m.code).toBe(3);
      expect(m.stderr).toMatch(
        new RegExp(
          `^error: required checks still not complete on head ${pr.head.slice(0, 12)} after 8\\.0s: ci/lint \\(expected\\)$`,
          'm',
        ),
      );
      expect(Date.now() - started).toBeGreaterThanOrEqual(8_000);
      expect(mergeRequests(gate.gh)).toHaveLength(0);
    } finally {
      delete gate.gh.repoState(REPO).protection.main;
    }
  });
});

describe("GitHub's 405 answers", () => {
  it('base modified once: merged after a retry', async () => {
    gate.gh.repoState(REPO).rules = [];
    const pr = await validated('pace', 'p63');
    gate.gh.inject({
      method: 'PUT',
      path: /\/merge$/,
      status: 405,
      body: { message: 'Base branch was modified. Review and try the merge again.', status: '405' },
    });
    const m = await merge(pr);
    expect(m.code, m.stderr).toBe(0);
    expect(m.stderr).toMatch(
      /^main moved under the merge \(Base branch was modified\. .*\): checking again in /m,
    );
    expect(mergeRequests(gate.gh).map((r) => r.status)).toEqual([405, 200]);
    expect(git(gate.repo.remote, ['show', 'main:config/pace_current_run.json'])).toBe(pointerJson('p63'));
  });

  it('base modified by a merge that tightens the rules: the retry re-validates at the new tip and refuses', async () => {
    const pr = await validated('rates', 'r64');
    gate.gh.inject({
      method: 'PUT',
      path: /\/merge$/,
      status: 405,
      body: { message: 'Base branch was modified. Review and try the merge again.', status: '405' },
      // Another merge lands first: main now requires rates contracts ^2.0.0.
      onHit: () => {
        commitOnMain({ 'promote.config.json': configWith({ ratesContract: '^2.0.0' }) }, 'rates contract ^2');
      },
    });
    try {
      const m = await merge(pr);
      expect(m.code).toBe(1);
      expect(m.stderr).toMatch(/^error: PR #\d+ no longer passes against main at [0-9a-f]{12}: contract/m);
      expect(mergeRequests(gate.gh)).toHaveLength(1);
      expect(gate.gh.pull(REPO, pr.number)).toMatchObject({ merged: false });
    } finally {
      commitOnMain({ 'promote.config.json': configWith() }, 'rates contract back');
    }
  });

  it('review required: exit 1 "needs an approving review", not merged', async () => {
    gate.gh.repoState(REPO).rules = [
      {
        type: 'pull_request',
        parameters: {
          required_approving_review_count: 1,
          require_code_owner_review: false,
          dismiss_stale_reviews_on_push: true,
          require_last_push_approval: false,
          required_review_thread_resolution: false,
        },
      },
    ];
    try {
      const pr = await validated('minutes', 'm65');
      const m = await merge(pr);
      expect(m.code).toBe(1);
      expect(m.stderr.split('\n')[0]).toBe(
        `error: PR #${pr.number} needs an approving review: Repository rule violations found At least 1 approving review is required by reviewers with write access.`,
      );
      expect(mergeRequests(gate.gh)).toHaveLength(1);
      expect(gate.gh.pull(REPO, pr.number)).toMatchObject({ merged: false, state: 'open' });
    } finally {
      gate.gh.repoState(REPO).rules = [];
    }
  });

  it('a merge method the repository does not allow: exit 2 naming the allowed ones', async () => {
    const settings = gate.gh.repoState(REPO).mergeMethods;
    Object.assign(settings, { squash: false, merge: false, rebase: true });
    try {
      const pr = await validated('minutes', 'm66');
      const m = await merge(pr);
      expect(m.code).toBe(2);
      expect(m.stderr.trim().split('\n')).toEqual([
        'error: the repository does not allow squash merges; it allows rebase (Squash merges are not allowed on this repository.)',
        'hint: Set policy.mergeMethod in promote.config.json to "rebase".',
      ]);
    } finally {
      Object.assign(settings, { squash: true, merge: true, rebase: true });
    }
  });

  it('"not mergeable" on a PR whose mergeable_state is behind: exit 4 saying so', async () => {
    const pr = await validated('minutes', 'm68');
    const live = (await api(gate.gh, 'GET', `/pulls/${pr.number}`)) as object;
    gate.gh.inject({
      method: 'PUT',
      path: /\/merge$/,
      status: 405,
      body: { message: 'Pull Request is not mergeable', status: '405' },
      // GitHub then reports the PR as behind a branch that requires up-to-date heads.
      onHit: () =>
        gate.gh.inject({
          method: 'GET',
          path: `/repos/${REPO}/pulls/${pr.number}`,
          status: 200,
          body: { ...live, mergeable_state: 'behind' },
        }),
    });
    const m = await merge(pr);
    expect(m.code).toBe(4);
    expect(m.stderr.split('\n')[0]).toBe(
      `error: PR #${pr.number} is behind main, which requires heads to be up to date (Pull Request is not mergeable)`,
    );
  });

  it('a draft is never merged (exit 1) and GitHub would refuse it too', async () => {
    const branch = 'promote/minutes/m67';
    const head = pushBranch(gate.repo, branch, files('minutes', 'm67'));
    const created = (await api(gate.gh, 'POST', '/pulls', {
      title: 'draft',
      head: branch,
      base: 'main',
      draft: true,
    })) as {
      number: number;
      base: { sha: string };
      mergeable_state: string;
    };
    expect(created.mergeable_state).toBe('draft');
    await api(gate.gh, 'POST', `/issues/${created.number}/labels`, { labels: ['promotion'] });
    const m = await merge({ number: created.number, head, base: created.base.sha });
    expect(m.code).toBe(1);
    expect(m.stderr.split('\n')[0]).toBe(`error: PR #${created.number} is a draft`);
    expect(mergeRequests(gate.gh)).toHaveLength(0);
  });
});

describe('concurrent merges', () => {
  it('three PRs merged by three merge jobs at once: all merged', async () => {
    gate.gh.repoState(REPO).rules = [];
    const prs = [
      await validated('minutes', 'm70'),
      await validated('rates', 'r70'),
      await validated('pace', 'p70'),
    ];
    const results = await Promise.all(prs.map((pr) => merge(pr)));
    for (const r of results) expect(r.code, r.stderr).toBe(0);
    // Every refusal on the way was the race GitHub reports as "Base branch was modified".
    const answers = mergeRequests(gate.gh);
    expect(answers.filter((r) => r.status === 200)).toHaveLength(3);
    for (const r of answers.filter((a) => a.status !== 200))
      expect(r.response).toMatchObject({
        message: 'Base branch was modified. Review and try the merge again.',
      });
    for (const pr of prs) expect(gate.gh.pull(REPO, pr.number)).toMatchObject({ merged: true });
    const main = remoteSha(gate.repo, 'main');
    expect(git(gate.repo.remote, ['show', `${main}:config/minutes_current_run.json`])).toBe(
      pointerJson('m70'),
    );
    expect(git(gate.repo.remote, ['show', `${main}:config/rates_current_run.json`])).toBe(pointerJson('r70'));
    expect(git(gate.repo.remote, ['show', `${main}:config/pace_current_run.json`])).toBe(pointerJson('p70'));
    // Each landed as its own squash commit on top of the previous one.
    expect(git(gate.repo.remote, ['rev-list', '--count', `${main}`, `^${main}~3`]).trim()).toBe('3');
  });
});

describe('merge queue', () => {
  /** A merge group as the queue builds it: main plus each PR's change, on gh-readonly-queue/…. */
  function group(
    name: string,
    changes: Record<string, string>[],
  ): { base: string; head: string; ref: string } {
    gate.repo.git(['fetch', '--quiet', 'origin']);
    const base = remoteSha(gate.repo, 'main');
    gate.repo.git(['checkout', '--quiet', '-B', name, base]);
    for (const [i, c] of changes.entries()) {
      writeFiles(gate.repo.clone, c);
      gate.repo.git(['add', '--all']);
      gate.repo.git(['commit', '--quiet', '-m', `queued change ${i + 1}`]);
    }
    const head = gate.repo.head();
    const ref = `refs/heads/gh-readonly-queue/main/pr-${name}-${head}`;
    gate.repo.git(['push', '--quiet', 'origin', `HEAD:${ref}`]);
    gate.repo.git(['checkout', '--quiet', 'main']);
    return { base, head, ref };
  }

  /** `git-promote validate` as the workflow runs it on a merge_group event (no PR, no labels). */
  async function validateGroup(g: { base: string; head: string; ref: string }) {
    const event = join(gate.repo.dir, `merge-group-${g.head.slice(0, 7)}.json`);
    writeFileSync(
      event,
      JSON.stringify({
        action: 'checks_requested',
        merge_group: {
          head_sha: g.head,
          head_ref: g.ref,
          base_sha: g.base,
          base_ref: 'refs/heads/main',
          head_commit: {
            id: g.head,
            tree_id: g.head,
            message: 'merge group',
            timestamp: new Date().toISOString(),
          },
        },
        repository: { full_name: REPO },
      }),
    );
    return runCliProcess(['validate'], {
      cwd: gate.repo.clone,
      env: {
        CI: 'true',
        GITHUB_ACTIONS: 'true',
        GITHUB_EVENT_NAME: 'merge_group',
        GITHUB_EVENT_PATH: event,
        GITHUB_REPOSITORY: REPO,
        GITHUB_API_URL: gate.gh.url,
        GITHUB_SERVER_URL: 'https://github.example',
        GITHUB_RUN_ID: '4343',
        GITHUB_SHA: g.head,
        GITHUB_TOKEN: gate.gh.token,
      },
    });
  }

  it('a merge_group run validates the group head over base_sha..head_sha and posts the status there', async () => {
    const g = group('90', [files('minutes', 'm90'), files('rates', 'r90')]);
    const v = await validateGroup(g);
    expect(v.code, v.stdout + v.stderr).toBe(0);
    expect(v.stdout).toMatch(
      new RegExp(
        `^validate ${g.base.slice(0, 12)}\\.\\.${g.head.slice(0, 12)}: all \\d+ checks passed$`,
        'm',
      ),
    );
    const statuses = gate.gh.repoState(REPO).statuses.filter((s) => s.sha === g.head);
    expect(statuses.at(-1)).toMatchObject({ context: 'git-promote/validate', state: 'success' });
  });

  it('a group with a bad promotion queued behind a good one fails on the group head', async () => {
    const bad = {
      'config/minutes_current_run.json': pointerJson('m91'),
      [evidenceFile('minutes', 'm91')]: evidenceJson('minutes', 'm91', { gameDate: TODAY, rows: 3 }),
    };
    const g = group('91', [files('rates', 'r91'), bad]);
    const v = await validateGroup(g);
    expect(v.code).toBe(1);
    expect(v.stdout).toMatch(/^FAIL rows \(minutes\): /m);
    const statuses = gate.gh.repoState(REPO).statuses.filter((s) => s.sha === g.head);
    expect(statuses.at(-1)).toMatchObject({ context: 'git-promote/validate', state: 'failure' });
  });
});

describe('policy.merge "auto-merge"', () => {
  const strictChecks = (strict: boolean) =>
    (gate.gh.repoState(REPO).rules = [
      {
        type: 'required_status_checks',
        parameters: {
          strict_required_status_checks_policy: strict,
          required_status_checks: [{ context: 'git-promote/validate' }, { context: 'tests' }],
        },
      },
    ]);
  const autoMerge = () =>
    commitOnMain({ 'promote.config.json': configWith({ merge: 'auto-merge' }) }, 'auto-merge');
  const direct = () => commitOnMain({ 'promote.config.json': configWith() }, 'direct merges');

  it('enables auto-merge with the validated head as expectedHeadOid; GitHub merges when the checks pass', async () => {
    strictChecks(true);
    autoMerge();
    try {
      const pr = await validated('minutes', 'm80');
      const run = (await api(gate.gh, 'POST', '/check-runs', {
        name: 'tests',
        head_sha: pr.head,
        status: 'in_progress',
      })) as { id: number };
      const m = await merge(pr);
      expect(m.code, m.stderr).toBe(0);
      expect(m.stdout.trim()).toBe(
        `auto-merge enabled for PR #${pr.number} (squash, head ${pr.head.slice(0, 12)}): GitHub merges it once the branch's requirements are met`,
      );
      const graphql = gate.gh.requests.filter((r) => r.path === '/graphql');
      expect(graphql).toHaveLength(1);
      expect(graphql[0]!.body).toMatchObject({
        variables: { expectedHeadOid: pr.head, mergeMethod: 'SQUASH' },
      });
      expect(gate.gh.pull(REPO, pr.number)).toMatchObject({ merged: false, autoMerge: { method: 'squash' } });
      expect(mergeRequests(gate.gh)).toHaveLength(0);

      // The required check passes: GitHub merges it, as the account that enabled auto-merge.
      await api(gate.gh, 'PATCH', `/check-runs/${run.id}`, { conclusion: 'success' });
      expect(gate.gh.pull(REPO, pr.number)).toMatchObject({ merged: true });
      const main = remoteSha(gate.repo, 'main');
      expect(git(gate.repo.remote, ['show', `${main}:config/minutes_current_run.json`])).toBe(
        pointerJson('m80'),
      );
      expect(git(gate.repo.remote, ['log', '-1', '--format=%an', main]).trim()).toBe('github-actions[bot]');
    } finally {
      direct();
    }
  });

  it('a PR GitHub could merge right now ("clean status") is merged directly', async () => {
    strictChecks(true);
    autoMerge();
    try {
      const pr = await validated('rates', 'r81');
      await api(gate.gh, 'POST', '/check-runs', { name: 'tests', head_sha: pr.head, conclusion: 'success' });
      const m = await merge(pr);
      expect(m.code, m.stderr).toBe(0);
      expect(m.stderr).toContain('can be merged right now');
      expect(m.stdout).toMatch(/^merged PR #\d+ \(squash/);
      expect(gate.gh.pull(REPO, pr.number)).toMatchObject({ merged: true });
    } finally {
      direct();
    }
  });

  it('refuses (exit 2) when the branch does not require heads to be up to date', async () => {
    strictChecks(false);
    autoMerge();
    try {
      const pr = await validated('pace', 'p82');
      const m = await merge(pr);
      expect(m.code).toBe(2);
      expect(m.stderr.split('\n')[0]).toBe(
        'error: policy.merge "auto-merge" needs main to require branches to be up to date before merging: GitHub merges onto whatever the tip is then, which validate never saw',
      );
      expect(gate.gh.requests.filter((r) => r.path === '/graphql')).toHaveLength(0);
    } finally {
      direct();
      gate.gh.repoState(REPO).rules = [];
    }
  });
});

describe('policy.merge "merge-queue"', () => {
  it('refuses (exit 2) without a merge queue on the branch, and queues the PR (auto-merge) with one', async () => {
    commitOnMain({ 'promote.config.json': configWith({ merge: 'merge-queue' }) }, 'merge queue');
    try {
      gate.gh.repoState(REPO).rules = [];
      const pr = await validated('minutes', 'm85');
      const none = await merge(pr);
      expect(none.code).toBe(2);
      expect(none.stderr.split('\n')[0]).toBe(
        'error: policy.merge "merge-queue" needs a merge queue on main, and its rules have none',
      );

      gate.gh.repoState(REPO).rules = [
        {
          type: 'merge_queue',
          parameters: {
            merge_method: 'SQUASH',
            grouping_strategy: 'ALLGREEN',
            check_response_timeout_minutes: 60,
            max_entries_to_build: 5,
            max_entries_to_merge: 5,
            min_entries_to_merge: 1,
            min_entries_to_merge_wait_minutes: 5,
          },
        },
        {
          type: 'required_status_checks',
          parameters: {
            strict_required_status_checks_policy: false,
            required_status_checks: [{ context: 'git-promote/validate' }, { context: 'tests' }],
          },
        },
      ];
      const m = await merge(pr);
      expect(m.code, m.stderr).toBe(0);
      expect(m.stdout.trim()).toBe(
        `queued PR #${pr.number} (squash, head ${pr.head.slice(0, 12)}): GitHub merges it once the branch's requirements are met`,
      );
      expect(gate.gh.pull(REPO, pr.number)).toMatchObject({
        merged: false,
        autoMerge: { expectedHeadOid: pr.head },
      });
    } finally {
      gate.gh.repoState(REPO).rules = [];
      const open = gate.gh.pulls(REPO).filter((p) => p.autoMerge);
      for (const p of open) p.autoMerge = null;
      commitOnMain({ 'promote.config.json': configWith() }, 'direct merges');
    }
  });
});
