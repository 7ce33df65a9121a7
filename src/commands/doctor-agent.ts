/**
 * doctor's look at the agent's own state on this host: what it last applied, whether a follow-up
 * (flow run, verification) is still pending, and how the last one ended, so the checklist answers
 * "did today's promotion reach the flow" without Prefect's UI.
 */
import { existsSync } from 'node:fs';
import { readPassStats } from '../adapters/fs/pass-stats.js';
import { readState, resolveStateDir, statePaths } from '../adapters/fs/state-store.js';
import { formatDuration, parseDuration } from '../core/duration.js';
import { isPromoteError } from '../core/errors.js';
import type { PassStats } from '../core/pass-metrics.js';
import type { FlowRunInfo } from '../core/flow-state.js';
import type { Config } from '../core/schemas.js';
import type { Context } from './context.js';
import type { CheckStatus, DoctorCheck } from './doctor-check.js';
import { targetDir } from './verify.js';
import { divergedLine, divergedStatus } from './status-safety.js';

type Item = DoctorCheck['items'][number];

const short = (sha: string) => sha.slice(0, 12);

function runsText(runs: Record<string, unknown>): string {
  return Object.entries(runs)
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(', ');
}

/** The flow follow-up of a commit, as agent-follow-up.ts records it. */
function flowItem(
  commit: string,
  flow: Record<string, unknown>,
  gameDate: string,
  todaysRun: FlowRunInfo | null,
): Item[] {
  const id = typeof flow.flowRunId === 'string' ? flow.flowRunId : null;
  const date = typeof flow.gameDate === 'string' ? flow.gameDate : null;
  const detail = typeof flow.detail === 'string' ? flow.detail : String(flow.flow ?? 'done');
  const reached =
    id && todaysRun?.flowRunId === id
      ? `; it is the ${gameDate} run above`
      : date === gameDate && id
        ? `; flow run ${id} for ${gameDate}`
        : date && date !== gameDate
          ? `; that was for game_date ${date}`
          : '';
  const items: Item[] = [
    {
      name: 'last follow-up',
      status: flow.ok === false ? 'fail' : 'ok',
      detail: `commit ${short(commit)}: ${detail}${reached}`,
    },
  ];
  const verified = Array.isArray(flow.verified) ? (flow.verified as Record<string, unknown>[]) : [];
  for (const v of verified)
    items.push({
      name: `verified ${String(v.pointer)}`,
      status: v.ok === true ? 'ok' : 'fail',
      detail: String(v.detail ?? ''),
    });
  return items;
}

/** How many agent intervals without a successful pass make the agent "not passing". */
const STALE_INTERVALS = 3;

/**
 * The last successful pass (passes.json): older than 3 intervals means the agent is stopped,
 * stuck or failing every pass; the last error says which.
 */
function lastPassItem(stats: PassStats, intervalText: string, now: Date): Item {
  const intervalMs = parseDuration(intervalText) ?? 30_000;
  const failed = stats.lastError
    ? `; last failure at ${stats.lastError.at} (${stats.lastError.kind}): ${stats.lastError.message}`
    : '';
  const stale = (iso: string) => now.getTime() - Date.parse(iso) > STALE_INTERVALS * intervalMs;
  if (!stats.lastSuccessAt) {
    const since = stats.since ?? stats.lastError?.at ?? null;
    return {
      name: 'last pass',
      // A first pass that just failed may be followed by a good one: fail only after 3 intervals.
      status: since === null || stale(since) ? 'fail' : 'warn',
      detail: `no pass has succeeded yet${since ? ` (since ${since})` : ''}${failed}`,
    };
  }
  const age = now.getTime() - Date.parse(stats.lastSuccessAt);
  const ago = `${stats.lastSuccessAt} (${formatDuration(Math.max(0, age))} ago)`;
  if (stale(stats.lastSuccessAt))
    return {
      name: 'last pass',
      status: 'fail',
      detail: `last successful pass at ${ago}, more than ${STALE_INTERVALS} intervals of ${intervalText}${failed}`,
    };
  const lastFailed = stats.lastError && stats.lastError.at > stats.lastSuccessAt;
  return {
    name: 'last pass',
    status: lastFailed ? 'warn' : 'ok',
    detail: `last successful pass at ${ago}${lastFailed ? failed : ''}`,
  };
}

export function agentCheck(
  config: Config,
  root: string,
  env: Context['env'],
  gameDate: string,
  todaysRun: FlowRunInfo | null,
  now: Date = new Date(),
): DoctorCheck {
  const base = { name: 'agent' as const };
  if (!config.agent.target) return { ...base, status: 'skip', detail: 'agent.target is not set', items: [] };
  const target = targetDir(config, root);
  let items: Item[] = [];
  try {
    const paths = statePaths(resolveStateDir(config.agent.state, target, env, root));
    const passes = readPassStats(paths);
    if (!existsSync(paths.state) && !passes)
      return { ...base, status: 'skip', detail: `no agent has applied to ${target} on this host`, items: [] };
    if (passes) items.push(lastPassItem(passes, config.agent.interval, now));
    const state = readState(paths, target);
    // docs/switching-safely.md: a break-glass rollback holds the agent until the branch agrees.
    if (state.diverged)
      items.push({
        name: 'diverged',
        status: 'warn',
        detail: divergedLine(divergedStatus(state.diverged, paths, null)),
      });
    if (state.applied)
      items.push({
        name: 'last apply',
        status: 'ok',
        detail: `${short(state.applied.commit)} at ${state.applied.at}: ${runsText(state.applied.runs)}`,
      });
    if (state.pending) {
      const flow = state.pending.progress.flow?.flow as Record<string, unknown> | undefined;
      const following =
        flow && typeof flow.flowRunId === 'string'
          ? `following flow run ${flow.flowRunId}${typeof flow.gameDate === 'string' ? ` for ${flow.gameDate}` : ''}`
          : 'the flow is not triggered yet';
      items.push({
        name: 'pending follow-up',
        status: 'warn',
        detail: `commit ${short(state.pending.commit)} applied at ${state.pending.since}; ${following} (is the agent running?)`,
      });
    } else if (state.lastFollowUps?.followUps.flow) {
      items = items.concat(
        flowItem(state.lastFollowUps.commit, state.lastFollowUps.followUps.flow, gameDate, todaysRun),
      );
    }
  } catch (err) {
    if (!isPromoteError(err)) throw err;
    return { ...base, status: 'fail', detail: err.message, items: [] };
  }
  const status: CheckStatus = items.some((i) => i.status === 'fail')
    ? 'fail'
    : items.some((i) => i.status === 'warn')
      ? 'warn'
      : items.length
        ? 'ok'
        : 'skip';
  const stale = items.find((i) => i.name === 'last pass' && i.status === 'fail');
  const diverged = items.some((i) => i.name === 'diverged');
  const detail = stale
    ? 'the agent is not completing its passes (is it running? `systemctl status git-promote-agent`, `journalctl -p err -u git-promote-agent`)'
    : diverged && status !== 'fail'
      ? 'diverged: this host was rolled back locally (break-glass) and the agent holds until the branch agrees (see below)'
      : status === 'fail'
        ? 'the last promotion did not reach the flow (see below; `git promote verify <pointer>`)'
        : status === 'warn'
          ? 'a promotion is applied but its follow-up has not finished'
          : status === 'ok'
            ? 'the last promotion was applied and followed through'
            : 'nothing applied yet';
  return { ...base, status, detail, items };
}
