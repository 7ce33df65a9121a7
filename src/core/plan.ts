/**
 * The agent's planner, pure: for each pointer, the file desired at the branch tip, the run the
 * agent last applied, and the file actually in the target become one decision. A target file that
 * differs from what was applied is drift (a hand edit): it is reported and restored.
 */
import { readPointerRun, readPointerRunOr } from './pointer-file.js';

interface PlanPointer {
  name: string;
  file: string;
  runField: string;
}

export interface PlanInput {
  pointers: PlanPointer[];
  /** Pointer file content at the branch tip, by pointer name (must exist). */
  desired: Record<string, string>;
  /** Runs recorded as applied in the agent state, or null before the first apply. */
  applied: Record<string, string> | null;
  /** Pointer file content in the target, by pointer name; null when the file is missing. */
  actual: Record<string, string | null>;
}

/** 'rollback' only for a break-glass rollback on the host (docs/switching-safely.md). */
export type ChangeReason = 'promote' | 'restore' | 'create' | 'reformat' | 'rollback';

interface PlannedPointer {
  pointer: string;
  file: string;
  desiredRun: string;
  appliedRun: string | null;
  actualRun: string | null;
  /** Content to write, when write is true. */
  content: string;
  write: boolean;
  reason: ChangeReason | null;
  /** Why the target file is not what the agent applied, when it is not. */
  drift: string | null;
}

export interface Plan {
  pointers: PlannedPointer[];
  writes: PlannedPointer[];
  drift: { pointer: string; file: string; detail: string }[];
}

/** Throws CheckFailedError when a desired pointer file is not a valid pointer. */
export function planApply(input: PlanInput): Plan {
  const pointers: PlannedPointer[] = input.pointers.map((p) => {
    const desired = input.desired[p.name];
    if (desired === undefined) throw new Error(`no desired content for pointer ${p.name}`);
    const desiredRun = readPointerRun(desired, p.runField, `${p.file} at the branch tip`);
    const appliedRun = input.applied?.[p.name] ?? null;
    const actualContent = input.actual[p.name] ?? null;
    const problems: string[] = [];
    const actual = {
      run: readPointerRunOr(actualContent, p.runField, p.file, problems),
      problem: problems[0],
    };

    let drift: string | null = null;
    if (appliedRun !== null) {
      if (actualContent === null) drift = `the file is missing (applied ${appliedRun})`;
      else if (actual.problem) drift = `the file is not a valid pointer: ${actual.problem}`;
      else if (actual.run !== appliedRun)
        drift = `the file selects ${actual.run} but ${appliedRun} was applied`;
    }
    const write = actualContent !== desired;
    let reason: ChangeReason | null = null;
    if (write) {
      if (actualContent === null)
        reason = appliedRun === null ? 'create' : desiredRun === appliedRun ? 'restore' : 'promote';
      else if (appliedRun === null) reason = actual.run === desiredRun ? 'reformat' : 'promote';
      else if (desiredRun === appliedRun) reason = drift ? 'restore' : 'reformat';
      else reason = 'promote';
    }
    return {
      pointer: p.name,
      file: p.file,
      desiredRun,
      appliedRun,
      actualRun: actual.run,
      content: desired,
      write,
      reason,
      drift,
    };
  });
  return {
    pointers,
    writes: pointers.filter((p) => p.write),
    drift: pointers
      .filter((p) => p.drift !== null)
      .map((p) => ({ pointer: p.pointer, file: p.file, detail: p.drift! })),
  };
}
