/**
 * Run the built CLI as a GitHub Actions step would: Actions environment variables, a
 * pull_request event payload file and a job summary file, against the GitHub stand-in.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { GitHubStandIn } from '../../src/sandbox/github/index.js';
import { runCliProcess, type CliResult } from './cli.js';
import { writePullRequestEvent } from './promotion-repo.js';

export const REPO = 'acme/projections';

/** The GitHub API as a test client of the stand-in (what a person or GitHub itself would do). */
export async function api(gh: GitHubStandIn, method: string, path: string, body?: unknown): Promise<unknown> {
  const res = await fetch(`${gh.url}/repos/${REPO}${path}`, {
    method,
    headers: { authorization: `token ${gh.token}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const data: unknown = await res.json();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(data)}`);
  return data;
}

export interface OpenPull {
  number: number;
  head: string;
  base: string;
}

/** Open a PR from `branch` into main with labels; returns its number and shas as GitHub reports them. */
export async function openPull(
  gh: GitHubStandIn,
  branch: string,
  labels: string[] = ['promotion'],
): Promise<OpenPull> {
  const pr = (await api(gh, 'POST', '/pulls', {
    title: `Promote ${branch}`,
    head: branch,
    base: 'main',
  })) as {
    number: number;
    head: { sha: string };
    base: { sha: string };
  };
  if (labels.length) await api(gh, 'POST', `/issues/${pr.number}/labels`, { labels });
  return { number: pr.number, head: pr.head.sha, base: pr.base.sha };
}

export interface StepResult extends CliResult {
  summary: string;
}

/** Run `git-promote <args>` as a workflow step for the pull request `pr`. */
export async function runStep(
  gh: GitHubStandIn,
  cwd: string,
  dir: string,
  args: string[],
  pr: OpenPull & { headRepo?: string; labels?: string[] },
  extra: Record<string, string> = {},
): Promise<StepResult> {
  const event = writePullRequestEvent(dir, {
    number: pr.number,
    base: pr.base,
    head: pr.head,
    headRepo: pr.headRepo ?? REPO,
    labels: pr.labels ?? ['promotion'],
  });
  const summary = join(dir, `summary-${pr.number}-${args[0]}-${pr.head.slice(0, 7)}.md`);
  writeFileSync(summary, '');
  const result = await runCliProcess(args, {
    cwd,
    env: {
      CI: 'true',
      GITHUB_ACTIONS: 'true',
      GITHUB_EVENT_NAME: 'pull_request',
      GITHUB_EVENT_PATH: event,
      GITHUB_REPOSITORY: REPO,
      GITHUB_API_URL: gh.url,
      GITHUB_SERVER_URL: 'https://github.example',
      GITHUB_RUN_ID: '4242',
      GITHUB_SHA: pr.head,
      GITHUB_STEP_SUMMARY: summary,
      GITHUB_TOKEN: gh.token,
      ...extra,
    },
  });
  return { ...result, summary: readFileSync(summary, 'utf8') };
}

/** Statuses the stand-in holds for a sha, latest first. */
export function statusesOf(gh: GitHubStandIn, sha: string) {
  return gh
    .repoState(REPO)
    .statuses.filter((s) => s.sha === sha)
    .reverse();
}

/** Merge requests the stand-in received. */
export function mergeRequests(gh: GitHubStandIn) {
  return gh.requests.filter((r) => r.method === 'PUT' && r.path.endsWith('/merge'));
}
