import { describe, expect, it } from 'vitest';
import { PrBody, renderBlock, type PrBlock } from '../../../src/core/pr-body.js';

const block: PrBlock = {
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
      meta_sha256: 'a'.repeat(64),
      game_date: '2026-11-24',
    },
  ],
};

function body(extra: Partial<ConstructorParameters<typeof PrBody>[0]> = {}): string {
  return new PrBody({
    block,
    rows: [
      {
        pointer: 'minutes',
        from: 'm1',
        to: 'm2',
        gameDate: '2026-11-24',
        rows: 450,
        columns: 3,
        durationMs: 12_300,
      },
    ],
    checks: [
      { pointer: 'minutes', name: 'rows', ok: true, detail: '450 rows' },
      { pointer: 'minutes', name: 'columns', ok: false, detail: 'missing x|y' },
    ],
    metrics: [
      { pointer: 'minutes', name: 'mae', current: 4.5, candidate: 4.1 },
      { pointer: 'minutes', name: 'new_metric', current: null, candidate: 1 },
    ],
    diffs: ['--- a/f\n+++ b/f\n@@ -1 +1 @@\n-x\n+y\n'],
    ...extra,
  }).toString();
}

describe('PrBody', () => {
  it('renders the summary, checks, metrics and diff, and parses its block back', () => {
    const text = body();
    expect(text).toContain('| minutes | m1 | m2 | 2026-11-24 | 450 | 3 | 12.3s |');
    expect(text).toContain('### Checks (1 failed)');
    expect(text).toContain('- **FAIL** `minutes` columns: missing x\\|y');
    expect(text).toContain('| minutes | mae | 4.5 | 4.1 | -0.4 (-8.9%) |');
    expect(text).toContain('| minutes | new_metric | - | 1 | - |');
    expect(text).toContain('```diff\n--- a/f\n+++ b/f\n@@ -1 +1 @@\n-x\n+y\n```');
    expect(PrBody.parse(text)).toEqual(block);
  });

  it('adds the metric gate limit and result columns when a pointer has rules', () => {
    const text = body({
      metrics: [
        { pointer: 'minutes', name: 'mae', current: 4.2, candidate: 4.5, limit: 'change ≤ +2%', ok: false },
        { pointer: 'minutes', name: 'rmse', current: 1, candidate: 1 },
      ],
    });
    expect(text).toContain('### Metrics (candidate vs current): gate failed (1)');
    expect(text).toContain('| pointer | metric | current | candidate | change | limit | result |');
    expect(text).toContain('| minutes | mae | 4.2 | 4.5 | +0.3 (+7.1%) | change ≤ +2% | **FAIL** |');
    expect(text).toContain('| minutes | rmse | 1 | 1 | 0 (0.0%) | - | - |');
    expect(body()).not.toContain('| limit | result |');
  });

  it('keeps the block inside its comment whatever the values hold', () => {
    const tricky = { ...block, branch: 'x --> <script>' };
    const rendered = renderBlock(tricky);
    expect(rendered.indexOf('-->')).toBe(rendered.length - 3);
    expect(PrBody.parse(`text\n${rendered}\n`)).toEqual(tricky);
  });

  it('finds nothing in foreign, edited, duplicated or invalid bodies', () => {
    expect(PrBody.parse(null)).toBeNull();
    expect(PrBody.parse('just a description')).toBeNull();
    expect(PrBody.parse('<!-- git-promote:pr {not json} -->')).toBeNull();
    expect(PrBody.parse(`<!-- git-promote:pr ${JSON.stringify({ ...block, v: 3 })} -->`)).toBeNull();
    const evil = { ...block, pointers: [{ ...block.pointers[0]!, to: '../../etc' }] };
    expect(PrBody.parse(`<!-- git-promote:pr ${JSON.stringify(evil)} -->`)).toBeNull();
    const twice = `${body()}\n${renderBlock(block)}`;
    expect(PrBody.parse(twice)).toBeNull();
  });

  it('reads v1 and v2 blocks; an adoption is v2 only', () => {
    const adoption = { ...block, v: 2 as const, kind: 'adoption' as const, tool: '0.1.0' };
    expect(PrBody.parse(renderBlock(adoption))).toEqual(adoption);
    expect(PrBody.parse(renderBlock({ ...block, v: 2 }))).toEqual({ ...block, v: 2 });
    expect(PrBody.parse(renderBlock({ ...adoption, v: 1 }))).toBeNull();
  });

  it('names a newer block version and the release that wrote it, instead of ignoring it', () => {
    const newer = renderBlock({ ...block, v: 3 as never, tool: '0.9.1' });
    expect(PrBody.newer(newer, 'PR #7', '0.1.0')?.message).toBe(
      'PR #7: this PR block needs git-promote 0.9.1 (PR block v3); you have 0.1.0',
    );
    expect(PrBody.newer(renderBlock(block), 'PR #7', '0.1.0')).toBeNull();
    expect(PrBody.newer('no block', 'PR #7', '0.1.0')).toBeNull();
  });

  it('fences a diff so backticks in the file cannot end it', () => {
    const text = body({ diffs: ['--- a/f\n+++ b/f\n@@ -1 +1 @@\n-x\n+```` oops\n'] });
    expect(text).toContain('`````diff\n');
    expect(text).toContain('+```` oops\n`````\n');
  });

  it('shows a note as a quote (rollback reasons)', () => {
    const text = body({ note: 'bad minutes\nsecond line', block: { ...block, kind: 'rollback' } });
    expect(text).toMatch(/^## Rollback\n\n> bad minutes\n> second line\n/);
  });
});
