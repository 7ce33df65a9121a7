/**
 * Where evidence lives in the repository: `promotions/<pointer>/<run_id>.json` (the evidence format in docs/data-formats.md).
 */
import { isRunId } from './run-id.js';

export const EVIDENCE_DIR = 'promotions';

const POINTER_NAME = /^[a-z][a-z0-9_-]{0,62}$/;

/** The evidence path of a pointer's run; both parts must already be validated. */
export function evidencePath(pointer: string, runId: string): string {
  return `${EVIDENCE_DIR}/${pointer}/${runId}.json`;
}

/** {pointer, runId} when `path` is an evidence file path, else null (other files under promotions/). */
export function parseEvidencePath(path: string): { pointer: string; runId: string } | null {
  const parts = path.split('/');
  if (parts.length !== 3 || parts[0] !== EVIDENCE_DIR) return null;
  const [, pointer, file] = parts as [string, string, string];
  if (!POINTER_NAME.test(pointer) || !file.endsWith('.json')) return null;
  const runId = file.slice(0, -'.json'.length);
  return isRunId(runId) ? { pointer, runId } : null;
}
