import { afterEach, describe, expect, it } from 'vitest';
import { history } from '../../src/commands/history.js';
import type { HistoryEntry } from '../../src/core/history.js';
import { testContext } from '../helpers/context.js';
import { createPromotionRepo, type PromotionRepo } from '../helpers/promotion-history.js';
import { pointerJson } from '../helpers/fixtures.js';

let repo: PromotionRepo | undefined;
afterEach(() => repo?.cleanup());

const entriesOf = (data: unknown) => (data as { entries: HistoryEntry[] }).entries;

describe('history', () => {
  it('classifies by the pointer history: new runs are promotions, earlier runs rollbacks, same run a manual edit', async () => {
    repo = createPromotionRepo('A');
    const b = repo.promote('B', 11);
    const c = repo.promoteByMerge('C', 12);
    repo.git(['revert', '--no-edit', c, '-m', '1']);
    repo.git(['push', '--quiet', 'origin', 'HEAD:refs/heads/main']);
    const revert = repo.head();
    repo.commit({ 'config/rates_current_run.json': pointerJson('R2') }, 'rates only');
    const manual = repo.manualEdit(pointerJson('D'), 'hand edit');
    const note = repo.manualEdit(pointerJson('D', { note: 'checked' }), 'add a note');
    const ctx = testContext({ cwd: repo.clone });
    const out = await history(['minutes'], {}, ctx);
    expect(out.exitCode).toBe(0);
    const entries = entriesOf(out.data);
    expect(entries.map((e) => [e.sha, e.kind, e.from, e.to, e.pr])).toEqual([
      [note, 'manual edit', 'D', 'D', null],
      // A new run committed by hand, without a PR or evidence, is still a promotion.
      [manual, 'promotion', 'B', 'D', null],
      [revert, 'rollback', 'C', 'B', null],
      [c, 'promotion', 'B', 'C', 12],
      [b, 'promotion', 'A', 'B', 11],
      [expect.any(String), 'promotion', null, 'A', null],
    ]);
    expect(entries[1]!.evidence).toBeNull();
    expect(entries[2]!.reverts).toEqual([c]);
    expect(entries[3]!.evidence).toEqual({ gameDate: '2026-11-25', rows: 240, addedHere: true });
    expect(entries[2]!.evidence).toEqual({ gameDate: '2026-11-25', rows: 240, addedHere: false });
    expect(entries[5]!.evidence).toEqual({ gameDate: '2026-11-20', rows: 200, addedHere: true });
    expect(entries[0]!.author).toEqual({ name: 'Test Author', email: 'author@example.com' });
    // With --limit the kinds stay the same: the rollback is told by runs held before the changes shown.
    const limited = entriesOf((await history(['minutes'], { limit: 3, fetch: false }, ctx)).data);
    expect(limited.map((e) => [e.sha, e.kind])).toEqual(entries.slice(0, 3).map((e) => [e.sha, e.kind]));
    expect(limited[2]!.kind).toBe('rollback');
  });
});
