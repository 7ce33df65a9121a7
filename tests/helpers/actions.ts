/**
 * Run the built CLI as a GitHub Actions step would: Actions environment variables, a
 * pull_request event payload file and a job summary file, against the GitHub stand-in.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import type { GitHubStandIn } from '../../src/sandbox/github/index.js';
import { startGitHubStandIn } from './github-traffic.js';
import { runCliProcess, type CliResult } from './cli.js';
import type { TestRepo } from './git-repo.js';
import { createPromotionRepo, writePullRequestEvent } from './promotion-repo.js';

export const REPO = 'acme/projections';

export interface PromotionGate {
  /** The pipeline repository of createPromotionRepo (its bare remote is the stand-in's REPO). */
  repo: TestRepo;
  gh: GitHubStandIn;
}

/**
 * Register the hooks of a promotion-gate test file: one repository and GitHub stand-in for the
 * file, the stand-in reset and the clone back on the remote's main before each test. The fields
 * are set once beforeAll has run.
 */
export function usePromotionGate(): PromotionGate {
  const gate = {} as PromotionGate;
  beforeAll(async () => {
    gate.repo = createPromotionRepo();
    gate.gh = await startGitHubStandIn({ repos: { [REPO]: gate.repo.remote } });
  });
  afterAll(async () => {
    await gate.gh?.close();
    gate.repo?.cleanup();
  });
  beforeEach(() => {
    gate.gh.reset();
    // The runner's checkout: main as GitHub has it now (merges happen in the stand-in's bare repo).
    gate.repo.git(['fetch', '--quiet', 'origin']);
    gate.repo.git(['checkout', '--quiet', '-B', 'main', 'origin/main']);
  });
  return gate;
}

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

type StepPull = OpenPull & { headRepo?: string; labels?: string[] };

/** What the runner gives a step of a pull_request job: event file, job summary, GITHUB_* variables. */
function stepEnv(gh: GitHubStandIn, dir: string, pr: StepPull, name: string) {
  const event = writePullRequestEvent(dir, {
    number: pr.number,
    base: pr.base,
    head: pr.head,
    headRepo: pr.headRepo ?? REPO,
    labels: pr.labels ?? ['promotion'],
  });
  const summary = join(dir, `summary-${pr.number}-${name}-${pr.head.slice(0, 7)}.md`);
  writeFileSync(summary, '');
  const env = {
    CI: 'true',
    GITHUB_ACTIONS: 'true',
    GITHUB_EVENT_NAME: 'pull_request',
    GITHUB_EVENT_PATH: event,
    GITHUB_REPOSITORY: REPO,
    GITHUB_API_URL: gh.url,
    GITHUB_GRAPHQL_URL: `${gh.url}/graphql`,
    GITHUB_SERVER_URL: 'https://github.example',
    GITHUB_RUN_ID: '4242',
    GITHUB_SHA: pr.head,
    GITHUB_STEP_SUMMARY: summary,
  };
  return { env, summary };
}

/** Run `git-promote <args>` as a workflow step for the pull request `pr`. */
export async function runStep(
  gh: GitHubStandIn,
  cwd: string,
  dir: string,
  args: string[],
  pr: StepPull,
  extra: Record<string, string> = {},
): Promise<StepResult> {
  const { env, summary } = stepEnv(gh, dir, pr, args[0]!);
  const result = await runCliProcess(args, { cwd, env: { ...env, GITHUB_TOKEN: gh.token, ...extra } });
  return { ...result, summary: readFileSync(summary, 'utf8') };
}

export interface ActionStepResult extends StepResult {
  /** What the step wrote to GITHUB_OUTPUT, by name. */
  outputs: Record<string, string>;
}

/** Read a GITHUB_OUTPUT file: `name<<delimiter` blocks, as @actions/core writes them. */
function readOutputs(file: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  const lines = readFileSync(file, 'utf8').split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const m = /^([^<=]+)<<(.+)$/.exec(lines[i]!);
    if (!m) continue;
    const end = lines.indexOf(m[2]!, i + 1);
    outputs[m[1]!] = lines.slice(i + 1, end).join('\n');
    i = end;
  }
  return outputs;
}

/**
 * Run the Action's committed bundle with node as the runner runs a JavaScript action: the step's
 * `with:` as INPUT_<NAME> (every declared input set, '' when not given), GITHUB_OUTPUT and the
 * job summary files, the workspace as working directory. The token comes in as an input only.
 */
export async function runActionStep(
  gh: GitHubStandIn,
  cwd: string,
  dir: string,
  inputs: Record<string, string>,
  pr: StepPull,
  options: { script: string; declared: readonly string[] },
): Promise<ActionStepResult> {
  const { env, summary } = stepEnv(gh, dir, pr, `action-${inputs.command}`);
  const output = join(dir, `output-${pr.number}-${inputs.command}-${pr.head.slice(0, 7)}`);
  writeFileSync(output, '');
  const inputEnv = Object.fromEntries(
    options.declared.map((name) => [`INPUT_${name.toUpperCase()}`, inputs[name] ?? '']),
  );
  const result = await runCliProcess([], {
    cwd,
    script: options.script,
    env: { ...env, ...inputEnv, GITHUB_OUTPUT: output, GITHUB_WORKSPACE: cwd, RUNNER_TEMP: dir },
  });
  return { ...result, summary: readFileSync(summary, 'utf8'), outputs: readOutputs(output) };
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
