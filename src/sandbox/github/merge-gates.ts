/**
 * What stops the GitHub stand-in from merging a pull request that git can merge: a draft, missing
 * approving reviews, required checks not passing. Rules come from the repository's rulesets (their
 * 405 message starts "Repository rule violations found") and from classic branch protection (bare
 * messages). Messages as GitHub sends them (sources in src/adapters/github/merge-block.ts):
 * `Required status check "X" is expected.` (never reported), `... is in progress.` (pending);
 * "At least 1 approving review is required by reviewers with write access."; "Pull Request is
 * still a draft". For a failed check GitHub's wording is not on record; "is failing." is ours.
 * A check passes when successful, neutral or skipped (docs.github.com, About protected branches).
 */
import type { RepoState } from './resources.js';

interface Gate {
  message: string;
  /** The PR's mergeable_state while this gate holds. */
  state: 'draft' | 'blocked';
}

const PASSING = new Set(['success', 'neutral', 'skipped']);

function rulesetChecks(repo: RepoState): string[] {
  return repo.rules
    .filter((r) => r.type === 'required_status_checks')
    .flatMap((r) => (r.parameters?.required_status_checks as { context: string }[] | undefined) ?? [])
    .map((c) => c.context);
}

function rulesetReviews(repo: RepoState): number {
  return Math.max(
    0,
    ...repo.rules
      .filter((r) => r.type === 'pull_request')
      .map((r) => Number(r.parameters?.required_approving_review_count ?? 0)),
  );
}

/** Where a required check stands on `sha`: "pass", "is expected.", "is in progress." or "is failing.". */
function checkState(repo: RepoState, sha: string, name: string): string {
  const run = repo.checkRuns.filter((c) => c.sha === sha && c.name === name).sort((a, b) => b.id - a.id)[0];
  if (run) {
    if (run.status !== 'completed') return 'is in progress.';
    return run.conclusion && PASSING.has(run.conclusion) ? 'pass' : 'is failing.';
  }
  const status = repo.statuses
    .filter((s) => s.sha === sha && s.context === name)
    .sort((a, b) => b.id - a.id)[0];
  if (!status) return 'is expected.';
  if (status.state === 'success') return 'pass';
  return status.state === 'pending' ? 'is in progress.' : 'is failing.';
}

function approvals(repo: RepoState, pull: number): number {
  const latest = new Map<string, string>();
  for (const r of repo.reviews.filter((v) => v.pull === pull).sort((a, b) => a.id - b.id))
    if (r.state !== 'COMMENTED') latest.set(r.user, r.state);
  return [...latest.values()].filter((s) => s === 'APPROVED').length;
}

function reviewMessage(count: number): string {
  return count === 1
    ? 'At least 1 approving review is required by reviewers with write access.'
    : `At least ${count} approving reviews are required by reviewers with write access.`;
}

/** The first thing GitHub would refuse this merge for (after conflicts), or null. */
export function mergeGate(
  repo: RepoState,
  pull: { number: number; base: string; draft: boolean },
  headSha: string,
): Gate | null {
  if (pull.draft) return { message: 'Pull Request is still a draft', state: 'draft' };
  const got = approvals(repo, pull.number);
  const fromRules = rulesetReviews(repo);
  const ruleViolations: string[] = [];
  if (fromRules > got) ruleViolations.push(reviewMessage(fromRules));
  for (const name of rulesetChecks(repo)) {
    const state = checkState(repo, headSha, name);
    if (state !== 'pass') ruleViolations.push(`Required status check "${name}" ${state}`);
  }
  if (ruleViolations.length)
    return {
      message: `Repository rule violations found\n\n${ruleViolations.join('\n')}\n`,
      state: 'blocked',
    };
  const protection = repo.protection[pull.base];
  if (protection) {
    if (protection.reviews > got) return { message: reviewMessage(protection.reviews), state: 'blocked' };
    for (const name of protection.contexts) {
      const state = checkState(repo, headSha, name);
      if (state !== 'pass') return { message: `Required status check "${name}" ${state}`, state: 'blocked' };
    }
  }
  return null;
}
