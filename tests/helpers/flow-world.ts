/**
 * A pipeline world for flow tests: a temp dir with an agent target holding pointer files, a
 * manifests root, a validated config and (optionally) a Prefect stand-in whose "flow" writes
 * manifests from the target's pointer files.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { configSchema, type Config } from '../../src/core/schemas.js';
import {
  startPrefectStandIn,
  type PrefectStandIn,
  type PrefectStandInOptions,
} from '../../src/sandbox/prefect/index.js';
import { pointerJson, sampleConfig } from './fixtures.js';
import { tempDir, writeFiles } from './git-repo.js';

export interface FlowWorld {
  root: string;
  target: string;
  manifests: string;
  config: Config;
  prefect: PrefectStandIn;
  /** Write a manifest at the default layout. */
  manifest(m: Record<string, unknown> & { asset: string; game_date: string; run_id: string }): string;
  cleanup(): Promise<void>;
}

export async function flowWorld(
  options: {
    runs?: Record<string, string>;
    flow?: Record<string, unknown>;
    standIn?: PrefectStandInOptions;
    config?: Record<string, unknown>;
  } = {},
): Promise<FlowWorld> {
  const root = tempDir('git-promote-flow-');
  const target = join(root, 'target');
  const manifests = join(root, 'manifests');
  const runs = options.runs ?? { minutes: 'minutes-2026-11-20', rates: 'rates-2026-11-19' };
  writeFiles(target, {
    'config/minutes_current_run.json': pointerJson(runs.minutes!),
    'config/rates_current_run.json': pointerJson(runs.rates!),
  });
  const prefect = await startPrefectStandIn({
    stepMs: 10,
    flow: {
      manifestsRoot: manifests,
      targetDir: target,
      pointers: {
        minutes: { file: 'config/minutes_current_run.json', asset: 'minutes_scores' },
        rates: { file: 'config/rates_current_run.json', asset: 'rates_scores' },
      },
    },
    ...options.standIn,
  });
  const flow = options.flow ?? {
    prefect: {
      api: prefect.url,
      deployment: 'daily/live',
      parameters: { game_date: '{game_date}' },
      timeout: '30s',
    },
  };
  const config = configSchema.parse(sampleConfig(root, { flow, ...options.config }));
  return {
    root,
    target,
    manifests,
    config,
    prefect,
    manifest(m) {
      const rel = `${m.asset}/game_date=${m.game_date}/run=${m.run_id}/manifest.json`;
      writeFiles(manifests, { [rel]: `${JSON.stringify(m, null, 2)}\n` });
      return join(manifests, rel);
    },
    async cleanup() {
      await prefect.close();
      rmSync(root, { recursive: true, force: true });
    },
  };
}
