/** Sample pipeline data shared by tests: a config with two pointers, meta.json and manifests. */
import { join } from 'node:path';

export function sampleConfig(root: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    repository: { remote: 'origin', branch: 'main', github: 'acme/projections' },
    pointers: {
      minutes: {
        file: 'config/minutes_current_run.json',
        runField: 'run_id',
        artifacts: join(root, 'models/minutes/run={run_id}'),
        contract: '^2.0.0',
        verify: { asset: 'minutes_scores' },
      },
      rates: {
        file: 'config/rates_current_run.json',
        runField: 'run_id',
        artifacts: join(root, 'models/rates/run={run_id}'),
        contract: '^1.0.0',
        verify: { asset: 'rates_scores' },
      },
    },
    manifests: {
      root: join(root, 'manifests'),
      layout: '{asset}/game_date={game_date}/run={run_id}/manifest.json',
    },
    agent: { target: join(root, 'target'), interval: '30s', state: join(root, 'state') },
    policy: { evidenceMaxAgeDays: 3, labels: ['promotion'], mergeMethod: 'squash' },
    ...overrides,
  };
}

export function sampleMeta(
  runId: string,
  contract = '2.1.0',
  metrics: Record<string, number> = { mae: 4.2 },
) {
  return { run_id: runId, model: 'lgbm-minutes', created_at: '2026-11-20T10:00:00Z', contract, metrics };
}

export function pointerJson(runId: string, extra: Record<string, unknown> = {}): string {
  return `${JSON.stringify({ run_id: runId, ...extra }, null, 2)}\n`;
}
