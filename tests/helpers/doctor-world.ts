/**
 * A repository with promote.config.json and pointer files, an agent target, a manifests root and
 * a Prefect stand-in: what doctor and verify look at.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import {
  startPrefectStandIn,
  type PrefectStandIn,
  type PrefectStandInOptions,
} from '../../src/sandbox/prefect/index.js';
import { pointerJson, sampleConfig } from './fixtures.js';
import { createRepo, tempDir, writeFiles, type TestRepo } from './git-repo.js';

export const GAME_DATE = '2026-11-26';
/** The stand-in's clock: 13:00 US Eastern on GAME_DATE, the instant testContext() uses. */
export const DOCTOR_NOW = new Date('2026-11-26T18:00:00Z');

export interface DoctorWorld {
  repo: TestRepo;
  data: string;
  prefect: PrefectStandIn;
  manifest(asset: string, run: string, fields: Record<string, unknown>): void;
  cleanup(): Promise<void>;
}

export async function doctorWorld(
  runs = { minutes: 'minutes-new', rates: 'rates-1' },
  standIn: PrefectStandInOptions = {},
): Promise<DoctorWorld> {
  const data = tempDir('git-promote-data-');
  const prefect = await startPrefectStandIn({ now: () => DOCTOR_NOW, ...standIn });
  const config = sampleConfig(data, {
    flow: {
      prefect: { api: prefect.url, deployment: 'daily/live', parameters: { game_date: '{game_date}' } },
    },
  });
  const pointers = {
    'config/minutes_current_run.json': pointerJson(runs.minutes),
    'config/rates_current_run.json': pointerJson(runs.rates),
  };
  const repo = createRepo({ 'promote.config.json': `${JSON.stringify(config, null, 2)}\n`, ...pointers });
  writeFiles(join(data, 'target'), pointers);
  return {
    repo,
    data,
    prefect,
    manifest(asset, run, fields) {
      writeFiles(join(data, 'manifests'), {
        [`${asset}/game_date=${GAME_DATE}/run=${run}/manifest.json`]: JSON.stringify({
          asset,
          game_date: GAME_DATE,
          run_id: run,
          run_as_of_ts: `${GAME_DATE}T15:00:00Z`,
          status: 'success',
          ...fields,
        }),
      });
    },
    async cleanup() {
      await prefect.close();
      repo.cleanup();
      rmSync(data, { recursive: true, force: true });
    },
  };
}
