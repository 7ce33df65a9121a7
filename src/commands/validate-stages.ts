/**
 * `validate` for a repository with stages (docs/stages.md): loads every stage's pointer files, the
 * evidence and records they select, each moved pointer's history, and for every stage promotion
 * the record as GitHub has it; the checks themselves are core/stage-checks.ts.
 */
import type { Env } from '../adapters/git.js';
import { readPointerChanges } from '../adapters/pointer-history.js';
import { runsHeld } from '../core/change-kind.js';
import type { Forge } from '../core/forge.js';
import type { Config } from '../core/schemas.js';
import {
  firstStage,
  recordKey,
  recordPaths,
  recordsToCheck,
  runStagedChecks,
  stageFiles,
  stageRuns,
  type RecordReading,
} from '../core/stage-checks.js';
import { stageOrder, stageView } from '../core/stages.js';
import { evidencePaths, type CheckResult, type FileChange, type TreeFiles } from '../core/validate-checks.js';
import { readRecordOnGitHub } from './stage-deployments.js';

export interface StagedRange {
  root: string;
  env: Env;
  /** The config root's path inside the repository ('' at the top). */
  prefix: string;
  /** The target branch tip. */
  base: string;
  config: Config;
  changes: FileChange[];
  target: TreeFiles;
  merged: TreeFiles;
  /** Load paths (config-root relative) into both trees before they are read. */
  load: (paths: string[]) => Promise<void>;
  now: Date;
  /** This release, for evidence of a newer schema (versions.ts). */
  toolVersion: string;
  /** Opens GitHub for the records (null: no token or repository). */
  openForge?: (github?: string) => Promise<Forge | null>;
}

export async function validateStages(input: StagedRange): Promise<CheckResult[]> {
  const { config, env, prefix } = input;
  await input.load([...stageFiles(config).keys()]);
  const targetRuns = stageRuns(config, input.target);
  const mergedRuns = stageRuns(config, input.merged);
  const first = firstStage(config);
  await input.load([
    ...evidencePaths(stageView(config, first), mergedRuns.get(first)!, input.changes, targetRuns.get(first)!),
    ...recordPaths(config, mergedRuns, input.changes),
  ]);

  // Past runs only matter for the stage pointers the PR moves: one `git log` over each file.
  const held = new Map<string, Map<string, ReadonlySet<string>>>();
  for (const stage of stageOrder(config)) {
    const view = stageView(config, stage);
    const byPointer = new Map<string, ReadonlySet<string>>();
    for (const [name, p] of Object.entries(view.pointers)) {
      if (mergedRuns.get(stage)!.get(name) === targetRuns.get(stage)!.get(name)) continue;
      const changes = await readPointerChanges({
        cwd: input.root,
        env,
        tip: input.base,
        file: `${prefix}${p.file}`,
        runField: p.runField,
      });
      byPointer.set(name, runsHeld(changes));
    }
    held.set(stage, byPointer);
  }

  const base = {
    config,
    target: input.target,
    merged: input.merged,
    changes: input.changes,
    held,
    now: input.now,
    toolVersion: input.toolVersion,
  };
  const todo = recordsToCheck(base);
  const readings = new Map<string, RecordReading>();
  const forge = todo.length ? ((await input.openForge?.(config.repository.github)) ?? null) : null;
  const where = { root: input.root, env, prefix, config, tip: input.base };
  for (const item of todo)
    readings.set(recordKey(item.stage, item.pointer, item.run), await readRecordOnGitHub(forge, where, item));
  return runStagedChecks({ ...base, readings });
}
