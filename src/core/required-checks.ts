/**
 * Which checks the target branch requires before a merge, and where the head stands on them.
 * GitHub requires checks by name in two places: rulesets (`required_status_checks` rules, as
 * `GET /repos/{owner}/{repo}/rules/branches/{branch}` lists them) and classic branch protection.
 * A required name is met by a commit status with that context or by a check run with that name
 * (Actions jobs are check runs, not statuses). Per GitHub's docs ("About protected branches",
 * Require status checks before merging), a check passes when it is successful, skipped or
 * neutral; every other completed conclusion fails it; anything not completed is pending.
 */
import type { BranchProtection, CheckRun, CommitStatus } from './forge.js';
import type { BranchRule } from './ruleset.js';

const PASSING = new Set(['success', 'neutral', 'skipped']);

/** Every required check name, from the branch's rules and its classic protection, in order. */
export function requiredCheckNames(rules: BranchRule[], protection: BranchProtection | null): string[] {
  const names = new Set<string>();
  for (const rule of rules) {
    if (rule.type !== 'required_status_checks') continue;
    const checks = rule.parameters?.required_status_checks as { context?: unknown }[] | undefined;
    for (const c of checks ?? []) if (typeof c.context === 'string' && c.context) names.add(c.context);
  }
  for (const c of protection?.contexts ?? []) names.add(c);
  return [...names];
}

/** Whether any rule or the protection requires the head to be up to date with the branch. */
export function requiresUpToDate(rules: BranchRule[], protection: BranchProtection | null): boolean {
  return (
    protection?.strict === true ||
    rules.some(
      (r) =>
        r.type === 'required_status_checks' && r.parameters?.strict_required_status_checks_policy === true,
    )
  );
}

export interface CheckState {
  name: string;
  /** What GitHub shows: a status state, a check run conclusion or status, or "expected" when absent. */
  state: string;
}

interface RequiredVerdict {
  passed: string[];
  pending: CheckState[];
  failed: CheckState[];
}

/** Where each required check stands on the head; a check run counts over a status of the same name. */
export function judgeRequired(names: string[], statuses: CommitStatus[], runs: CheckRun[]): RequiredVerdict {
  const verdict: RequiredVerdict = { passed: [], pending: [], failed: [] };
  for (const name of names) {
    const run = runs.find((r) => r.name === name);
    const status = statuses.find((s) => s.context === name);
    if (run) {
      if (run.status !== 'completed') verdict.pending.push({ name, state: run.status });
      else if (run.conclusion && PASSING.has(run.conclusion)) verdict.passed.push(name);
      else verdict.failed.push({ name, state: run.conclusion ?? 'completed' });
    } else if (status) {
      if (status.state === 'success') verdict.passed.push(name);
      else if (status.state === 'pending') verdict.pending.push({ name, state: 'pending' });
      else verdict.failed.push({ name, state: status.state });
    } else verdict.pending.push({ name, state: 'expected' });
  }
  return verdict;
}

/** "tests (in_progress), lint (expected)". */
export function describeChecks(checks: CheckState[]): string {
  return checks.map((c) => `${c.name} (${c.state})`).join(', ');
}
