/**
 * The pure decisions of one apply pass once its plan is known: the pass's id, whether the
 * afterApply hooks run, and the promotion's own run manifest (the pipeline's manifest format, so
 * `verify` and `doctor` read it like any step's). docs/architecture.md, "One promotion".
 */
import type { AppliedCommit, PointerChange } from './apply-result.js';
import type { Plan } from './plan.js';
import type { Manifest } from './schemas.js';
import { APPLY_MANIFEST_ASSET } from './verify.js';

type TriggerDecision = 'done' | 'skipped' | 'none' | 'not-needed';

/** 20261126T180000.000Z: a sortable instant that is also a valid run id. */
function compactTime(d: Date): string {
  return d.toISOString().replace(/[-:]/g, '');
}

/**
 * Unique per pass, even for two passes in one millisecond (an apply and a drift restore): the
 * record of a write is told apart by its id. `nonce` is random hex from the caller.
 */
export function applyId(now: Date, commit: string, nonce: string): string {
  return `apply-${compactTime(now)}-${commit.slice(0, 12)}-${nonce}`;
}

/**
 * Nothing changed: nothing to follow. Changes with --no-trigger: skipped. Changes and hooks: done
 * (they run after the write). Changes and no hook enabled: none.
 */
export function triggerDecision(changed: number, trigger: boolean, hooksEnabled: boolean): TriggerDecision {
  if (changed === 0) return 'not-needed';
  if (!trigger) return 'skipped';
  return hooksEnabled ? 'done' : 'none';
}

interface PromotionManifestInput {
  applied: AppliedCommit;
  startedAt: Date;
  gameDate: string;
  /** Absolute path of each changed pointer file, by pointer name. */
  outputPath: (change: PointerChange) => string;
  checks: Manifest['checks'];
  drift: Plan['drift'];
}

/** The apply's manifest: asset `promotion`, run id the apply id, models the runs at the commit. */
export function promotionManifest(input: PromotionManifestInput): Manifest {
  const { applied, startedAt } = input;
  const finishedAt = new Date(applied.appliedAt);
  return {
    asset: APPLY_MANIFEST_ASSET,
    game_date: input.gameDate,
    run_id: applied.id,
    run_as_of_ts: applied.appliedAt,
    step: 'apply',
    status: 'success',
    started_at: startedAt.toISOString(),
    finished_at: applied.appliedAt,
    duration_s: Math.max(0, (finishedAt.getTime() - startedAt.getTime()) / 1000),
    inputs: [{ name: 'commit', path: `${applied.branch}@${applied.commit}` }],
    outputs: applied.changed.map((c) => ({ name: c.pointer, path: input.outputPath(c) })),
    checks: input.checks,
    models: applied.runs,
    commit: applied.commit,
    previous_commit: applied.previousCommit,
    changed: applied.changed,
    drift: input.drift,
  };
}
