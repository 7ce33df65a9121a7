import { afterEach, describe, expect, it } from 'vitest';
import { runCliProcess } from '../helpers/cli.js';
import { git } from '../helpers/git-repo.js';
import { pointerJson } from '../helpers/fixtures.js';
import { MINUTES_FILE, createPromotionRepo, type PromotionRepo } from '../helpers/promotion-history.js';

let repo: PromotionRepo | undefined;
afterEach(() => repo?.cleanup());

describe('history and rollback through the built CLI', () => {
  it('lists the history, rolls back with --no-pr, and refuses a run outside the history', async () => {
    repo = createPromotionRepo('A');
    repo.promote('B', 11);
    const c = repo.promote('C', 12);

    const hist = await runCliProcess(['history', 'minutes', '--json'], { cwd: repo.clone });
    expect(hist.code).toBe(0);
    const entries = (
      JSON.parse(hist.stdout) as { entries: { kind: string; to: string; pr: number | null }[] }
    ).entries;
    expect(entries.map((e) => [e.kind, e.to, e.pr])).toEqual([
      ['promotion', 'C', 12],
      ['promotion', 'B', 11],
      ['promotion', 'A', null],
    ]);
    const human = await runCliProcess(['history', 'minutes', '--limit', '1'], { cwd: repo.clone });
    expect(human.stdout.trim().split('\n')).toHaveLength(2);
    expect(human.stdout).toContain('promotion    B -> C  Test Author  PR #12');

    const rb = await runCliProcess(['rollback', 'minutes', '--no-pr', '--reason', 'bad slate'], {
      cwd: repo.clone,
    });
    expect(rb.stderr).toBe('');
    expect(rb.code).toBe(0);
    expect(rb.stdout).toContain('rollback minutes: C -> B');
    const branch = `rollback/minutes/${c.slice(0, 12)}`;
    expect(rb.stdout).toContain(`pushed ${branch}`);
    expect(repo.remoteFile(MINUTES_FILE, `refs/heads/${branch}`)).toBe(pointerJson('B'));

    const bad = await runCliProcess(['rollback', 'minutes', '--no-pr', '--to', 'Z'], { cwd: repo.clone });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toBe(
      'error: run Z is not in the history of minutes\n' +
        'hint: Run `git promote history minutes` and pass one of the runs it lists to --to.\n',
    );
    const usage = await runCliProcess(['history', 'minutes', '--limit', 'x'], { cwd: repo.clone });
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/^error: --limit must be a positive whole number/);
    expect(git(repo.remote, ['for-each-ref', '--format=%(refname)', 'refs/heads/rollback/'])).toBe(
      `refs/heads/${branch}\n`,
    );
  });
});
