/**
 * `git revert` in a temporary worktree, so the user's checkout, index and current branch are
 * never touched. The worktree is removed whatever happens; what survives is a commit id in the
 * shared object store, which the caller verifies and pushes.
 */
import { makeTempDir } from './temp-dir.js';
import { rm } from 'node:fs/promises';
import { CheckFailedError } from '../core/errors.js';
import { GitError, runGit, type Env } from './git.js';

interface RevertTarget {
  sha: string;
  parents: string[];
  subject: string;
}

interface RevertInput {
  /** The repository (its object store receives the commits). */
  cwd: string;
  env: Env;
  /** The commit to start from (the fetched branch tip). */
  base: string;
  /** Commits to revert, in this order. */
  targets: RevertTarget[];
  /** Whether a path belongs to the pointer rolled back; the revert leaves every other path alone. */
  allowed: (path: string) => boolean;
}

interface RevertResult {
  /** The commit after every revert. */
  head: string;
  /** Paths a reverted commit also changed and the rollback kept as they are, by reverted sha. */
  kept: Record<string, string[]>;
}

const lastLine = (err: unknown) =>
  (err instanceof GitError ? err.stderr || err.stdout : String(err))
    .trim()
    .split('\n')
    .filter(Boolean)
    .pop() ?? '';

/**
 * Revert every target in one temporary worktree; returns the resulting commit. Only the pointer's
 * own paths are reverted: when a commit also changed other pointers (a multi-pointer promotion),
 * those files are kept as they are and the commit message says so.
 */
export async function revertInWorktree(input: RevertInput): Promise<RevertResult> {
  for (const t of [input.base, ...input.targets.map((x) => x.sha)])
    if (!/^[0-9a-f]{40,64}$/.test(t)) throw new Error(`not a commit id: ${t}`);
  const dir = await makeTempDir(input.env, 'git-promote-rollback-');
  let added = false;
  const kept: Record<string, string[]> = {};
  try {
    await runGit(input.cwd, input.env, ['worktree', 'add', '--quiet', '--detach', dir, input.base]);
    added = true;
    const wt = async (args: string[]) => (await runGit(dir, input.env, args)).stdout;
    for (const t of input.targets) {
      const label = `${t.sha.slice(0, 12)} "${t.subject}"`;
      try {
        await wt(['revert', '--no-commit', ...(t.parents.length > 1 ? ['-m', '1'] : []), t.sha]);
      } catch (err) {
        const conflicts = (await wt(['diff', '--name-only', '--diff-filter=U']).catch(() => ''))
          .split('\n')
          .filter(Boolean);
        if (conflicts.length > 0)
          throw new CheckFailedError(
            `reverting ${label} conflicts in ${conflicts.join(', ')}; nothing was pushed`,
            'A later commit changed the same lines: change the pointer in a reviewed PR instead, or revert that commit first.',
            { cause: err },
          );
        throw new CheckFailedError(
          `git revert of ${label} failed: ${lastLine(err)}`,
          'Nothing was pushed: fix what git reports (for example set user.name and user.email) and rerun.',
          { cause: err },
        );
      }
      const touched = (await wt(['diff', '--cached', '--name-only', '--no-renames', 'HEAD']))
        .split('\n')
        .filter(Boolean);
      const foreign = touched.filter((p) => !input.allowed(p));
      if (foreign.length > 0) {
        await wt(['restore', '--source=HEAD', '--staged', '--worktree', '--', ...foreign]);
        kept[t.sha] = foreign;
      }
      const note = foreign.length
        ? `\n\nOnly this pointer was rolled back; the commit's other changes were kept: ${foreign.join(', ')}.`
        : '';
      await wt([
        'commit',
        '--quiet',
        '--allow-empty',
        '-m',
        `Revert "${t.subject}"\n\nThis reverts commit ${t.sha}.${note}`,
      ]);
    }
    return { head: (await wt(['rev-parse', 'HEAD'])).trim(), kept };
  } finally {
    if (added)
      await runGit(input.cwd, input.env, ['worktree', 'remove', '--force', dir]).catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
    if (added) await runGit(input.cwd, input.env, ['worktree', 'prune']).catch(() => undefined);
  }
}
