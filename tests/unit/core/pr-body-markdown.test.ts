/**
 * The markdown of the PR body: blank lines around each block (GitHub renders a table or heading
 * only when it starts a block), cell values that cannot break a table, and the number formats.
 */
import { describe, expect, it } from 'vitest';
import { PrBody, renderBlock, type PrBlock, type PrBodyParts } from '../../../src/core/pr-body.js';

const block: PrBlock = {
  v: 1,
  kind: 'promotion',
  base: 'main',
  branch: 'promote/minutes/m2',
  pointers: [
    { pointer: 'minutes', file: 'config/minutes_current_run.json', from: null, to: 'm2' },
    {
      pointer: 'rates',
      file: 'config/rates_current_run.json',
      from: 'r1',
      to: 'r2',
      evidence: 'promotions/rates/r2.json',
    },
  ],
};
const row = {
  pointer: 'minutes',
  from: null,
  to: 'm2',
  gameDate: '2026-11-24',
  rows: null,
  columns: null,
  durationMs: null,
};
const render = (parts: Partial<PrBodyParts>) =>
  new PrBody({ block, rows: [row], checks: [], metrics: [], diffs: [], ...parts }).toString();

describe('PR body markdown', () => {
  it('puts each block on its own, and leaves out empty sections', () => {
    expect(render({})).toBe(
      [
        '## Promotion',
        '',
        '| pointer | from run | to run | game date | rows | columns | duration |',
        '|---|---|---|---|---|---|---|',
        '| minutes | (none) | m2 | 2026-11-24 | - | - | - |',
        '',
        'Evidence: `promotions/rates/r2.json`',
        '',
        renderBlock(block),
        '',
      ].join('\n'),
    );
  });

  it('separates checks, metrics and the diff by blank lines, with the shortest safe fence', () => {
    const text = render({
      checks: [{ pointer: 'minutes', name: 'rows', ok: true }],
      metrics: [{ pointer: 'minutes', name: 'mae', current: 4, candidate: 4 }],
      diffs: ['-x\n+y\n'],
    });
    expect(text).toContain(
      [
        '| minutes | (none) | m2 | 2026-11-24 | - | - | - |',
        '',
        '### Checks (all passed)',
        '',
        '- pass `minutes` rows',
        '',
        '### Metrics (candidate vs current)',
        '',
        '| pointer | metric | current | candidate | change |',
        '|---|---|---|---|---|',
        '| minutes | mae | 4 | 4 | 0 (0.0%) |',
        '',
        '### Pointer diff',
        '',
        '```diff',
        '-x',
        '+y',
        '```',
        '',
        'Evidence: ',
      ].join('\n'),
    );
  });

  it('sets a note off from the table by a blank line', () => {
    expect(render({ note: 'bad minutes\nsecond line' })).toMatch(
      /^## Promotion\n\n> bad minutes\n> second line\n\n\| pointer \|/,
    );
  });

  it('keeps a multi-line value on its row', () => {
    const text = render({ checks: [{ pointer: 'minutes', name: 'rows', ok: false, detail: 'a\r\nb\nc' }] });
    expect(text).toContain('### Checks (1 failed)\n\n- **FAIL** `minutes` rows: a b c\n');
  });

  it('shows durations under a second in ms, else in seconds', () => {
    const duration = (ms: number) => render({ rows: [{ ...row, durationMs: ms }] }).split('\n')[4];
    expect(duration(999.4)).toBe('| minutes | (none) | m2 | 2026-11-24 | - | - | 999ms |');
    expect(duration(1000)).toBe('| minutes | (none) | m2 | 2026-11-24 | - | - | 1.0s |');
  });

  it('shows metrics to four significant digits without trailing zeros, and no change without both values', () => {
    const line = (current: number | null, candidate: number | null) =>
      render({ metrics: [{ pointer: 'minutes', name: 'mae', current, candidate }] })
        .split('\n')
        .find((l) => l.startsWith('| minutes | mae |'));
    expect(line(10.5, 0.1234)).toMatch(/^\| minutes \| mae \| 10\.5 \| 0\.1234 \| /);
    expect(line(4.5, null)).toBe('| minutes | mae | 4.5 | - | - |');
  });

  it('says the gate passed, and marks each gated metric', () => {
    const text = render({
      metrics: [
        { pointer: 'minutes', name: 'mae', current: 4, candidate: 4, limit: 'change ≤ +2%', ok: true },
        { pointer: 'minutes', name: 'rmse', current: 1, candidate: 1, limit: 'min 0', ok: undefined },
      ],
    });
    expect(text).toContain('### Metrics (candidate vs current): gate passed\n');
    expect(text).toContain(
      '|---|---|---|---|---|---|---|\n| minutes | mae | 4 | 4 | 0 (0.0%) | change ≤ +2% | pass |',
    );
    expect(text).toContain('| minutes | rmse | 1 | 1 | 0 (0.0%) | min 0 | - |');
  });

  it('lists the evidence of every pointer that has some, or a dash', () => {
    const both = {
      ...block,
      pointers: block.pointers.map((p) => ({ ...p, evidence: `promotions/${p.pointer}/${p.to}.json` })),
    };
    expect(render({ block: both })).toContain(
      'Evidence: `promotions/minutes/m2.json`, `promotions/rates/r2.json`\n',
    );
    const none = { ...block, pointers: block.pointers.map(({ evidence: _, ...p }) => p) };
    expect(render({ block: none })).toContain('\nEvidence: -\n');
  });
});
