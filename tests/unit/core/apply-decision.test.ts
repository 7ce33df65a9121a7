import { describe, expect, it } from 'vitest';
import { applyId, promotionManifest, triggerDecision } from '../../../src/core/apply-decision.js';
import type { AppliedCommit } from '../../../src/core/apply-result.js';
import { isRunId } from '../../../src/core/run-id.js';
import { manifestSchema } from '../../../src/core/schemas.js';

const commit = 'a'.repeat(40);

describe('applyId', () => {
  it('is a valid run id that sorts by time and names the commit and nonce', () => {
    const early = applyId(new Date('2026-11-26T18:00:00.000Z'), commit, '0a1b2c');
    const late = applyId(new Date('2026-11-26T18:00:00.001Z'), commit, '000000');
    expect(early).toBe('apply-20261126T180000.000Z-aaaaaaaaaaaa-0a1b2c');
    expect(isRunId(early)).toBe(true);
    expect(early < late).toBe(true);
  });
});

describe('triggerDecision', () => {
  it.each([
    [0, true, true, 'not-needed'],
    [0, false, false, 'not-needed'],
    [1, false, true, 'skipped'],
    [2, true, true, 'done'],
    [1, true, false, 'none'],
  ] as const)('%i changed, trigger %s, hooks %s → %s', (changed, trigger, hooks, want) => {
    expect(triggerDecision(changed, trigger, hooks)).toBe(want);
  });
});

describe('promotionManifest', () => {
  const applied: AppliedCommit = {
    id: 'apply-20261126T180000.000Z-aaaaaaaaaaaa-0a1b2c',
    commit,
    previousCommit: 'b'.repeat(40),
    branch: 'origin/main',
    target: '/srv/projections',
    changed: [{ pointer: 'minutes', file: 'config/m.json', from: 'm1', to: 'm2', reason: 'promote' }],
    runs: { minutes: 'm2', rates: 'r1' },
    manifest: '/m/promotion/manifest.json',
    appliedAt: '2026-11-26T18:00:02.500Z',
  };
  const manifest = promotionManifest({
    applied,
    startedAt: new Date('2026-11-26T18:00:00.000Z'),
    gameDate: '2026-11-26',
    outputPath: (c) => `/srv/projections/${c.file}`,
    checks: [{ name: 'artifact:minutes', status: 'pass' }],
    drift: [],
  });

  it('is a valid pipeline manifest whose run id is the apply id and whose models are the runs', () => {
    expect(manifestSchema.parse(manifest)).toMatchObject({
      asset: 'promotion',
      run_id: applied.id,
      game_date: '2026-11-26',
      status: 'success',
      models: { minutes: 'm2', rates: 'r1' },
    });
  });

  it('times the pass from its start to the write and names the commit and changed files', () => {
    expect(manifest.duration_s).toBe(2.5);
    expect(manifest.started_at).toBe('2026-11-26T18:00:00.000Z');
    expect(manifest.finished_at).toBe(applied.appliedAt);
    expect(manifest.inputs).toEqual([{ name: 'commit', path: `origin/main@${commit}` }]);
    expect(manifest.outputs).toEqual([{ name: 'minutes', path: '/srv/projections/config/m.json' }]);
    expect(manifest).toMatchObject({ commit, previous_commit: 'b'.repeat(40) });
  });
});
