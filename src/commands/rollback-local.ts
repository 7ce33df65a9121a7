/**
 * `git promote rollback <pointer> --local`: the break-glass rollback on the host
 * (src/agent/break-glass.ts; docs/switching-safely.md) as a command: what it did, the flow run
 * and its verification, and what to do next. Exit 1 when the flow run did not confirm the run.
 */
import { localRollback, localRollbackUsage } from '../agent/break-glass.js';
import { failedFollowUps, followUpHook } from '../agent/follow-up.js';
import { followUpLines } from '../agent/report.js';
import type { PassLog } from '../agent/pass-log.js';
import { formatDuration } from '../core/duration.js';
import { UsageError } from '../core/errors.js';
import type { CommonOptions, Context, Outcome } from './context.js';

function progress(ctx: Context): PassLog {
  return (event, fields) => {
    if (event === 'quiet-wait')
      ctx.stderr.write(
        `waiting for ${String(fields.waiting_for)} to end before writing (up to ${String(fields.up_to)}, agent.quietWait)\n`,
      );
    else if (event === 'flow-run')
      ctx.stderr.write(`flow run ${String(fields.id)}: ${String(fields.state)}\n`);
    else if (event.endsWith('-warning')) ctx.stderr.write(`warning: ${String(fields.message ?? '')}\n`);
  };
}

/** The options of `rollback` that --local reads (the rest are refused with it). */
export interface LocalRollbackOptions extends CommonOptions {
  to?: string;
  reason?: string;
  trigger?: boolean;
  wait?: boolean;
  dryRun?: boolean;
  pr?: boolean;
  fetch?: boolean;
}

export async function rollbackLocal(
  args: string[],
  opts: LocalRollbackOptions,
  ctx: Context,
): Promise<Outcome> {
  const name = args[0];
  if (!name) throw new UsageError('missing <pointer>', 'Run `git promote rollback <pointer> --local`.');
  localRollbackUsage(opts);
  const { to } = opts;
  const reason = opts.reason ?? null;
  const report = await localRollback(
    {
      pointer: name,
      ...(to ? { to } : {}),
      reason,
      trigger: opts.trigger !== false,
      wait: opts.wait === true,
      ...(opts.config ? { config: opts.config } : {}),
    },
    { afterApply: [followUpHook()] },
    ctx,
    progress(ctx),
  );
  if (!report.applied)
    return {
      exitCode: 0,
      data: report,
      text: [`${name} already holds ${report.restored} on this host: nothing to roll back`],
    };
  const d = report.diverged!;
  const failed = failedFollowUps(report.followUps);
  const text = [
    `rolled back ${name} on this host: ${report.applied.changed[0]!.from ?? '-'} -> ${report.restored} (break-glass, ${report.applied.id})`,
    ...(report.waitedMs
      ? [`waited ${formatDuration(report.waitedMs)} for the flow run in progress to end`]
      : []),
    // Never reported as a GitHub deployment (GitHub does not have the commit): no line for it.
    ...Object.values(report.followUps).flatMap((f) => followUpLines({ ...f, deployment: null })),
    ...(opts.trigger === false ? ['flow not triggered (--no-trigger)'] : []),
    `this host is now diverged from ${report.applied.branch} @ ${d.base.slice(0, 12)}: the agent applies nothing over it until the branch selects ${d.rollbacks
      .map((r) => `${r.pointer}=${r.to}`)
      .join(', ')}`,
    `revert prepared as ${d.branch} (${d.head.slice(0, 12)}) in the agent's mirror`,
    'next: when GitHub answers, run `git promote reconcile` here (it pushes the branch and opens its PR), then merge the PR',
    ...failed.map((f) => `not confirmed: ${f}`),
  ];
  return { exitCode: failed.length ? 1 : 0, data: report, text };
}
