/**
 * The checks propose records in evidence (each with the detail a reviewer reads in the PR), and
 * the problems it finds in evidence given with --evidence.
 */
import { describe, expect, it } from 'vitest';
import {
  buildEvidence,
  evidenceProblems,
  manifestChecks,
  metaChecks,
  outputShape,
} from '../../../src/core/evidence.js';
import type { Manifest, Meta } from '../../../src/core/schemas.js';

const meta: Meta = { run_id: 'm2', model: 'lgbm', created_at: '2026-11-20T10:00:00Z', contract: '2.1.0' };
const manifest: Manifest = {
  asset: 'minutes_scores',
  game_date: '2026-11-24',
  run_id: 'm2',
  run_as_of_ts: '2026-11-25T00:00:00Z',
  status: 'success',
  outputs: [
    { name: 'minutes_scores', rows: 450, columns: ['player_id', 'game_id', 'minutes_p50'] },
    { name: 'debug', rows: 3, columns: ['x'] },
  ],
};
type Expect = Parameters<typeof manifestChecks>[0]['expect'];
const checks = (m: Partial<Manifest>, expect: Expect = { columns: [], rows: {} }) =>
  manifestChecks({
    pointer: 'minutes',
    run: 'm2',
    gameDate: '2026-11-24',
    manifest: { ...manifest, ...m },
    expect,
  });
const detail = (m: Partial<Manifest>, name: string, expect?: Expect) =>
  checks(m, expect).find((c) => c.name === name);

describe('meta checks', () => {
  it('say which run meta.json is for and which contract range it satisfies', () => {
    expect(metaChecks('m2', meta, '^2.0.0')).toEqual([
      { name: 'meta.run_id', ok: true, detail: 'meta.json is for m2' },
      { name: 'contract', ok: true, detail: '2.1.0 satisfies ^2.0.0' },
    ]);
    expect(metaChecks('m3', meta, undefined)).toEqual([
      { name: 'meta.run_id', ok: false, detail: 'meta.json is for m2, not m3' },
      { name: 'contract', ok: true, detail: 'no contract range configured' },
    ]);
    expect(metaChecks('m2', meta, '^3.0.0')[1]).toEqual({
      name: 'contract',
      ok: false,
      detail: "contract 2.1.0 does not satisfy the pointer's range ^3.0.0",
    });
  });
});

describe('manifest checks', () => {
  it('record what was found, passing or not', () => {
    expect(checks({}).slice(0, 3)).toEqual([
      { name: 'manifest.status', ok: true, detail: 'success' },
      { name: 'manifest.run_id', ok: true, detail: 'scored with m2' },
      { name: 'manifest.game_date', ok: true, detail: '2026-11-24' },
    ]);
    expect(
      checks({ status: 'failed', failure_reason: 'OOM', run_id: 'm1', game_date: '2026-11-23' }).slice(0, 3),
    ).toEqual([
      { name: 'manifest.status', ok: false, detail: 'failed: OOM' },
      { name: 'manifest.run_id', ok: false, detail: 'scored with m1, not m2' },
      { name: 'manifest.game_date', ok: false, detail: '2026-11-23, not 2026-11-24' },
    ]);
    expect(detail({ status: 'skipped' }, 'manifest.status')).toEqual({
      name: 'manifest.status',
      ok: false,
      detail: 'skipped',
    });
  });

  it('judge the named output, or the first, against the expected columns', () => {
    const cols = (columns: string[], output?: string) => ({
      columns,
      rows: {},
      ...(output ? { output } : {}),
    });
    expect(detail({}, 'columns', cols(['player_id', 'game_id']))).toEqual({
      name: 'columns',
      ok: true,
      detail: '2 expected columns present',
    });
    expect(detail({}, 'columns', cols(['x', 'y', 'player_id'], 'debug'))).toEqual({
      name: 'columns',
      ok: false,
      detail: 'missing y, player_id',
    });
    expect(detail({}, 'output', cols(['x'], 'lineups'))).toEqual({
      name: 'output',
      ok: false,
      detail: 'no output named lineups',
    });
    expect(detail({ outputs: undefined }, 'output', cols(['x']))).toEqual({
      name: 'output',
      ok: false,
      detail: 'the manifest lists no outputs',
    });
  });

  it('check rows against either bound alone, both ends included', () => {
    const rows = (r: { min?: number; max?: number }, n: number | undefined) =>
      detail({ outputs: [{ name: 'o', ...(n === undefined ? {} : { rows: n }) }] }, 'rows', {
        columns: [],
        rows: r,
      });
    expect(rows({ min: 450, max: 450 }, 450)).toEqual({
      name: 'rows',
      ok: true,
      detail: '450 rows (expected >= 450 and <= 450)',
    });
    expect(rows({ min: 100 }, 99)).toEqual({ name: 'rows', ok: false, detail: '99 rows (expected >= 100)' });
    expect(rows({ min: 100 }, 10 ** 6)?.ok).toBe(true);
    expect(rows({ max: 100 }, 101)).toEqual({
      name: 'rows',
      ok: false,
      detail: '101 rows (expected <= 100)',
    });
    expect(rows({ max: 100 }, 0)?.ok).toBe(true);
    expect(rows({ min: 1 }, undefined)).toEqual({
      name: 'rows',
      ok: false,
      detail: 'the output has no row count',
    });
    expect(checks({}, { columns: [], rows: {} }).map((c) => c.name)).not.toContain('rows');
  });

  it("report the pipeline's own failed checks, not those that passed or warned", () => {
    const pipeline = checks({
      checks: [
        { name: 'nulls', status: 'fail', detail: '12% null' },
        { name: 'dupes', status: 'fail' },
        { name: 'range', status: 'warn' },
        { name: 'keys', status: 'pass' },
      ],
    }).filter((c) => c.name.startsWith('pipeline:'));
    expect(pipeline).toEqual([
      { name: 'pipeline:nulls', ok: false, detail: '12% null' },
      { name: 'pipeline:dupes', ok: false, detail: 'failed in the smoke run' },
    ]);
  });
});

describe('evidence', () => {
  // Built inside each test (not when the file loads), so a mutation of buildEvidence shows.
  const build = () =>
    buildEvidence({
      pointer: 'minutes',
      run: 'm2',
      gameDate: '2026-11-24',
      smoke: { command: ['score'], exitCode: 0, startedAt: 'a', finishedAt: 'b', durationMs: 5 },
      manifest,
      meta,
      checks: [
        { name: 'columns', ok: true },
        { name: 'rows', ok: false, detail: '5 rows' },
      ],
      tool: { name: 'git-promote', version: '0.1.0' },
    });

  it('records a check without detail as just its name and result', () => {
    const evidence = build();
    expect(evidence.checks).toEqual([
      { name: 'columns', ok: true },
      { name: 'rows', ok: false, detail: '5 rows' },
    ]);
    expect(Object.keys(evidence.checks[0]!)).toEqual(['name', 'ok']);
  });

  it('names every problem of evidence given for another pointer or run', () => {
    const evidence = build();
    const failedNoDetail = { ...evidence, checks: [{ name: 'columns', ok: false }] };
    expect(evidenceProblems(failedNoDetail, 'rates', 'm3', undefined)).toEqual([
      'it is for pointer minutes, not rates',
      'it is for run m2, not m3',
      'check columns failed',
    ]);
    expect(evidenceProblems(evidence, 'minutes', 'm2', undefined)).toEqual(['check rows failed: 5 rows']);
  });

  it('refuses an embedded meta that cannot be hashed', () => {
    const evidence = build();
    const bad = { ...evidence, checks: [], meta: { ...meta, model: '\ud800' } };
    expect(evidenceProblems(bad, 'minutes', 'm2', undefined)).toEqual([
      expect.stringMatching(/^the embedded meta\.json cannot be hashed: it has no canonical JSON form/),
    ]);
  });

  it('gives the shape of the named output, or the first, for the PR summary', () => {
    const evidence = build();
    expect(outputShape(evidence)).toEqual({ rows: 450, columns: 3 });
    expect(outputShape(evidence, 'debug')).toEqual({ rows: 3, columns: 1 });
    expect(outputShape(evidence, 'lineups')).toEqual({ rows: null, columns: null });
    expect(outputShape({ ...evidence, manifest: { ...manifest, outputs: [{ name: 'o' }] } })).toEqual({
      rows: null,
      columns: null,
    });
    expect(outputShape({ ...evidence, manifest: { ...manifest, outputs: undefined } })).toEqual({
      rows: null,
      columns: null,
    });
  });
});
