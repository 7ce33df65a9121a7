/**
 * The checks an apply pass makes before it writes (docs/switching-safely.md): a diverged host
 * holds everything until the branch agrees; a freeze window holds every write that is not a
 * rollback; and for each promotion, whether the run it replaces could be restored on this host.
 * The quiet window (quiet-window.ts) comes last, right before the write.
 */
import { readBlobs } from '../adapters/git.js';
import { readPointerChanges } from '../adapters/pointer-history.js';
import type { AgentState } from '../adapters/fs/state-store.js';
import { rollbackReadiness, type Readiness } from '../adapters/fs/rollback-readiness.js';
import { runsHeld } from '../core/change-kind.js';
import { evidencePath } from '../core/evidence-path.js';
import { activeFreeze } from '../core/freeze.js';
import type { Plan } from '../core/plan.js';
import { isRunId } from '../core/run-id.js';
import { branchAgrees, classifyWrites, disagreements, frozenWrites, type Hold } from '../core/switch-gate.js';
import type { Context } from '../commands/context.js';
import type { AgentSession } from './session.js';

/** Every run each pointer selected on the first-parent history up to `commit` (the host's view). */
export async function runsHeldAt(
  session: AgentSession,
  commit: string | null,
  pointers: string[],
  ctx: Context,
): Promise<Map<string, ReadonlySet<string>>> {
  const held = new Map<string, ReadonlySet<string>>();
  if (commit === null) return held;
  for (const name of pointers) {
    const p = session.config.pointers[name]!;
    const changes = await readPointerChanges({
      cwd: session.paths.mirror,
      env: ctx.env,
      tip: commit,
      file: p.file,
      runField: p.runField,
    });
    held.set(name, runsHeld(changes));
  }
  return held;
}

/** The diverged hold, unless the branch now selects what the host holds for every pointer rolled back. */
export function divergedHold(state: AgentState, plan: Plan): Hold | null {
  const d = state.diverged;
  if (!d) return null;
  const branchRuns = Object.fromEntries(plan.pointers.map((p) => [p.pointer, p.desiredRun]));
  const rolledBack = d.rollbacks.map((r) => r.pointer);
  if (branchAgrees(d.runs, branchRuns, rolledBack)) return null;
  return {
    reason: 'diverged',
    since: d.since,
    base: d.base,
    differences: disagreements(d.runs, branchRuns, rolledBack),
    branch: d.branch,
  };
}

/** The freeze hold for this plan's writes at `now`, from the host's view. */
export async function freezeHold(
  session: AgentSession,
  plan: Plan,
  appliedCommit: string | null,
  ctx: Context,
): Promise<Hold | null> {
  if (plan.writes.length === 0) return null;
  const window = activeFreeze(session.config.agent.freeze, ctx.now());
  if (!window) return null;
  const held = await runsHeldAt(
    session,
    appliedCommit,
    plan.writes.map((w) => w.pointer),
    ctx,
  );
  const waiting = frozenWrites(
    classifyWrites(
      plan.writes.map((w) => ({ pointer: w.pointer, from: w.actualRun, to: w.desiredRun })),
      held,
    ),
  );
  return waiting.length ? { reason: 'freeze', window, waiting } : null;
}

/**
 * For each write that replaces a run by another: can this host go back to the run it replaces?
 * Only the ones that cannot are returned (the agent warns; it still applies).
 */
export async function replacedRunsNotReady(
  session: AgentSession,
  plan: Plan,
  tip: string,
  ctx: Context,
): Promise<Readiness[]> {
  const replaced = plan.writes.filter(
    (w) => w.actualRun !== null && w.actualRun !== w.desiredRun && isRunId(w.actualRun),
  );
  if (replaced.length === 0) return [];
  const texts = await readBlobs(
    session.paths.mirror,
    ctx.env,
    replaced.map((w) => `${tip}:${evidencePath(w.pointer, w.actualRun!)}`),
  );
  return replaced
    .map((w, i) =>
      rollbackReadiness(
        w.pointer,
        session.config.pointers[w.pointer]!,
        session.root,
        w.actualRun,
        texts[i] ?? null,
      ),
    )
    .filter((r) => !r.ready);
}
