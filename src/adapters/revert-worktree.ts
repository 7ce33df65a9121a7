/**
 * `git revert` in a temporary worktree, so the user's checkout, index and current branch are
 * never touched. The worktree is removed whatever happens; what survives is a commit id in the
 * shared object store, which the caller verifies and pushes.
 */
import { makeTempDir } from './temp-dir.js';
import { rm } from 'node:fs/promises';
import { CheckFailedError } from '../core/errors.js';
import { openGit, type Env, type Git } from './git.js';

export interface RevertTarget {
  sha: string;
  parents: string[];
  subject: string;
}

export interface RevertInput {
  git: Git;
  env: Env;
  /** The commit to start from (the fetched branch tip). */
  base: string;
  /** Commits to revert, in this order. */
  targets: RevertTarget[];
  /** Whether a path may be changed by the reverts; others make the rollback refuse. */
  allowed: (path: string) => boolean;
  /** Names a refused path for the message (e.g. "rates pointer file"). */
  describePath?: (path: string) => string;
}

const lastLine = (err: unknown) =>
  (err instanceof Error ? err.message : String(err)).trim().split('\n').filter(Boolean).pop() ?? '';

/** Revert every target in one temporary worktree; returns the resulting commit id. */
export async function revertInWorktree(input: RevertInput): Promise<string> {
  for (const t of [input.base, ...input.targets.map((x) => x.sha)])
    if (!/^[0-9a-f]{40,64}$/.test(t)) throw new Error(`not a commit id: ${t}`);
  const dir = await makeTempDir(input.env, 'git-promote-rollback-');
  let added = false;
  try {
    await input.git.raw(['worktree', 'add', '--quiet', '--detach', dir, input.base]);
    added = true;
    const wt = openGit(dir, input.env);
    for (const t of input.targets) {
      const label = `${t.sha.slice(0, 12)} "${t.subject}"`;
      try {
        await wt.raw(['revert', '--no-edit', ...(t.parents.length > 1 ? ['-m', '1'] : []), t.sha]);
      } catch (err) {
        const conflicts = (await wt.raw(['diff', '--name-only', '--diff-filter=U']).catch(() => ''))
          .split('\n')
          .filter(Boolean);
        if (conflicts.length > 0)
          throw new CheckFailedError(
            `reverting ${label} conflicts in ${conflicts.join(', ')}; nothing was pushed`,
            'A later commit changed the same lines (a manual edit?): change the pointer in a reviewed PR instead, or revert that commit first.',
            { cause: err },
          );
        throw new CheckFailedError(
          `git revert of ${label} failed: ${lastLine(err)}`,
          'Nothing was pushed: fix what git reports (for example set user.name and user.email) and rerun.',
          {
            cause: err,
          },
        );
      }
      const touched = (await wt.raw(['diff', '--name-only', '--no-renames', 'HEAD^', 'HEAD']))
        .split('\n')
        .filter(Boolean);
      const foreign = touched.filter((p) => !input.allowed(p));
      if (foreign.length > 0)
        throw new CheckFailedError(
          `reverting ${label} would also change ${foreign.map((p) => input.describePath?.(p) ?? p).join(', ')}; nothing was pushed`,
          'That commit changed more than this pointer: roll it back with a reviewed PR that restores each file on purpose.',
        );
    }
    return (await wt.raw(['rev-parse', 'HEAD'])).trim();
  } finally {
    if (added) await input.git.raw(['worktree', 'remove', '--force', dir]).catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
    if (added) await input.git.raw(['worktree', 'prune']).catch(() => undefined);
  }
}
