/**
 * `git promote reconcile` (docs/commands/reconcile.md): after `rollback --local`, push the
 * prepared revert branch and open its PR once GitHub answers (src/agent/reconcile.ts); with
 * --abandon, forget the local rollback so the agent applies the branch again.
 */
import { reconcileHost } from '../agent/reconcile.js';
import { openSession } from '../agent/session.js';
import type { Diverged } from '../adapters/fs/state-store.js';
import type { CommonOptions, Context, Outcome } from './context.js';

const runsText = (d: Diverged) => d.rollbacks.map((r) => `${r.pointer}=${r.to}`).join(', ');

export interface ReconcileOptions extends CommonOptions {
  /** Forget the local rollback: the agent applies the branch over it. */
  abandon?: boolean;
}

export async function reconcile(_args: string[], opts: ReconcileOptions, ctx: Context): Promise<Outcome> {
  const session = await openSession({ config: opts.config }, ctx);
  const r = await reconcileHost(session, { abandon: opts.abandon === true }, ctx);
  const branch = `${session.config.repository.remote}/${session.config.repository.branch}`;
  const text: string[] = [];
  switch (r.outcome) {
    case 'nothing':
      text.push(`this host follows ${branch}: nothing to reconcile`);
      break;
    case 'abandoned':
      text.push(
        `forgot the local rollback (${runsText(r.diverged!)}): the agent applies ${branch} over it on its next pass`,
      );
      break;
    case 'agrees':
      text.push(
        `${branch} @ ${r.tip!.slice(0, 12)} already selects what this host holds (${runsText(r.diverged!)}): the agent resumes on its next pass, without writing`,
      );
      break;
    case 'opened':
      text.push(
        `pushed ${r.diverged!.branch} (${r.head!.slice(0, 12)})${r.rebuilt ? `, rebuilt on ${branch} @ ${r.tip!.slice(0, 12)}` : ''}`,
        `${r.pr!.updated ? 'updated' : 'opened'} PR #${r.pr!.number} ${r.pr!.url}`,
        'next: merge it; the agent resumes once the branch selects what this host holds',
      );
      break;
  }
  return { exitCode: 0, data: r, text };
}
