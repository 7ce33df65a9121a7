/**
 * Freeze windows (`agent.freeze`, docs/switching-safely.md): ET wall-clock ranges, each day,
 * during which the agent applies only rollbacks. Pure: the instant is an argument, and ET comes
 * from the slate helpers (DST-aware), so "18:30" is 18:30 in New York on every day of the year.
 */
import { addDays, slateDate, slateWallTime } from './game-date.js';
import type { FreezeWindowConfig } from './schemas.js';

/** One occurrence of a window: [start, end) as instants. */
export interface FreezeSpan {
  name: string;
  /** "18:30–23:30 ET" as configured. */
  label: string;
  start: Date;
  end: Date;
}

function minutes(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number);
  return h! * 60 + m!;
}

export function windowLabel(w: FreezeWindowConfig): string {
  return `${w.start}–${w.end} ET`;
}

/** The occurrence of `w` that starts on the ET date `date` (an end before the start is the next day). */
function occurrence(w: FreezeWindowConfig, date: string, index: number): FreezeSpan {
  const from = minutes(w.start);
  const to = minutes(w.end);
  const endDate = to <= from ? addDays(date, 1) : date;
  return {
    name: w.name ?? `freeze ${index + 1}`,
    label: windowLabel(w),
    start: new Date(slateWallTime(date, from)),
    end: new Date(slateWallTime(endDate, to)),
  };
}

/** Every occurrence starting on the ET days around `now`, sorted by start. */
function occurrences(windows: readonly FreezeWindowConfig[], now: Date, days: number[]): FreezeSpan[] {
  // No windows, no dates: the time zone data is loaded only when a window needs it.
  if (windows.length === 0) return [];
  const today = slateDate(now);
  return days
    .flatMap((d) => windows.map((w, i) => occurrence(w, addDays(today, d), i)))
    .sort((a, b) => a.start.getTime() - b.start.getTime());
}

/** The window `now` is in (the one ending last when several overlap), else null. */
export function activeFreeze(windows: readonly FreezeWindowConfig[], now: Date): FreezeSpan | null {
  const t = now.getTime();
  const inside = occurrences(windows, now, [-1, 0]).filter(
    (s) => s.start.getTime() <= t && t < s.end.getTime(),
  );
  return inside.sort((a, b) => b.end.getTime() - a.end.getTime())[0] ?? null;
}

/** The next window that starts after `now`, else null (no windows configured). */
export function nextFreeze(windows: readonly FreezeWindowConfig[], now: Date): FreezeSpan | null {
  const t = now.getTime();
  return occurrences(windows, now, [0, 1, 2]).find((s) => s.start.getTime() > t) ?? null;
}

/** "slate lock (18:30–23:30 ET) until 2026-11-27T04:30:00.000Z" */
export function describeSpan(s: FreezeSpan, what: 'until' | 'from'): string {
  const at = what === 'until' ? s.end : s.start;
  return `${s.name} (${s.label}) ${what} ${at.toISOString()}`;
}
