/**
 * Runs git-promote as the promotion workflow's jobs would on GitHub: a fresh checkout, the
 * Actions environment variables and a `pull_request` event payload fetched from the GitHub
 * stand-in (the same JSON GitHub puts in GITHUB_EVENT_PATH).
 */
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runGit } from '../../adapters/git.js';
import { SANDBOX_REPO, type SandboxWorld } from './build-world.js';

/** What a CI job needs of a world (the sandbox's, or the stages world's). */
export type CiWorld = Pick<SandboxWorld, 'dir' | 'origin' | 'env' | 'github'>;

export interface ActionsJob {
  cwd: string;
  env: Record<string, string | undefined>;
  summaryPath: string;
  headSha: string;
}

async function fetchPull(world: CiWorld, number: number): Promise<Record<string, unknown>> {
  const res = await fetch(`${world.github.url}/repos/${SANDBOX_REPO}/pulls/${number}`, {
    headers: { authorization: `token ${world.github.token}`, accept: 'application/vnd.github+json' },
  });
  if (!res.ok) throw new Error(`GET pull #${number} from the GitHub stand-in answered ${res.status}`);
  return (await res.json()) as Record<string, unknown>;
}

/**
 * Prepare a job for PR `number`: `checkout` is `head` (the validate job checks out the PR head)
 * or `base` (the merge job checks out the target branch, never PR code).
 */
export async function actionsJob(
  world: CiWorld,
  number: number,
  job: 'validate' | 'merge',
  checkout: 'head' | 'base',
): Promise<ActionsJob> {
  const pull = await fetchPull(world, number);
  const head = pull.head as { sha: string };
  const base = pull.base as { ref: string };
  // Each job its own directory, as each workflow run gets a fresh runner (a re-run too).
  const name = `pr-${number}-${job}-${head.sha.slice(0, 7)}`;
  let dir = join(world.dir, 'github-actions', name);
  for (let attempt = 2; existsSync(dir); attempt++)
    dir = join(world.dir, 'github-actions', `${name}-${attempt}`);
  await mkdir(dir, { recursive: true });
  const cwd = join(dir, 'workspace');
  const gitEnv = { ...world.env, GITHUB_TOKEN: undefined };
  await runGit(dir, gitEnv, ['clone', '--quiet', '--no-checkout', '--', world.origin, cwd]);
  await runGit(cwd, gitEnv, ['fetch', '--quiet', '--', 'origin', head.sha]);
  const ref = checkout === 'head' ? head.sha : `origin/${base.ref}`;
  await runGit(cwd, gitEnv, ['checkout', '--quiet', '--detach', ref]);

  const eventPath = join(dir, 'event.json');
  const summaryPath = join(dir, 'step-summary.md');
  await writeFile(
    eventPath,
    JSON.stringify(
      { action: 'synchronize', number, pull_request: pull, repository: { full_name: SANDBOX_REPO } },
      null,
      2,
    ),
  );
  await writeFile(summaryPath, '');
  return {
    cwd,
    headSha: head.sha,
    summaryPath,
    env: {
      ...world.env,
      CI: 'true',
      GITHUB_ACTIONS: 'true',
      GITHUB_EVENT_NAME: 'pull_request',
      GITHUB_EVENT_PATH: eventPath,
      GITHUB_REPOSITORY: SANDBOX_REPO,
      GITHUB_SHA: head.sha,
      GITHUB_STEP_SUMMARY: summaryPath,
      GITHUB_WORKSPACE: cwd,
    },
  };
}
