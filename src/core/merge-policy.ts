/**
 * When `git promote merge` may merge a pull request: pure rules over the PR, the config and the
 * commit statuses of its head. A refusal says what is wrong and what to do.
 */
import type { Config } from './schemas.js';
import type { CommitStatus, PullRequest } from './forge.js';
import { STATUS_CONTEXT } from './validate-report.js';
import { oneLine } from './workflow-commands.js';

export interface Refusal {
  message: string;
  remedy: string;
}

/** Every policy reason not to merge this PR (empty when it may be merged, statuses aside). */
export function mergeRefusals(pull: PullRequest, config: Config, repoFullName: string): Refusal[] {
  const refusals: Refusal[] = [];
  const n = `PR #${pull.number}`;
  if (pull.state !== 'open')
    refusals.push({
      message: `${n} is closed`,
      remedy: 'Reopen it (or open a new promotion) and let validation run.',
    });
  const branch = config.repository.branch;
  if (pull.base.ref !== branch)
    refusals.push({
      message: `${n} targets ${JSON.stringify(pull.base.ref)}, not the configured branch ${branch}`,
      remedy: `Retarget the pull request to ${branch}, or fix repository.branch in promote.config.json.`,
    });
  if (pull.head.repoFullName === null || pull.head.repoFullName.toLowerCase() !== repoFullName.toLowerCase())
    refusals.push({
      message: `${n} comes from ${pull.head.repoFullName ?? 'a deleted repository'}, not ${repoFullName}: fork PRs are never merged automatically`,
      remedy:
        'Push the promotion branch to this repository (git promote propose does), or merge by hand after review.',
    });
  const wanted = [...config.policy.labels, ...config.policy.rollbackLabels];
  if (pull.draft)
    refusals.push({
      message: `${n} is a draft`,
      remedy: 'Mark it ready for review; drafts are never merged.',
    });
  if (!pull.labels.some((l) => wanted.includes(l)))
    refusals.push({
      message: `${n} has none of the labels ${wanted.join(', ')}`,
      remedy: `Add the label ${wanted[0] ?? 'promotion'} if this is a promotion; other PRs are merged by people.`,
    });
  return refusals;
}

/**
 * The validation status of the exact head sha must be success, posted by a trusted account (the
 * promotion workflow's token): a status anyone with a token could post proves nothing.
 */
export function statusRefusal(statuses: CommitStatus[], sha: string, trusted: string[]): Refusal | null {
  const status = statuses.find((s) => s.context === STATUS_CONTEXT);
  const short = sha.slice(0, 12);
  if (!status)
    return {
      message: `no ${STATUS_CONTEXT} status on head ${short}: it was never validated`,
      remedy: 'Let the promotion workflow run git promote validate on this head first.',
    };
  if (status.creator === null || !trusted.includes(status.creator))
    return {
      message: `${STATUS_CONTEXT} on head ${short} was posted by ${status.creator === null ? 'an unknown account' : oneLine(status.creator)}, not by ${trusted.join(' or ')}`,
      remedy:
        'Only the promotion workflow may post it: rerun that workflow, or add its account to policy.statusCreators in promote.config.json.',
    };
  if (status.state === 'pending')
    return {
      message: `${STATUS_CONTEXT} is still pending on head ${short}`,
      remedy: 'Wait for validation to finish, then run merge again.',
    };
  if (status.state !== 'success')
    return {
      message: `${STATUS_CONTEXT} is ${status.state} on head ${short}${status.description ? `: ${oneLine(status.description)}` : ''}`,
      remedy:
        'Fix what validation reported (see the job summary) and push again; a person must merge PRs needing review.',
    };
  return null;
}
