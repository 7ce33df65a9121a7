/**
 * What a GitHub Actions job gives a step: the event payload file, the repository and API URL,
 * the job summary file. Only fields GitHub itself sets are trusted for control flow (shas,
 * numbers, repository names); PR text is never read here.
 */
import { appendFile } from 'node:fs/promises';
import { isPromoteError, UsageError } from '../core/errors.js';
import { readRegularFile } from './read-text.js';
import { createRedactor } from '../core/redact.js';
import type { Env } from './git.js';

export interface ActionsEvent {
  /** The pull request number, when the event is about one. */
  number: number | null;
  base: string | null;
  head: string | null;
  /** Base branch name of the pull request. */
  baseRef: string | null;
  labels: string[];
  /** owner/name of the repository the PR head lives in (differs for forks; null when deleted). */
  headRepo: string | null;
  /** A merge queue's merge_group event: `base` is exactly the group's parent, there are no labels. */
  mergeGroup?: boolean;
}

export function inActions(env: Env): boolean {
  return env.GITHUB_ACTIONS === 'true';
}

const SHA = /^[0-9a-f]{40}$/;
const ZERO = /^0+$/;

function sha(value: unknown): string | null {
  return typeof value === 'string' && SHA.test(value) && !ZERO.test(value) ? value : null;
}

function str(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

/** A GitHub event payload that cannot be what GitHub wrote: never guess a range from it (exit 2). */
function malformedEvent(path: string, what: string): UsageError {
  return new UsageError(
    `the GitHub event payload ${path} is malformed: ${what}`,
    'Run validate from a pull_request workflow with the event file GitHub wrote, or pass --base and --head.',
  );
}

/** Read GITHUB_EVENT_PATH: pull_request and merge_group events give base/head shas; push events before/after. */
export async function readActionsEvent(env: Env): Promise<ActionsEvent | null> {
  const path = env.GITHUB_EVENT_PATH;
  if (!path) return null;
  let payload: Record<string, unknown>;
  try {
    payload = JSON.parse(await readRegularFile(path)) as Record<string, unknown>;
  } catch (err) {
    if (isPromoteError(err)) throw err;
    throw new UsageError(
      `cannot read the GitHub event payload ${path}: ${err instanceof Error ? err.message : String(err)}`,
      'Run inside a GitHub Actions job, or pass --base and --head.',
      { cause: err },
    );
  }
  if (payload === null || typeof payload !== 'object' || Array.isArray(payload))
    throw malformedEvent(
      path,
      `it holds ${payload === null ? 'null' : Array.isArray(payload) ? 'an array' : typeof payload}, not an event object`,
    );
  const pullRequestEvent = /^pull_request/.test(env.GITHUB_EVENT_NAME ?? '');
  if (pullRequestEvent || 'pull_request' in payload) {
    const pr = payload.pull_request;
    if (pr === null || typeof pr !== 'object' || Array.isArray(pr))
      throw malformedEvent(path, 'its pull_request is missing or not an object');
    const p = pr as Record<string, { sha?: unknown } | null | undefined>;
    if (!sha(p.base?.sha) || !sha(p.head?.sha))
      throw new UsageError(
        `the pull_request event in ${path} has no valid base and head sha`,
        'Run validate from a pull_request workflow, or pass --base and --head.',
      );
  }
  const pr = payload.pull_request as Record<string, unknown> | undefined;
  if (pr && typeof pr === 'object') {
    const base = (pr.base ?? {}) as Record<string, unknown>;
    const head = (pr.head ?? {}) as Record<string, unknown>;
    const labels = Array.isArray(pr.labels)
      ? pr.labels.map((l) => str((l as Record<string, unknown>)?.name)).filter((l): l is string => l !== null)
      : [];
    const number = typeof pr.number === 'number' && Number.isSafeInteger(pr.number) ? pr.number : null;
    return {
      number,
      base: sha(base.sha),
      head: sha(head.sha),
      baseRef: str(base.ref),
      labels,
      headRepo: str((head.repo as Record<string, unknown> | null | undefined)?.full_name),
    };
  }
  // merge_group (checks_requested): head_sha is the group commit to validate and report on,
  // base_sha its parent on the target branch, base_ref the full ref (github.blog changelog
  // 2022-08-18 "Merge group webhook event"; webhook schema merge-group in @octokit/openapi).
  const group = payload.merge_group as Record<string, unknown> | undefined;
  if (group && typeof group === 'object') {
    const baseRef = str(group.base_ref);
    return {
      number: null,
      base: sha(group.base_sha),
      head: sha(group.head_sha),
      baseRef: baseRef?.startsWith('refs/heads/') ? baseRef.slice('refs/heads/'.length) : baseRef,
      labels: [],
      headRepo: null,
      mergeGroup: true,
    };
  }
  return {
    number: null,
    base: sha(payload.before),
    head: sha(payload.after),
    baseRef: null,
    labels: [],
    headRepo: null,
  };
}

/** Append Markdown to the job summary when the runner provides one. */
export async function appendStepSummary(env: Env, markdown: string): Promise<boolean> {
  const path = env.GITHUB_STEP_SUMMARY;
  if (!path) return false;
  // The summary file is output too: the same filter as stdout and stderr.
  await appendFile(path, createRedactor(env)(markdown), 'utf8');
  return true;
}

/** Link to this workflow run, for a commit status' target_url. */
export function runUrl(env: Env): string | undefined {
  const { GITHUB_SERVER_URL: server, GITHUB_REPOSITORY: repo, GITHUB_RUN_ID: id } = env;
  if (!server || !repo || !id || !/^\d+$/.test(id)) return undefined;
  return `${server.replace(/\/+$/, '')}/${repo}/actions/runs/${id}`;
}

/** The token for the GitHub API, if any. */
export function githubToken(env: Env): string | undefined {
  return env.GITHUB_TOKEN || env.GH_TOKEN || undefined;
}
