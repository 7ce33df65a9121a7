/**
 * `git promote merge --pr N [--sha SHA]`: merge a validated promotion PR, guarded by its exact head
 * sha, so that what merges is exactly what `validate` checked. A moved head (409) or an
 * unmergeable PR (405) is reported and never retried (exit 4): the new head needs validating.
 *
 * The status alone is not trusted (a PR's own workflow runs as the same bot and could post it):
 * merge fetches the target tip and the head and runs validation again against that tip, from git
 * objects only, and merges only a promotion that passes there (docs/security.md).
 */
import { basename } from 'node:path';
import { loadConfig, type LoadedConfig } from '../adapters/config-file.js';
import { tokenAuthEnv } from '../adapters/git-config-env.js';
import { fetchTipAndCommit, openGit } from '../adapters/git.js';
import { githubToken } from '../adapters/github-actions.js';
import { oneLine } from '../core/workflow-commands.js';
import { validateRange } from './validate.js';
import { BusyError, CheckFailedError, UsageError } from '../core/errors.js';
import { mergeRefusals, statusRefusal, type Refusal } from '../core/merge-policy.js';
import type { Context, Outcome } from './context.js';
import { repositoryName, requireForge } from './forge-access.js';

const SHA = /^[0-9a-f]{40}$/;

function prNumber(value: unknown): number {
  const text = typeof value === 'string' ? value : '';
  if (!/^[1-9][0-9]{0,9}$/.test(text))
    throw new UsageError(
      text ? `--pr ${JSON.stringify(text)} is not a pull request number` : 'merge needs --pr N',
      'Pass the pull request number, for example --pr 42.',
    );
  return Number(text);
}

function expectedSha(value: unknown): string | null {
  if (value === undefined) return null;
  const text = String(value).toLowerCase();
  if (!SHA.test(text))
    throw new UsageError(
      `--sha ${JSON.stringify(String(value).slice(0, 60))} is not a full commit sha`,
      'Pass the 40-character head sha that was validated (github.event.pull_request.head.sha).',
    );
  return text;
}

function refuse(refusals: Refusal[]): never {
  const [first, ...rest] = refusals as [Refusal, ...Refusal[]];
  throw new CheckFailedError(first.message, first.remedy, { details: rest.map((r) => r.message) });
}

/** Validate the head again against the target branch tip as it is now; refuse unless it passes. */
async function recheckAtTip(loaded: LoadedConfig, head: string, pr: number, ctx: Context): Promise<void> {
  const env = tokenAuthEnv(ctx.env, githubToken(ctx.env), ctx.env.GITHUB_SERVER_URL);
  const { remote, branch } = loaded.config.repository;
  const tip = await fetchTipAndCommit(openGit(loaded.root, env), remote, branch, head);
  const report = await validateRange(loaded.root, basename(loaded.path), env, { base: tip, head }, ctx.now());
  const failed = report.results.filter((r) => !r.ok);
  if (failed.length)
    refuse(
      failed.map((r) => ({
        message: `PR #${pr} no longer passes against ${branch} at ${tip.slice(0, 12)}: ${r.name}${r.pointer ? ` (${r.pointer})` : ''}: ${oneLine(r.reason)}`,
        remedy: 'Not merged. Update the PR (propose again) so it passes against the current branch.',
      })),
    );
  if (report.needsReview)
    refuse([
      {
        message: `PR #${pr} changes no pointer: it needs human review and is never merged automatically`,
        remedy: 'Have a person review and merge it.',
      },
    ]);
}

export async function merge(_args: string[], opts: Record<string, unknown>, ctx: Context): Promise<Outcome> {
  const number = prNumber(opts.pr);
  const guard = expectedSha(opts.sha);
  const loaded = await loadConfig(ctx.cwd, ctx.env, opts.config as string | undefined);
  const { config } = loaded;
  const forge = await requireForge(ctx, config.repository.github);
  const repo = repositoryName(ctx, config.repository.github)!;

  const pull = await forge.getPull(number);
  if (pull.merged) {
    const sha = pull.mergeCommitSha;
    return {
      exitCode: 0,
      data: { pr: number, merged: true, alreadyMerged: true, sha },
      text: [`PR #${number} is already merged${sha ? ` as ${sha.slice(0, 12)}` : ''}: nothing to do`],
    };
  }
  const refusals = mergeRefusals(pull, config, repo);
  if (refusals.length) refuse(refusals);

  const head = pull.head.sha;
  if (guard && head !== guard)
    throw new BusyError(
      `PR #${number} head moved: validated ${guard.slice(0, 12)}, now ${head.slice(0, 12)}`,
      'Not merged. The new head is validated by its own workflow run, which merges it if it passes.',
    );
  const status = statusRefusal(await forge.getStatuses(head), head, config.policy.statusCreators);
  if (status) refuse([status]);
  await recheckAtTip(loaded, head, number, ctx);

  const method = config.policy.mergeMethod;
  const merged = await forge.mergePull(number, { sha: head, method });
  return {
    exitCode: 0,
    data: { pr: number, merged: true, alreadyMerged: false, head, sha: merged.sha, method },
    text: [`merged PR #${number} (${method}, head ${head.slice(0, 12)}) as ${merged.sha.slice(0, 12)}`],
  };
}
