/**
 * The `stages` key of the config (docs/stages.md): ordered stages, each with its own pointer files
 * in git, the hosts that run it and the agent accounts trusted to report for it. A stage with
 * `after` is promoted on the record of the stage it follows instead of a new smoke run. The checks
 * across stages and pointers (names, `after` chains, distinct files) are in stages.ts.
 */
import * as z from 'zod/v4';
import { parseDuration } from './duration.js';

/** Stage and host names: lower-case words, as pointer names (they become path and environment parts). */
export { STAGE_NAME } from './option-values.js';
import { STAGE_NAME } from './option-values.js';
export const HOST_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;

/** Where a stage's pointer file lives, relative to the directory of the pointer's `file`. */
export const DEFAULT_STAGE_FILE = '{stage}/{base}';

export const stageSchema = z.looseObject({
  /** The stage this one follows: promoted only with that stage's verified record. */
  after: z.string().regex(STAGE_NAME, 'must name another stage').optional(),
  /** How long `after` must have been verified (its newest counted success) before this stage may take it. */
  soak: z
    .string()
    .refine((s) => parseDuration(s) !== null, 'must be a duration such as 30m, 12h, 1d')
    .optional(),
  /** How many of this stage's hosts must verify a commit for the stage to count as verified (default: all). */
  quorum: z.number().int().positive().optional(),
  /** The stage's pointer file, relative to each pointer file's directory: {stage}, {base}, {pointer}. */
  file: z
    .string()
    .min(1)
    .refine(
      (t) => !t.startsWith('/') && !t.split(/[\\/]/).includes('..'),
      'must be a path relative to the pointer file directory',
    )
    .default(DEFAULT_STAGE_FILE),
  /** Accounts whose deployments and statuses count for this stage (a GitHub App's is "<slug>[bot]"). */
  agents: z.array(z.string().min(1)).default([]),
  /** The hosts of this stage (GitHub environments `<stage>/<host>`). */
  hosts: z.array(z.string().regex(HOST_NAME, 'must be a host name (letters, digits, . _ -)')).optional(),
});

export const stagesSchema = z.record(z.string(), stageSchema);
export type StageConfig = z.output<typeof stageSchema>;

/** A stage's pointer file for one pointer: the stage template filled in the pointer file's directory. */
export function stageFilePath(template: string, stage: string, pointer: string, pointerFile: string): string {
  const slash = pointerFile.lastIndexOf('/');
  const dir = slash === -1 ? '' : pointerFile.slice(0, slash + 1);
  const base = pointerFile.slice(slash + 1);
  const rel = template.replace(/\{(stage|base|pointer)\}/g, (_m, key: string) =>
    key === 'stage' ? stage : key === 'base' ? base : pointer,
  );
  return `${dir}${rel}`;
}

export interface StageProblem {
  path: (string | number)[];
  message: string;
}

/**
 * What is wrong across stages and pointers: names, `after` chains (one first stage, no cycles),
 * what a followed stage must name (its agents and hosts) and distinct pointer files per stage.
 */
export function stagesProblems(
  stages: Record<string, StageConfig>,
  pointers: Record<string, { file: string }>,
): StageProblem[] {
  const problems: StageProblem[] = [];
  const names = Object.keys(stages);
  if (names.length === 0)
    return [{ path: [], message: 'must define at least one stage (or leave stages out)' }];
  const followed = new Set(names.map((n) => stages[n]!.after).filter((a): a is string => a !== undefined));
  for (const name of names) {
    const s = stages[name]!;
    if (!STAGE_NAME.test(name))
      problems.push({ path: [name], message: 'stage names are lower-case words (a-z, 0-9, _, -)' });
    if (Object.hasOwn(pointers, name))
      problems.push({ path: [name], message: `is also the name of a pointer; name the stage differently` });
    if (s.after !== undefined) {
      if (s.after === name) problems.push({ path: [name, 'after'], message: 'a stage cannot follow itself' });
      else if (!Object.hasOwn(stages, s.after))
        problems.push({ path: [name, 'after'], message: `names no stage (stages: ${names.join(', ')})` });
    } else {
      if (s.soak !== undefined)
        problems.push({ path: [name, 'soak'], message: 'only a stage with "after" soaks' });
    }
    if (followed.has(name)) {
      if (s.agents.length === 0)
        problems.push({
          path: [name, 'agents'],
          message: 'a stage that another follows must name the agent accounts that report it',
        });
      if (!s.hosts?.length)
        problems.push({
          path: [name, 'hosts'],
          message: 'a stage that another follows must list its hosts (each must verify, or quorum of them)',
        });
    }
    if (s.quorum !== undefined && s.hosts && s.quorum > s.hosts.length)
      problems.push({ path: [name, 'quorum'], message: `is more than its ${s.hosts.length} hosts` });
    if (s.hosts && new Set(s.hosts).size !== s.hosts.length)
      problems.push({ path: [name, 'hosts'], message: 'names a host twice' });
  }
  const first = names.filter((n) => stages[n]!.after === undefined);
  if (first.length !== 1)
    problems.push({
      path: [],
      message:
        first.length === 0
          ? 'one stage must have no "after": the first stage, promoted with smoke evidence'
          : `only one stage may have no "after" (the first stage), found ${first.join(', ')}`,
    });
  // Every "after" chain must end at the first stage, never loop.
  for (const name of names) {
    const seen = new Set<string>();
    let at: string | undefined = name;
    while (at !== undefined && Object.hasOwn(stages, at) && !seen.has(at)) {
      seen.add(at);
      at = stages[at]!.after;
    }
    if (at !== undefined && seen.has(at)) {
      problems.push({ path: [name, 'after'], message: 'the "after" chain loops' });
      break;
    }
  }
  const files = new Map<string, string>();
  for (const name of names)
    for (const [pointer, p] of Object.entries(pointers)) {
      const file = stageFilePath(stages[name]!.file, name, pointer, p.file);
      const other = files.get(file);
      if (!file.endsWith('.json'))
        problems.push({
          path: [name, 'file'],
          message: `makes ${file} for ${pointer}, which is not a .json file`,
        });
      else if (other)
        problems.push({
          path: [name, 'file'],
          message: `makes ${file} for ${pointer}, the same file as ${other}`,
        });
      files.set(file, `${name}/${pointer}`);
    }
  return problems;
}
