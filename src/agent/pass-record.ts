/**
 * After every apply pass (agent, agent --once, apply; with the lock held): count it in passes.json
 * and, with agent.metricsFile, rewrite the node_exporter textfile from that record and the state.
 * Never fails the pass: a problem comes back as one warning line for the caller to log.
 */
import { resolve } from 'node:path';
import { readPassStats, writeMetricsFile, writePassStats } from '../adapters/fs/pass-stats.js';
import { readState } from '../adapters/fs/state-store.js';
import { parseDuration } from '../core/duration.js';
import { toPromoteError } from '../core/errors.js';
import {
  emptyPassStats,
  recordPass,
  renderMetrics,
  verificationOf,
  type PassOutcome,
} from '../core/pass-metrics.js';
import type { AgentSession } from './session.js';
import type { Context } from '../commands/context.js';

/** Returns null, or what went wrong recording the pass. */
export function recordPassOutcome(session: AgentSession, outcome: PassOutcome): string | null {
  const { paths, target, config } = session;
  try {
    const stats = recordPass(readPassStats(paths) ?? emptyPassStats(), outcome);
    writePassStats(paths, stats);
    if (!config.agent.metricsFile) return null;
    const state = readState(paths, target);
    const text = renderMetrics({
      stats,
      applied: state.applied ? { at: state.applied.at, runs: state.applied.runs } : null,
      verification: verificationOf(state.lastFollowUps?.followUps.flow),
      pendingFollowUps: state.pending ? 1 : 0,
    });
    writeMetricsFile(resolve(session.root, config.agent.metricsFile), text);
    return null;
  } catch (err) {
    return `could not record the pass: ${toPromoteError(err).message}`;
  }
}

/**
 * Run one pass and record how it ended: success when it returns, its error kind when it throws.
 * `onApplied` (handed to the pass) says only the follow-ups are left; while they run (following
 * a flow run can take hours) the success is renewed every agent.interval, so a long flow run is
 * not mistaken for a dead agent. A follow-up that fails at once (Prefect down) renews nothing.
 * A pass stopped by a signal is not recorded, nor one whose lock was lost.
 */
export async function recordedPass<T>(
  session: AgentSession,
  ctx: Context,
  warn: (message: string) => void,
  run: (onApplied: () => void) => Promise<T>,
): Promise<T> {
  const record = (outcome: PassOutcome) => {
    // A lost lock means the state directory was removed or replaced under the pass: it is no longer
    // ours to write (the pass stops with LockLostError, exit 3, before writing anything else).
    if (session.lock && !session.lock.stillHeld()) return;
    const warning = recordPassOutcome(session, outcome);
    if (warning) warn(warning);
  };
  const heartbeatMs = parseDuration(session.config.agent.interval) ?? 30_000;
  let heartbeat: NodeJS.Timeout | undefined;
  const onApplied = () => {
    heartbeat ??= setInterval(() => record({ ok: true, at: ctx.now() }), heartbeatMs);
    heartbeat.unref();
  };
  try {
    const result = await run(onApplied);
    clearInterval(heartbeat);
    record({ ok: true, at: ctx.now() });
    return result;
  } catch (err) {
    clearInterval(heartbeat);
    if (!ctx.signal?.aborted) record({ ok: false, at: ctx.now(), error: toPromoteError(err) });
    throw err;
  }
}
