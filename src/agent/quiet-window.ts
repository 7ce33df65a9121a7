/**
 * The quiet window (docs/switching-safely.md): before a pass writes a pointer file it waits while
 * a run of the flow is in progress, so one flow run never sees two models. The wait is bounded by
 * agent.quietWait (default 2h); past it the pass writes nothing and fails with exit 3, naming the
 * run, and the next pass asks again. Polls every flow.pollInterval; a signal ends the wait at once.
 */
import type { ActiveRun, FlowActivity } from '../adapters/flow/flow-activity.js';
import { sleep as realSleep } from '../adapters/long-timeout.js';
import { formatDuration, parseDuration } from '../core/duration.js';
import { isPromoteError, PromoteError, TransientError } from '../core/errors.js';
import type { Context } from '../commands/context.js';
import type { PassLog } from './pass-log.js';
import type { AgentSession } from './session.js';

export interface QuietResult {
  /** How long the pass waited (0 when the flow was quiet at once). */
  waitedMs: number;
  /** The runs it waited for, as first seen. */
  waitedFor: string[];
}

/** "daily/live run crimson-otter (3f2…) RUNNING since 2026-…" */
export function describeRun(what: string, r: ActiveRun): string {
  if (r.state === 'LOCKED') return `flow lock file ${r.id} (there since ${r.since ?? 'unknown'})`;
  return `${what} run ${r.name ? `${r.name} (${r.id})` : r.id} ${r.state}${r.since ? ` since ${r.since}` : ''}`;
}

async function busyRuns(activities: FlowActivity[], log: PassLog, said: Set<string>): Promise<string[]> {
  const found: string[] = [];
  for (const a of activities) {
    const runs = await a.inProgress();
    for (const note of a.notes())
      if (!said.has(note)) {
        said.add(note);
        log('quiet-warning', { message: note });
      }
    found.push(...runs.map((r) => describeRun(a.what, r)));
  }
  return found;
}

export async function waitForQuiet(
  session: AgentSession,
  ctx: Context,
  log: PassLog,
  deps: { sleep?: (ms: number, signal?: AbortSignal) => Promise<void> } = {},
): Promise<QuietResult> {
  const { config } = session;
  // Loaded here, where a write is about to happen: a pass with nothing to write never needs it.
  const { flowActivities } = await import('../adapters/flow/flow-activity.js');
  const activities = flowActivities(config, {
    env: ctx.env,
    fetch: ctx.fetch,
    root: session.root,
    ...(ctx.signal ? { signal: ctx.signal } : {}),
  });
  if (activities.length === 0) return { waitedMs: 0, waitedFor: [] };
  const sleep = deps.sleep ?? realSleep;
  const boundMs = parseDuration(config.agent.quietWait) ?? 7_200_000;
  const pollMs = parseDuration(config.flow?.pollInterval ?? '5s') ?? 5_000;
  const started = ctx.now().getTime();
  const said = new Set<string>();
  let waitedFor: string[] = [];
  let last = '';
  for (;;) {
    let busy: string[];
    try {
      busy = await busyRuns(activities, log, said);
    } catch (err) {
      // Not knowing is not quiet: the first question must be answered; once waiting, a flaky
      // answer only keeps the wait going until the bound.
      if (err instanceof TransientError && waitedFor.length > 0) busy = waitedFor;
      else if (isPromoteError(err))
        throw new PromoteError(
          err.exitCode,
          `cannot tell whether ${activities.map((a) => a.what).join(' or ')} has a run in progress: ${err.message}; no pointer file was written`,
          err.remedy,
          { cause: err, details: err.details },
        );
      else throw err;
    }
    const elapsed = ctx.now().getTime() - started;
    if (busy.length === 0) {
      if (waitedFor.length) log('quiet', { waited: formatDuration(elapsed), after: waitedFor.join('; ') });
      return { waitedMs: waitedFor.length ? elapsed : 0, waitedFor };
    }
    if (waitedFor.length === 0) waitedFor = busy;
    const now = busy.join('; ');
    if (now !== last) {
      last = now;
      log('quiet-wait', { waiting_for: now, up_to: config.agent.quietWait, waited: formatDuration(elapsed) });
    }
    if (elapsed >= boundMs)
      throw new TransientError(
        `${busy[0]} is still in progress after ${formatDuration(elapsed)} (agent.quietWait ${config.agent.quietWait}): no pointer file was written`,
        'Look at the run: if it is stuck, cancel it (Prefect UI or `prefect flow-run cancel <id>`); the agent writes once no run of the flow is in progress.',
        { details: busy.slice(1) },
      );
    if (ctx.signal?.aborted)
      throw new TransientError(
        `stopped while waiting for ${busy[0]}; no pointer file was written`,
        'Run it again.',
      );
    await sleep(Math.min(pollMs, Math.max(1, boundMs - elapsed)), ctx.signal);
  }
}
