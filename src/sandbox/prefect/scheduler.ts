/**
 * The Prefect scheduler service, for the stand-in: for each active interval schedule of a
 * deployment, when it has fewer than `minRuns` future auto-scheduled runs or none beyond
 * now + `minTime` (src/prefect/server/services/scheduler.py), it generates dates from now until
 * both minimums hold, never more than `maxRuns` nor beyond now + `maxTime`
 * (src/prefect/server/models/deployments.py, _generate_scheduled_flow_runs). Each run is
 * SCHEDULED with `expected_start_time` = its date, tag `auto-scheduled`, the deployment's
 * parameters and idempotency key `scheduled <deployment id> <schedule id> <date>`, so running the
 * service twice inserts nothing new. Defaults are Prefect's
 * (src/prefect/settings/models/server/services.py): max_runs 100, min_runs 3,
 * max_scheduled_time 100 days, min_scheduled_time 1 hour.
 */

export interface StandInSchedule {
  /** Seconds between runs (Prefect's IntervalSchedule.interval). */
  interval: number;
  /** The schedule's anchor_date (ISO); runs fall on anchor + k * interval. */
  anchor: string;
  id?: string;
  active?: boolean;
}

export interface SchedulerSettings {
  maxRuns: number;
  minRuns: number;
  maxTimeMs: number;
  minTimeMs: number;
}

export const PREFECT_SCHEDULER_DEFAULTS: SchedulerSettings = {
  maxRuns: 100,
  minRuns: 3,
  maxTimeMs: 100 * 86_400_000,
  minTimeMs: 3_600_000,
};

/** Does the schedule need more runs? (the service's query in scheduler.py) */
export function needsRuns(futureStarts: number[], now: number, s: SchedulerSettings): boolean {
  return futureStarts.length < s.minRuns || Math.max(-Infinity, ...futureStarts) < now + s.minTimeMs;
}

/** The dates to schedule from `now`: at most maxRuns, before now + maxTime, stopping once both minimums hold. */
export function scheduleDates(schedule: StandInSchedule, now: number, s: SchedulerSettings): number[] {
  const step = schedule.interval * 1000;
  const anchor = Date.parse(schedule.anchor);
  const first = anchor + Math.max(0, Math.ceil((now - anchor) / step)) * step;
  const dates: number[] = [];
  for (let t = first; dates.length < s.maxRuns && t <= now + s.maxTimeMs; t += step) {
    dates.push(t);
    if (dates.length >= s.minRuns && t >= now + s.minTimeMs) break;
  }
  return dates;
}

/** Python's str() of an aware UTC datetime, as it appears in the scheduler's idempotency keys. */
export function pythonUtc(t: number): string {
  return new Date(t)
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, '+00:00');
}
