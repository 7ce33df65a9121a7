import { describe, expect, it } from 'vitest';
import {
  buildEvidence,
  contractProblem,
  evidenceProblems,
  manifestChecks,
} from '../../../src/core/evidence.js';
import { evidencePath, parseEvidencePath } from '../../../src/core/evidence-path.js';
import { canonicalSha256 } from '../../../src/core/meta-hash.js';
import { evidenceSchema, type Manifest, type Meta } from '../../../src/core/schemas.js';

const meta: Meta = { run_id: 'm2', model: 'lgbm', created_at: '2026-11-20T10:00:00Z', contract: '2.1.0' };
const manifest: Manifest = {
  asset: 'minutes_scores',
  game_date: '2026-11-24',
  run_id: 'm2',
  run_as_of_ts: '2026-11-25T00:00:00Z',
  status: 'success',
  outputs: [{ name: 'minutes_scores', rows: 450, columns: ['player_id', 'game_id', 'minutes_p50'] }],
};
const expectAll = { columns: ['player_id', 'minutes_p50'], rows: { min: 100, max: 1000 } };
const check = (m: Partial<Manifest>, e = expectAll) =>
  manifestChecks({
    pointer: 'minutes',
    run: 'm2',
    gameDate: '2026-11-24',
    manifest: { ...manifest, ...m },
    expect: e,
  });
const failedNames = (m: Partial<Manifest>, e = expectAll) =>
  check(m, e)
    .filter((c) => !c.ok)
    .map((c) => c.name);

describe('evidence', () => {
  it('passes a good manifest', () => {
    expect(failedNames({})).toEqual([]);
  });

  it('names each problem of a bad manifest', () => {
    expect(failedNames({ status: 'failed' })).toEqual(['manifest.status']);
    expect(failedNames({ run_id: 'other' })).toEqual(['manifest.run_id']);
    expect(failedNames({ run_id: 'scoring-run', models: { minutes: 'm2' } })).toEqual([]);
    expect(failedNames({ game_date: '2026-11-23' })).toEqual(['manifest.game_date']);
    expect(failedNames({ outputs: [{ name: 'x', rows: 5, columns: ['player_id'] }] })).toEqual([
      'columns',
      'rows',
    ]);
    expect(failedNames({ outputs: [{ name: 'x', rows: 5000, columns: expectAll.columns }] })).toEqual([
      'rows',
    ]);
    expect(failedNames({ outputs: [] })).toEqual(['output']);
    expect(failedNames({ checks: [{ name: 'nulls', status: 'fail', detail: '12% null' }] })).toEqual([
      'pipeline:nulls',
    ]);
    expect(failedNames({}, { columns: [], rows: {}, output: 'missing' } as never)).toEqual([]);
    expect(failedNames({}, { columns: ['a'], rows: {}, output: 'missing' } as never)).toEqual(['output']);
  });

  it('checks the contract against the range', () => {
    expect(contractProblem('^2.0.0', meta)).toBeNull();
    expect(contractProblem(undefined, { ...meta, contract: '9.0.0' })).toBeNull();
    expect(contractProblem('^2.0.0', { ...meta, contract: '3.0.0' })).toContain('does not satisfy');
    expect(contractProblem('^2.0.0', { run_id: 'm2', model: 'x', created_at: 'y' })).toContain(
      'no "contract"',
    );
  });

  it('builds evidence that validates and whose problems are found again', () => {
    const evidence = buildEvidence({
      pointer: 'minutes',
      run: 'm2',
      gameDate: '2026-11-24',
      smoke: { command: ['score'], exitCode: 0, startedAt: 'a', finishedAt: 'b', durationMs: 5 },
      manifest,
      meta,
      checks: check({}),
      tool: { name: 'git-promote', version: '0.1.0' },
    });
    expect(evidenceSchema.parse(evidence)).toEqual(evidence);
    expect(evidence.meta_sha256).toBe(canonicalSha256(meta));
    expect(evidencePath('minutes', 'm2')).toBe('promotions/minutes/m2.json');
    expect(evidenceProblems(evidence, 'minutes', 'm2', '^2.0.0')).toEqual([]);
    expect(
      evidenceProblems({ ...evidence, meta_sha256: '0'.repeat(64) }, 'minutes', 'm2', undefined),
    ).toEqual(['meta_sha256 does not match the embedded meta.json']);
    expect(evidenceProblems(evidence, 'rates', 'm3', '^3.0.0')).toHaveLength(3);
  });
});

describe('evidence paths', () => {
  it('parses promotions/<pointer>/<run>.json and nothing else', () => {
    expect(parseEvidencePath('promotions/minutes/m-2026.json')).toEqual({
      pointer: 'minutes',
      runId: 'm-2026',
    });
    for (const path of [
      'promotions/minutes/m1.txt',
      'promotions/minutes/m1',
      'promotions/minutes/sub/m1.json',
      'promotions/minutes/m1.json/notes.json',
      'promotions/m1.json',
      'other/minutes/m1.json',
      'promotions/Minutes/m1.json',
      'promotions/minutes/..json',
    ])
      expect(parseEvidencePath(path), path).toBeNull();
  });
});
