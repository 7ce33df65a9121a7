/**
 * Why GitHub refused `PUT /repos/{owner}/{repo}/pulls/{pull_number}/merge`. GitHub answers 405 for
 * several different reasons and tells them apart only by its message (and the PR's
 * `mergeable_state`), so this is the one place that reads those messages. Sources, as GitHub
 * sends them:
 * - 409 "Head branch was modified. Review and try the merge again." (the sha guard; OpenAPI 409).
 * - 405 "Base branch was modified. Review and try the merge again.": another merge moved the base
 *   in between; retrying succeeds (github.com/NixOS/nixpkgs-merge-bot/issues/179,
 *   github.com/akuity/kargo/pull/6490, github.com/orgs/community/discussions/24462).
 * - 405 `Required status check "X" is expected.` / `... is in progress.`, with rulesets prefixed
 *   "Repository rule violations found" (github.com/pascalgn/automerge-action/issues/35,
 *   github.com/akuity/kargo/issues/6397, github.com/Mergifyio/mergify/pull/1812).
 * - 405 "At least 1 approving review is required by reviewers with write access."
 *   (github.com/Reviewable/Reviewable/issues/561); code owners: "Waiting on code owner review".
 * - 405 "Merge commits are not allowed on this repository." and the Squash/Rebase variants
 *   (github.com/akuity/kargo/pull/6490, github.com/jeffrichley/foreman/issues/399).
 * - 405 "Pull Request is still a draft" (github.com/lindell/multi-gitter/issues/622).
 * - 405 "Pull Request is not mergeable" (conflicts, or a closed PR).
 */
import type { MergeBlock } from '../../core/forge.js';

/** The reason behind a 405/409 merge answer, from GitHub's status and message. */
export function classifyMergeBlock(status: number, message: string): MergeBlock {
  if (status === 409) return 'head-moved';
  if (/base branch was modified/i.test(message)) return 'base-modified';
  // A missing review first: waiting for checks cannot lift it (GitHub may list both).
  if (/approving review|review is required|code owner review|changes requested/i.test(message))
    return 'review';
  if (/required status check|status checks? (?:are|is) (?:expected|required|failing|pending)/i.test(message))
    return 'checks';
  if (/(?:merge commits|squash merges|rebase merges) are not allowed/i.test(message)) return 'method';
  if (/still a draft|draft state/i.test(message)) return 'draft';
  if (/not up to date|out of date|behind/i.test(message)) return 'behind';
  return 'not-mergeable';
}

/** What to do about each reason (the merge command may turn some into waits or retries). */
export const MERGE_BLOCK_REMEDY: Record<MergeBlock, string> = {
  'head-moved':
    'Not merged. The new head is validated by its own workflow run, which merges it if it passes.',
  'base-modified': 'Another merge moved the branch at the same moment: run merge again.',
  checks: 'Wait for the required checks to pass on the head, then run merge again.',
  review: 'A person must approve the pull request, or the rule requiring reviews must exempt promotions.',
  method: 'Set policy.mergeMethod in promote.config.json to a method the repository allows.',
  draft: 'Mark the pull request ready for review; drafts are never merged.',
  behind:
    'The branch requires pull requests to be up to date: propose the promotion again on the current branch.',
  'not-mergeable':
    'The pull request changed or cannot be merged: validate its new head again, or resolve the conflict.',
};
