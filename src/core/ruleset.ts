/**
 * The repository rules that close what git-promote cannot close by itself (docs/security.md): a
 * pull request's own workflow runs as the same bot as the promotion workflow, so only GitHub can
 * make `git-promote/validate` required and changes to `.github/` and the config need a code
 * owner's review. `init` prints this ruleset; `doctor` checks the branch's active rules for it.
 */
import { STATUS_CONTEXT } from './validate-report.js';

/** An active rule as `GET /repos/{owner}/{repo}/rules/branches/{branch}` lists it. */
export interface BranchRule {
  type: string;
  parameters?: Record<string, unknown>;
}

/** The body of `POST /repos/{owner}/{repo}/rulesets` for the target branch. */
export function promotionRuleset(): Record<string, unknown> {
  return {
    name: 'git-promote',
    target: 'branch',
    enforcement: 'active',
    conditions: { ref_name: { include: ['~DEFAULT_BRANCH'], exclude: [] } },
    rules: [
      {
        type: 'pull_request',
        parameters: {
          // Promotions merge without a person; changes to code-owned paths (.github/, the config)
          // need a code owner's approval.
          required_approving_review_count: 0,
          require_code_owner_review: true,
          dismiss_stale_reviews_on_push: true,
          require_last_push_approval: false,
          required_review_thread_resolution: false,
        },
      },
      {
        type: 'required_status_checks',
        parameters: {
          strict_required_status_checks_policy: false,
          required_status_checks: [{ context: STATUS_CONTEXT }],
        },
      },
      { type: 'non_fast_forward' },
      { type: 'deletion' },
    ],
  };
}

/** What the branch's active rules lack of the promotion ruleset, as sentences ([] when none). */
export function rulesetGaps(rules: BranchRule[]): string[] {
  const gaps: string[] = [];
  const checks = rules
    .filter((r) => r.type === 'required_status_checks')
    .flatMap((r) => (r.parameters?.required_status_checks as { context?: unknown }[] | undefined) ?? []);
  if (!checks.some((c) => c.context === STATUS_CONTEXT))
    gaps.push(`${STATUS_CONTEXT} is not a required status check`);
  if (!rules.some((r) => r.type === 'pull_request' && r.parameters?.require_code_owner_review === true))
    gaps.push('no rule requires a code owner review (for .github/ and promote.config.json)');
  if (!rules.some((r) => r.type === 'non_fast_forward')) gaps.push('force pushes are not blocked');
  return gaps;
}
