/** The promotion pull request exactly as propose sends it (pure). */
import { describe, expect, it } from 'vitest';
import { buildPullRequest, promotionTitle, type ProposedPointer } from '../../../src/core/promotion-pr.js';
import { PrBody } from '../../../src/core/pr-body.js';
import { evidenceSchema, type Meta } from '../../../src/core/schemas.js';
import { buildEvidence } from '../../helpers/evidence.js';
import { pointerJson, sampleMeta } from '../../helpers/fixtures.js';

function proposed(
  pointer: string,
  from: string | null,
  to: string,
  over: Partial<ProposedPointer> = {},
): ProposedPointer {
  const evidence = evidenceSchema.parse(
    buildEvidence(pointer, to, {
      meta: sampleMeta(to, '2.1.0', { mae: 4.1, coverage: 0.9 }),
      checks: [
        { name: 'rows', ok: true, detail: '450 rows' },
        { name: 'columns', ok: true },
      ],
    }),
  );
  return {
    pointer,
    file: `config/${pointer}_current_run.json`,
    from,
    to,
    evidence,
    evidencePath: `promotions/${pointer}/${to}.json`,
    writeEvidence: true,
    oldContent: from === null ? null : pointerJson(from),
    newContent: pointerJson(to),
    currentMeta: null,
    ...over,
  };
}

const proposal = (pointers: ProposedPointer[]) => ({
  base: 'main',
  baseSha: 'b'.repeat(40),
  remote: 'origin',
  branch: 'promote/minutes/m2',
  pointers,
  unchanged: [],
  files: {},
  commitMessage: 'x',
  labels: ['promotion'],
});

describe('promotion pull request', () => {
  /** A promotion of minutes (gated, from m1) and rates (new), built inside each test. */
  function build() {
    const current: Meta = sampleMeta('m1', '2.1.0', { mae: 4.5, rmse: 2 }) as Meta;
    const minutes = proposed('minutes', 'm1', 'm2', {
      currentMeta: current,
      gate: [{ metric: 'mae', current: 4.5, candidate: 4.1, change: -0.4, limit: 'change ≤ +2%', ok: true }],
    });
    const rates = proposed('rates', null, 'r1');
    return { minutes, rates, pr: buildPullRequest(proposal([minutes, rates])) };
  }

  it('names every pointer and run in the title, and goes from the branch to the base with the labels', () => {
    const { pr } = build();
    expect(promotionTitle([{ pointer: 'minutes', to: 'm2' }])).toBe('promote minutes → m2');
    expect(pr).toMatchObject({
      title: 'promote minutes → m2, rates → r1',
      head: 'promote/minutes/m2',
      base: 'main',
      labels: ['promotion'],
    });
  });

  it('carries a block that validate reads back: pointer, file, runs, evidence, hash and date', () => {
    const { pr, minutes, rates } = build();
    expect(PrBody.parse(pr.body)).toEqual({
      v: 1,
      kind: 'promotion',
      base: 'main',
      branch: 'promote/minutes/m2',
      pointers: [
        {
          pointer: 'minutes',
          file: 'config/minutes_current_run.json',
          from: 'm1',
          to: 'm2',
          evidence: 'promotions/minutes/m2.json',
          meta_sha256: minutes.evidence.meta_sha256,
          game_date: '2026-11-25',
        },
        {
          pointer: 'rates',
          file: 'config/rates_current_run.json',
          from: null,
          to: 'r1',
          evidence: 'promotions/rates/r1.json',
          meta_sha256: rates.evidence.meta_sha256,
          game_date: '2026-11-25',
        },
      ],
    });
  });

  it('shows each smoke run and its checks', () => {
    const { pr } = build();
    expect(pr.body).toContain('| minutes | m1 | m2 | 2026-11-25 | 450 | 3 | 42.0s |');
    expect(pr.body).toContain('| rates | (none) | r1 | 2026-11-25 | 450 | 3 | 42.0s |');
    expect(pr.body).toContain(
      '- pass `minutes` rows: 450 rows\n- pass `minutes` columns\n- pass `rates` rows',
    );
  });

  it('compares every metric either run reports or the gate names, in name order, with the gate verdict', () => {
    const { pr } = build();
    const lines = pr.body.split('\n');
    const from = lines.indexOf(
      '|---|---|---|---|---|---|---|',
      lines.findIndex((l) => l.startsWith('### Metrics')),
    );
    const metricRows = lines.slice(from + 1, lines.indexOf('', from));
    expect(metricRows).toEqual([
      '| minutes | coverage | - | 0.9 | - | - | - |',
      '| minutes | mae | 4.5 | 4.1 | -0.4 (-8.9%) | change ≤ +2% | pass |',
      '| minutes | rmse | 2 | - | - | - | - |',
      '| rates | coverage | - | 0.9 | - | - | - |',
      '| rates | mae | - | 4.1 | - | - | - |',
    ]);
  });

  it('shows each pointer file as a diff, a new file against nothing', () => {
    const { pr } = build();
    expect(pr.body).toContain(
      [
        '--- a/config/minutes_current_run.json',
        '+++ b/config/minutes_current_run.json',
        '@@ -1,3 +1,3 @@',
        ' {',
        '-  "run_id": "m1"',
        '+  "run_id": "m2"',
        ' }',
        '--- a/config/rates_current_run.json',
        '+++ b/config/rates_current_run.json',
        '@@ -0,0 +1,3 @@',
        '+{',
        '+  "run_id": "r1"',
        '+}',
        '```',
      ].join('\n'),
    );
  });

  it('shows three lines of context around a change, as git does', () => {
    const lines = (run: string) =>
      `${JSON.stringify({ a: 1, b: 2, c: 3, d: 4, run_id: run, e: 5, f: 6, g: 7, h: 8 }, null, 2)}\n`;
    const long = proposed('minutes', 'm1', 'm2', { oldContent: lines('m1'), newContent: lines('m2') });
    const body = buildPullRequest(proposal([long])).body;
    expect(body).toContain(
      '@@ -3,7 +3,7 @@\n   "b": 2,\n   "c": 3,\n   "d": 4,\n-  "run_id": "m1",\n+  "run_id": "m2",\n   "e": 5,\n',
    );
  });
});
