import { UsageError } from './errors.js';

/** Why a string is not a valid run id, or null when it is one. */
export function runIdProblem(value: string): string | null {
  if (value.length === 0) return 'it is empty';
  if (value.length > 128) return `it is ${value.length} characters long (at most 128)`;
  if (value.startsWith('-')) return 'it starts with "-"';
  if (value.startsWith('.')) return 'it starts with "."';
  if (value.includes('..')) return 'it contains ".."';
  const bad = [...value].find((c) => !/[A-Za-z0-9._:=+-]/.test(c));
  if (bad !== undefined)
    return `it contains ${JSON.stringify(bad)} (allowed: letters, digits and . _ : = + -)`;
  return null;
}

export function isRunId(value: unknown): value is string {
  return typeof value === 'string' && runIdProblem(value) === null;
}

/** Validate a run id before it touches a path or git; throws a usage error otherwise. */
export function parseRunId(value: string, what = 'run id'): string {
  const problem = runIdProblem(value);
  if (problem === null) return value;
  const shown = value.length > 60 ? `${value.slice(0, 57)}...` : value;
  throw new UsageError(
    `invalid ${what} ${JSON.stringify(shown)}: ${problem}`,
    'Use 1-128 characters of [A-Za-z0-9._:=+-], not starting with "-" or ".", without "..".',
  );
}
