/**
 * Pure edits of pointer files: (content) => content. Unknown keys and key order are kept; the
 * output is 2-space indented JSON with a final newline.
 */
import { CheckFailedError, isPromoteError } from './errors.js';
import { parseJson, stringifyJson } from './json-file.js';
import { runIdProblem } from './run-id.js';

function pointerObject(content: string, label: string): Record<string, unknown> {
  const data = parseJson(content, label);
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new CheckFailedError(`${label} must hold a JSON object`, `Write ${label} as {"run_id": "<run>"}.`);
  }
  return data as Record<string, unknown>;
}

/** The run id a pointer file selects. */
export function readPointerRun(content: string, runField: string, label: string): string {
  const value = pointerObject(content, label)[runField];
  if (typeof value !== 'string') {
    throw new CheckFailedError(
      `${label} has no string "${runField}"`,
      `Set "${runField}" in ${label} to the run id of the current model.`,
    );
  }
  const problem = runIdProblem(value);
  if (problem) {
    throw new CheckFailedError(
      `${label}: "${runField}" is not a valid run id: ${problem}`,
      `Point ${label} at a real run id.`,
    );
  }
  return value;
}

/** The run a pointer file version selects; null when absent, or when it does not parse (the reason is added to `problems`). */
export function readPointerRunOr(
  content: string | null,
  runField: string,
  label: string,
  problems: string[],
): string | null {
  if (content === null) return null;
  try {
    return readPointerRun(content, runField, label);
  } catch (err) {
    if (!isPromoteError(err)) throw err;
    problems.push(err.message);
    return null;
  }
}

/** Return the pointer file content with `runField` set to `runId` (an edit, not a rewrite). */
export function setPointerRun(
  runField: string,
  runId: string,
  label = 'pointer file',
): (content: string) => string {
  return (content: string) => {
    const data = content.trim() === '' ? {} : pointerObject(content, label);
    data[runField] = runId;
    return stringifyJson(data);
  };
}

/** Content for a pointer file that does not exist yet. */
export function newPointerFile(runField: string, runId: string): string {
  return stringifyJson({ [runField]: runId });
}
