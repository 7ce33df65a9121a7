/**
 * `git promote merge --pr N [--sha SHA]`: merge a validated promotion PR, guarded by its exact head
 * sha, so that what merges is exactly what `validate` checked. A moved head (409) is reported and
 * never retried (exit 4): the new head needs validating.
 *
 * Merge waits, up to policy.mergeWait, until every check the target branch requires (rulesets and
 * classic protection; commit statuses and check runs alike) has completed on the head, and merges
 * only if all passed. GitHub's 405 answers are told apart (src/adapters/github/merge-block.ts):
 * "base branch was modified" (another merge won the race) is retried with backoff, re-running the
 * tip checks each time; required checks wait; a required review is exit 1; a merge method the
 * repository does not allow is exit 2. Concurrency groups cannot serialize merges (GitHub keeps
 * one pending job per group and cancels older pending ones), so these retries are what make
 * concurrent merges safe.
 *
 * The status alone is not trusted (a PR's own workflow runs as the same bot and could post it):
 * merge fetches the target tip and the head and runs validation again against that tip, from git
 * objects only, and merges only a promotion that passes there (docs/security.md).
 */
import { basename } from 'node:path';
import { loadConfig, type LoadedConfig } from '../adapters/config-file.js';
import { tokenAuthEnv } from '../adapters/git-config-env.js';
import { fetchBranch } from '../adapters/git.js';
import { githubToken } from '../adapters/github-actions.js';
import { sleep } from '../adapters/long-timeout.js';
import { formatDuration, parseDuration } from '../core/duration.js';
import { oneLine } from '../core/workflow-commands.js';
import { validateRange } from './validate.js';
import { BusyError, CheckFailedError, TransientError, UsageError } from '../core/errors.js';
import { MergeBlockedError, type Forge, type PullRequest } from '../core/forge.js';
import { mergeRefusals, statusRefusal, type Refusal } from '../core/merge-policy.js';
import {
  describeChecks,
  judgeRequired,
  requiredCheckNames,
  requiresUpToDate,
  type CheckState,
} from '../core/required-checks.js';
import { STATUS_CONTEXT } from '../core/validate-report.js';
import type { CommonOptions, Context, Outcome } from './context.js';
import { openForge, repositoryName, requireForge } from './forge-access.js';

const MERGE_BEHIND_REMEDY =
  'Not merged. Propose the promotion again on the current branch (or update the PR branch); the new head is validated and merged by its own run.';

export interface MergeOptions extends CommonOptions {
  /** The pull request (src/core/option-values.ts pullRequestNumber). */
  pr: number;
  /** The validated head sha, lower-case 40 hex; without it the PR's current head. */
  sha?: string;
}

function refuse(refusals: Refusal[]): never {
  const [first, ...rest] = refusals as [Refusal, ...Refusal[]];
  throw new CheckFailedError(first.message, first.remedy, { details: rest.map((r) => r.message) });
}

/** Validate the head again against the target branch tip as it is now; refuse unless it passes. */
async function recheckAtTip(loaded: LoadedConfig, head: string, pr: number, ctx: Context): Promise<void> {
  const env = tokenAuthEnv(ctx.env, githubToken(ctx.env), ctx.env.GITHUB_SERVER_URL);
  const { remote, branch } = loaded.config.repository;
  const tip = await fetchBranch(loaded.root, env, remote, branch, { commit: head });
  const report = await validateRange(
    loaded.root,
    basename(loaded.path),
    env,
    { base: tip, head },
    ctx.now(),
    {
      openForge: (github) => openForge(ctx, github),
    },
  );
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

/**
 * The required checks the head still waits for; a failed one (or an untrusted validation status)
 * is refused with exit 1, naming every failed check.
 */
async function pendingChecks(forge: Forge, pull: PullRequest, loaded: LoadedConfig): Promise<CheckState[]> {
  const { config } = loaded;
  const head = pull.head.sha;
  const short = head.slice(0, 12);
  const branch = config.repository.branch;
  const [statuses, runs, rules, protection] = await Promise.all([
    forge.getStatuses(head),
    forge.listCheckRuns(head),
    forge.getBranchRules(branch),
    forge.getBranchProtection(branch),
  ]);
  // The validation status itself must already be success (the merge job runs after validate).
  const status = statusRefusal(statuses, head, config.policy.statusCreators);
  if (status) refuse([status]);
  const names = requiredCheckNames(rules, protection).filter((n) => n !== STATUS_CONTEXT);
  const verdict = judgeRequired(names, statuses, runs);
  if (verdict.failed.length)
    refuse(
      verdict.failed.map((c) => ({
        message: `required check ${c.name} is ${c.state} on head ${short}`,
        remedy: `Not merged: ${branch} requires ${names.join(', ')} to pass. Fix the failing check and push again.`,
      })),
    );
  return verdict.pending;
}

/**
 * auto-merge and merge-queue hand the merge to GitHub, which merges onto whatever the tip is then:
 * only safe when GitHub itself re-checks on that tip, i.e. the branch requires heads to be up to
 * date (auto-merge) or has a merge queue (whose merge_group runs validate each group).
 */
async function requireGitHubMergeRules(forge: Forge, loaded: LoadedConfig): Promise<void> {
  const { branch } = loaded.config.repository;
  const mode = loaded.config.policy.merge;
  const [rules, protection] = await Promise.all([
    forge.getBranchRules(branch),
    forge.getBranchProtection(branch),
  ]);
  if (mode === 'auto-merge' && !requiresUpToDate(rules, protection))
    throw new UsageError(
      `policy.merge "auto-merge" needs ${branch} to require branches to be up to date before merging: GitHub merges onto whatever the tip is then, which validate never saw`,
      'Turn on "Require branches to be up to date before merging" (strict_required_status_checks_policy) in the ruleset, or use policy.merge "direct".',
    );
  if (mode === 'merge-queue' && !rules.some((r) => r.type === 'merge_queue'))
    throw new UsageError(
      `policy.merge "merge-queue" needs a merge queue on ${branch}, and its rules have none`,
      'Add the "Require merge queue" rule to the ruleset (the workflow validates each merge_group), or use policy.merge "direct".',
    );
}

function alreadyMerged(pull: PullRequest): Outcome {
  const sha = pull.mergeCommitSha;
  return {
    exitCode: 0,
    data: { pr: pull.number, merged: true, alreadyMerged: true, sha },
    text: [`PR #${pull.number} is already merged${sha ? ` as ${sha.slice(0, 12)}` : ''}: nothing to do`],
  };
}

export async function merge(_args: string[], opts: MergeOptions, ctx: Context): Promise<Outcome> {
  const number = opts.pr;
  const guard = opts.sha ?? null;
  const loaded = await loadConfig(ctx.cwd, ctx.env, opts.config);
  const { config } = loaded;
  const forge = await requireForge(ctx, config.repository.github);
  const repo = repositoryName(ctx, config.repository.github)!;
  const method = config.policy.mergeMethod;

  const waitMs = parseDuration(config.policy.mergeWait) ?? 15 * 60_000;
  const deadline = ctx.now().getTime() + waitMs;
  // Poll often enough to merge soon after the last check finishes, rarely enough to stay far
  // below the rate limit: 10s for the default 15m.
  const pollMs = Math.min(10_000, Math.max(200, Math.round(waitMs / 90)));
  let backoffMs = pollMs;
  let said = '';
  const progress = (line: string) => {
    if (line !== said) ctx.stderr.write(`${line}\n`);
    said = line;
  };
  // The clock bounds the wait; so does the number of polls, should the clock stand still.
  let polls = 0;
  const maxPolls = Math.ceil(waitMs / pollMs) + 1;
  const timeLeft = () => (polls > maxPolls ? 0 : deadline - ctx.now().getTime());
  const pause = (ms: number) => {
    polls += 1;
    return sleep(Math.max(Math.min(ms, timeLeft()), 0), ctx.signal);
  };
  let handOver = config.policy.merge !== 'direct';

  for (;;) {
    const pull = await forge.getPull(number);
    if (pull.merged) return alreadyMerged(pull);
    const refusals = mergeRefusals(pull, config, repo);
    if (refusals.length) refuse(refusals);

    const head = pull.head.sha;
    const short = head.slice(0, 12);
    if (guard && head !== guard)
      throw new BusyError(
        `PR #${number} head moved: validated ${guard.slice(0, 12)}, now ${short}`,
        'Not merged. The new head is validated by its own workflow run, which merges it if it passes.',
      );
    if (handOver && pull.nodeId) {
      // GitHub waits for the required checks itself; the validation status must be there already.
      handOver = false;
      const status = statusRefusal(await forge.getStatuses(head), head, config.policy.statusCreators);
      if (status) refuse([status]);
      await requireGitHubMergeRules(forge, loaded);
      await recheckAtTip(loaded, head, number, ctx);
      const mode = config.policy.merge;
      if ((await forge.enableAutoMerge({ nodeId: pull.nodeId, number }, { sha: head, method })) === 'enabled')
        return {
          exitCode: 0,
          data: { pr: number, merged: false, autoMerge: true, mode, head, method },
          text: [
            `${mode === 'merge-queue' ? 'queued' : 'auto-merge enabled for'} PR #${number} (${method}, head ${short}): GitHub merges it once the branch's requirements are met`,
          ],
        };
      progress(`PR #${number} can be merged right now (GitHub will not enable auto-merge on it): merging it`);
    }
    const waiting = await pendingChecks(forge, pull, loaded);
    if (waiting.length) {
      if (timeLeft() <= 0)
        throw new TransientError(
          `required checks still not complete on head ${short} after ${formatDuration(waitMs)}: ${describeChecks(waiting)}`,
          'Not merged. Re-run the merge job once they finish, or raise policy.mergeWait in promote.config.json.',
        );
      progress(`waiting for required checks on head ${short}: ${describeChecks(waiting)}`);
      await pause(pollMs);
      continue;
    }
    await recheckAtTip(loaded, head, number, ctx);

    try {
      const merged = await forge.mergePull(number, { sha: head, method });
      return {
        exitCode: 0,
        data: { pr: number, merged: true, alreadyMerged: false, head, sha: merged.sha, method },
        text: [`merged PR #${number} (${method}, head ${short}) as ${merged.sha.slice(0, 12)}`],
      };
    } catch (err) {
      if (!(err instanceof MergeBlockedError)) throw err;
      // Rulesets list violations on separate lines: one line here.
      const why = oneLine(err.githubMessage.replace(/\s+/g, ' ').trim());
      switch (err.block) {
        case 'base-modified': {
          // Full jitter, so that merges racing each other do not collide again.
          const delay = Math.round(backoffMs / 2 + (Math.random() * backoffMs) / 2);
          if (timeLeft() < delay)
            throw new TransientError(
              `PR #${number}: ${config.repository.branch} kept moving (another merge each time) for ${formatDuration(waitMs)}: ${why}`,
              'Not merged. Run merge again; nothing is lost.',
            );
          progress(
            `${config.repository.branch} moved under the merge (${why}): checking again in ${formatDuration(delay)}`,
          );
          await pause(delay);
          backoffMs = Math.min(backoffMs * 2, 30_000);
          continue;
        }
        case 'checks':
          // Required by something merge could not read (or reported a moment ago): wait for it.
          if (timeLeft() <= 0)
            throw new TransientError(
              `PR #${number}: GitHub still refuses it after ${formatDuration(waitMs)}: ${why}`,
              'Not merged. Re-run the merge job once the required checks pass, or raise policy.mergeWait.',
            );
          progress(`waiting: ${why}`);
          await pause(pollMs);
          continue;
        case 'review':
          throw new CheckFailedError(
            `PR #${number} needs an approving review: ${why}`,
            'Not merged. A person must approve it, or the branch rules must not require reviews of promotions (docs/merging.md).',
          );
        case 'method': {
          const allowed = await forge.getMergeMethods().catch(() => null);
          throw new UsageError(
            `the repository does not allow ${method} merges${allowed?.length ? `; it allows ${allowed.join(', ')}` : ''} (${why})`,
            `Set policy.mergeMethod in promote.config.json to ${allowed?.length ? allowed.map((m) => JSON.stringify(m)).join(' or ') : 'a method the repository allows'}.`,
          );
        }
        case 'draft':
          throw new CheckFailedError(`PR #${number} is a draft: ${why}`, err.remedy);
        case 'behind':
          throw new BusyError(`PR #${number} is behind ${config.repository.branch}: ${why}`, err.remedy);
        case 'not-mergeable': {
          // GitHub's generic refusal: its mergeable_state says more ("behind" when the branch
          // requires up-to-date heads; "dirty" for conflicts, which stays exit 4 as before).
          const state = (await forge.getPull(number).catch(() => null))?.mergeableState;
          if (state === 'behind')
            throw new BusyError(
              `PR #${number} is behind ${config.repository.branch}, which requires heads to be up to date (${why})`,
              MERGE_BEHIND_REMEDY,
            );
          throw err;
        }
        default:
          throw err;
      }
    }
  }
}
