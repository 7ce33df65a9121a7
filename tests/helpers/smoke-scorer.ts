/**
 * A pipeline repository for propose/smoke tests: a clone with promote.config.json and pointer
 * files, model artifacts (meta.json, optional smoke.json behaviour) outside it, and the fake
 * smoke scorer of src/sandbox/fake-pipeline as the configured smoke command.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { smokeScorerCommand, writeSmokeScorer } from '../../src/sandbox/fake-pipeline/smoke-scorer.js';
import { pointerJson, sampleConfig, sampleMeta } from './fixtures.js';
import { createRepo, type TestRepo } from './git-repo.js';
import { evidenceFile, evidenceJson } from './evidence.js';

export interface ScorerBehaviour {
  mode?: 'ok' | 'fail' | 'hang' | 'no-manifest' | 'bad-json' | 'failed-status';
  rows?: number;
  columns?: string[];
  sleepMs?: number;
  /** Leave a process in a session of its own holding the scorer's pipes (pid in escaped.json). */
  escape?: boolean;
  escapeMs?: number;
}

export interface PipelineWorld {
  repo: TestRepo;
  /** The clone: where commands run. */
  root: string;
  /** Artifacts, manifests and the scorer live here (outside the repository). */
  data: string;
  config: Record<string, unknown>;
  addRun(
    pointer: string,
    run: string,
    options?: {
      contract?: string;
      metrics?: Record<string, number>;
      smoke?: ScorerBehaviour;
      meta?: Record<string, unknown>;
    },
  ): Record<string, unknown>;
  cleanup(): void;
}

export const EXPECTED_COLUMNS = ['player_id', 'game_id', 'minutes_p50'];

export function createPipelineWorld(
  options: {
    runs?: { minutes?: string; rates?: string };
    timeout?: string;
    configOverrides?: Record<string, unknown>;
    /** Commit evidence for the current runs, as a repository using git-promote has (default true). */
    evidence?: boolean;
  } = {},
): PipelineWorld {
  const runs = { minutes: 'm-old', rates: 'r-old', ...options.runs };
  // Create the repo first so the data directory can sit next to the clone.
  const repo = createRepo({ 'README.md': 'pipeline\n' });
  const data = join(repo.dir, 'data');
  const scorer = writeSmokeScorer(join(data, 'bin'));
  const config = sampleConfig(data, options.configOverrides);
  const pointers = config.pointers as Record<string, Record<string, unknown>>;
  const assets: Record<string, string> = { minutes: 'minutes_scores', rates: 'rates_scores' };
  for (const name of Object.keys(pointers)) {
    pointers[name]!.smoke = {
      command: smokeScorerCommand(scorer, {
        pointer: name,
        asset: assets[name]!,
        models: join(data, 'models', name),
      }),
      timeout: options.timeout ?? '20s',
      expect: { columns: EXPECTED_COLUMNS, rows: { min: 100 } },
    };
  }
  const world: PipelineWorld = {
    repo,
    root: repo.clone,
    data,
    config,
    addRun(pointer, run, o = {}) {
      const dir = join(data, 'models', pointer, `run=${run}`);
      mkdirSync(dir, { recursive: true });
      const meta = {
        ...sampleMeta(run, o.contract ?? (pointer === 'rates' ? '1.2.0' : '2.1.0'), o.metrics),
        ...o.meta,
      };
      writeFileSync(join(dir, 'meta.json'), `${JSON.stringify(meta, null, 2)}\n`);
      if (o.smoke) writeFileSync(join(dir, 'smoke.json'), JSON.stringify(o.smoke));
      return meta;
    },
    cleanup: () => repo.cleanup(),
  };
  const metas = {
    minutes: world.addRun('minutes', runs.minutes, { metrics: { mae: 4.5 } }),
    rates: world.addRun('rates', runs.rates),
  };
  // The current runs' evidence, so the invariant CI checks holds at the tip.
  const evidence =
    options.evidence === false
      ? {}
      : Object.fromEntries(
          (['minutes', 'rates'] as const).map((p) => [
            evidenceFile(p, runs[p]),
            evidenceJson(p, runs[p], { meta: metas[p] }),
          ]),
        );
  repo.commit(
    {
      'promote.config.json': `${JSON.stringify(config, null, 2)}\n`,
      'config/minutes_current_run.json': pointerJson(runs.minutes, { note: 'kept' }),
      'config/rates_current_run.json': pointerJson(runs.rates),
      ...evidence,
    },
    'add promotion config',
  );
  return world;
}
