/**
 * The in-memory records of the GitHub stand-in and their REST representations (the fields
 * GitHub returns that git-promote or a curious test may read, with GitHub's names and types).
 */
export interface PullRecord {
  number: number;
  title: string;
  body: string | null;
  state: 'open' | 'closed';
  head: string;
  base: string;
  /** Head sha recorded when the PR was closed or merged (the branch may move or vanish later). */
  headShaAtClose: string | null;
  labels: string[];
  draft: boolean;
  /** Who merged it. */
  mergedBy?: string;
  /** Auto-merge enabled (GraphQL enablePullRequestAutoMerge): merged when its requirements are met. */
  autoMerge?: { method: 'merge' | 'squash' | 'rebase'; expectedHeadOid: string; enabledBy: string } | null;
  merged: boolean;
  mergedAt: string | null;
  mergeCommitSha: string | null;
  createdAt: string;
  updatedAt: string;
  closedAt: string | null;
}

interface CommentRecord {
  id: number;
  issue: number;
  body: string;
  createdAt: string;
}

interface StatusRecord {
  id: number;
  sha: string;
  state: 'error' | 'failure' | 'pending' | 'success';
  context: string;
  description: string | null;
  targetUrl: string | null;
  createdAt: string;
  /** Login of the token that posted it (GitHub's `creator`). */
  creator: string;
}

/** A check run, as an Actions job or another GitHub App creates it on a commit. */
interface CheckRunRecord {
  id: number;
  sha: string;
  name: string;
  status: 'queued' | 'in_progress' | 'completed';
  conclusion: string | null;
  startedAt: string;
  completedAt: string | null;
}

interface ReviewRecord {
  id: number;
  pull: number;
  user: string;
  state: 'APPROVED' | 'CHANGES_REQUESTED' | 'COMMENTED';
  commitId: string;
  submittedAt: string;
}

/** Classic branch protection of a branch (tests set it). */
interface ProtectionRecord {
  contexts: string[];
  strict: boolean;
  /** Required approving reviews (0: none). */
  reviews: number;
}

interface DeploymentRecord {
  id: number;
  ref: string;
  sha: string;
  task: string;
  environment: string;
  description: string | null;
  payload: unknown;
  createdAt: string;
  /** Login of the token that created it (GitHub's `creator`). */
  creator: string;
}

interface DeploymentStatusRecord {
  id: number;
  deploymentId: number;
  state: string;
  description: string;
  logUrl: string;
  environmentUrl: string;
  createdAt: string;
  /** Login of the token that posted it (GitHub's `creator`). */
  creator: string;
}

export interface RepoState {
  owner: string;
  name: string;
  id: number;
  defaultBranch: string;
  pulls: PullRecord[];
  comments: CommentRecord[];
  statuses: StatusRecord[];
  deployments: DeploymentRecord[];
  deploymentStatuses: DeploymentStatusRecord[];
  /** Labels known to the repository (GitHub creates a label on first use). */
  labels: string[];
  /** Active ruleset rules, for every branch (tests set them). */
  rules: { type: string; parameters?: Record<string, unknown> }[];
  /** Classic protection per branch name (tests set it). */
  protection: Record<string, ProtectionRecord>;
  checkRuns: CheckRunRecord[];
  reviews: ReviewRecord[];
  /** Merge methods the repository allows (allow_merge_commit, allow_squash_merge, allow_rebase_merge). */
  mergeMethods: { merge: boolean; squash: boolean; rebase: boolean };
}

type Json = Record<string, unknown>;

function userJson(base: string, login = 'git-promote-bot'): Json {
  const url = `${base}/users/${login}`;
  return {
    login,
    id: 1,
    node_id: 'MDQ6VXNlcjE=',
    avatar_url: 'https://avatars.githubusercontent.com/u/1?v=4',
    gravatar_id: '',
    url,
    html_url: `https://github.com/${login}`,
    followers_url: `${url}/followers`,
    following_url: `${url}/following{/other_user}`,
    gists_url: `${url}/gists{/gist_id}`,
    starred_url: `${url}/starred{/owner}{/repo}`,
    subscriptions_url: `${url}/subscriptions`,
    organizations_url: `${url}/orgs`,
    repos_url: `${url}/repos`,
    events_url: `${url}/events{/privacy}`,
    received_events_url: `${url}/received_events`,
    // GitHub Apps (the Actions token is github-actions[bot]) answer as type Bot.
    type: login.endsWith('[bot]') ? 'Bot' : 'User',
    site_admin: false,
  };
}

/** The `{name}_url` fields of a repository (GitHub's URI templates). */
function repoUrls(api: string): Json {
  const t = (name: string, suffix = '') => [`${name}_url`, `${api}/${name}${suffix}`] as const;
  return Object.fromEntries([
    t('archive', '/{archive_format}{/ref}'),
    t('assignees', '{/user}'),
    ['blobs_url', `${api}/git/blobs{/sha}`],
    t('branches', '{/branch}'),
    t('collaborators', '{/collaborator}'),
    t('comments', '{/number}'),
    t('commits', '{/sha}'),
    ['compare_url', `${api}/compare/{base}...{head}`],
    t('contents', '/{+path}'),
    t('contributors'),
    t('deployments'),
    t('downloads'),
    t('events'),
    t('forks'),
    ['git_commits_url', `${api}/git/commits{/sha}`],
    ['git_refs_url', `${api}/git/refs{/sha}`],
    ['git_tags_url', `${api}/git/tags{/sha}`],
    t('hooks'),
    ['issue_comment_url', `${api}/issues/comments{/number}`],
    ['issue_events_url', `${api}/issues/events{/number}`],
    t('issues', '{/number}'),
    t('keys', '{/key_id}'),
    t('labels', '{/name}'),
    t('languages'),
    t('merges'),
    t('milestones', '{/number}'),
    t('notifications', '{?since,all,participating}'),
    t('pulls', '{/number}'),
    t('releases', '{/id}'),
    t('stargazers'),
    t('statuses', '/{sha}'),
    t('subscribers'),
    ['subscription_url', `${api}/subscription`],
    t('tags'),
    t('teams'),
    ['trees_url', `${api}/git/trees{/sha}`],
  ]);
}

export function repoJson(base: string, r: RepoState): Json {
  const full = `${r.owner}/${r.name}`;
  const when = '2026-01-01T00:00:00Z';
  return {
    ...repoUrls(`${base}/repos/${full}`),
    git_url: `git://github.com/${full}.git`,
    ssh_url: `git@github.com:${full}.git`,
    clone_url: `https://github.com/${full}.git`,
    svn_url: `https://github.com/${full}`,
    homepage: null,
    language: null,
    mirror_url: null,
    license: null,
    forks: 0,
    forks_count: 0,
    stargazers_count: 0,
    watchers: 0,
    watchers_count: 0,
    open_issues: r.pulls.filter((p) => p.state === 'open').length,
    open_issues_count: r.pulls.filter((p) => p.state === 'open').length,
    network_count: 0,
    subscribers_count: 0,
    size: 0,
    has_issues: true,
    has_projects: false,
    has_wiki: false,
    has_pages: false,
    has_downloads: false,
    has_discussions: false,
    created_at: when,
    updated_at: when,
    pushed_at: when,
    id: r.id,
    node_id: `R_${r.id}`,
    name: r.name,
    full_name: full,
    private: true,
    owner: userJson(base, r.owner),
    html_url: `https://github.com/${full}`,
    description: null,
    fork: false,
    url: `${base}/repos/${full}`,
    default_branch: r.defaultBranch,
    visibility: 'private',
    archived: false,
    disabled: false,
    allow_merge_commit: r.mergeMethods.merge,
    allow_squash_merge: r.mergeMethods.squash,
    allow_rebase_merge: r.mergeMethods.rebase,
  };
}

export function labelJson(base: string, r: RepoState, name: string): Json {
  const id = r.labels.indexOf(name) + 1;
  return {
    id,
    node_id: `LA_${id}`,
    url: `${base}/repos/${r.owner}/${r.name}/labels/${encodeURIComponent(name)}`,
    name,
    // A string, not null: the labels inside a pull request are documented as non-nullable.
    description: '',
    color: 'ededed',
    default: false,
  };
}

/** A pull request's GraphQL node id, unique across the stand-in's repositories. */
export function pullNodeId(r: RepoState, number: number): string {
  return `PR_${r.id}_${number}`;
}

export function pullJson(
  base: string,
  r: RepoState,
  p: PullRecord,
  live: { headSha: string; baseSha: string; mergeable: boolean | null; mergeableState: string },
): Json {
  const full = `${r.owner}/${r.name}`;
  const url = `${base}/repos/${full}/pulls/${p.number}`;
  const repo = repoJson(base, r);
  const html = `https://github.com/${full}/pull/${p.number}`;
  const issue = `${base}/repos/${full}/issues/${p.number}`;
  const statuses = `${base}/repos/${full}/statuses/${live.headSha}`;
  return {
    _links: {
      self: { href: url },
      html: { href: html },
      issue: { href: issue },
      comments: { href: `${issue}/comments` },
      review_comments: { href: `${url}/comments` },
      review_comment: { href: `${base}/repos/${full}/pulls/comments{/number}` },
      commits: { href: `${url}/commits` },
      statuses: { href: statuses },
    },
    comments_url: `${issue}/comments`,
    commits_url: `${url}/commits`,
    review_comments_url: `${url}/comments`,
    review_comment_url: `${base}/repos/${full}/pulls/comments{/number}`,
    statuses_url: statuses,
    assignee: null,
    milestone: null,
    merged_by: p.merged ? userJson(base, p.mergedBy ?? 'github-actions[bot]') : null,
    review_comments: 0,
    // Diff sizes are not computed by the stand-in; nothing in git-promote reads them.
    additions: 0,
    deletions: 0,
    changed_files: 0,
    commits: 0,
    url,
    id: 1000 + p.number,
    node_id: pullNodeId(r, p.number),
    html_url: html,
    diff_url: `${html}.diff`,
    patch_url: `${html}.patch`,
    issue_url: `${base}/repos/${full}/issues/${p.number}`,
    number: p.number,
    state: p.state,
    locked: false,
    title: p.title,
    user: userJson(base),
    body: p.body,
    labels: p.labels.map((l) => labelJson(base, r, l)),
    created_at: p.createdAt,
    updated_at: p.updatedAt,
    closed_at: p.closedAt,
    merged_at: p.mergedAt,
    merge_commit_sha: p.mergeCommitSha,
    draft: p.draft,
    head: {
      label: `${r.owner}:${p.head}`,
      ref: p.head,
      sha: live.headSha,
      user: userJson(base, r.owner),
      repo,
    },
    base: {
      label: `${r.owner}:${p.base}`,
      ref: p.base,
      sha: live.baseSha,
      user: userJson(base, r.owner),
      repo,
    },
    author_association: 'OWNER',
    auto_merge: p.autoMerge
      ? {
          enabled_by: userJson(base, p.autoMerge.enabledBy),
          merge_method: p.autoMerge.method,
          commit_title: '',
          commit_message: '',
        }
      : null,
    merged: p.merged,
    mergeable: p.state === 'open' ? live.mergeable : null,
    mergeable_state: p.state !== 'open' ? 'unknown' : live.mergeableState,
    comments: r.comments.filter((c) => c.issue === p.number).length,
    maintainer_can_modify: false,
  };
}

export function commentJson(base: string, r: RepoState, c: CommentRecord): Json {
  const full = `${r.owner}/${r.name}`;
  return {
    id: c.id,
    node_id: `IC_${c.id}`,
    url: `${base}/repos/${full}/issues/comments/${c.id}`,
    html_url: `https://github.com/${full}/pull/${c.issue}#issuecomment-${c.id}`,
    body: c.body,
    user: userJson(base),
    created_at: c.createdAt,
    updated_at: c.createdAt,
    issue_url: `${base}/repos/${full}/issues/${c.issue}`,
    author_association: 'OWNER',
  };
}

export function statusJson(base: string, r: RepoState, s: StatusRecord): Json {
  return {
    url: `${base}/repos/${r.owner}/${r.name}/statuses/${s.sha}`,
    avatar_url: null,
    id: s.id,
    node_id: `SC_${s.id}`,
    state: s.state,
    description: s.description,
    target_url: s.targetUrl,
    context: s.context,
    created_at: s.createdAt,
    updated_at: s.createdAt,
    creator: userJson(base, s.creator),
  };
}

export function deploymentJson(base: string, r: RepoState, d: DeploymentRecord): Json {
  const url = `${base}/repos/${r.owner}/${r.name}/deployments/${d.id}`;
  return {
    url,
    id: d.id,
    node_id: `DE_${d.id}`,
    sha: d.sha,
    ref: d.ref,
    task: d.task,
    payload: d.payload,
    original_environment: d.environment,
    environment: d.environment,
    description: d.description,
    creator: userJson(base, d.creator),
    created_at: d.createdAt,
    updated_at: d.createdAt,
    statuses_url: `${url}/statuses`,
    repository_url: `${base}/repos/${r.owner}/${r.name}`,
    transient_environment: false,
    production_environment: false,
  };
}

export function deploymentStatusJson(base: string, r: RepoState, s: DeploymentStatusRecord): Json {
  const dep = `${base}/repos/${r.owner}/${r.name}/deployments/${s.deploymentId}`;
  const env = r.deployments.find((d) => d.id === s.deploymentId)?.environment ?? '';
  return {
    url: `${dep}/statuses/${s.id}`,
    id: s.id,
    node_id: `DES_${s.id}`,
    state: s.state,
    creator: userJson(base, s.creator),
    description: s.description,
    environment: env,
    target_url: s.logUrl,
    log_url: s.logUrl,
    environment_url: s.environmentUrl,
    created_at: s.createdAt,
    updated_at: s.createdAt,
    deployment_url: dep,
    repository_url: `${base}/repos/${r.owner}/${r.name}`,
  };
}

export function checkRunJson(base: string, r: RepoState, c: CheckRunRecord): Json {
  const full = `${r.owner}/${r.name}`;
  return {
    id: c.id,
    head_sha: c.sha,
    node_id: `CR_${c.id}`,
    external_id: '',
    url: `${base}/repos/${full}/check-runs/${c.id}`,
    html_url: `https://github.com/${full}/runs/${c.id}`,
    details_url: `https://github.com/${full}/actions/runs/${c.id}`,
    status: c.status,
    conclusion: c.conclusion,
    started_at: c.startedAt,
    completed_at: c.completedAt,
    output: {
      title: null,
      summary: null,
      text: null,
      annotations_count: 0,
      annotations_url: `${base}/repos/${full}/check-runs/${c.id}/annotations`,
    },
    name: c.name,
    check_suite: { id: c.id },
    app: null,
    pull_requests: [],
  };
}

export function reviewJson(base: string, r: RepoState, v: ReviewRecord): Json {
  const full = `${r.owner}/${r.name}`;
  return {
    id: v.id,
    node_id: `PRR_${v.id}`,
    user: userJson(base, v.user),
    body: '',
    state: v.state,
    html_url: `https://github.com/${full}/pull/${v.pull}#pullrequestreview-${v.id}`,
    pull_request_url: `${base}/repos/${full}/pulls/${v.pull}`,
    _links: {
      html: { href: `https://github.com/${full}/pull/${v.pull}#pullrequestreview-${v.id}` },
      pull_request: { href: `${base}/repos/${full}/pulls/${v.pull}` },
    },
    submitted_at: v.submittedAt,
    commit_id: v.commitId,
    author_association: 'MEMBER',
  };
}

/** "Get a branch": classic protection's required status checks are visible with read access. */
export function branchJson(
  base: string,
  r: RepoState,
  name: string,
  tip: {
    sha: string;
    tree: string;
    parents: string[];
    message: string;
    author: { name: string; email: string };
  },
): Json {
  const full = `${r.owner}/${r.name}`;
  const p = r.protection[name];
  const url = `${base}/repos/${full}/branches/${name}/protection`;
  const sha = tip.sha;
  const commitUrl = `${base}/repos/${full}/commits/${sha}`;
  const person = { ...tip.author, date: '2026-01-01T00:00:00Z' };
  return {
    name,
    commit: {
      sha,
      node_id: `C_${sha.slice(0, 12)}`,
      url: commitUrl,
      html_url: `https://github.com/${full}/commit/${sha}`,
      comments_url: `${commitUrl}/comments`,
      commit: {
        url: `${base}/repos/${full}/git/commits/${sha}`,
        author: person,
        committer: person,
        message: tip.message,
        comment_count: 0,
        tree: { sha: tip.tree, url: `${base}/repos/${full}/git/trees/${tip.tree}` },
      },
      author: null,
      committer: null,
      parents: tip.parents.map((s) => ({ sha: s, url: `${base}/repos/${full}/commits/${s}` })),
    },
    _links: {
      self: `${base}/repos/${full}/branches/${name}`,
      html: `https://github.com/${full}/tree/${name}`,
    },
    protected: p !== undefined,
    protection: p
      ? {
          enabled: true,
          required_status_checks: {
            enforcement_level: 'non_admins',
            contexts: p.contexts,
            checks: p.contexts.map((context) => ({ context, app_id: null })),
            strict: p.strict,
          },
        }
      : { enabled: false, required_status_checks: { enforcement_level: 'off', contexts: [], checks: [] } },
    protection_url: url,
  };
}
