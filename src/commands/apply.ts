/**
 * `git promote apply`: one apply pass (src/agent/apply-pass.ts) as a command, under the target's
 * lock, with the flow trigger as its afterApply hook.
 */
import { ensureStateDir } from '../adapters/fs/state-store.js';
import { applyPass, type ApplyDeps, type ApplyOptions } from '../agent/apply-pass.js';
import { failedFollowUps, followUpHook } from '../agent/follow-up.js';
import { autoRollbackHook } from '../agent/auto-rollback.js';
import { recordedPass } from '../agent/pass-record.js';
import type { PassLog } from '../agent/pass-log.js';
import { reportLines } from '../agent/report.js';
import { lockSession, openSession } from '../agent/session.js';
import type { CommonOptions, Context, Outcome } from './context.js';

/** `apply`'s options: the pass's own (src/agent/apply-pass.ts) as the CLI sets them. */
export type ApplyCommandOptions = CommonOptions &
  Pick<ApplyOptions, 'dryRun' | 'trigger' | 'wait' | 'allowRewrite'>;

/**
 * What `apply` prints while it runs, on stderr (stdout keeps the one summary, or the JSON):
 * every state change of the flow run it follows, and every warning.
 */
function progressLog(ctx: Context): PassLog {
  return (event, fields) => {
    if (event === 'flow-run') {
      const f = fields as {
        id: string;
        name?: string;
        state: string;
        stateName?: string;
        elapsed?: string;
        url?: string;
      };
      ctx.stderr.write(
        `flow run ${f.name ? `${f.name} (${f.id})` : f.id}: ${f.state}${f.stateName ? ` (${f.stateName})` : ''}` +
          `${f.elapsed ? ` after ${f.elapsed}` : ''}${f.url ? `  ${f.url}` : ''}\n`,
      );
    } else if (event === 'quiet-wait') {
      ctx.stderr.write(
        `waiting for ${String(fields.waiting_for)} to end before writing (up to ${String(fields.up_to)}, agent.quietWait)\n`,
      );
    } else if (event === 'quiet') {
      ctx.stderr.write(`the flow is quiet after ${String(fields.waited)}: writing\n`);
    } else if (event.endsWith('-warning') || event === 'warning') {
      ctx.stderr.write(`warning: ${String(fields.message ?? '')}\n`);
    }
  };
}

/** The apply command with its afterApply hooks injected (tests inject their own). */
export function makeApply(deps: ApplyDeps) {
  return async function apply(_args: string[], opts: ApplyCommandOptions, ctx: Context): Promise<Outcome> {
    const session = await openSession(opts, ctx);
    if (opts.dryRun) {
      ensureStateDir(session.paths);
      const report = await applyPass(session, opts, deps, ctx);
      return { exitCode: 0, data: report, text: reportLines(report) };
    }
    const lock = await lockSession(session, { wait: opts.wait, command: 'git-promote apply' }, ctx);
    try {
      const report = await recordedPass(
        session,
        ctx,
        (warning) => ctx.stderr.write(`warning: ${warning}\n`),
        (onApplied) => applyPass(session, { ...opts, onApplied }, deps, ctx, progressLog(ctx)),
      );
      // Applied, but the flow failed or the manifests do not show the new run: a check failed.
      const failed = failedFollowUps(report.followUps);
      // Held: a freeze window ends on its own (3, retry later); a diverged host needs a person (1).
      const heldCode = report.held ? (report.held.reason === 'freeze' ? 3 : 1) : 0;
      return {
        exitCode: failed.length ? 1 : heldCode,
        data: report,
        text: [...reportLines(report), ...failed.map((f) => `not confirmed: ${f}`)],
      };
    } finally {
      lock.release();
    }
  };
}

export const apply = makeApply({ afterApply: [followUpHook(), autoRollbackHook()] });
