/**
 * The one GraphQL mutation the stand-in answers: enablePullRequestAutoMerge
 * (docs.github.com/graphql/reference/mutations#enablepullrequestautomerge), as GitHub answers it:
 * HTTP 200 with `errors[]` for a refusal. GitHub refuses a PR it could merge right now ("Pull
 * request Pull request is in clean status", github.com/peter-evans/enable-pull-request-automerge
 * issues 343 and 1118) and a head that is not `expectedHeadOid`. Once enabled, the stand-in
 * merges the PR after any change that may lift its requirements (see `autoMergeSweep`).
 */
import type { PullRecord, RepoState } from './resources.js';
import { pullNodeId } from './resources.js';

interface GraphqlDeps {
  repos: RepoState[];
  user: string;
  /** The PR's head sha and whether GitHub could merge it right now. */
  live(repo: RepoState, p: PullRecord): Promise<{ headSha: string | null; clean: boolean }>;
}

const METHODS = { MERGE: 'merge', SQUASH: 'squash', REBASE: 'rebase' } as const;

function refusal(message: string, type = 'UNPROCESSABLE') {
  return {
    status: 200,
    body: {
      data: { enablePullRequestAutoMerge: null },
      errors: [{ type, path: ['enablePullRequestAutoMerge'], locations: [{ line: 2, column: 3 }], message }],
    },
  };
}

export async function handleGraphql(
  body: Record<string, unknown>,
  deps: GraphqlDeps,
): Promise<{ status: number; body: unknown }> {
  const query = typeof body.query === 'string' ? body.query : '';
  const vars = (body.variables ?? {}) as Record<string, unknown>;
  if (!/\benablePullRequestAutoMerge\b/.test(query))
    return {
      status: 200,
      body: { errors: [{ message: 'the GitHub stand-in answers only enablePullRequestAutoMerge' }] },
    };
  const id = String(vars.pullRequestId ?? '');
  const repo = deps.repos.find((r) => r.pulls.some((p) => pullNodeId(r, p.number) === id));
  const p = repo?.pulls.find((x) => pullNodeId(repo, x.number) === id);
  if (!repo || !p) return refusal(`Could not resolve to a node with the global id of '${id}'.`, 'NOT_FOUND');
  const method = METHODS[String(vars.mergeMethod ?? 'MERGE') as keyof typeof METHODS];
  if (!method) return refusal(`Invalid merge method ${String(vars.mergeMethod)}`);
  if (p.state !== 'open') return refusal('Pull request Pull request is closed');
  const { headSha, clean } = await deps.live(repo, p);
  const expected = typeof vars.expectedHeadOid === 'string' ? vars.expectedHeadOid : null;
  if (expected && expected !== headSha) return refusal("Head sha didn't match expected head sha");
  if (clean) return refusal('Pull request Pull request is in clean status');
  p.autoMerge = { method, expectedHeadOid: expected ?? headSha ?? '', enabledBy: deps.user };
  return {
    status: 200,
    body: {
      data: {
        enablePullRequestAutoMerge: {
          pullRequest: { number: p.number, autoMergeRequest: { enabledAt: new Date().toISOString() } },
        },
      },
    },
  };
}
