/**
 * Every route of the GitHub stand-in, and every response it gave in a scenario that exercises
 * each route's success and error answers, checked against GitHub's OpenAPI description
 * (@octokit/openapi): the path and method exist, the status code is documented, and each field
 * the stand-in returns (and each request body) has the type the description gives it, with every
 * required field (tests/helpers/github-traffic.ts, which also checks every other test's traffic).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createForge } from '../../../src/adapters/github/index.js';
import { ROUTES, startGitHubStandIn, type GitHubStandIn } from '../../../src/sandbox/github/index.js';
import { createRepo, writeFiles, type TestRepo } from '../../helpers/git-repo.js';
import { exchangeProblems } from '../../helpers/github-traffic.js';

interface Spec {
  paths: Record<string, Record<string, unknown>>;
}

let spec: Spec;

let repo: TestRepo;
let gh: GitHubStandIn;

beforeAll(async () => {
  const file = createRequire(import.meta.url).resolve('@octokit/openapi/generated/api.github.com.json');
  spec = JSON.parse(readFileSync(file, 'utf8')) as Spec;

  repo = createRepo({ 'README.md': 'one\n' });
  gh = await startGitHubStandIn({ repos: { 'acme/projections': repo.remote } });
  const forge = createForge({
    repo: 'acme/projections',
    token: gh.token,
    baseUrl: gh.url,
    retryUnitMs: 1,
    retries: 0,
  });
  const raw = (method: string, path: string, body?: unknown, token = gh.token) =>
    fetch(`${gh.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    }).then((r) => r.text());
  const branch = (name: string, files: Record<string, string>) => {
    repo.git(['checkout', '--quiet', '-B', name, 'origin/main']);
    writeFiles(repo.clone, files);
    repo.git(['add', '--all']);
    repo.git(['commit', '--quiet', '-m', name]);
    repo.git(['push', '--quiet', 'origin', `HEAD:refs/heads/${name}`]);
    return repo.head();
  };
  const ignore = (p: Promise<unknown>) => p.catch(() => undefined);

  const head = branch('feature', { 'a.txt': 'a\n' });
  const conflict = branch('conflict', { 'README.md': 'two\n' });
  repo.git(['checkout', '--quiet', '-B', 'main', 'origin/main']);
  repo.commit({ 'README.md': 'three\n' }, 'main moves');
  const P = '/repos/acme/projections';
  await raw('GET', P);
  await raw('GET', `${P}/git/ref/heads/main`);
  await raw('GET', `${P}/git/ref/heads/missing`);
  await forge.createPull({ title: 'Add a', body: 'body', head: 'feature', base: 'main' });
  await forge.createPull({ title: 'Conflict', body: '', head: 'conflict', base: 'main' });
  await ignore(forge.createPull({ title: 'dup', body: '', head: 'feature', base: 'main' }));
  await raw('GET', `${P}/pulls?state=all&head=acme:feature`);
  await raw('GET', `${P}/pulls?state=bogus`);
  await forge.getPull(1);
  await ignore(forge.getPull(42));
  await forge.updatePull(1, { title: 'Add a!' });
  await raw('PATCH', `${P}/pulls/1`, { state: 'bogus' });
  await raw('PATCH', `${P}/pulls/42`, { title: 'x' });
  await forge.addLabels(1, ['promotion']);
  await raw('POST', `${P}/issues/1/labels`, { labels: [3] });
  await raw('POST', `${P}/issues/42/labels`, { labels: ['x'] });
  await raw('GET', `${P}/issues/1/labels`);
  await raw('GET', `${P}/issues/42/labels`);
  await forge.createComment(1, 'hello');
  await raw('POST', `${P}/issues/1/comments`, {});
  await raw('POST', `${P}/issues/42/comments`, { body: 'x' });
  await forge.listComments(1);
  await raw('GET', `${P}/issues/42/comments`);
  await forge.createStatus(head, { state: 'success', context: 'ci', description: 'ok' });
  await raw('POST', `${P}/statuses/${head}`, { state: 'bogus' });
  await forge.getStatuses(head);
  await raw('GET', `${P}/commits/nope/statuses`);
  await forge.getBranchRules('main');
  gh.repoState('acme/projections').protection.main = { contexts: ['ci'], strict: false, reviews: 0 };
  await forge.getBranchProtection('main');
  await raw('GET', `${P}/branches/missing`);
  const run = JSON.parse(
    await raw('POST', `${P}/check-runs`, { name: 'tests', head_sha: head, status: 'in_progress' }),
  ) as { id: number };
  await raw('POST', `${P}/check-runs`, { head_sha: head });
  await raw('PATCH', `${P}/check-runs/${run.id}`, { conclusion: 'success' });
  await forge.listCheckRuns(head);
  await raw('POST', `${P}/pulls/1/reviews`, { event: 'APPROVE' });
  await raw('POST', `${P}/pulls/1/reviews`, { event: 'bogus' });
  await raw('GET', `${P}/pulls/1/reviews`);
  await forge.getMergeMethods();
  delete gh.repoState('acme/projections').protection.main;
  await ignore(forge.mergePull(1, { sha: conflict, method: 'squash' }));
  await raw('PUT', `${P}/pulls/1/merge`, { merge_method: 'octopus' });
  await ignore(forge.mergePull(2, { sha: conflict, method: 'squash' }));
  await forge.mergePull(1, { sha: head, method: 'squash' });
  await ignore(forge.mergePull(1, { sha: head, method: 'squash' })); // already merged: 405
  await ignore(forge.mergePull(42, { sha: head, method: 'squash' }));
  const { id } = await forge.createDeployment({ ref: 'main', environment: 'production', description: 'd' });
  await raw('POST', `${P}/deployments`, { ref: head, environment: 'x' }); // 'ci' status is success
  await forge.createStatus(head, { state: 'failure', context: 'ci', description: 'no' });
  await raw('POST', `${P}/deployments`, { ref: head, environment: 'x' }); // 409: checks failed
  await raw('POST', `${P}/deployments`, { ref: 'missing' });
  await raw('GET', `${P}/deployments?environment=production`);
  await forge.createDeploymentStatus(id, { state: 'success', description: 'ok' });
  await raw('POST', `${P}/deployments/${id}/statuses`, { state: 'bogus' });
  await raw('GET', `${P}/deployments/${id}/statuses`);
  await raw('GET', `${P}/deployments/4242/statuses`);
  await raw('GET', P, undefined, 'wrong-token');
});
afterAll(async () => {
  await gh?.close();
  repo?.cleanup();
});

describe('GitHub stand-in against @octokit/openapi', () => {
  it('implements only paths and methods GitHub has', () => {
    for (const route of ROUTES) {
      expect(
        spec.paths[route.path]?.[route.method.toLowerCase()],
        `${route.method} ${route.path}`,
      ).toBeDefined();
    }
  });

  it('answered every route, successfully at least once', () => {
    for (const route of ROUTES) {
      const ok = gh.requests.some(
        (r) => r.route === route.path && r.method === route.method && r.status < 300,
      );
      expect(ok, `${route.method} ${route.path} never succeeded in the scenario`).toBe(true);
    }
    gh.assertNoUnexpected();
  });

  it('returns documented status codes with fields of the documented types, and takes documented bodies', () => {
    const seen = new Set<string>();
    for (const r of gh.requests) {
      if (r.injected) continue;
      seen.add(`${r.method} ${r.route ?? '/repos/{owner}/{repo}'} ${r.status}`);
      expect(exchangeProblems(r), `${r.method} ${r.path} ${r.status}`).toEqual([]);
    }
    // The scenario really covered the error answers GitHub is known for.
    for (const k of [
      'PUT /repos/{owner}/{repo}/pulls/{pull_number}/merge 405',
      'PUT /repos/{owner}/{repo}/pulls/{pull_number}/merge 409',
      'PUT /repos/{owner}/{repo}/pulls/{pull_number}/merge 422',
      'POST /repos/{owner}/{repo}/pulls 422',
      'GET /repos/{owner}/{repo}/pulls/{pull_number} 404',
      'POST /repos/{owner}/{repo}/deployments 409',
    ])
      expect(seen, k).toContain(k);
  });
});
