/**
 * The REST routes the GitHub stand-in implements, keyed by GitHub's OpenAPI path templates so a
 * test can check every route and response against @octokit/openapi. Status codes and messages
 * follow GitHub: 404 unknown, 405 not mergeable, 409 head moved, 422 validation failed.
 */
import type { BareRepo, Identity } from './bare-repo.js';
import { mergeGate } from './merge-gates.js';
import {
  branchJson,
  checkRunJson,
  commentJson,
  deploymentJson,
  deploymentStatusJson,
  labelJson,
  pullJson,
  repoJson,
  reviewJson,
  statusJson,
  type PullRecord,
  type RepoState,
} from './resources.js';

export interface RouteRequest {
  params: Record<string, string>;
  /** The request path (without query), for Link headers. */
  path: string;
  query: URLSearchParams;
  body: Record<string, unknown>;
  repo: RepoState;
  bare: BareRepo;
  /** Base URL of the stand-in, for `url` fields. */
  base: string;
  now: () => Date;
  nextId: () => number;
  /** Login of the token that made the request. */
  user: string;
  /** Runs `fn` exclusively for this repository (merges and other ref moves). */
  exclusive<T>(fn: () => Promise<T>): Promise<T>;
}

export interface RouteResponse {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface Route {
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  /** GitHub's OpenAPI path template, e.g. /repos/{owner}/{repo}/pulls/{pull_number}. */
  path: string;
  handle(req: RouteRequest): Promise<RouteResponse>;
}

const DOCS = 'https://docs.github.com/rest';

export function errorBody(status: number, message: string, extra: Record<string, unknown> = {}): unknown {
  return { message, documentation_url: DOCS, status: String(status), ...extra };
}

function fail(status: number, message: string, extra: Record<string, unknown> = {}): RouteResponse {
  return { status, body: errorBody(status, message, extra) };
}

function invalid(resource: string, field: string, code = 'invalid', message?: string): RouteResponse {
  const error: Record<string, unknown> = { resource, field, code };
  if (message) error.message = message;
  return fail(422, 'Validation Failed', { errors: [error] });
}

const iso = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

function findPull(req: RouteRequest): PullRecord | null {
  const n = Number(req.params.pull_number ?? req.params.issue_number);
  return req.repo.pulls.find((p) => p.number === n) ?? null;
}

/** A handler of a pull (or its issue) route: 404 when the number names no pull request. */
function onPull(
  handle: (req: RouteRequest, p: PullRecord) => Promise<RouteResponse>,
): (req: RouteRequest) => Promise<RouteResponse> {
  return async (req) => {
    const p = findPull(req);
    return p ? handle(req, p) : fail(404, 'Not Found');
  };
}

/** A handler of a deployment's route: 404 when the id names no deployment. */
function onDeployment(
  handle: (req: RouteRequest, id: number) => Promise<RouteResponse>,
): (req: RouteRequest) => Promise<RouteResponse> {
  return async (req) => {
    const id = Number(req.params.deployment_id);
    if (!req.repo.deployments.some((d) => d.id === id)) return fail(404, 'Not Found');
    return handle(req, id);
  };
}

/** A pull request's labels, as the label routes answer. */
function labelList(req: RouteRequest, p: PullRecord): RouteResponse {
  return listPage(
    req,
    p.labels.map((l) => labelJson(req.base, req.repo, l)),
  );
}

async function livePull(req: RouteRequest, p: PullRecord) {
  const headSha = p.headShaAtClose ?? (await req.bare.branchSha(p.head)) ?? '';
  const baseSha = (await req.bare.branchSha(p.base)) ?? '';
  let mergeable: boolean | null = null;
  if (p.state === 'open' && headSha && baseSha)
    mergeable = (await req.bare.mergeTree(baseSha, headSha)) !== null;
  // GitHub's mergeable_state: dirty (conflicts) before draft/blocked (rules) before clean.
  const mergeableState =
    mergeable === false
      ? 'dirty'
      : mergeable === null
        ? 'unknown'
        : (mergeGate(req.repo, p, headSha)?.state ?? 'clean');
  return pullJson(req.base, req.repo, p, { headSha, baseSha, mergeable, mergeableState });
}

function stringField(body: Record<string, unknown>, name: string): string | undefined {
  const v = body[name];
  return typeof v === 'string' ? v : undefined;
}

/** "branch" or "owner:branch" of this repository. */
function headBranch(repo: RepoState, head: string): string | null {
  const i = head.indexOf(':');
  if (i === -1) return head;
  return head.slice(0, i) === repo.owner ? head.slice(i + 1) : null;
}

const STATES = ['error', 'failure', 'pending', 'success'] as const;
const DEPLOYMENT_STATES = ['error', 'failure', 'inactive', 'in_progress', 'queued', 'pending', 'success'];

/** GitHub's list paging: per_page 30 by default, at most 100; page from 1. */
function paging(req: RouteRequest): { perPage: number; page: number } {
  return {
    perPage: Math.min(Number(req.query.get('per_page') ?? 30) || 30, 100),
    page: Math.max(Number(req.query.get('page') ?? 1) || 1, 1),
  };
}

/**
 * One page of a list, with GitHub's `Link` header (rel="next", "last", "first", "prev") that
 * octokit.paginate follows (docs.github.com/rest/using-the-rest-api/using-pagination-in-the-rest-api).
 * `wrap` turns the page into the body (check runs come as {total_count, check_runs}).
 */
function listPage<T>(
  req: RouteRequest,
  items: T[],
  wrap: (page: T[], total: number) => unknown = (page) => page,
): RouteResponse {
  const { perPage, page } = paging(req);
  const last = Math.max(1, Math.ceil(items.length / perPage));
  const link = (n: number) => {
    const q = new URLSearchParams(req.query);
    q.set('per_page', String(perPage));
    q.set('page', String(n));
    return `<${req.base}${req.path}?${q.toString()}>`;
  };
  const rels: string[] = [];
  if (page < last) rels.push(`${link(page + 1)}; rel="next"`, `${link(last)}; rel="last"`);
  if (page > 1) rels.push(`${link(1)}; rel="first"`, `${link(Math.min(page - 1, last))}; rel="prev"`);
  const slice = items.slice((page - 1) * perPage, page * perPage);
  return {
    status: 200,
    body: wrap(slice, items.length),
    headers: rels.length ? { link: rels.join(', ') } : {},
  };
}

/** GitHub's account id for a login (github-actions[bot] is 41898282; others are stand-in ids). */
function accountId(login: string): number {
  return login === 'github-actions[bot]' ? 41898282 : 1;
}

/** The noreply identity GitHub gives an account's web commits. */
function noreply(login: string): Identity {
  return { name: login, email: `${accountId(login)}+${login}@users.noreply.github.com` };
}

const METHOD_NAMES = { merge: 'Merge commits', squash: 'Squash merges', rebase: 'Rebase merges' } as const;

function latestPerContext(req: RouteRequest, sha: string) {
  const latest = new Map<string, RouteRequest['repo']['statuses'][number]>();
  for (const s of req.repo.statuses) if (s.sha === sha) latest.set(s.context, s);
  return [...latest.values()].sort((a, b) => b.id - a.id);
}

/** PUT …/pulls/{n}/merge; also how auto-merge merges once a PR's requirements are met. */
export async function merge(req: RouteRequest, p: PullRecord): Promise<RouteResponse> {
  const method = stringField(req.body, 'merge_method') ?? 'merge';
  if (!['merge', 'squash', 'rebase'].includes(method)) return invalid('PullRequest', 'merge_method');
  const kind = method as keyof typeof METHOD_NAMES;
  if (!req.repo.mergeMethods[kind])
    return fail(405, `${METHOD_NAMES[kind]} are not allowed on this repository.`);
  const expected = stringField(req.body, 'sha');
  if (p.state !== 'open') return fail(405, 'Pull Request is not mergeable');
  const headSha = await req.bare.branchSha(p.head);
  const baseSha = await req.bare.branchSha(p.base);
  if (!headSha || !baseSha) return fail(405, 'Pull Request is not mergeable');
  if (expected !== undefined && expected !== headSha)
    return fail(409, 'Head branch was modified. Review and try the merge again.');
  const gate = mergeGate(req.repo, p, headSha);
  if (gate) return fail(405, gate.message);
  const tree = await req.bare.mergeTree(baseSha, headSha);
  if (tree === null) return fail(405, 'Pull Request is not mergeable');

  // The commit is made from the base as read above; only the final compare-and-swap is
  // exclusive, so a merge racing another one fails as on GitHub: 405 "Base branch was modified".
  const title = stringField(req.body, 'commit_title');
  const message = stringField(req.body, 'commit_message');
  let newSha: string;
  if (method === 'squash') {
    // The squash commit is authored by the account that merges (a bot too), with a
    // Co-authored-by trailer for each other author of the PR's commits (the issue's account of
    // GitHub since 2020; committer "GitHub").
    const subject = title ?? `${p.title} (#${p.number})`;
    const text = message ?? p.body ?? '';
    const merger = noreply(req.user);
    const coAuthors = new Map<string, string>();
    for (const c of await req.bare.commitsBetween(baseSha, headSha)) {
      const { author } = await req.bare.commitInfo(c);
      if (author.email !== merger.email)
        coAuthors.set(author.email, `Co-authored-by: ${author.name} <${author.email}>`);
    }
    const trailers = [...coAuthors.values()].join('\n');
    const full = [subject, text, trailers].filter(Boolean).join('\n\n');
    newSha = await req.bare.commitTree(tree, [baseSha], full, merger);
  } else if (method === 'merge') {
    const subject = title ?? `Merge pull request #${p.number} from ${req.repo.owner}/${p.head}`;
    const text = message ?? p.title;
    newSha = await req.bare.commitTree(tree, [baseSha, headSha], `${subject}\n\n${text}`);
  } else {
    // Rebase: replay each commit of the PR onto the base, keeping authors and messages.
    const commits = await req.bare.commitsBetween(baseSha, headSha);
    for (const c of commits)
      if ((await req.bare.commitInfo(c)).parents.length !== 1)
        return fail(405, 'Pull Request is not mergeable');
    const replayed = await req.bare.replay(baseSha, commits);
    if (replayed === null) return fail(405, 'Pull Request is not mergeable');
    newSha = replayed;
  }
  return req.exclusive(async () => {
    if (p.state !== 'open') return fail(405, 'Pull Request is not mergeable');
    if ((await req.bare.branchSha(p.head)) !== headSha)
      return fail(409, 'Head branch was modified. Review and try the merge again.');
    if (!(await req.bare.compareAndSwap(p.base, newSha, baseSha)))
      return fail(405, 'Base branch was modified. Review and try the merge again.');
    const now = iso(req.now());
    Object.assign(p, {
      state: 'closed',
      autoMerge: null,
      mergedBy: req.user,
      merged: true,
      mergedAt: now,
      closedAt: now,
      updatedAt: now,
      mergeCommitSha: newSha,
      headShaAtClose: headSha,
    });
    return { status: 200, body: { sha: newSha, merged: true, message: 'Pull Request successfully merged' } };
  });
}

export const ROUTES: Route[] = [
  {
    method: 'GET',
    path: '/repos/{owner}/{repo}',
    handle: async (req) => ({ status: 200, body: repoJson(req.base, req.repo) }),
  },
  {
    method: 'GET',
    path: '/repos/{owner}/{repo}/git/ref/{ref}',
    async handle(req) {
      const ref = req.params.ref!;
      const branch = ref.startsWith('heads/') ? ref.slice('heads/'.length) : null;
      const sha = branch ? await req.bare.branchSha(branch) : null;
      if (!sha) return fail(404, 'Not Found');
      const full = `${req.repo.owner}/${req.repo.name}`;
      return {
        status: 200,
        body: {
          ref: `refs/${ref}`,
          node_id: `REF_${sha.slice(0, 8)}`,
          url: `${req.base}/repos/${full}/git/refs/${ref}`,
          object: { type: 'commit', sha, url: `${req.base}/repos/${full}/git/commits/${sha}` },
        },
      };
    },
  },
  {
    method: 'GET',
    path: '/repos/{owner}/{repo}/pulls',
    async handle(req) {
      const state = req.query.get('state') ?? 'open';
      if (!['open', 'closed', 'all'].includes(state)) return invalid('PullRequest', 'state');
      const head = req.query.get('head');
      const base = req.query.get('base');
      const branch = head ? headBranch(req.repo, head) : null;
      const matches = req.repo.pulls
        .filter((p) => state === 'all' || p.state === state)
        .filter((p) => !head || p.head === branch)
        .filter((p) => !base || p.base === base)
        .sort((a, b) => b.number - a.number);
      const page = listPage(req, matches);
      return { ...page, body: await Promise.all((page.body as PullRecord[]).map((p) => livePull(req, p))) };
    },
  },
  {
    method: 'POST',
    path: '/repos/{owner}/{repo}/pulls',
    async handle(req) {
      const title = stringField(req.body, 'title');
      const head = stringField(req.body, 'head');
      const base = stringField(req.body, 'base');
      if (!title) return invalid('PullRequest', 'title', 'missing_field');
      if (!head) return invalid('PullRequest', 'head', 'missing_field');
      if (!base) return invalid('PullRequest', 'base', 'missing_field');
      const branch = headBranch(req.repo, head);
      const headSha = branch ? await req.bare.branchSha(branch) : null;
      if (!branch || !headSha) return invalid('PullRequest', 'head');
      const baseSha = await req.bare.branchSha(base);
      if (!baseSha) return invalid('PullRequest', 'base');
      const dup = req.repo.pulls.find((p) => p.state === 'open' && p.head === branch && p.base === base);
      if (dup)
        return fail(422, 'Validation Failed', {
          errors: [
            {
              resource: 'PullRequest',
              code: 'custom',
              message: `A pull request already exists for ${req.repo.owner}:${branch}.`,
            },
          ],
        });
      if ((await req.bare.commitsBetween(baseSha, headSha)).length === 0)
        return fail(422, 'Validation Failed', {
          errors: [
            { resource: 'PullRequest', code: 'custom', message: `No commits between ${base} and ${branch}` },
          ],
        });
      const now = iso(req.now());
      const p: PullRecord = {
        number: req.repo.pulls.length + 1,
        title,
        body: stringField(req.body, 'body') ?? null,
        state: 'open',
        head: branch,
        base,
        headShaAtClose: null,
        labels: [],
        draft: req.body.draft === true,
        merged: false,
        mergedAt: null,
        mergeCommitSha: null,
        createdAt: now,
        updatedAt: now,
        closedAt: null,
      };
      req.repo.pulls.push(p);
      return {
        status: 201,
        body: await livePull(req, p),
        headers: { location: `${req.base}/repos/${req.repo.owner}/${req.repo.name}/pulls/${p.number}` },
      };
    },
  },
  {
    method: 'GET',
    path: '/repos/{owner}/{repo}/pulls/{pull_number}',
    handle: onPull(async (req, p) => ({ status: 200, body: await livePull(req, p) })),
  },
  {
    method: 'PATCH',
    path: '/repos/{owner}/{repo}/pulls/{pull_number}',
    handle: onPull(async (req, p) => {
      const state = stringField(req.body, 'state');
      if (state !== undefined && state !== 'open' && state !== 'closed')
        return invalid('PullRequest', 'state');
      const now = iso(req.now());
      if (typeof req.body.title === 'string') p.title = req.body.title;
      if (typeof req.body.body === 'string') p.body = req.body.body;
      if (typeof req.body.base === 'string') {
        if (!(await req.bare.branchSha(req.body.base))) return invalid('PullRequest', 'base');
        p.base = req.body.base;
      }
      if (state && !p.merged && state !== p.state) {
        p.state = state;
        p.closedAt = state === 'closed' ? now : null;
        p.headShaAtClose = state === 'closed' ? await req.bare.branchSha(p.head) : null;
      }
      p.updatedAt = now;
      return { status: 200, body: await livePull(req, p) };
    }),
  },
  {
    method: 'PUT',
    path: '/repos/{owner}/{repo}/pulls/{pull_number}/merge',
    handle: onPull(merge),
  },
  {
    method: 'GET',
    path: '/repos/{owner}/{repo}/issues/{issue_number}/labels',
    handle: onPull(async (req, p) => labelList(req, p)),
  },
  {
    method: 'POST',
    path: '/repos/{owner}/{repo}/issues/{issue_number}/labels',
    handle: onPull(async (req, p) => {
      const labels = req.body.labels;
      if (!Array.isArray(labels) || !labels.every((l) => typeof l === 'string' && l.length > 0))
        return invalid('Label', 'labels');
      for (const l of labels as string[]) {
        if (!req.repo.labels.includes(l)) req.repo.labels.push(l);
        if (!p.labels.includes(l)) p.labels.push(l);
      }
      return labelList(req, p);
    }),
  },
  {
    method: 'GET',
    path: '/repos/{owner}/{repo}/issues/{issue_number}/comments',
    handle: onPull(async (req, p) => {
      const comments = req.repo.comments.filter((c) => c.issue === p.number);
      return listPage(
        req,
        comments.map((c) => commentJson(req.base, req.repo, c)),
      );
    }),
  },
  {
    method: 'POST',
    path: '/repos/{owner}/{repo}/issues/{issue_number}/comments',
    handle: onPull(async (req, p) => {
      const body = stringField(req.body, 'body');
      if (!body) return invalid('IssueComment', 'body', 'missing_field');
      const c = { id: req.nextId(), issue: p.number, body, createdAt: iso(req.now()) };
      req.repo.comments.push(c);
      return { status: 201, body: commentJson(req.base, req.repo, c) };
    }),
  },
  {
    method: 'POST',
    path: '/repos/{owner}/{repo}/statuses/{sha}',
    async handle(req) {
      const sha = req.params.sha!;
      const state = stringField(req.body, 'state');
      if (!state || !(STATES as readonly string[]).includes(state)) return invalid('Status', 'state');
      const commit = await req.bare.resolveCommit(sha);
      if (!commit || commit !== sha)
        return fail(422, `No commit found for SHA: ${sha}`, { errors: undefined });
      const s = {
        id: req.nextId(),
        sha,
        state: state as (typeof STATES)[number],
        context: stringField(req.body, 'context') ?? 'default',
        description: stringField(req.body, 'description') ?? null,
        targetUrl: stringField(req.body, 'target_url') ?? null,
        createdAt: iso(req.now()),
        creator: req.user,
      };
      req.repo.statuses.push(s);
      return { status: 201, body: statusJson(req.base, req.repo, s) };
    },
  },
  {
    // "Get a branch": protection.required_status_checks is shown with read access.
    method: 'GET',
    path: '/repos/{owner}/{repo}/branches/{branch}',
    async handle(req) {
      const sha = await req.bare.branchSha(req.params.branch!);
      if (!sha) return fail(404, 'Branch not found');
      const info = await req.bare.commitInfo(sha);
      const tree = await req.bare.treeOf(sha);
      return {
        status: 200,
        body: branchJson(req.base, req.repo, req.params.branch!, { sha, tree, ...info }),
      };
    },
  },
  {
    // "List check runs for a Git reference": {total_count, check_runs}, latest run per name by
    // default (filter=latest), paginated (docs.github.com/rest/checks/runs).
    method: 'GET',
    path: '/repos/{owner}/{repo}/commits/{ref}/check-runs',
    async handle(req) {
      const sha = await req.bare.resolveCommit(req.params.ref!);
      const all = req.repo.checkRuns.filter((c) => c.sha === sha).sort((a, b) => b.id - a.id);
      const runs =
        req.query.get('filter') === 'all'
          ? all
          : all.filter((c, i) => all.findIndex((x) => x.name === c.name) === i);
      return listPage(
        req,
        runs.map((c) => checkRunJson(req.base, req.repo, c)),
        (page, total) => ({ total_count: total, check_runs: page }),
      );
    },
  },
  {
    // "Create a check run" (what an Actions job or another GitHub App does; tests use it).
    method: 'POST',
    path: '/repos/{owner}/{repo}/check-runs',
    async handle(req) {
      const name = stringField(req.body, 'name');
      const headSha = stringField(req.body, 'head_sha');
      if (!name) return invalid('CheckRun', 'name', 'missing_field');
      if (!headSha || (await req.bare.resolveCommit(headSha)) !== headSha)
        return invalid('CheckRun', 'head_sha');
      const now = iso(req.now());
      const conclusion = stringField(req.body, 'conclusion') ?? null;
      const status = conclusion ? 'completed' : (stringField(req.body, 'status') ?? 'queued');
      if (!['queued', 'in_progress', 'completed'].includes(status)) return invalid('CheckRun', 'status');
      const c = {
        id: req.nextId(),
        sha: headSha,
        name,
        status: status as 'queued' | 'in_progress' | 'completed',
        conclusion,
        startedAt: now,
        completedAt: status === 'completed' ? now : null,
      };
      req.repo.checkRuns.push(c);
      return { status: 201, body: checkRunJson(req.base, req.repo, c) };
    },
  },
  {
    method: 'PATCH',
    path: '/repos/{owner}/{repo}/check-runs/{check_run_id}',
    async handle(req) {
      const c = req.repo.checkRuns.find((x) => x.id === Number(req.params.check_run_id));
      if (!c) return fail(404, 'Not Found');
      const conclusion = stringField(req.body, 'conclusion');
      const status = stringField(req.body, 'status');
      if (conclusion) Object.assign(c, { status: 'completed', conclusion, completedAt: iso(req.now()) });
      else if (status === 'queued' || status === 'in_progress') c.status = status;
      return { status: 200, body: checkRunJson(req.base, req.repo, c) };
    },
  },
  {
    method: 'GET',
    path: '/repos/{owner}/{repo}/pulls/{pull_number}/reviews',
    handle: onPull(async (req, p) =>
      listPage(
        req,
        req.repo.reviews.filter((v) => v.pull === p.number).map((v) => reviewJson(req.base, req.repo, v)),
      ),
    ),
  },
  {
    // "Create a review" with event APPROVE / REQUEST_CHANGES / COMMENT (what a person does).
    method: 'POST',
    path: '/repos/{owner}/{repo}/pulls/{pull_number}/reviews',
    handle: onPull(async (req, p) => {
      const event = stringField(req.body, 'event');
      const states = {
        APPROVE: 'APPROVED',
        REQUEST_CHANGES: 'CHANGES_REQUESTED',
        COMMENT: 'COMMENTED',
      } as const;
      // This operation's 422 is validation-error-simple: errors are strings.
      if (!event || !(event in states))
        return fail(422, 'Unprocessable Entity', {
          errors: ['Invalid event: must be APPROVE, REQUEST_CHANGES or COMMENT'],
        });
      const v = {
        id: req.nextId(),
        pull: p.number,
        user: req.user,
        state: states[event as keyof typeof states],
        commitId: (await req.bare.branchSha(p.head)) ?? '',
        submittedAt: iso(req.now()),
      };
      req.repo.reviews.push(v);
      return { status: 200, body: reviewJson(req.base, req.repo, v) };
    }),
  },
  {
    // "Get rules for a branch": the active rules of every ruleset that applies, each with its
    // source (docs.github.com/rest/repos/rules). Readable by anyone with read access.
    method: 'GET',
    path: '/repos/{owner}/{repo}/rules/branches/{branch}',
    async handle(req) {
      const source = `${req.repo.owner}/${req.repo.name}`;
      return listPage(
        req,
        req.repo.rules.map((r) => ({
          ...r,
          ruleset_source_type: 'Repository',
          ruleset_source: source,
          ruleset_id: 1,
        })),
      );
    },
  },
  {
    // "List commit statuses for a reference": every status, newest first, each with its creator
    // (docs.github.com/rest/commits/statuses; the combined status below carries no creator).
    method: 'GET',
    path: '/repos/{owner}/{repo}/commits/{ref}/statuses',
    async handle(req) {
      // Documented answers are 200 and 301 only: an unknown ref lists no statuses.
      const sha = await req.bare.resolveCommit(req.params.ref!);
      const all = req.repo.statuses.filter((s) => s.sha === sha).sort((a, b) => b.id - a.id);
      return listPage(
        req,
        all.map((s) => statusJson(req.base, req.repo, s)),
      );
    },
  },
  {
    method: 'GET',
    path: '/repos/{owner}/{repo}/deployments',
    async handle(req) {
      const env = req.query.get('environment');
      const sha = req.query.get('sha');
      const list = req.repo.deployments
        .filter((d) => (!env || d.environment === env) && (!sha || d.sha === sha))
        .sort((a, b) => b.id - a.id);
      return listPage(
        req,
        list.map((d) => deploymentJson(req.base, req.repo, d)),
      );
    },
  },
  {
    method: 'POST',
    path: '/repos/{owner}/{repo}/deployments',
    async handle(req) {
      const ref = stringField(req.body, 'ref');
      if (!ref) return invalid('Deployment', 'ref', 'missing_field');
      const sha = await req.bare.resolveCommit(ref);
      if (!sha) return invalid('Deployment', 'ref', 'invalid', `No ref found for: ${ref}`);
      // GitHub checks every commit status unless required_contexts says otherwise.
      const required = req.body.required_contexts;
      const statuses = latestPerContext(req, sha);
      const relevant = Array.isArray(required)
        ? statuses.filter((s) => (required as unknown[]).includes(s.context))
        : statuses;
      if (
        relevant.some((s) => s.state !== 'success') ||
        (Array.isArray(required) && relevant.length < required.length)
      )
        return fail(409, 'Conflict: Commit status checks failed for ' + ref);
      const d = {
        id: req.nextId(),
        ref,
        sha,
        task: stringField(req.body, 'task') ?? 'deploy',
        environment: stringField(req.body, 'environment') ?? 'production',
        description: stringField(req.body, 'description') ?? null,
        payload: req.body.payload ?? {},
        createdAt: iso(req.now()),
        // GitHub records who created it: `creator` is the token's user (components/schemas/deployment).
        creator: req.user,
      };
      req.repo.deployments.push(d);
      return { status: 201, body: deploymentJson(req.base, req.repo, d) };
    },
  },
  {
    method: 'GET',
    path: '/repos/{owner}/{repo}/deployments/{deployment_id}/statuses',
    handle: onDeployment(async (req, id) => {
      const list = req.repo.deploymentStatuses
        .filter((s) => s.deploymentId === id)
        .sort((a, b) => b.id - a.id);
      return listPage(
        req,
        list.map((s) => deploymentStatusJson(req.base, req.repo, s)),
      );
    }),
  },
  {
    method: 'POST',
    path: '/repos/{owner}/{repo}/deployments/{deployment_id}/statuses',
    handle: onDeployment(async (req, id) => {
      const state = stringField(req.body, 'state');
      if (!state || !DEPLOYMENT_STATES.includes(state)) return invalid('DeploymentStatus', 'state');
      const s = {
        id: req.nextId(),
        deploymentId: id,
        state,
        description: stringField(req.body, 'description') ?? '',
        logUrl: stringField(req.body, 'log_url') ?? stringField(req.body, 'target_url') ?? '',
        environmentUrl: stringField(req.body, 'environment_url') ?? '',
        createdAt: iso(req.now()),
        // The token's user, as GitHub's `creator` (components/schemas/deployment-status).
        creator: req.user,
      };
      req.repo.deploymentStatuses.push(s);
      return { status: 201, body: deploymentStatusJson(req.base, req.repo, s) };
    }),
  },
];

/** Match a concrete path against the route templates; `{name}` matches one segment (refs: the rest). */
export function matchRoute(
  method: string,
  pathname: string,
): { route: Route; params: Record<string, string> } | { route: null; methodNotAllowed: boolean } {
  let pathMatched = false;
  for (const route of ROUTES) {
    const names: string[] = [];
    const pattern = route.path.replace(/\{([a-z_]+)\}/g, (_m, name: string) => {
      names.push(name);
      return name === 'ref' || name === 'branch' ? '(.+?)' : '([^/]+)';
    });
    const m = new RegExp(`^${pattern}$`).exec(pathname);
    if (!m) continue;
    pathMatched = true;
    if (route.method !== method) continue;
    const params: Record<string, string> = {};
    names.forEach((n, i) => (params[n] = decodeURIComponent(m[i + 1]!)));
    return { route, params };
  }
  return { route: null, methodNotAllowed: pathMatched };
}
