import { describe, expect, it } from 'vitest';
import { mergeRefusals, statusRefusal } from '../../../src/core/merge-policy.js';
import { validateConfig } from '../../../src/core/config.js';
import type { PullRequest } from '../../../src/core/forge.js';
import { sampleConfig } from '../../helpers/fixtures.js';

const config = validateConfig(sampleConfig('/data')).config!;
const SHA = 'c'.repeat(40);

function pull(overrides: Partial<PullRequest> = {}): PullRequest {
  return {
    number: 12,
    state: 'open',
    merged: false,
    title: 'Promote minutes to m2',
    body: '',
    htmlUrl: 'http://x/pull/12',
    head: { ref: 'promote/minutes/m2', sha: SHA, repoFullName: 'acme/projections' },
    base: { ref: 'main' },
    labels: ['promotion'],
    mergeCommitSha: null,
    ...overrides,
  };
}

const BOT = 'github-actions[bot]';
const TRUSTED = [BOT];

describe('merge policy', () => {
  it('allows an open same-repository PR into the branch with a promotion or rollback label', () => {
    expect(mergeRefusals(pull(), config, 'acme/projections')).toEqual([]);
    expect(mergeRefusals(pull({ labels: ['rollback'] }), config, 'ACME/Projections')).toEqual([]);
    expect(mergeRefusals(pull({ labels: ['data', 'promotion'] }), config, 'acme/projections')).toEqual([]);
  });

  it('refuses closed PRs, other branches, forks and unlabeled PRs, listing every reason', () => {
    const refusals = mergeRefusals(
      pull({
        state: 'closed',
        base: { ref: 'dev' },
        head: { ref: 'x', sha: SHA, repoFullName: 'evil/projections' },
        labels: ['docs'],
      }),
      config,
      'acme/projections',
    );
    expect(refusals.map((r) => r.message)).toEqual([
      'PR #12 is closed',
      'PR #12 targets "dev", not the configured branch main',
      'PR #12 comes from evil/projections, not acme/projections: fork PRs are never merged automatically',
      'PR #12 has none of the labels promotion, rollback',
    ]);
    expect(
      mergeRefusals(
        pull({ head: { ref: 'x', sha: SHA, repoFullName: null } }),
        config,
        'acme/projections',
      )[0]!.message,
    ).toMatch(/deleted repository/);
  });

  it('refuses a draft: GitHub would answer 405 "Pull Request is still a draft"', () => {
    expect(mergeRefusals(pull({ draft: true }), config, 'acme/projections').map((r) => r.message)).toEqual([
      'PR #12 is a draft',
    ]);
  });

  it('requires a success git-promote/validate status on the head', () => {
    const status = (
      state: 'success' | 'failure' | 'pending' | 'error',
      context = 'git-promote/validate',
      creator: string | null = BOT,
    ) => ({
      context,
      state,
      description: 'failed: smoke',
      targetUrl: null,
      creator,
    });
    expect(statusRefusal([status('success')], SHA, TRUSTED)).toBeNull();
    expect(statusRefusal([], SHA, TRUSTED)!.message).toBe(
      'no git-promote/validate status on head cccccccccccc: it was never validated',
    );
    expect(statusRefusal([status('success', 'ci/other')], SHA, TRUSTED)!.message).toMatch(/never validated/);
    expect(statusRefusal([status('pending')], SHA, TRUSTED)!.message).toMatch(/still pending/);
    expect(statusRefusal([status('failure')], SHA, TRUSTED)!.message).toBe(
      'git-promote/validate is failure on head cccccccccccc: failed: smoke',
    );
  });

  it('trusts the status only from the expected creator', () => {
    const success = (creator: string | null) => ({
      context: 'git-promote/validate',
      state: 'success' as const,
      description: null,
      targetUrl: null,
      creator,
    });
    expect(statusRefusal([success('mallory')], SHA, TRUSTED)!.message).toBe(
      'git-promote/validate on head cccccccccccc was posted by mallory, not by github-actions[bot]',
    );
    expect(statusRefusal([success(null)], SHA, TRUSTED)!.message).toMatch(/posted by an unknown account/);
    expect(statusRefusal([success('mallory')], SHA, [BOT, 'promote-app[bot]'])!.message).toMatch(
      /not by github-actions\[bot\] or promote-app\[bot\]$/,
    );
    expect(statusRefusal([success('promote-app[bot]')], SHA, [BOT, 'promote-app[bot]'])).toBeNull();
  });

  it('says what to do about each refusal', () => {
    const remedies = mergeRefusals(
      pull({
        state: 'closed',
        draft: true,
        base: { ref: 'dev' },
        head: { ref: 'x', sha: SHA, repoFullName: null },
        labels: [],
      }),
      config,
      'acme/projections',
    ).map((r) => r.remedy);
    expect(remedies).toEqual([
      'Reopen it (or open a new promotion) and let validation run.',
      'Retarget the pull request to main, or fix repository.branch in promote.config.json.',
      'Push the promotion branch to this repository (git promote propose does), or merge by hand after review.',
      'Mark it ready for review; drafts are never merged.',
      'Add the label promotion if this is a promotion; other PRs are merged by people.',
    ]);
    const unlabeled = validateConfig(
      sampleConfig('/data', { policy: { labels: [], rollbackLabels: [] } }),
    ).config!;
    expect(mergeRefusals(pull(), unlabeled, 'acme/projections').at(-1)).toEqual({
      message: 'PR #12 has none of the labels ',
      remedy: 'Add the label promotion if this is a promotion; other PRs are merged by people.',
    });
  });

  it('says what to do about each status, and shows no empty description', () => {
    const status = (state: 'success' | 'failure' | 'pending', creator: string | null = BOT) => ({
      context: 'git-promote/validate',
      state,
      description: null,
      targetUrl: null,
      creator,
    });
    expect(statusRefusal([], SHA, TRUSTED)!.remedy).toBe(
      'Let the promotion workflow run git promote validate on this head first.',
    );
    expect(statusRefusal([status('success', 'mallory')], SHA, TRUSTED)!.remedy).toBe(
      'Only the promotion workflow may post it: rerun that workflow, or add its account to policy.statusCreators in promote.config.json.',
    );
    expect(statusRefusal([status('pending')], SHA, TRUSTED)).toEqual({
      message: 'git-promote/validate is still pending on head cccccccccccc',
      remedy: 'Wait for validation to finish, then run merge again.',
    });
    expect(statusRefusal([status('failure')], SHA, TRUSTED)).toEqual({
      message: 'git-promote/validate is failure on head cccccccccccc',
      remedy:
        'Fix what validation reported (see the job summary) and push again; a person must merge PRs needing review.',
    });
  });
});
