/** The rollback pull request: its summary, block and table, and reading blocks back from commits. */
import { describe, expect, it } from 'vitest';
import type { HistoryEntry } from '../../../src/core/history.js';
import { renderBlock } from '../../../src/core/pr-body.js';
import { planRollback, type RollbackPlan } from '../../../src/core/rollback-plan.js';
import { blockInfo, rollbackBody, rollbackBodyText } from '../../../src/core/rollback-pr.js';
import { historyEntry, sha } from '../../helpers/history-entries.js';

const entry = (
  s: string,
  from: string | null,
  to: string,
  pr: number | null,
  subject: string,
): HistoryEntry => ({
  ...historyEntry(s, 'promotion', from, to, subject),
  pr,
});
const plan: RollbackPlan = planRollback('minutes', [
  entry('c', 'B', 'C', null, 'Hand edit & <b>'),
  entry('b', 'A', 'B', 11, 'Promote B (#11)'),
])!;
const input = {
  plan,
  reason: null,
  base: 'main',
  branch: 'rollback/minutes/cccccccccccc',
  file: 'config/minutes_current_run.json',
  evidence: 'promotions/minutes/B.json',
  restoredEvidence: null,
};

describe('rollback PR', () => {
  it('keeps a reason of several lines on one line', () => {
    expect(rollbackBodyText(plan, 'line one\r\nline two\nthree')).toContain(
      '\nReason: line one line two three\n',
    );
  });

  it('lists the reverted commits on one line each, inert, and says when no reason was given', () => {
    expect(rollbackBodyText(plan, null)).toBe(
      [
        'Rollback of `minutes`: leaves `C`, restores `B`.',
        '',
        'Reverted (newest first):',
        '- cccccccccccc B -> C: Hand edit &amp; &lt;b&gt;',
        '',
        'Reason: (none given)',
        '',
        'The evidence of `B` is already in the tree, so no new smoke run is needed.',
      ].join('\n'),
    );
  });

  it('says (none) for a pointer that held no run', () => {
    const created: RollbackPlan = {
      pointer: 'minutes',
      left: null,
      restored: 'B',
      reverts: [{ ...plan.reverts[0]!, from: null, to: null }],
    };
    expect(rollbackBodyText(created, 'x')).toContain(
      'leaves `(none)`, restores `B`.\n\nReverted (newest first):\n- cccccccccccc (none) -> (none): ',
    );
  });

  it('records the reverted commits, the reason and the restored game date in its block', () => {
    const body = rollbackBody({
      ...input,
      reason: 'bad minutes',
      restoredEvidence: { gameDate: '2026-11-24', rows: 450, addedHere: false },
    });
    expect(body.block).toEqual({
      v: 1,
      kind: 'rollback',
      base: 'main',
      branch: 'rollback/minutes/cccccccccccc',
      pointers: [
        {
          pointer: 'minutes',
          file: 'config/minutes_current_run.json',
          from: 'C',
          to: 'B',
          evidence: 'promotions/minutes/B.json',
          game_date: '2026-11-24',
        },
      ],
      reverts: [{ sha: sha('c'), pr: null, from: 'B', to: 'C' }],
      reason: 'bad minutes',
    });
    expect(body.toString()).toContain('| minutes | C | B | 2026-11-24 | 450 | - | - |');
    const bare = rollbackBody(input);
    expect(bare.block).not.toHaveProperty('reason');
    expect(bare.block.pointers[0]).not.toHaveProperty('game_date');
    expect(bare.toString()).toContain('| minutes | C | B | - | - | - | - |');
    // A rollback runs no smoke: no checks, metrics or pointer diff to show.
    expect(bare.toString()).not.toMatch(/### (Checks|Metrics|Pointer diff)/);
  });
});

describe('blocks read back from commit messages', () => {
  const block = rollbackBody(input).block;
  const withReverts = (reverts: unknown) => renderBlock({ ...block, reverts } as typeof block);

  it('find the pointer among several', () => {
    const two = { ...block, pointers: [{ ...block.pointers[0]!, pointer: 'rates' }, block.pointers[0]!] };
    expect(blockInfo(renderBlock(two), 'minutes')).toEqual({ kind: 'rollback', reverts: [sha('c')] });
  });

  it('keep only full or abbreviated commit ids from the reverts', () => {
    expect(
      blockInfo(
        withReverts([
          { sha: 'abc1234' },
          { sha: `x${sha('d')}` },
          { sha: `${sha('e')}x` },
          { sha: 7 },
          { sha: 1234567 },
          null,
          'abc1234',
        ]),
        'minutes',
      ),
    ).toEqual({ kind: 'rollback', reverts: ['abc1234'] });
    expect(blockInfo(withReverts('abc1234'), 'minutes')).toEqual({ kind: 'rollback', reverts: [] });
    // A promotion's block has no reverts.
    const promotion = renderBlock({ ...block, kind: 'promotion', reverts: undefined } as typeof block);
    expect(blockInfo(promotion, 'minutes')).toEqual({ kind: 'promotion', reverts: [] });
  });
});
