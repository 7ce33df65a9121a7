const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** The ET slate date (YYYY-MM-DD in America/New_York) of an instant, as the runbook's game_date. */
export function slateDate(now: Date): string {
  return slateDateFormat().format(now);
}

// Built once, on first use: a DateTimeFormat with a time zone costs far more to construct than to
// use (`at --range` calls it per point), and loading the zone data at import would slow down every
// command that never needs a date (`--version` imports this module with the option parsers).
let SLATE_DATE: Intl.DateTimeFormat | undefined;
function slateDateFormat(): Intl.DateTimeFormat {
  return (SLATE_DATE ??= new Intl.DateTimeFormat('en-CA', {
    timeZone: 'America/New_York',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }));
}

export function addDays(date: string, days: number): string {
  const d = new Date(`${date}T12:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

export function isGameDate(value: string): boolean {
  if (!DATE.test(value)) return false;
  const d = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === value;
}

/** Whole days from `from` to `to` (both YYYY-MM-DD). */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

const SLATE_ZONE = 'America/New_York';

/** The zone's UTC offset (ms, local minus UTC) at an instant. */
function zoneOffsetMs(instant: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(new Date(instant));
  const n = (type: string) => Number(parts.find((p) => p.type === type)!.value);
  const wall = Date.UTC(n('year'), n('month') - 1, n('day'), n('hour'), n('minute'), n('second'));
  return wall - Math.floor(instant / 1000) * 1000;
}

/** The instant of 00:00 on `date` in the slate zone (DST-aware: midnight is never skipped there). */
function slateMidnight(date: string): number {
  return slateWallTime(date, 0);
}

/** The instant of the wall-clock time `minutes` after 00:00 on `date` in the slate zone (DST-aware). */
export function slateWallTime(date: string, minutes: number): number {
  const wall = Date.parse(`${date}T00:00:00Z`) + minutes * 60_000;
  // Two passes: the offset at the first guess may be the other side of a DST change.
  const guess = wall - zoneOffsetMs(wall, SLATE_ZONE);
  return wall - zoneOffsetMs(guess, SLATE_ZONE);
}

/**
 * The game date's slate day, [00:00, 24:00) America/New_York, as the inclusive bounds of
 * Prefect's `FlowRunFilterExpectedStartTime` (`after_` is `>=`, `before_` is `<=`, so `before_`
 * is the last millisecond before the next midnight). 23 or 25 hours long on DST days.
 */
export function gameDateWindow(date: string): { after: string; before: string } {
  const start = slateMidnight(date);
  const end = slateMidnight(addDays(date, 1));
  return { after: new Date(start).toISOString(), before: new Date(end - 1).toISOString() };
}
