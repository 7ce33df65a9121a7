/**
 * The one place Octokit errors become PromoteErrors. Only the status, GitHub's message and the
 * rate-limit wait are kept: the request object (which holds the token) is never kept as a cause.
 */
import { BusyError, CheckFailedError, PromoteError, TransientError, UsageError } from '../../core/errors.js';
import { MergeBlockedError } from '../../core/forge.js';
import { classifyMergeBlock, MERGE_BLOCK_REMEDY } from './merge-block.js';

/** Marks an answer the client's guarded fetch refused: "not-json" or "too-large". */
export const BAD_ANSWER_HEADER = 'x-git-promote-bad-answer';

interface OctokitLikeError {
  status?: number;
  message?: string;
  name?: string;
  response?: { status?: number; data?: unknown; headers?: Record<string, string | undefined> };
}

/** GitHub's own explanation: `message` plus the messages of `errors[]`. */
export function githubMessage(err: unknown): string {
  const e = err as OctokitLikeError;
  const data = e.response?.data;
  if (data && typeof data === 'object') {
    const d = data as { message?: unknown; errors?: unknown };
    const parts: string[] = [];
    if (typeof d.message === 'string') parts.push(d.message);
    if (Array.isArray(d.errors)) {
      for (const item of d.errors) {
        if (typeof item === 'string') parts.push(item);
        else if (item && typeof item === 'object') {
          const x = item as { message?: unknown; field?: unknown; code?: unknown };
          if (typeof x.message === 'string') parts.push(x.message);
          else if (typeof x.field === 'string') parts.push(`${x.field} ${String(x.code ?? 'invalid')}`);
        }
      }
    }
    if (parts.length) return parts.join(': ');
  }
  if (typeof data === 'string' && data.trim()) return data.trim().split('\n')[0]!.slice(0, 200);
  // No response: a network error, whose message is the socket's (no request data in it).
  return (e.message ?? 'unknown error').split('\n')[0]!.replace(/ - https:\/\/docs\.github\.com\S*/, '');
}

function isRateLimited(e: OctokitLikeError): boolean {
  const status = e.response?.status ?? e.status;
  if (status === 429) return true;
  if (status !== 403) return false;
  const headers = e.response?.headers ?? {};
  return headers['x-ratelimit-remaining'] === '0' || /rate limit/i.test(githubMessage(e));
}

type ForgeAction = { what: string; merge?: boolean };

/** Map an error from octokit into the PromoteError of the contract (docs/exit-codes.md). */
export function toForgeError(err: unknown, action: ForgeAction): PromoteError {
  if (err instanceof PromoteError) return err;
  const e = err as OctokitLikeError;
  const status = e.response?.status ?? e.status;
  const reason = githubMessage(e);
  const hasResponse = e.response !== undefined;
  const head = `GitHub: could not ${action.what}`;

  const bad = e.response?.headers?.[BAD_ANSWER_HEADER];
  if (bad === 'not-json') {
    return new UsageError(
      `${head}: the GitHub API ${reason}`,
      'Check GITHUB_API_URL: it must be the API root (https://api.github.com, or https://HOST/api/v3 for GitHub Enterprise), not a web page or a proxy.',
    );
  }
  if (bad === 'too-large') {
    return new TransientError(
      `${head}: the GitHub API answer was cut off: ${reason}`,
      'Check GITHUB_API_URL and any proxy in between, then retry the same command.',
    );
  }
  if (!hasResponse || status === undefined) {
    return new TransientError(
      `${head}: ${reason}`,
      'Check the network and GITHUB_API_URL, then retry the same command (it is safe to repeat).',
    );
  }
  if (isRateLimited(e)) {
    const after = e.response?.headers?.['retry-after'];
    return new TransientError(
      `${head}: rate limited (${status}${after ? `, retry after ${after}s` : ''}): ${reason}`,
      'Wait for the rate limit to reset, then retry the same command.',
    );
  }
  if (status >= 500) {
    return new TransientError(
      `${head}: GitHub answered ${status}: ${reason}`,
      'GitHub is having trouble; retry the same command in a few minutes.',
    );
  }
  if (status === 401) {
    return new UsageError(
      `${head}: the token was rejected (401 ${reason})`,
      'Set GITHUB_TOKEN (or GH_TOKEN) to a valid token with contents, pull requests and statuses write access.',
    );
  }
  if (action.merge && (status === 409 || status === 405)) {
    const block = classifyMergeBlock(status, reason);
    return new MergeBlockedError(
      block,
      `${head}: ${status === 409 ? 'conflict' : 'not mergeable'} (${status} ${reason})`,
      MERGE_BLOCK_REMEDY[block],
      reason,
    );
  }
  if (status === 409) {
    return new BusyError(
      `${head}: conflict (${status} ${reason})`,
      'Someone else changed it at the same time: look at the pull request and retry.',
    );
  }
  if (status === 403) {
    return new CheckFailedError(
      `${head}: forbidden (403 ${reason})`,
      'Give the token write access to pull requests, issues, statuses and deployments of this repository.',
    );
  }
  if (status === 404) {
    return new CheckFailedError(
      `${head}: not found (404 ${reason})`,
      'Check repository.github in promote.config.json, and that the token can see that repository.',
    );
  }
  if (status === 422) {
    return new CheckFailedError(
      `${head}: GitHub refused it (422 ${reason})`,
      'Fix what GitHub names above (branch pushed? pull request already open?), then retry.',
    );
  }
  return new CheckFailedError(
    `${head}: GitHub answered ${status}: ${reason}`,
    'Look at the repository on GitHub and retry once the cause is fixed.',
  );
}
