/** The pull request a rollback opens: title and body built before anything is sent. */
import type { RollbackPlan } from './rollback-plan.js';
import { short } from './rollback-plan.js';

export interface RollbackPull {
  title: string;
  body: string;
}

export function rollbackTitle(plan: RollbackPlan): string {
  return `Roll back ${plan.pointer} to ${plan.restored}`;
}

/** Human part of the body: run left, run restored, reverted commits and PRs, reason. */
export function rollbackBodyText(plan: RollbackPlan, reason: string | null): string {
  const lines = [
    `Rollback of \`${plan.pointer}\`: leaves \`${plan.left ?? '(none)'}\`, restores \`${plan.restored}\`.`,
    '',
    `Reverted (newest first):`,
    ...plan.reverts.map(
      (r) =>
        `- ${short(r.sha)} ${r.from ?? '(none)'} -> ${r.to ?? '(none)'}${r.pr === null ? '' : ` (#${r.pr})`}: ${r.subject}`,
    ),
    '',
    `Reason: ${reason ?? '(none given)'}`,
    '',
    `The evidence of \`${plan.restored}\` is already in the tree, so no new smoke run is needed.`,
  ];
  return lines.join('\n');
}
