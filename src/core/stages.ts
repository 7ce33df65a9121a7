/**
 * Stages (docs/stages.md): each stage has its own pointer files in git, so git stays the truth of
 * every stage. A command works on one stage through its *view* of the config: the same pointers,
 * with each pointer's `file` replaced by that stage's file. What the agent writes on its host is
 * still the pointer's own `file` (the file the pipeline reads); only where it is read in git moves.
 */
import { UsageError } from './errors.js';
import { EVIDENCE_DIR } from './evidence-path.js';
import { isRunId } from './run-id.js';
import { STAGE_NAME, stageFilePath, type StageConfig } from './stage-config.js';
import type { Config } from './schemas.js';

/** The stages in order: the first stage, then each stage after the one it follows (config order otherwise). */
export function stageOrder(config: Config): string[] {
  const stages = config.stages ?? {};
  const order: string[] = [];
  const place = (name: string, seen: Set<string>): void => {
    if (order.includes(name) || seen.has(name) || !stages[name]) return;
    seen.add(name);
    const after = stages[name].after;
    if (after) place(after, seen);
    order.push(name);
  };
  for (const name of Object.keys(stages)) place(name, new Set());
  return order;
}

export function stageConfig(config: Config, stage: string): StageConfig {
  const s = config.stages?.[stage];
  if (!s) throw new UsageError(`unknown stage "${stage}"`, stagesHint(config));
  return s;
}

function stagesHint(config: Config): string {
  return config.stages
    ? `Use one of the stages in promote.config.json: ${stageOrder(config).join(', ')}.`
    : 'Add "stages" to promote.config.json first (docs/stages.md), or leave --stage out.';
}

/** The stage's pointer file of one pointer, in git. */
export function stagePointerFile(config: Config, stage: string, pointer: string): string {
  const p = config.pointers[pointer];
  if (!p) throw new UsageError(`unknown pointer "${pointer}"`, 'Use a pointer of promote.config.json.');
  return stageFilePath(stageConfig(config, stage).file, stage, pointer, p.file);
}

/** The config as one stage sees it: every pointer's `file` is that stage's file in git. */
export function stageView(config: Config, stage: string): Config {
  stageConfig(config, stage);
  const pointers = Object.fromEntries(
    Object.entries(config.pointers).map(([name, p]) => [
      name,
      { ...p, file: stagePointerFile(config, stage, name) },
    ]),
  );
  return { ...config, pointers };
}

/**
 * The stage a command works on: `--stage`, else this host's `agent.stage`. Null when the config has
 * no stages (and none was asked for); a usage error when stages exist and none is named.
 */
export function selectStage(config: Config, given: unknown): string | null {
  if (given !== undefined && typeof given !== 'string')
    throw new UsageError('--stage needs a stage name', stagesHint(config));
  if (!config.stages) {
    if (given === undefined) return null;
    throw new UsageError(`--stage ${given}: promote.config.json defines no stages`, stagesHint(config));
  }
  const stage = given ?? config.agent.stage;
  if (stage === undefined)
    throw new UsageError(
      `promote.config.json has stages (${stageOrder(config).join(', ')}): name the one to work on`,
      'Pass --stage <stage> (on an agent host, agent.stage is the default).',
    );
  stageConfig(config, stage);
  return stage;
}

/**
 * An agent host's stage (docs/stages.md): null when the host config names it or has no stages,
 * else the error the agent stops with (and doctor reports).
 */
export function missingHostStage(config: Config): UsageError | null {
  if (!config.stages || config.agent.stage) return null;
  return new UsageError(
    `promote.config.json has stages (${Object.keys(config.stages).join(', ')}) but agent.stage is not set`,
    'Set agent.stage to the stage this host runs (and agent.host to its name); see docs/stages.md.',
  );
}

/** The pointer files an agent host reads on the branch: its stage's, or the pointers' own. */
export function hostView(config: Config): Config {
  return config.agent.stage ? stageView(config, config.agent.stage) : config;
}

/** The config a pointer command works with: the stage's view when stages are configured. */
export function configForStage(config: Config, given: unknown): { config: Config; stage: string | null } {
  const stage = selectStage(config, given);
  return { config: stage ? stageView(config, stage) : config, stage };
}

/** `promotions/<stage>/<pointer>/<run>.json`: the record a stage with `after` is promoted on. */
export function recordPath(stage: string, pointer: string, run: string): string {
  return `${EVIDENCE_DIR}/${stage}/${pointer}/${run}.json`;
}

/** {stage, pointer, runId} when `path` is a stage record path, else null. */
export function parseRecordPath(path: string): { stage: string; pointer: string; runId: string } | null {
  const parts = path.split('/');
  if (parts.length !== 4 || parts[0] !== EVIDENCE_DIR) return null;
  const [, stage, pointer, file] = parts as [string, string, string, string];
  if (!STAGE_NAME.test(stage) || !STAGE_NAME.test(pointer) || !file.endsWith('.json')) return null;
  const runId = file.slice(0, -'.json'.length);
  return isRunId(runId) ? { stage, pointer, runId } : null;
}

/** The GitHub environment of a host of a stage. */
export function stageEnvironment(stage: string, host: string): string {
  return `${stage}/${host}`;
}

/** How many hosts must verify for the stage to count as verified: quorum, else all its hosts. */
export function requiredHosts(stage: StageConfig, hostCount: number): number {
  return stage.quorum ?? Math.max(hostCount, 1);
}
