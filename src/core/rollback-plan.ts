/**
 * Which commits a rollback reverts and which run it must leave the pointer at, from the pointer's
 * history alone (pure, so every refusal is testable without git).
 */
import { CheckFailedError } from './errors.js';
import type { HistoryEntry } from './history.js';

export interface RollbackPlan {
  pointer: string;
  /** The run on the branch now, which the rollback leaves. */
  left: string | null;
  /** The run the pointer must hold after the reverts. */
  restored: string;
  /** Changes to revert, newest first (the order `git revert` applies them). */
  reverts: HistoryEntry[];
}

export const short = (sha: string) => sha.slice(0, 12);

/** `rollback/<pointer>/<short sha of the newest reverted commit>`. */
export function rollbackBranch(pointer: string, newestReverted: string): string {
  return `rollback/${pointer}/${short(newestReverted)}`;
}

function describe(e: HistoryEntry): string {
  return `${short(e.sha)} (${e.from ?? '(none)'} -> ${e.to ?? '(none)'}${e.pr === null ? '' : `, PR #${e.pr}`})`;
}

/**
 * Plan the rollback of `pointer` given its history (newest first). Without `to`, the latest change
 * of the pointer is reverted, whatever its kind (promotion, rollback or manual edit); with `to`,
 * every change since the pointer last selected `to`, newest first. Returns null when the pointer
 * already holds `to`.
 */
export function planRollback(
  pointer: string,
  entriesNewestFirst: HistoryEntry[],
  to?: string,
): RollbackPlan | null {
  const left = entriesNewestFirst[0]?.to ?? null;
  if (to === undefined) {
    const last = entriesNewestFirst[0];
    if (!last)
      throw new CheckFailedError(
        `${pointer} has no change to roll back on the branch`,
        `Run \`git promote history ${pointer}\` to see its changes; promote the run you want instead.`,
      );
    if (last.from === null)
      throw new CheckFailedError(
        `the last change of ${pointer}, ${describe(last)}, created the pointer file; reverting it would delete it`,
        `Promote the run you want with \`git promote propose ${pointer}=<run>\`.`,
      );
    return { pointer, left, restored: last.from, reverts: [last] };
  }
  if (left === to) return null;
  if (!entriesNewestFirst.some((e) => e.from === to || e.to === to))
    throw new CheckFailedError(
      `run ${to} is not in the history of ${pointer}`,
      `Run \`git promote history ${pointer}\` and pass one of the runs it lists to --to.`,
    );
  const reverts: HistoryEntry[] = [];
  let expected = left;
  for (const e of entriesNewestFirst) {
    // Each revert must start from the run the previous one restored, or a change sits between.
    if (e.to !== expected || e.from === null) break;
    reverts.push(e);
    if (e.from === to) return { pointer, left, restored: to, reverts };
    expected = e.from;
  }
  throw new CheckFailedError(
    `${pointer} cannot be returned to ${to} by reverting its changes: they reach back only to ${reverts.at(-1)?.from ?? left ?? '(none)'}`,
    `Promote ${to} with \`git promote propose ${pointer}=${to}\` instead.`,
  );
}
