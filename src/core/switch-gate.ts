/**
 * What may be written now (docs/switching-safely.md), pure: during a freeze window only
 * rollbacks, decided as validate and history decide them (core/change-kind.ts) but from the
 * host's view: from the run in the host's file to the run the branch selects, against every run
 * the pointer selected on the first-parent history up to the commit the host applied. And while
 * the host is diverged (a break-glass rollback), nothing until the branch selects what it holds.
 */
import { classifyChange, type ChangeKind } from './change-kind.js';
import type { FreezeSpan } from './freeze.js';

export interface GateWrite {
  pointer: string;
  /** The run in the host's file now (null: missing or unreadable). */
  from: string | null;
  /** The run the branch selects. */
  to: string;
}

export interface ClassifiedWrite extends GateWrite {
  kind: ChangeKind;
}

export function classifyWrites(
  writes: readonly GateWrite[],
  held: ReadonlyMap<string, ReadonlySet<string>>,
): ClassifiedWrite[] {
  return writes.map((w) => ({ ...w, kind: classifyChange(w.from, w.to, held.get(w.pointer) ?? new Set()) }));
}

/**
 * The writes a freeze window holds back: none when every write is a rollback, else all of them
 * (a commit is applied whole, so a rollback that shares it with a promotion waits too).
 */
export function frozenWrites(classified: readonly ClassifiedWrite[]): ClassifiedWrite[] {
  return classified.every((w) => w.kind === 'rollback') ? [] : [...classified];
}

/**
 * The branch agrees with a diverged host when every pointer rolled back locally selects the run
 * the host holds. Other pointers may have moved on the branch meanwhile: once the agent resumes,
 * it applies them as any change (quiet window and freeze included).
 */
export function branchAgrees(
  hostRuns: Record<string, string>,
  branchRuns: Record<string, string>,
  rolledBack: readonly string[],
): boolean {
  return rolledBack.every((n) => hostRuns[n] !== undefined && hostRuns[n] === branchRuns[n]);
}

/** Rolled-back pointers where the branch and a diverged host differ: "minutes: host m1, branch m2". */
export function disagreements(
  hostRuns: Record<string, string>,
  branchRuns: Record<string, string>,
  rolledBack: readonly string[],
): string[] {
  return [...new Set(rolledBack)]
    .sort()
    .filter((n) => hostRuns[n] !== branchRuns[n])
    .map((n) => `${n}: host ${hostRuns[n] ?? '(none)'}, branch ${branchRuns[n] ?? '(none)'}`);
}

export type Hold =
  | { reason: 'freeze'; window: FreezeSpan; waiting: ClassifiedWrite[] }
  | { reason: 'diverged'; since: string; base: string; differences: string[]; branch: string };

/** One line for logs and reports. */
export function holdText(h: Hold): string {
  if (h.reason === 'freeze')
    return `freeze window ${h.window.name} (${h.window.label}) until ${h.window.end.toISOString()}: only rollbacks apply; waiting: ${h.waiting
      .map((w) => `${w.pointer} ${w.from ?? '-'} -> ${w.to} (${w.kind})`)
      .join(', ')}`;
  return `this host was rolled back locally at ${h.since} and differs from the branch (${h.differences.join('; ')}): the branch is not applied over it`;
}

/** The one-line remedy for a hold. */
export function holdRemedy(h: Hold): string {
  if (h.reason === 'freeze')
    return `It is applied when the window ends at ${h.window.end.toISOString()}; a rollback goes through at any time.`;
  return `Run \`git promote reconcile\` on this host once GitHub answers (it pushes ${h.branch} and opens its PR); the agent resumes when the branch selects the host's runs.`;
}
