/**
 * The octokit Forge adapter against the loopback GitHub stand-in, backed by a real bare repo:
 * every port method, GitHub's error codes mapped to exit codes, and the retry rules.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createForge } from '../../../src/adapters/github/index.js';
import { MergeBlockedError, type Forge } from '../../../src/core/forge.js';
import {
  primaryRateLimit,
  secondaryRateLimit,
  type GitHubStandIn,
} from '../../../src/sandbox/github/index.js';
import { startGitHubStandIn } from '../../helpers/github-traffic.js';
import { promoteErrorOf } from '../../helpers/errors.js';
import { createRepo, git, writeFiles, type TestRepo } from '../../helpers/git-repo.js';

const REPO = 'acme/projections';
let repo: TestRepo;
let gh: GitHubStandIn;
let forge: Forge;
let waits: { reason: string; seconds: number }[];

/** Commit `files` on a new branch from origin/<from> and push it; returns the branch head sha. */
function pushBranch(branch: string, files: Record<string, string>, from = 'main'): string {
  repo.git(['fetch', '--quiet', 'origin']);
  repo.git(['checkout', '--quiet', '-B', branch, `origin/${from}`]);
  writeFiles(repo.clone, files);
  repo.git(['add', '--all']);
  repo.git(['commit', '--quiet', '-m', `change on ${branch}`]);
  repo.git(['push', '--quiet', '--force', 'origin', `HEAD:refs/heads/${branch}`]);
  const sha = repo.head();
  repo.git(['checkout', '--quiet', '-B', 'main', 'origin/main']);
  return sha;
}

beforeEach(async () => {
  repo = createRepo({ 'config/minutes_current_run.json': '{"run_id": "r1"}\n', 'README.md': 'hi\n' });
  gh = await startGitHubStandIn({ repos: { [REPO]: repo.remote } });
  waits = [];
  forge = createForge({
    repo: REPO,
    token: gh.token,
    baseUrl: gh.url,
    retryUnitMs: 5,
    onWait: (w) => waits.push(w),
  });
});
afterEach(async () => {
  await gh.close();
  repo.cleanup();
});

describe('pull requests', () => {
  it('creates, finds, updates, labels and comments on a pull request', async () => {
    const head = pushBranch('promote/minutes/r2', {
      'config/minutes_current_run.json': '{"run_id": "r2"}\n',
    });
    const pr = await forge.createPull({
      title: 'promote minutes → r2',
      body: 'body',
      head: 'promote/minutes/r2',
      base: 'main',
    });
    expect(pr).toMatchObject({
      number: 1,
      state: 'open',
      merged: false,
      head: { ref: 'promote/minutes/r2', sha: head },
    });
    expect(pr.htmlUrl).toContain('/acme/projections/pull/1');

    expect((await forge.findOpenPull('promote/minutes/r2', 'main'))?.number).toBe(1);
    expect(await forge.findOpenPull('promote/minutes/other', 'main')).toBeNull();

    const dup = await promoteErrorOf(
      forge.createPull({ title: 't', body: '', head: 'promote/minutes/r2', base: 'main' }),
    );
    expect(dup.exitCode).toBe(1);
    expect(dup.message).toContain('A pull request already exists for acme:promote/minutes/r2');

    const updated = await forge.updatePull(1, { title: 'new title', body: 'new body' });
    expect(updated).toMatchObject({ title: 'new title', body: 'new body' });
    await forge.addLabels(1, ['promotion', 'minutes']);
    await forge.addLabels(1, ['promotion']);
    expect((await forge.getPull(1)).labels).toEqual(['promotion', 'minutes']);
    await forge.createComment(1, 'first');
    await forge.createComment(1, 'second');
    expect(await forge.listComments(1)).toEqual(['first', 'second']);
    expect((await forge.listOpenPulls('main')).map((p) => p.number)).toEqual([1]);
    expect(await forge.getBranchSha('promote/minutes/r2')).toBe(head);
    expect(await forge.getBranchSha('nope')).toBeNull();
    gh.assertNoUnexpected();
  });

  it('maps 404 to exit 1 and a bad token to exit 2, never showing the token', async () => {
    const missing = await promoteErrorOf(forge.getPull(99));
    expect(missing.exitCode).toBe(1);
    expect(missing.message).toContain('not found');

    const bad = createForge({
      repo: REPO,
      token: 'ghp_wrongwrongwrongwrongwrong1234',
      baseUrl: gh.url,
      retryUnitMs: 5,
    });
    const denied = await promoteErrorOf(bad.getPull(1));
    expect(denied.exitCode).toBe(2);
    expect(`${denied.message} ${denied.remedy} ${String(denied.cause ?? '')}`).not.toContain('wrongwrong');
    expect(gh.requests.at(-1)?.status).toBe(401);
  });

  it('refuses a pull request with no commits (422 → exit 1)', async () => {
    repo.git(['push', '--quiet', 'origin', 'HEAD:refs/heads/empty']);
    const err = await promoteErrorOf(forge.createPull({ title: 't', body: '', head: 'empty', base: 'main' }));
    expect(err.exitCode).toBe(1);
    expect(err.message).toContain('No commits between main and empty');
  });
});

describe('pagination', () => {
  it('reads every page of a list (Link rel="next"): 101 open pull requests, 101 comments, 101 statuses', async () => {
    pushBranch('feature', { 'a.txt': 'a\n' });
    await forge.createPull({ title: 'first', body: '', head: 'feature', base: 'main' });
    const first = gh.pulls(REPO)[0]!;
    // More open pull requests than one page of 100 (records, as GitHub would hold them).
    for (let n = 2; n <= 101; n++) gh.pulls(REPO).push({ ...first, labels: [], number: n, title: `pr ${n}` });
    for (let i = 0; i < 101; i++) await forge.createComment(1, `comment ${i}`);
    const sha = git(repo.remote, ['rev-parse', 'feature']).trim();
    for (let i = 0; i < 101; i++)
      await forge.createStatus(sha, { state: 'success', context: `ctx-${i}`, description: 'ok' });

    expect((await forge.listOpenPulls('main')).map((p) => p.number)).toHaveLength(101);
    expect(await forge.listComments(1)).toEqual(Array.from({ length: 101 }, (_, i) => `comment ${i}`));
    expect(await forge.getStatuses(sha)).toHaveLength(101);
    const second = gh.requests.filter((r) => r.method === 'GET' && /[?&]page=2\b/.test(r.query));
    expect(second.map((r) => r.route).sort()).toEqual([
      '/repos/{owner}/{repo}/commits/{ref}/statuses',
      '/repos/{owner}/{repo}/issues/{issue_number}/comments',
      '/repos/{owner}/{repo}/pulls',
    ]);
  });
});

describe('merge', () => {
  it('squash-merges with the sha guard into a real one-parent commit; 409 and 405 are exit 4, not retried', async () => {
    const head = pushBranch('promote/minutes/r2', {
      'config/minutes_current_run.json': '{"run_id": "r2"}\n',
    });
    const before = git(repo.remote, ['rev-parse', 'main']).trim();
    await forge.createPull({
      title: 'promote minutes → r2',
      body: 'the body',
      head: 'promote/minutes/r2',
      base: 'main',
    });

    const moved = await promoteErrorOf(forge.mergePull(1, { sha: before, method: 'squash' }));
    expect(moved.exitCode).toBe(4);
    expect(moved.message).toContain('Head branch was modified');
    expect(gh.requests.filter((r) => r.method === 'PUT')).toHaveLength(1);

    const { sha } = await forge.mergePull(1, { sha: head, method: 'squash' });
    expect(git(repo.remote, ['rev-parse', 'main']).trim()).toBe(sha);
    expect(git(repo.remote, ['rev-list', '--parents', '-n1', sha]).trim().split(' ')).toEqual([sha, before]);
    // Squashed by a bot: authored by the bot, the PR's author credited in a trailer.
    expect(git(repo.remote, ['log', '-1', '--format=%B', sha]).trim()).toBe(
      'promote minutes → r2 (#1)\n\nthe body\n\nCo-authored-by: Test Author <author@example.com>',
    );
    expect(git(repo.remote, ['log', '-1', '--format=%an <%ae>|%cn', sha]).trim()).toBe(
      'github-actions[bot] <41898282+github-actions[bot]@users.noreply.github.com>|GitHub',
    );
    expect(git(repo.remote, ['show', `${sha}:config/minutes_current_run.json`])).toBe('{"run_id": "r2"}\n');
    const pr = await forge.getPull(1);
    expect(pr).toMatchObject({ state: 'closed', merged: true, mergeCommitSha: sha, head: { sha: head } });

    const again = await promoteErrorOf(forge.mergePull(1, { sha: head, method: 'squash' }));
    expect(again.exitCode).toBe(4);
    expect(again.message).toContain('not mergeable');
  });

  it('races concurrent merges as GitHub does: a loser gets 405 "Base branch was modified", and its retry lands', async () => {
    const a = pushBranch('a', { 'a.txt': 'a\n' });
    const b = pushBranch('b', { 'b.txt': 'b\n' });
    await forge.createPull({ title: 'A', body: '', head: 'a', base: 'main' });
    await forge.createPull({ title: 'B', body: '', head: 'b', base: 'main' });
    expect((await forge.getPull(1)).mergeable).toBe(true);
    const heads = [a, b];
    const results = await Promise.allSettled(
      heads.map((sha, i) => forge.mergePull(i + 1, { sha, method: 'squash' })),
    );
    expect(results.some((r) => r.status === 'fulfilled')).toBe(true);
    for (const [i, r] of results.entries()) {
      if (r.status === 'fulfilled') continue;
      expect(r.reason).toBeInstanceOf(MergeBlockedError);
      expect((r.reason as MergeBlockedError).block).toBe('base-modified');
      await forge.mergePull(i + 1, { sha: heads[i]!, method: 'squash' });
    }
    expect(git(repo.remote, ['log', '--format=%s', '-2', 'main']).trim().split('\n').sort()).toEqual([
      'A (#1)',
      'B (#2)',
    ]);
    expect(git(repo.remote, ['show', 'main:a.txt'])).toBe('a\n');
    expect(git(repo.remote, ['show', 'main:b.txt'])).toBe('b\n');
  });

  it('makes a real merge commit with two parents', async () => {
    const head = pushBranch('feature', { 'a.txt': 'a\n' });
    const before = git(repo.remote, ['rev-parse', 'main']).trim();
    await forge.createPull({ title: 'Add a', body: '', head: 'feature', base: 'main' });
    const { sha } = await forge.mergePull(1, { sha: head, method: 'merge' });
    expect(git(repo.remote, ['rev-list', '--parents', '-n1', sha]).trim()).toBe(`${sha} ${before} ${head}`);
    expect(git(repo.remote, ['log', '-1', '--format=%s', sha]).trim()).toBe(
      'Merge pull request #1 from acme/feature',
    );
  });

  it('rebases the commits onto the base', async () => {
    const head = pushBranch('feature', { 'a.txt': 'a\n' });
    await forge.createPull({ title: 'Add a', body: '', head: 'feature', base: 'main' });
    const { sha } = await forge.mergePull(1, { sha: head, method: 'rebase' });
    expect(git(repo.remote, ['log', '-1', '--format=%s', sha]).trim()).toBe('change on feature');
    expect(git(repo.remote, ['show', `${sha}:a.txt`])).toBe('a\n');
  });

  it('refuses a conflicting pull request with 405 (exit 4) and leaves main alone', async () => {
    const head = pushBranch('feature', { 'README.md': 'theirs\n' });
    repo.commit({ 'README.md': 'ours\n' }, 'main moves');
    const main = git(repo.remote, ['rev-parse', 'main']).trim();
    await forge.createPull({ title: 'conflict', body: '', head: 'feature', base: 'main' });
    expect(await forge.getPull(1)).toMatchObject({ state: 'open', mergeable: false });
    const err = await promoteErrorOf(forge.mergePull(1, { sha: head, method: 'squash' }));
    expect(err.exitCode).toBe(4);
    expect(git(repo.remote, ['rev-parse', 'main']).trim()).toBe(main);
  });

  it('a merge whose answer is lost (502 after merging) is recognised, not re-sent', async () => {
    const head = pushBranch('feature', { 'a.txt': 'a\n' });
    await forge.createPull({ title: 'Add a', body: '', head: 'feature', base: 'main' });
    gh.inject({ method: 'PUT', path: /\/merge$/, status: 502, when: 'after' });
    const { sha } = await forge.mergePull(1, { sha: head, method: 'squash' });
    expect(git(repo.remote, ['rev-parse', 'main']).trim()).toBe(sha);
    expect(gh.requests.filter((r) => r.method === 'PUT')).toHaveLength(1);
  });
});

describe('statuses and deployments', () => {
  it('keeps the latest status per context', async () => {
    const sha = repo.head();
    await forge.createStatus(sha, {
      state: 'pending',
      context: 'git-promote/validate',
      description: 'running',
    });
    await forge.createStatus(sha, {
      state: 'success',
      context: 'git-promote/validate',
      description: 'ok',
      targetUrl: 'https://ci/1',
    });
    await forge.createStatus(sha, { state: 'failure', context: 'other', description: 'bad' });
    const statuses = await forge.getStatuses(sha);
    expect(statuses).toHaveLength(2);
    expect(statuses.find((s) => s.context === 'git-promote/validate')).toEqual({
      context: 'git-promote/validate',
      state: 'success',
      description: 'ok',
      targetUrl: 'https://ci/1',
      creator: 'github-actions[bot]',
    });
    const err = await promoteErrorOf(
      forge.createStatus('0'.repeat(40), { state: 'success', context: 'c', description: 'd' }),
    );
    expect(err.exitCode).toBe(1);
  });

  it('creates deployments and deployment statuses', async () => {
    const sha = repo.head();
    const { id } = await forge.createDeployment({
      ref: sha,
      environment: 'production',
      description: 'apply minutes r2',
      payload: { pointers: { minutes: 'r2' } },
    });
    await forge.createDeploymentStatus(id, { state: 'in_progress', description: 'applying' });
    await forge.createDeploymentStatus(id, {
      state: 'success',
      description: 'applied',
      logUrl: 'https://log',
    });
    const state = gh.repoState(REPO);
    expect(state.deployments[0]).toMatchObject({
      id,
      sha,
      environment: 'production',
      payload: { pointers: { minutes: 'r2' } },
    });
    expect(state.deploymentStatuses.map((s) => s.state)).toEqual(['in_progress', 'success']);
    const err = await promoteErrorOf(
      forge.createDeploymentStatus(9999, { state: 'success', description: 'x' }),
    );
    expect(err.exitCode).toBe(1);
  });
});

describe('retries', () => {
  it('retries an idempotent GET after 502 and a dropped connection', async () => {
    pushBranch('feature', { 'a.txt': 'a\n' });
    await forge.createPull({ title: 'Add a', body: '', head: 'feature', base: 'main' });
    gh.inject({ method: 'GET', path: /\/pulls\/1$/, status: 502 });
    gh.inject({ method: 'GET', path: /\/pulls\/1$/, status: 0, drop: true });
    expect((await forge.getPull(1)).number).toBe(1);
    expect(gh.requests.filter((r) => r.method === 'GET').map((r) => r.status)).toEqual([502, 0, 200]);
  });

  it('gives up after the last try with exit 3', async () => {
    gh.inject({ method: 'GET', status: 503, times: 10 });
    const err = await promoteErrorOf(forge.getPull(1));
    expect(err.exitCode).toBe(3);
    expect(err.message).toContain('503');
    expect(gh.requests).toHaveLength(4);
  });

  it('never re-sends a comment after a 502 (it may have been posted)', async () => {
    pushBranch('feature', { 'a.txt': 'a\n' });
    await forge.createPull({ title: 'Add a', body: '', head: 'feature', base: 'main' });
    gh.inject({ method: 'POST', path: /\/comments$/, status: 502, when: 'after' });
    const err = await promoteErrorOf(forge.createComment(1, 'hello'));
    expect(err.exitCode).toBe(3);
    expect(gh.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/comments'))).toHaveLength(1);
    expect(gh.repoState(REPO).comments).toHaveLength(1);
  });

  it('recovers a pull request whose creation answer was lost, without opening a second one', async () => {
    pushBranch('feature', { 'a.txt': 'a\n' });
    gh.inject({ method: 'POST', path: /\/pulls$/, status: 502, when: 'after' });
    const pr = await forge.createPull({ title: 'Add a', body: '', head: 'feature', base: 'main' });
    expect(pr.number).toBe(1);
    expect(gh.pulls(REPO)).toHaveLength(1);
  });

  it('honours retry-after of a secondary rate limit, even for a POST', async () => {
    pushBranch('feature', { 'a.txt': 'a\n' });
    gh.inject({ method: 'POST', path: /\/pulls$/, ...secondaryRateLimit(2) });
    const started = Date.now();
    const pr = await forge.createPull({ title: 'Add a', body: '', head: 'feature', base: 'main' });
    expect(pr.number).toBe(1);
    expect(waits).toEqual([{ reason: 'secondary-rate-limit', seconds: 2, attempt: 1 }]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(10); // 2 units of 5 ms
    expect(gh.requests.filter((r) => r.method === 'POST').map((r) => r.status)).toEqual([403, 201]);
  });

  it('honours a primary rate limit reset and fails with exit 3 when it lasts too long', async () => {
    gh.inject({ method: 'GET', ...primaryRateLimit(1) });
    await expect(forge.getStatuses(repo.head())).resolves.toEqual([]);
    expect(waits[0]?.reason).toBe('rate-limit');

    const patient = createForge({
      repo: REPO,
      token: gh.token,
      baseUrl: gh.url,
      retryUnitMs: 5,
      maxRetryAfterS: 10,
    });
    gh.inject({ method: 'GET', ...secondaryRateLimit(3600, 1, 429) });
    const err = await promoteErrorOf(patient.getStatuses(repo.head()));
    expect(err.exitCode).toBe(3);
    expect(err.message).toContain('rate limited');
  });

  it('records requests that hit no route as unexpected', async () => {
    const raw = await fetch(`${gh.url}/repos/${REPO}/releases`, {
      headers: { authorization: `token ${gh.token}` },
    });
    expect(raw.status).toBe(404);
    expect(gh.unexpected().map((r) => r.path)).toEqual([`/repos/${REPO}/releases`]);
    expect(() => gh.assertNoUnexpected()).toThrow(/releases/);
  });
});
