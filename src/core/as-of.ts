/**
 * As-of pointers: which run each pointer held at an instant, from a timeline of changes (the
 * branch's first-parent history or the agent's apply journal). Pure: the callers read the sources.
 */
import { UsageError } from './errors.js';
import { gameDateWindow, isGameDate, slateDate, slateWallTime } from './game-date.js';

/** One change of one pointer: from `at` (ms since the epoch) on, the pointer held `run`. */
interface PointerChangeAt {
  at: number;
  /** null when the change removed the pointer file (or its run could not be read). */
  run: string | null;
  /** The commit that made the change (branch) or that the agent applied (host). */
  commit: string;
}

/** Per pointer, its changes in history order (oldest first). */
export type Timeline = Record<string, PointerChangeAt[]>;

/** What each pointer held at an instant: null before its first change ("no pointer yet"). */
export type Snapshot = Record<string, PointerChangeAt | null>;

const ISO_INSTANT = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/i;

/**
 * An instant as the user wrote it: an ISO timestamp with its zone (`2026-11-03T22:00Z`,
 * `2026-11-03T17:00:00-05:00`), or a date, read as the end of that ET slate day (the last
 * millisecond before the next midnight in America/New_York, the runbook's game_date).
 */
export function parseInstant(value: string, what = '<instant>'): number {
  const text = value.trim();
  if (isGameDate(text)) return Date.parse(gameDateWindow(text).before);
  const m = ISO_INSTANT.exec(text);
  const ms = m ? Date.parse(text.replace(' ', 'T').toUpperCase()) : NaN;
  // Date.parse refuses minutes and seconds past 59 itself, but takes 24:00 as the next midnight.
  if (!m || !isGameDate(m[1]!) || Number(m[2]) > 23 || Number.isNaN(ms))
    throw new UsageError(
      `${what} is not an ISO timestamp with a zone or a date: ${JSON.stringify(value)}`,
      'Pass e.g. 2026-11-03T22:00Z, 2026-11-03T17:00-05:00, or 2026-11-03 (the end of that ET day).',
    );
  return ms;
}

/**
 * `--game-date D --as-of MODE`: `end` is the end of that ET day (as a bare date is), `pretip` the
 * configured ET wall-clock time (asOf.pretip) on that day, DST-aware.
 */
export function gameDateInstant(date: string, mode: string, pretip: string | undefined): number {
  if (!isGameDate(date))
    throw new UsageError(
      `--game-date must be a date YYYY-MM-DD, not ${JSON.stringify(date)}`,
      'Pass e.g. --game-date 2026-11-03.',
    );
  if (mode === 'end') return Date.parse(gameDateWindow(date).before);
  if (mode !== 'pretip')
    throw new UsageError(
      `--as-of must be pretip or end, not ${JSON.stringify(mode)}`,
      'Pass --as-of pretip or --as-of end.',
    );
  if (pretip === undefined)
    throw new UsageError(
      '--as-of pretip needs asOf.pretip in promote.config.json',
      'Set asOf.pretip to the ET time the slate is scored before tip-off, e.g. { "asOf": { "pretip": "18:00" } }.',
    );
  const [h, m] = pretip.split(':').map(Number);
  return slateWallTime(date, h! * 60 + m!);
}

/** `START..END`, each an instant as parseInstant reads it; START must not be after END. */
export function parseRange(value: string): { start: number; end: number } {
  const parts = value.split('..');
  if (parts.length !== 2 || !parts[0] || !parts[1])
    throw new UsageError(
      `--range must be START..END, not ${JSON.stringify(value)}`,
      'Pass e.g. --range 2026-11-01..2026-11-30.',
    );
  const start = parseInstant(parts[0], 'the start of --range');
  const end = parseInstant(parts[1], 'the end of --range');
  if (start > end)
    throw new UsageError(
      `--range starts after it ends: ${value}`,
      'Put the earlier instant first: --range START..END.',
    );
  return { start, end };
}

/**
 * The change live at `instant`: the latest change in history order whose time is at or before
 * it. Commit times on a branch need not increase (clock skew), so this walks from the newest
 * change rather than bisecting: a change is live once the branch had it and its time has passed.
 */
export function liveAt(changes: readonly PointerChangeAt[], instant: number): PointerChangeAt | null {
  for (let i = changes.length - 1; i >= 0; i--) if (changes[i]!.at <= instant) return changes[i]!;
  return null;
}

export function snapshotAt(timeline: Timeline, instant: number): Snapshot {
  return Object.fromEntries(
    Object.entries(timeline).map(([name, changes]) => [name, liveAt(changes, instant)]),
  );
}

/** Pointers with no run at the snapshot's instant. */
export function missing(snapshot: Snapshot): string[] {
  return Object.entries(snapshot)
    .filter(([, c]) => c === null || c.run === null)
    .map(([name]) => name);
}

/** The newest change among the live ones: the commit whose tree holds the whole snapshot. */
export function snapshotCommit(snapshot: Snapshot): PointerChangeAt | null {
  let best: PointerChangeAt | null = null;
  for (const c of Object.values(snapshot)) if (c && (!best || c.at > best.at)) best = c;
  return best;
}

interface ChangePoint {
  /** From this instant on (the range's start for the first point). */
  at: number;
  /** The first ET game date whose end-of-day instant sees this pointer set. */
  fromGameDate: string;
  runs: Record<string, string | null>;
  commit: string | null;
}

function runsOf(snapshot: Snapshot): Record<string, string | null> {
  return Object.fromEntries(Object.entries(snapshot).map(([n, c]) => [n, c?.run ?? null]));
}

/**
 * The pointer sets over [start, end]: the set live at `start`, then one point per instant in
 * (start, end] at which some pointer's run changed. Consecutive instants with the same runs (a
 * note added to a pointer file, an agent re-applying the same runs) are one point.
 */
export function changePoints(timeline: Timeline, start: number, end: number): ChangePoint[] {
  const instants = new Set<number>([start]);
  for (const changes of Object.values(timeline))
    for (const c of changes) if (c.at > start && c.at <= end) instants.add(c.at);
  const points: ChangePoint[] = [];
  let last = '';
  for (const at of [...instants].sort((a, b) => a - b)) {
    const snapshot = snapshotAt(timeline, at);
    const runs = runsOf(snapshot);
    const key = JSON.stringify(runs);
    if (key === last) continue;
    last = key;
    points.push({
      at,
      fromGameDate: slateDate(new Date(at)),
      runs,
      commit: snapshotCommit(snapshot)?.commit ?? null,
    });
  }
  return points;
}
