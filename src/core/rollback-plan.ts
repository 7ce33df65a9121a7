/**
 * Which commits a rollback reverts and which run it must leave the pointer at, from the pointer's
 * history alone (pure, so every refusal is testable without git).
 */
import { CheckFailedError } from './errors.js';
import { activePromotions, type HistoryEntry } from './history.js';

export interface RollbackPlan {
  pointer: string;
  /** The run on the branch now, which the rollback leaves. */
  left: string | null;
  /** The run the pointer must hold after the reverts. */
  restored: string;
  /** Promotions to revert, newest first (the order `git revert` applies them). */
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
 * Plan the rollback of `pointer` given its history (newest first). Without `to`, the newest
 * promotion still in effect is reverted; with `to`, every promotion in effect since `to` was the
 * pointer. Returns null when the pointer already holds `to`.
 */
export function planRollback(
  pointer: string,
  entriesNewestFirst: HistoryEntry[],
  to?: string,
): RollbackPlan | null {
  const left = entriesNewestFirst[0]?.to ?? null;
  const active = activePromotions(entriesNewestFirst);
  if (to === undefined) {
    const last = active[0];
    if (!last)
      throw new CheckFailedError(
        `${pointer} has no promotion to roll back on the branch`,
        `Run \`git promote history ${pointer}\` to see its changes; promote the run you want instead.`,
      );
    if (last.from === null)
      throw new CheckFailedError(
        `the last promotion of ${pointer}, ${describe(last)}, created the pointer file; reverting it would delete it`,
        `Promote the run you want with \`git promote propose ${pointer}=<run>\`.`,
      );
    if (last.to !== left) {
      const later = entriesNewestFirst.find((e) => e.to === left);
      throw new CheckFailedError(
        `${pointer} was changed to ${left ?? '(none)'} after its last promotion ${describe(last)}` +
          (later ? ` by ${short(later.sha)} (${later.kind})` : ''),
        `Reverting ${short(last.sha)} would not restore ${last.from}: change the pointer in a reviewed PR instead.`,
      );
    }
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
  for (const p of active) {
    // Each revert must start from the run the previous one restored, or a change sits between.
    if (p.to !== expected) break;
    reverts.push(p);
    if (p.from === to) return { pointer, left, restored: to, reverts };
    expected = p.from;
  }
  throw new CheckFailedError(
    `${pointer} cannot be returned to ${to} by reverting promotions: ` +
      (reverts.length === 0
        ? `no promotion in effect leads to ${left ?? '(none)'}`
        : `reverting promotions reaches back only to ${reverts[reverts.length - 1]!.from ?? '(none)'}`),
    `A manual edit or an earlier rollback lies in between; promote ${to} with \`git promote propose ${pointer}=${to}\` instead.`,
  );
}
