import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/program.js';
import { rollback } from '../../src/commands/rollback.js';
import { history } from '../../src/commands/history.js';
import type { HistoryEntry } from '../../src/core/history.js';
import { testContext } from '../helpers/context.js';
import { createRepo, git, testEnv } from '../helpers/git-repo.js';
import { sampleConfig } from '../helpers/fixtures.js';
import { pointerJson } from '../helpers/fixtures.js';
import {
  MINUTES_FILE,
  RATES_FILE,
  createPromotionRepo,
  evidenceFile,
  sampleEvidence,
  type PromotionRepo,
} from '../helpers/promotion-history.js';

let repo: PromotionRepo | undefined;
afterEach(() => repo?.cleanup());

const noPr = { pr: false };
const remoteBranches = (r: PromotionRepo) =>
  git(r.remote, ['for-each-ref', '--format=%(refname)', 'refs/heads/']).split('\n').filter(Boolean);
// Rollback's temporary worktrees go under the injected TMPDIR: a private one per test, so other
// processes using the shared /tmp at the same time cannot disturb the count.
let privateTmp = '';
beforeEach(() => {
  privateTmp = mkdtempSync(join(tmpdir(), 'rollback-test-tmp-'));
});
afterEach(() => rmSync(privateTmp, { recursive: true, force: true }));
const tempWorktrees = () => readdirSync(privateTmp).filter((d) => d.startsWith('git-promote-rollback-'));
const rollbackContext = (cwd: string) => testContext({ cwd, env: testEnv({ TMPDIR: privateTmp }) });

interface RollbackData {
  branch: string;
  head: string;
  left: string;
  restored: string;
  reverted: { sha: string; pr: number | null }[];
}

/** Promote A -> B -> C with squash-style commits. */
function abc(): { repo: PromotionRepo; b: string; c: string } {
  const r = createPromotionRepo('A');
  const b = r.promote('B', 11);
  const c = r.promote('C', 12);
  return { repo: r, b, c };
}

describe('rollback', () => {
  it('reverts the last promotion on rollback/<pointer>/<sha> and leaves the checkout alone', async () => {
    const made = abc();
    repo = made.repo;
    const before = tempWorktrees();
    const ctx = rollbackContext(repo.clone);
    const out = await rollback(['minutes'], { ...noPr, reason: 'C scores drifted' }, ctx);
    expect(out.exitCode).toBe(0);
    const data = out.data as RollbackData;
    expect(data.left).toBe('C');
    expect(data.restored).toBe('B');
    expect(data.reverted.map((r) => [r.sha, r.pr])).toEqual([[made.c, 12]]);
    expect(data.branch).toBe(`rollback/minutes/${made.c.slice(0, 12)}`);
    const ref = `refs/heads/${data.branch}`;
    expect(git(repo.remote, ['rev-parse', ref]).trim()).toBe(data.head);
    expect(repo.remoteFile(MINUTES_FILE, ref)).toBe(pointerJson('B'));
    // The invariant validate checks: the restored run's evidence is in the tree, untouched.
    expect(repo.remoteFile(evidenceFile('minutes', 'B'), ref)).toBe(sampleEvidence('minutes', 'B'));
    expect(repo.remoteFile(evidenceFile('minutes', 'C'), ref)).toBeNull();
    expect(git(repo.remote, ['log', '-1', '--format=%B', ref])).toContain(`This reverts commit ${made.c}.`);
    expect(git(repo.remote, ['rev-parse', `${ref}^`]).trim()).toBe(made.c);
    // main, the checkout and its worktree list are as they were.
    expect(repo.remoteFile(MINUTES_FILE)).toBe(pointerJson('C'));
    expect(repo.head()).toBe(made.c);
    expect(repo.git(['status', '--porcelain'])).toBe('');
    expect(repo.git(['worktree', 'list', '--porcelain']).match(/^worktree /gm)).toHaveLength(1);
    expect(tempWorktrees()).toEqual(before);
    expect(out.text.join('\n')).toContain('rollback minutes: C -> B');
  });

  it('--to A reverts both later promotions, newest first, in one branch', async () => {
    const made = abc();
    repo = made.repo;
    const out = await rollback(['minutes'], { ...noPr, to: 'A' }, rollbackContext(repo.clone));
    const data = out.data as RollbackData;
    expect(data.restored).toBe('A');
    expect(data.reverted.map((r) => r.sha)).toEqual([made.c, made.b]);
    const ref = `refs/heads/${data.branch}`;
    expect(repo.remoteFile(MINUTES_FILE, ref)).toBe(pointerJson('A'));
    expect(git(repo.remote, ['rev-list', '--count', `${made.c}..${ref}`]).trim()).toBe('2');
    expect(repo.remoteFile(evidenceFile('minutes', 'A'), ref)).not.toBeNull();
  });

  it('rolls back a merge-commit promotion with -m 1 and keeps what the merge did not bring', async () => {
    repo = createPromotionRepo('A');
    repo.promote('B', 11);
    const merge = repo.promoteByMerge('C', 12);
    const out = await rollback(['minutes'], noPr, rollbackContext(repo.clone));
    const data = out.data as RollbackData;
    expect(data.reverted).toEqual([expect.objectContaining({ sha: merge, pr: 12 })]);
    const ref = `refs/heads/${data.branch}`;
    expect(repo.remoteFile(MINUTES_FILE, ref)).toBe(pointerJson('B'));
    expect(repo.remoteFile('NOTES.md', ref)).toBe('notes before C\n');
  });

  it('after a rollback is merged, the next rollback undoes the latest change: that rollback', async () => {
    const made = abc();
    repo = made.repo;
    const first = (await rollback(['minutes'], noPr, rollbackContext(repo.clone))).data as RollbackData;
    // Squash-merge the rollback PR without the revert message: found by the run it returns to.
    repo.git(['fetch', '--quiet', 'origin']);
    repo.git(['merge', '--quiet', '--squash', `origin/${first.branch}`]);
    repo.git(['commit', '--quiet', '-m', 'Roll back minutes to B (#13)']);
    repo.git(['push', '--quiet', 'origin', 'HEAD:refs/heads/main']);
    const rolledBack = repo.head();
    const second = (await rollback(['minutes'], noPr, rollbackContext(repo.clone))).data as RollbackData;
    expect([second.left, second.restored]).toEqual(['B', 'C']);
    expect(second.reverted.map((r) => r.sha)).toEqual([rolledBack]);
    const further = (await rollback(['minutes'], { ...noPr, to: 'A' }, rollbackContext(repo.clone)))
      .data as RollbackData;
    expect(further.restored).toBe('A');
    expect(further.reverted.map((r) => r.sha)).toEqual([rolledBack, made.c, made.b]);
    const entries = (
      (await history(['minutes'], {}, testContext({ cwd: repo.clone }))).data as {
        entries: HistoryEntry[];
      }
    ).entries;
    expect(entries[0]).toMatchObject({ kind: 'rollback', from: 'C', to: 'B', pr: 13 });
  });

  it('reverts a change committed by hand, without a PR, like any other (a manual edit or a new run)', async () => {
    const made = abc();
    repo = made.repo;
    const note = repo.manualEdit(pointerJson('C', { note: 'pinned by hand' }));
    const undoNote = (await rollback(['minutes'], noPr, rollbackContext(repo.clone))).data as RollbackData;
    expect([undoNote.left, undoNote.restored]).toEqual(['C', 'C']);
    expect(undoNote.reverted.map((r) => r.sha)).toEqual([note]);

    const edit = repo.manualEdit(pointerJson('X'));
    const undoEdit = (await rollback(['minutes'], noPr, rollbackContext(repo.clone))).data as RollbackData;
    expect([undoEdit.left, undoEdit.restored]).toEqual(['X', 'C']);
    expect(undoEdit.reverted.map((r) => r.sha)).toEqual([edit]);
    expect(repo.git(['show', `origin/${undoEdit.branch}:${MINUTES_FILE}`])).toBe(
      pointerJson('C', { note: 'pinned by hand' }),
    );
  });

  it('--dry-run makes and checks the reverts of any kind and prints the diff, pushing nothing', async () => {
    const made = abc();
    repo = made.repo;
    repo.manualEdit(pointerJson('X'));
    const out = await rollback(['minutes'], { ...noPr, dryRun: true }, rollbackContext(repo.clone));
    expect(out.data).toMatchObject({ left: 'X', restored: 'C', pushed: false });
    expect(out.text[0]).toBe('rollback minutes: X -> C (dry run: nothing pushed)');
    expect(out.text.join('\n')).toMatch(/^-\s+"run_id": "X"$/m);
    expect(out.text.join('\n')).toMatch(/^\+\s+"run_id": "C"$/m);
    const to = await rollback(['minutes'], { ...noPr, dryRun: true, to: 'A' }, rollbackContext(repo.clone));
    expect((to.data as RollbackData).reverted).toHaveLength(3);
    expect(remoteBranches(repo)).toEqual(['refs/heads/main']);
  });

  it('reverts only this pointer of a commit that also changed another pointer, and says so', async () => {
    repo = createPromotionRepo('A');
    const both = repo.commit(
      {
        [MINUTES_FILE]: pointerJson('B'),
        [evidenceFile('minutes', 'B')]: sampleEvidence('minutes', 'B'),
        [RATES_FILE]: pointerJson('R2'),
        [evidenceFile('rates', 'R2')]: sampleEvidence('rates', 'R2'),
      },
      'Promote minutes to B and rates to R2 (#20)',
    );
    const out = await rollback(['minutes'], noPr, rollbackContext(repo.clone));
    const data = out.data as RollbackData & { kept: Record<string, string[]> };
    expect(data.restored).toBe('A');
    expect(data.kept).toEqual({ [both]: [RATES_FILE, evidenceFile('rates', 'R2')] });
    expect(out.text).toContain(
      `  reverted ${both.slice(0, 12)} Promote minutes to B and rates to R2 (#20) (only minutes; kept its other changes: ${RATES_FILE}, ${evidenceFile('rates', 'R2')})`,
    );
    const branch = `origin/${data.branch}`;
    expect(repo.git(['show', `${branch}:${MINUTES_FILE}`])).toBe(pointerJson('A'));
    expect(repo.git(['show', `${branch}:${RATES_FILE}`])).toBe(pointerJson('R2'));
    expect(repo.git(['log', '-1', '--format=%B', branch])).toContain(`This reverts commit ${both}.`);
  });

  it('refuses --to a run that is not in the history, and a pointer without promotions', async () => {
    const made = abc();
    repo = made.repo;
    const ctx = testContext({ cwd: repo.clone });
    await expect(rollback(['minutes'], { ...noPr, to: 'Z' }, ctx)).rejects.toMatchObject({
      exitCode: 1,
      message: 'run Z is not in the history of minutes',
    });
    // A malformed run id never reaches the handler: the CLI refuses it (exit 2).
    expect(await runCli(['rollback', 'minutes', '--no-pr', '--to', '../x'], ctx)).toBe(2);
    expect(ctx.err()).toMatch(/^error: invalid --to run "\.\.\/x": it starts with "\."\nhint: /);
    await expect(rollback(['nope'], noPr, ctx)).rejects.toMatchObject({ exitCode: 2 });
    // rates was only created (never promoted from an earlier run): nothing to revert.
    await expect(rollback(['rates'], noPr, ctx)).rejects.toMatchObject({ exitCode: 1 });
    expect(remoteBranches(repo)).toEqual(['refs/heads/main']);
    const same = await rollback(['minutes'], { ...noPr, to: 'C' }, ctx);
    expect(same.exitCode).toBe(0);
    expect(same.text[0]).toContain('already at C');
  });

  it('works when the config root is a subdirectory of the repository', async () => {
    const sub = createRepo({ 'README.md': 'monorepo\n' });
    try {
      const files = (run: string) => ({
        [`pipeline/${MINUTES_FILE}`]: pointerJson(run),
        [`pipeline/${evidenceFile('minutes', run)}`]: sampleEvidence('minutes', run),
      });
      sub.commit(
        {
          'pipeline/promote.config.json': JSON.stringify(sampleConfig(sub.dir)),
          ...files('A'),
          [`pipeline/${RATES_FILE}`]: pointerJson('R1'),
        },
        'set up',
      );
      const b = sub.commit(files('B'), 'Promote minutes to B (#2)');
      const ctx = testContext({ cwd: join(sub.clone, 'pipeline') });
      const hist = await history(['minutes'], {}, ctx);
      expect((hist.data as { entries: HistoryEntry[] }).entries.map((e) => [e.kind, e.to])).toEqual([
        ['promotion', 'B'],
        ['promotion', 'A'],
      ]);
      const out = (await rollback(['minutes'], noPr, ctx)).data as RollbackData;
      expect(out.reverted.map((r) => r.sha)).toEqual([b]);
      expect(git(sub.remote, ['show', `refs/heads/${out.branch}:pipeline/${MINUTES_FILE}`])).toBe(
        pointerJson('A'),
      );
    } finally {
      sub.cleanup();
    }
  });
});
