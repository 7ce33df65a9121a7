/**
 * The values of command-line options, each parsed once where the CLI is wired (src/cli/commands.ts,
 * through commander's argParser) and by the Action for its inputs, so handlers receive typed values.
 * Every parser returns the value or throws a UsageError: one line of what is wrong, one hint.
 */
import { UsageError } from './errors.js';
import { isGameDate } from './game-date.js';
import { MAX_INTERVAL_MS, parseDuration } from './duration.js';
import { parseRunId } from './run-id.js';

/** A text value as shown in an error: quoted, and cut short so a hostile value cannot flood it. */
function shown(value: string, max = 60): string {
  return JSON.stringify(value.length > max ? `${value.slice(0, max - 3)}...` : value);
}

/** `--pr N`: a pull request number (1 to 10 digits, no sign, no leading zero). */
export function pullRequestNumber(value: string): number {
  if (!/^[1-9][0-9]{0,9}$/.test(value))
    throw new UsageError(
      value ? `--pr ${shown(value)} is not a pull request number` : MISSING_PR.message,
      MISSING_PR.remedy,
    );
  return Number(value);
}

/** What `merge` says without `--pr` (the Action without its `pr` input says the same). */
export const MISSING_PR = {
  message: 'merge needs --pr N',
  remedy: 'Pass the pull request number, for example --pr 42.',
} as const;

/** `--sha`: a full 40-hex commit sha, lower-cased. */
export function fullSha(value: string): string {
  const text = value.toLowerCase();
  if (!/^[0-9a-f]{40}$/.test(text))
    throw new UsageError(
      `--sha ${shown(value)} is not a full commit sha`,
      'Pass the 40-character head sha that was validated (github.event.pull_request.head.sha).',
    );
  return text;
}

/** `--limit N`: a positive whole number. */
export function positiveWholeNumber(flag: string, example: string): (value: string) => number {
  return (value) => {
    if (!/^[0-9]{1,15}$/.test(value) || Number(value) < 1)
      throw new UsageError(
        `${flag} must be a positive whole number, not ${shown(value)}`,
        `Pass ${example}.`,
      );
    return Number(value);
  };
}

/** A duration as given ("30s") and in milliseconds. */
export interface DurationValue {
  text: string;
  ms: number;
}

/** `--interval 30s`: a duration above zero and at most 1d. */
export function intervalDuration(flag: string): (value: string) => DurationValue {
  return (value) => {
    const ms = parseDuration(value);
    if (ms === null || ms <= 0 || ms > MAX_INTERVAL_MS)
      throw new UsageError(
        `invalid ${flag} ${shown(value)}${ms !== null && ms > 0 ? ': must be at most 1d' : ''}`,
        'Pass a duration such as 30s, 5m or 1h (at most 1d).',
      );
    return { text: value, ms };
  };
}

/** `--game-date`: a calendar date YYYY-MM-DD. */
export function gameDate(value: string): string {
  if (!isGameDate(value))
    throw new UsageError(`invalid --game-date ${shown(value)}`, 'Pass a date as YYYY-MM-DD.');
  return value;
}

/** `--run`, `--to`: a run id (src/core/run-id.ts), checked before it touches a path or git. */
export function runId(what: string): (value: string) => string {
  return (value) => parseRunId(value, what);
}

/** `--since`: a time JavaScript's Date reads (ISO 8601 recommended). */
export function timeValue(flag: string): (value: string) => Date {
  return (value) => {
    const d = new Date(value);
    if (!value.trim() || Number.isNaN(d.getTime()))
      throw new UsageError(
        `invalid ${flag} ${shown(value)}`,
        'Pass an ISO time such as 2026-11-26T17:00:00Z.',
      );
    return d;
  };
}

/**
 * A git revision that is safe to hand to git: a branch, tag, sha or `name~N`/`name^` form, never
 * option syntax (no leading "-"), never a range ("..") or `rev:path`, `@{...}` or whitespace.
 */
export function isSafeRef(ref: string): boolean {
  return /^(?!-)[A-Za-z0-9._/@^~-]+$/.test(ref) && !ref.includes('..');
}

/** `--base`, `--head`: a safe git revision. */
export function gitRef(flag: string): (value: string) => string {
  return (value) => {
    if (!isSafeRef(value))
      throw new UsageError(
        `${flag} ${shown(value)} is not a branch, tag or commit git can be given safely`,
        `Pass ${flag} as a branch, tag or commit sha (letters, digits and . _ / @ ^ ~ -, not starting with "-").`,
      );
    return value;
  };
}

/** `--source branch|host` and the like: one of a few words. */
export function oneOf<const T extends string>(flag: string, values: readonly T[]): (value: string) => T {
  return (value) => {
    if (!(values as readonly string[]).includes(value))
      throw new UsageError(
        `${flag} must be ${values.slice(0, -1).join(', ')} or ${values.at(-1)}, not ${shown(value)}`,
        `Pass ${values.map((v) => `${flag} ${v}`).join(' or ')}.`,
      );
    return value as T;
  };
}

/** `--github owner/repo`. */
export function githubRepository(value: string): string {
  if (!/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/.test(value))
    throw new UsageError(`--github ${shown(value)} is not "owner/repo"`, 'Pass --github owner/repo.');
  return value;
}

/** A stage's name (docs/stages.md): lower-case words, as pointer names. */
export const STAGE_NAME = /^[a-z][a-z0-9_-]{0,62}$/;

/** `--stage S`, `--from S`: a stage name (whether the config has it is the command's to say). */
export function stageName(flag: string): (value: string) => string {
  return (value) => {
    if (!STAGE_NAME.test(value))
      throw new UsageError(
        `${flag} ${shown(value)} is not a stage name`,
        'Name a stage of the config, e.g. staging.',
      );
    return value;
  };
}

/** `--action-ref owner/repo@<40-hex sha>`: the Action's repository and the commit the workflow runs. */
export function actionRef(value: string): { repo: string; sha: string } {
  const m = /^([A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+)@([0-9a-f]{40})$/.exec(value);
  if (!m)
    throw new UsageError(
      `--action-ref ${shown(value, 120)} is not owner/repo@<full commit sha>`,
      'Pass the repository git-promote comes from and a 40-character commit sha, e.g. --action-ref acme/git-promote@$(git -C git-promote rev-parse HEAD).',
    );
  return { repo: m[1]!, sha: m[2]! };
}

/** `--evidence a.json,b.json`: a comma-separated list, empty items dropped. */
export function commaList(value: string): string[] {
  return value.split(',').filter(Boolean);
}

/** `--reason`: text, trimmed; blank is no value. */
export function trimmedText(value: string): string | undefined {
  return value.trim() || undefined;
}
