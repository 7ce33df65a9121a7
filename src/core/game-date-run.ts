/**
 * Which flow run stands for a game date's run, among the runs Prefect expects to start on that
 * slate day. Pure: the caller queries the day's window (gameDateWindow) and passes `now`.
 */
import type { FlowRunInfo } from './flow-state.js';

function startOf(run: FlowRunInfo): number {
  const t = Date.parse(run.expectedStartTime ?? run.created ?? '');
  return Number.isNaN(t) ? 0 : t;
}

/**
 * The latest run that is due (started, or expected to have started by `now`); when none is, the
 * next one scheduled. A run whose `game_date` parameter names another date (a backfill started
 * today) is not the game date's run.
 */
export function pickGameDateRun(runs: FlowRunInfo[], gameDate: string, now: Date): FlowRunInfo | null {
  const mine = runs
    .filter((r) => r.parameters?.game_date === undefined || r.parameters.game_date === gameDate)
    .sort((a, b) => startOf(a) - startOf(b));
  const due = mine.filter((r) => r.state !== 'SCHEDULED' || startOf(r) <= now.getTime());
  return due.at(-1) ?? mine[0] ?? null;
}
