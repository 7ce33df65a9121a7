/**
 * How old a smoke's game date is, in calendar days or in slates (docs/versions-and-slates.md).
 * A slate is a game date the pipeline wrote manifests for. CI cannot see the manifests, so the
 * smoke run records the slates it saw after its game date, up to the day it ran (`slates` in the
 * evidence); every day after that counts as a slate, as does every day when the evidence records
 * none (evidence written before slates were recorded, or without manifests configured). Counting
 * unknown days as slates errs on the strict side: off-days only ever make evidence younger when
 * they were seen.
 */
import type { EvidenceMaxAge } from './config.js';
import { daysBetween, isGameDate } from './game-date.js';

export interface RecordedSlates {
  through: string;
  after: readonly string[];
}

export interface EvidenceAgeVerdict {
  ok: boolean;
  /** Age in the limit's unit (days or slates), never negative. */
  age: number;
  reason: string;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** The age of evidence for `gameDate` on `today` (both ET slate dates) against the limit. */
export function evidenceAge(input: {
  gameDate: string;
  today: string;
  limit: EvidenceMaxAge;
  slates?: RecordedSlates | undefined;
}): EvidenceAgeVerdict {
  const { gameDate, today, limit } = input;
  const days = daysBetween(gameDate, today);
  // One day ahead is allowed: a slate can be smoke-scored the evening before.
  if (days < -1)
    return { ok: false, age: 0, reason: `game date ${gameDate} is in the future (today is ${today} ET)` };
  if ('days' in limit) {
    const age = Math.max(days, 0);
    return age > limit.days
      ? {
          ok: false,
          age,
          reason: `game date ${gameDate} is ${age} days old (at most ${limit.days}); smoke again`,
        }
      : { ok: true, age, reason: `game date ${gameDate} is ${age} days old (at most ${limit.days})` };
  }
  const counted = countSlates(gameDate, today, input.slates);
  const age = counted.seen + counted.unseenDays;
  const how = counted.recorded
    ? `${plural(counted.seen, 'slate')} after it seen by the smoke run through ${counted.through}${
        counted.unseenDays ? `, ${plural(counted.unseenDays, 'day')} since counted as slates` : ''
      }`
    : 'no slates recorded by the smoke run, so every day since counts as one';
  return age > limit.slates
    ? {
        ok: false,
        age,
        reason: `game date ${gameDate} is ${plural(age, 'slate')} old (at most ${limit.slates}; ${how}); smoke again on the latest slate`,
      }
    : {
        ok: true,
        age,
        reason: `game date ${gameDate} is ${plural(age, 'slate')} old (at most ${limit.slates}; ${how})`,
      };
}

/** Slates after `gameDate` the evidence saw, and the days after what it saw up to `today`. */
function countSlates(
  gameDate: string,
  today: string,
  slates: RecordedSlates | undefined,
): { recorded: boolean; seen: number; unseenDays: number; through: string } {
  // What the evidence records is the proposer's word, like its game date: it is used only when it
  // is coherent, and never reaches past today.
  const usable = slates && isGameDate(slates.through) && slates.through >= gameDate;
  if (!usable)
    return {
      recorded: false,
      seen: 0,
      unseenDays: Math.max(daysBetween(gameDate, today), 0),
      through: gameDate,
    };
  const through = slates.through < today ? slates.through : today;
  const seen = new Set(slates.after.filter((d) => isGameDate(d) && d > gameDate && d <= through)).size;
  return { recorded: true, seen, unseenDays: Math.max(daysBetween(through, today), 0), through };
}
