/** Commits and changed paths between two trees, for validate. */
import { assertSafeRef, type Git } from './git.js';
import { UsageError } from '../core/errors.js';
import type { ChangeStatus } from '../core/validate-checks.js';

/** The commit sha a ref names; a usage error when it names none (for example not fetched). */
export async function resolveCommit(git: Git, ref: string, what: string): Promise<string> {
  assertSafeRef(ref);
  const out = await git
    .raw(['rev-parse', '--verify', '--quiet', '--end-of-options', `${ref}^{commit}`])
    .catch(() => '');
  const sha = out.trim();
  if (!/^[0-9a-f]{40,64}$/.test(sha))
    throw new UsageError(
      `${what} ${JSON.stringify(ref)} is not a commit in this repository`,
      'Fetch it first (in GitHub Actions: actions/checkout with fetch-depth: 0), or pass another --base/--head.',
    );
  return sha;
}

/** The best common ancestor of two commits (what a pull request's diff starts from). */
export async function mergeBase(git: Git, a: string, b: string): Promise<string> {
  const out = await git.raw(['merge-base', '--end-of-options', a, b]).catch(() => '');
  const sha = out.trim();
  if (!sha)
    throw new UsageError(
      `commits ${a.slice(0, 12)} and ${b.slice(0, 12)} share no history`,
      'Check --base and --head, or fetch the full history (fetch-depth: 0).',
    );
  return sha;
}

export interface RawChange {
  status: ChangeStatus;
  /** Path relative to the repository top. */
  path: string;
}

/** Parse `git diff --name-status -z --no-renames` output. */
export function parseNameStatus(out: string): RawChange[] {
  const parts = out.split('\0');
  const changes: RawChange[] = [];
  for (let i = 0; i + 1 < parts.length; i += 2) {
    const code = parts[i]!.charAt(0);
    const path = parts[i + 1]!;
    // Without rename detection only these occur; U (unmerged) and X cannot appear between commits.
    const status: ChangeStatus = code === 'A' || code === 'D' || code === 'T' ? code : 'M';
    changes.push({ status, path });
  }
  return changes;
}

/** Files changed from `from` to `to` (commit shas), one diff call, raw paths (NUL separated). */
export async function changedFiles(git: Git, from: string, to: string): Promise<RawChange[]> {
  const out = await git.raw([
    'diff',
    '--name-status',
    '-z',
    '--no-renames',
    '--no-ext-diff',
    '--end-of-options',
    from,
    to,
    '--',
  ]);
  return parseNameStatus(out);
}

/** The repository-relative directory of `cwd` ("" at the top, else ending in "/"). */
export async function repoPrefix(git: Git): Promise<string> {
  try {
    return (await git.raw(['rev-parse', '--show-prefix'])).trim();
  } catch (err) {
    throw new UsageError(
      `${git.cwd} is not inside a git repository`,
      'Run git promote validate in a clone of the pipeline repository.',
      { cause: err },
    );
  }
}
