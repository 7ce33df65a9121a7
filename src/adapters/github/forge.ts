/**
 * The Forge port over octokit. Each method names what it does for error messages, marks whether
 * it may be retried, and maps GitHub's JSON to the port's types. Non-idempotent writes that fail
 * without a clear answer are checked rather than re-sent (see createPull and mergePull).
 */
import { githubToken } from '../github-actions.js';
import { CheckFailedError, UsageError } from '../../core/errors.js';
import type {
  BranchProtection,
  CheckRun,
  CommitStatus,
  Deployment,
  DeploymentState,
  DeploymentStatus,
  Forge,
  PullRequest,
  RepoRef,
} from '../../core/forge.js';
import type { BranchRule } from '../../core/ruleset.js';
import { createGitHubClient, NO_RETRY, type GitHubClientOptions } from './client.js';
import { toForgeError } from './errors.js';

export interface CreateForgeOptions extends GitHubClientOptions {
  /** "owner/repo". */
  repo: string;
  /** GraphQL endpoint (GITHUB_GRAPHQL_URL); default `<baseUrl>/graphql`. */
  graphqlUrl?: string;
}

const ENABLE_AUTO_MERGE = `mutation($pullRequestId: ID!, $mergeMethod: PullRequestMergeMethod!, $expectedHeadOid: GitObjectID!) {
  enablePullRequestAutoMerge(input: {pullRequestId: $pullRequestId, mergeMethod: $mergeMethod, expectedHeadOid: $expectedHeadOid}) {
    pullRequest { number autoMergeRequest { enabledAt } }
  }
}`;

interface PullJson {
  number: number;
  state: string;
  merged?: boolean | null;
  merged_at?: string | null;
  title: string;
  body?: string | null;
  html_url: string;
  head: { ref: string; sha: string; repo?: { full_name: string } | null };
  base: { ref: string };
  labels?: ({ name?: string } | string)[];
  merge_commit_sha?: string | null;
  mergeable?: boolean | null;
  mergeable_state?: string;
  draft?: boolean;
  node_id?: string;
}

export function toPullRequest(p: PullJson): PullRequest {
  return {
    number: p.number,
    state: p.state === 'open' ? 'open' : 'closed',
    merged: Boolean(p.merged ?? p.merged_at),
    title: p.title,
    body: p.body ?? '',
    htmlUrl: p.html_url,
    head: { ref: p.head.ref, sha: p.head.sha, repoFullName: p.head.repo?.full_name ?? null },
    base: { ref: p.base.ref },
    labels: (p.labels ?? []).map((l) => (typeof l === 'string' ? l : (l.name ?? ''))).filter(Boolean),
    mergeCommitSha: p.merge_commit_sha ?? null,
    mergeable: p.mergeable ?? null,
    ...(p.mergeable_state !== undefined ? { mergeableState: p.mergeable_state } : {}),
    draft: p.draft ?? false,
    ...(p.node_id ? { nodeId: p.node_id } : {}),
  };
}

export function parseRepo(full: string): RepoRef {
  const m = /^([A-Za-z0-9_.-]+)\/([A-Za-z0-9_.-]+)$/.exec(full);
  if (!m)
    throw new UsageError(
      `repository.github must be "owner/repo", got ${JSON.stringify(full)}`,
      'Set repository.github in promote.config.json, e.g. "acme/projections".',
    );
  return { owner: m[1]!, repo: m[2]! };
}

export function createForge(options: CreateForgeOptions): Forge {
  const repo = parseRepo(options.repo);
  if (!options.token)
    throw new UsageError(
      'no GitHub token: GITHUB_TOKEN and GH_TOKEN are unset',
      'Export GITHUB_TOKEN (or GH_TOKEN) with a token that can write pull requests, or log in with `gh auth login` (docs/github-token.md); or pass --no-pr.',
    );
  const octokit = createGitHubClient(options);
  const r = { owner: repo.owner, repo: repo.repo };

  async function call<T>(what: string, fn: () => Promise<T>, merge = false): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw toForgeError(err, { what, merge });
    }
  }
  const status = (err: unknown) =>
    (err as { response?: { status?: number } }).response?.status ?? (err as { status?: number }).status;

  const forge: Forge = {
    repo,
    getRepository: () =>
      call(`read repository ${repo.owner}/${repo.repo}`, async () => {
        const { data } = await octokit.rest.repos.get({ ...r, ...NO_RETRY });
        return { fullName: data.full_name, defaultBranch: data.default_branch };
      }),

    getPull: (number: number) =>
      call(`read pull request #${number}`, async () =>
        toPullRequest((await octokit.rest.pulls.get({ ...r, pull_number: number })).data as PullJson),
      ),

    findOpenPull: (head: string, base: string) =>
      call(`look for an open pull request from ${head}`, async () => {
        const data = await octokit.paginate(octokit.rest.pulls.list, {
          ...r,
          state: 'open',
          head: `${repo.owner}:${head}`,
          base,
          per_page: 100,
        });
        const match = (data as PullJson[]).find((p) => p.head.ref === head && p.base.ref === base);
        return match ? toPullRequest(match) : null;
      }),

    async createPull(input: { title: string; body: string; head: string; base: string }) {
      try {
        const { data } = await octokit.rest.pulls.create({ ...r, ...input, ...NO_RETRY });
        return toPullRequest(data as PullJson);
      } catch (err) {
        // No clear answer (5xx, timeout, dropped connection): the PR may exist now. Look, don't re-send.
        const code = status(err);
        if (code === undefined || code >= 500) {
          const existing = await forge.findOpenPull(input.head, input.base).catch(() => null);
          if (existing) return existing;
        }
        throw toForgeError(err, { what: `open a pull request from ${input.head}` });
      }
    },

    updatePull: (number: number, input: { title?: string; body?: string }) =>
      call(`update pull request #${number}`, async () =>
        toPullRequest(
          (await octokit.rest.pulls.update({ ...r, pull_number: number, ...input })).data as PullJson,
        ),
      ),

    addLabels: (number: number, labels: string[]) =>
      call(`label pull request #${number}`, async () => {
        if (labels.length === 0) return;
        await octokit.rest.issues.addLabels({ ...r, issue_number: number, labels });
      }),

    createComment: (number: number, body: string) =>
      call(`comment on pull request #${number}`, async () => {
        await octokit.rest.issues.createComment({ ...r, issue_number: number, body, ...NO_RETRY });
      }),

    async mergePull(
      number: number,
      input: { sha: string; method: 'merge' | 'squash' | 'rebase'; title?: string; message?: string },
    ) {
      try {
        const { data } = await octokit.rest.pulls.merge({
          ...r,
          pull_number: number,
          sha: input.sha,
          merge_method: input.method,
          ...(input.title !== undefined ? { commit_title: input.title } : {}),
          ...(input.message !== undefined ? { commit_message: input.message } : {}),
          ...NO_RETRY,
        });
        return { sha: data.sha };
      } catch (err) {
        // Without a clear answer the merge may have happened: if the PR is merged at exactly this
        // head, it was our merge; otherwise report the original failure.
        const code = status(err);
        if (code === undefined || code >= 500) {
          const pr = await forge.getPull(number).catch(() => null);
          if (pr?.merged && pr.head.sha === input.sha && pr.mergeCommitSha) return { sha: pr.mergeCommitSha };
        }
        throw toForgeError(err, { what: `merge pull request #${number}`, merge: true });
      }
    },

    createStatus: (
      sha: string,
      input: { state: CommitStatus['state']; context: string; description: string; targetUrl?: string },
    ) =>
      call(`set commit status ${input.context} on ${sha.slice(0, 12)}`, async () => {
        // Posting the same status twice is harmless (the latest per context wins): retryable.
        await octokit.rest.repos.createCommitStatus({
          ...r,
          sha,
          state: input.state,
          context: input.context,
          description: input.description.slice(0, 140),
          ...(input.targetUrl ? { target_url: input.targetUrl } : {}),
        });
      }),

    getStatuses: (sha: string) =>
      call(`read commit statuses of ${sha.slice(0, 12)}`, async () => {
        // The statuses list, newest first, carries each status's creator (the combined status
        // does not): the first one per context is the current one. GitHub keeps at most 1,000
        // statuses per sha and context; every page is read (Link rel="next").
        const latest = new Map<string, CommitStatus>();
        const data = await octokit.paginate(octokit.rest.repos.listCommitStatusesForRef, {
          ...r,
          ref: sha,
          per_page: 100,
        });
        for (const s of data)
          if (!latest.has(s.context))
            latest.set(s.context, {
              context: s.context,
              state: s.state as CommitStatus['state'],
              description: s.description ?? null,
              targetUrl: s.target_url ?? null,
              creator: s.creator?.login ?? null,
            });
        return [...latest.values()];
      }),

    createDeployment: (input: {
      ref: string;
      environment: string;
      description: string;
      payload?: Record<string, unknown>;
    }) =>
      call(`create a deployment of ${input.ref}`, async () => {
        // auto_merge off and no required contexts: the agent records what it applied, it does
        // not ask GitHub to merge or to re-check statuses. Not retried: a retry could duplicate it.
        const { data } = await octokit.rest.repos.createDeployment({
          ...r,
          ref: input.ref,
          environment: input.environment,
          description: input.description,
          payload: (input.payload ?? {}) as { [key: string]: unknown },
          auto_merge: false,
          required_contexts: [],
          ...NO_RETRY,
        });
        if (!('id' in data)) throw new Error(`deployment not created: ${String(data.message)}`);
        return { id: data.id };
      }),

    createDeploymentStatus: (
      id: number,
      input: { state: DeploymentState; description: string; logUrl?: string },
    ) =>
      call(`set deployment ${id} to ${input.state}`, async () => {
        await octokit.rest.repos.createDeploymentStatus({
          ...r,
          deployment_id: id,
          state: input.state,
          description: input.description.slice(0, 140),
          ...(input.logUrl ? { log_url: input.logUrl } : {}),
        });
      }),

    listDeployments: (filter: { environment?: string; sha?: string; limit?: number }) =>
      call(`list deployments${filter.environment ? ` of ${filter.environment}` : ''}`, async () => {
        // GET /repos/{owner}/{repo}/deployments?environment=&sha= (docs.github.com/rest/deployments/deployments),
        // newest first; `creator` is a nullable-simple-user (@octokit/openapi, components/schemas/deployment).
        const limit = filter.limit ?? 100;
        const out: Deployment[] = [];
        for await (const { data } of octokit.paginate.iterator(octokit.rest.repos.listDeployments, {
          ...r,
          ...(filter.environment ? { environment: filter.environment } : {}),
          ...(filter.sha ? { sha: filter.sha } : {}),
          per_page: Math.min(limit, 100),
        })) {
          for (const d of data)
            out.push({
              id: d.id,
              sha: d.sha,
              environment: d.environment,
              creator: d.creator?.login ?? null,
              createdAt: d.created_at,
              payload: d.payload,
            });
          if (out.length >= limit) break;
        }
        return out.slice(0, limit);
      }),

    listDeploymentStatuses: (id: number) =>
      call(`read the statuses of deployment ${id}`, async () => {
        // GET …/deployments/{deployment_id}/statuses, newest first (components/schemas/deployment-status).
        const { data } = await octokit.rest.repos.listDeploymentStatuses({
          ...r,
          deployment_id: id,
          per_page: 100,
        });
        return data.map((s): DeploymentStatus => ({
          id: s.id,
          state: s.state,
          creator: s.creator?.login ?? null,
          createdAt: s.created_at,
          description: s.description,
          logUrl: s.log_url || s.target_url || null,
        }));
      }),

    listOpenPulls: (base?: string) =>
      call('list open pull requests', async () => {
        const data = await octokit.paginate(octokit.rest.pulls.list, {
          ...r,
          state: 'open',
          per_page: 100,
          ...(base ? { base } : {}),
        });
        return (data as PullJson[]).map(toPullRequest);
      }),

    listComments: (number: number) =>
      call(`read comments of #${number}`, async () => {
        const data = await octokit.paginate(octokit.rest.issues.listComments, {
          ...r,
          issue_number: number,
          per_page: 100,
        });
        return data.map((c) => c.body ?? '');
      }),

    getBranchSha: (branch: string) =>
      call(`read branch ${branch}`, async () => {
        try {
          const { data } = await octokit.rest.git.getRef({ ...r, ref: `heads/${branch}` });
          return data.object.sha;
        } catch (err) {
          if (status(err) === 404) return null;
          throw err;
        }
      }),

    getBranchRules: (branch: string) =>
      call(`read the rules of branch ${branch}`, async () => {
        const data = await octokit.paginate(octokit.rest.repos.getBranchRules, {
          ...r,
          branch,
          per_page: 100,
        });
        return data.map((rule): BranchRule => {
          const parameters = (rule as { parameters?: Record<string, unknown> }).parameters;
          return { type: rule.type, ...(parameters ? { parameters } : {}) };
        });
      }),

    getBranchProtection: (branch: string) =>
      call(`read the protection of branch ${branch}`, async (): Promise<BranchProtection | null> => {
        // "Get a branch" shows classic protection's required status checks to anyone who can
        // read the repository (the protection endpoints themselves need admin). A 404 (no such
        // branch) or 403 (cannot read) means there is nothing we can know: rules still apply.
        try {
          const { data } = await octokit.rest.repos.getBranch({ ...r, branch });
          const checks = data.protection?.required_status_checks;
          if (!data.protected || !checks) return null;
          const contexts = new Set([
            ...(checks.contexts ?? []),
            ...(checks.checks ?? []).map((c) => c.context),
          ]);
          const strict = (checks as { strict?: boolean }).strict ?? false;
          return { contexts: [...contexts], strict };
        } catch (err) {
          const code = status(err);
          if (code === 404 || code === 403) return null;
          throw err;
        }
      }),

    listCheckRuns: (sha: string) =>
      call(`read check runs of ${sha.slice(0, 12)}`, async () => {
        // filter=latest (GitHub's default) answers the most recent run per name; a re-run of a
        // job keeps its name, so keep the highest id per name in case several remain.
        const runs = await octokit.paginate(octokit.rest.checks.listForRef, {
          ...r,
          ref: sha,
          filter: 'latest',
          per_page: 100,
        });
        const latest = new Map<string, CheckRun>();
        for (const run of runs) {
          const seen = latest.get(run.name);
          if (!seen || seen.id < run.id)
            latest.set(run.name, {
              id: run.id,
              name: run.name,
              status: run.status,
              conclusion: run.conclusion ?? null,
            });
        }
        return [...latest.values()];
      }),

    async enableAutoMerge(pull, input) {
      const url =
        options.graphqlUrl ?? `${(options.baseUrl ?? 'https://api.github.com').replace(/\/+$/, '')}/graphql`;
      try {
        // The query goes inside the options: with a query string first, octokit forbids `url`.
        await octokit.graphql({
          query: ENABLE_AUTO_MERGE,
          url,
          pullRequestId: pull.nodeId,
          mergeMethod: input.method.toUpperCase(),
          expectedHeadOid: input.sha,
          ...NO_RETRY,
        });
        return 'enabled';
      } catch (err) {
        // GraphQL refusals come as 200 with errors[] (GraphqlResponseError); its request holds
        // the token, so only the messages are kept.
        const errors = (err as { errors?: { message?: string }[] }).errors;
        if (!Array.isArray(errors)) throw toForgeError(err, { what: `enable auto-merge of #${pull.number}` });
        const message = errors.map((e) => e.message ?? '').join('; ');
        // GitHub will not enable auto-merge on a PR it could merge right now: "Pull request Pull
        // request is in clean status" (or "unstable status": only optional checks pending),
        // github.com/peter-evans/enable-pull-request-automerge/issues/343 and /1118.
        if (/(?:clean|unstable) status/i.test(message)) return 'clean';
        throw new CheckFailedError(
          `GitHub: could not enable auto-merge of pull request #${pull.number}: ${message}`,
          /not allowed/i.test(message)
            ? 'Allow auto-merge in the repository settings (Settings > General > Pull Requests).'
            : 'Look at the pull request on GitHub; run merge again once the cause is fixed.',
        );
      }
    },

    getMergeMethods: () =>
      call('read the repository settings', async () => {
        const { data } = await octokit.rest.repos.get(r);
        // The allow_* fields are only shown to tokens with push access.
        if (data.allow_squash_merge === undefined && data.allow_merge_commit === undefined) return null;
        const methods: ('merge' | 'squash' | 'rebase')[] = [];
        if (data.allow_merge_commit) methods.push('merge');
        if (data.allow_squash_merge) methods.push('squash');
        if (data.allow_rebase_merge) methods.push('rebase');
        return methods;
      }),
  };
  return forge;
}

/** The token from the environment: GITHUB_TOKEN, then GH_TOKEN. */
/** GITHUB_TOKEN, else GH_TOKEN (one rule for every command). */
export const tokenFromEnv = githubToken;

/** A forge for `repository.github`, from GITHUB_TOKEN/GH_TOKEN and GITHUB_API_URL. */
export function forgeFromEnv(
  repo: string | undefined,
  env: Record<string, string | undefined>,
  extra: Partial<GitHubClientOptions> = {},
) {
  if (!repo)
    throw new UsageError(
      'repository.github is not set, so there is no GitHub repository to talk to',
      'Set repository.github in promote.config.json to "owner/repo".',
    );
  return createForge({
    repo,
    token: tokenFromEnv(env) ?? '',
    baseUrl: env.GITHUB_API_URL || 'https://api.github.com',
    ...(env.GITHUB_GRAPHQL_URL ? { graphqlUrl: env.GITHUB_GRAPHQL_URL } : {}),
    ...extra,
  });
}
