/**
 * Rollback readiness (docs/switching-safely.md): can this host go back to a pointer's previous
 * run right now? Only if that run's evidence is on the branch and its artifact is on this host
 * and hashes to the evidence's meta_sha256, the same check the agent makes before any write.
 */
import { evidencePath } from '../../core/evidence-path.js';
import { isPromoteError } from '../../core/errors.js';
import { parseWith } from '../../core/json-file.js';
import { isRunId } from '../../core/run-id.js';
import { evidenceSchema, type PointerConfig } from '../../core/schemas.js';
import { checkArtifact } from './artifact.js';

export interface Readiness {
  pointer: string;
  /** The run a rollback would restore; null when the pointer has no earlier run. */
  run: string | null;
  ready: boolean;
  detail: string;
}

/**
 * Whether `run` can be restored on this host: `evidenceText` is its evidence file on the branch
 * (null when missing), `root` the directory artifacts templates are relative to.
 */
export function rollbackReadiness(
  name: string,
  pointer: PointerConfig,
  root: string,
  run: string | null,
  evidenceText: string | null,
): Readiness {
  const base = { pointer: name, run };
  if (run === null) return { ...base, ready: false, detail: 'no earlier run on the branch to roll back to' };
  if (!isRunId(run)) return { ...base, ready: false, detail: `the earlier run is not a valid run id` };
  const file = evidencePath(name, run);
  if (evidenceText === null)
    return {
      ...base,
      ready: false,
      detail: `no evidence ${file} on the branch, so a rollback to ${run} would not pass validation`,
    };
  let evidence;
  try {
    evidence = parseWith(evidenceSchema, evidenceText, file);
  } catch (err) {
    if (!isPromoteError(err)) throw err;
    return { ...base, ready: false, detail: err.message };
  }
  const check = checkArtifact(pointer.artifacts, root, run, evidence, pointer.contract);
  if (check.problems.length)
    return { ...base, ready: false, detail: `artifact of ${run}: ${check.problems[0]}` };
  return { ...base, ready: true, detail: `${check.dir} is here and matches its evidence` };
}
