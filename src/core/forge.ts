/**
 * The port to the code forge (GitHub). Commands depend on this interface; the octokit adapter in
 * src/adapters/github/ implements it, and tests run it against the loopback stand-in in
 * src/sandbox/github/. Errors crossing it are PromoteErrors (exit 3 transient, 4 conflict, 1 refusal).
 */
import { BusyError } from './errors.js';
import type { BranchRule } from './ruleset.js';

export interface RepoRef {
  owner: string;
  repo: string;
}

export interface PullRequest {
  number: number;
  state: 'open' | 'closed';
  merged: boolean;
  title: string;
  body: string;
  htmlUrl: string;
  head: { ref: string; sha: string; repoFullName: string | null };
  base: { ref: string };
  labels: string[];
  mergeCommitSha: string | null;
  /** GitHub's mergeability (null while GitHub is still computing it, or for a closed PR). */
  mergeable?: boolean | null;
  /** GitHub's `mergeable_state`: clean, blocked, behind, dirty, draft, unstable, has_hooks, unknown. */
  mergeableState?: string;
  draft?: boolean;
  /** GraphQL node id (for mutations such as enablePullRequestAutoMerge). */
  nodeId?: string;
}

/** A check run (an Actions job, say) on a commit: the latest one per name. */
export interface CheckRun {
  id: number;
  name: string;
  /** queued, in_progress, completed, waiting, requested, pending. */
  status: string;
  /** Set once completed: success, failure, neutral, cancelled, skipped, timed_out, action_required, stale. */
  conclusion: string | null;
}

/** What classic branch protection requires of a branch, as far as the token can read it. */
export interface BranchProtection {
  /** Required status check contexts (statuses or check run names). */
  contexts: string[];
  /** "Require branches to be up to date before merging". */
  strict: boolean;
}

/** Why GitHub refused a merge, from its 405/409 answer (see src/adapters/github/merge-block.ts). */
export type MergeBlock =
  'base-modified' | 'checks' | 'review' | 'method' | 'draft' | 'behind' | 'head-moved' | 'not-mergeable';

/** GitHub refused a merge (405 or 409); `block` says why. Exit 4 unless the caller decides otherwise. */
export class MergeBlockedError extends BusyError {
  constructor(
    readonly block: MergeBlock,
    message: string,
    remedy: string,
    /** GitHub's own message, unchanged. */
    readonly githubMessage: string,
  ) {
    super(message, remedy);
  }
}

type CommitState = 'error' | 'failure' | 'pending' | 'success';

export interface CommitStatus {
  context: string;
  state: CommitState;
  description: string | null;
  targetUrl: string | null;
  /** Login of the account that posted it (null when GitHub no longer knows it). */
  creator: string | null;
}

export type DeploymentState =
  'error' | 'failure' | 'inactive' | 'in_progress' | 'queued' | 'pending' | 'success';

/** A deployment as GitHub lists it (GET /repos/{owner}/{repo}/deployments). */
export interface Deployment {
  id: number;
  /** The commit deployed. */
  sha: string;
  environment: string;
  /** Login of the account that created it (null when GitHub no longer knows it). */
  creator: string | null;
  createdAt: string;
  /** What the creator stored on it (any JSON; never trusted beyond its creator). */
  payload: unknown;
}

/** One status of a deployment (GET …/deployments/{id}/statuses), newest first. */
export interface DeploymentStatus {
  id: number;
  state: string;
  creator: string | null;
  createdAt: string;
  description: string;
  logUrl: string | null;
}

export interface Forge {
  readonly repo: RepoRef;
  /**
   * The repository as the token sees it, asked once without retries: a cheap check that GitHub
   * answers, the token is valid and the repository is visible to it (before anything is pushed).
   */
  getRepository(): Promise<{ fullName: string; defaultBranch: string }>;
  getPull(number: number): Promise<PullRequest>;
  /** The open pull request from `head` (a branch of this repository) into `base`, if any. */
  findOpenPull(head: string, base: string): Promise<PullRequest | null>;
  createPull(input: { title: string; body: string; head: string; base: string }): Promise<PullRequest>;
  updatePull(number: number, input: { title?: string; body?: string }): Promise<PullRequest>;
  addLabels(number: number, labels: string[]): Promise<void>;
  createComment(number: number, body: string): Promise<void>;
  /** Merge with the head-sha guard; a refusal (405, 409) is a MergeBlockedError saying why. */
  mergePull(
    number: number,
    input: { sha: string; method: 'merge' | 'squash' | 'rebase'; title?: string; message?: string },
  ): Promise<{ sha: string }>;
  createStatus(
    sha: string,
    input: { state: CommitState; context: string; description: string; targetUrl?: string },
  ): Promise<void>;
  /** Latest status per context for a commit, with who posted it. */
  getStatuses(sha: string): Promise<CommitStatus[]>;
  createDeployment(input: {
    ref: string;
    environment: string;
    description: string;
    payload?: Record<string, unknown>;
  }): Promise<{ id: number }>;
  createDeploymentStatus(
    id: number,
    input: { state: DeploymentState; description: string; logUrl?: string },
  ): Promise<void>;
  /**
   * Deployments, newest first, filtered by environment and/or sha as GitHub filters them; at most
   * `limit` (default 100, one page).
   */
  listDeployments(filter: { environment?: string; sha?: string; limit?: number }): Promise<Deployment[]>;
  /** The statuses of a deployment, newest first (at most 100: the agent posts two or three). */
  listDeploymentStatuses(id: number): Promise<DeploymentStatus[]>;
  /** Open pull requests, newest first (into `base` when given). */
  listOpenPulls(base?: string): Promise<PullRequest[]>;
  /** Bodies of the issue comments of a pull request, oldest first. */
  listComments(number: number): Promise<string[]>;
  /** Sha of a branch of the repository, or null when it does not exist. */
  getBranchSha(branch: string): Promise<string | null>;
  /** The active rules (from rulesets) that apply to a branch; readable with read access. */
  getBranchRules(branch: string): Promise<BranchRule[]>;
  /** Classic branch protection's required checks; null when unprotected or unreadable. */
  getBranchProtection(branch: string): Promise<BranchProtection | null>;
  /** The latest check run per name on a commit. */
  listCheckRuns(sha: string): Promise<CheckRun[]>;
  /**
   * Ask GitHub to merge the PR once its requirements are met (GraphQL enablePullRequestAutoMerge,
   * guarded by `expectedHeadOid`). "clean" when GitHub refuses because it can be merged right now.
   */
  enableAutoMerge(
    pull: { nodeId: string; number: number },
    input: { sha: string; method: 'merge' | 'squash' | 'rebase' },
  ): Promise<'enabled' | 'clean'>;
  /** The merge methods the repository allows (null when the token cannot see the settings). */
  getMergeMethods(): Promise<('merge' | 'squash' | 'rebase')[] | null>;
}
