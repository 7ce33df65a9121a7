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
  /** Git file mode after the change ('100644', '100755', '120000' symlink, '160000' gitlink); null when deleted. */
  mode: string | null;
}

/**
 * Parse `git diff --raw -z --no-renames` output: `:<old mode> <new mode> <old> <new> <status>` NUL
 * `<path>` NUL, per file.
 */
export function parseRawDiff(out: string): RawChange[] {
  const parts = out.split('\0');
  const changes: RawChange[] = [];
  for (let i = 0; i + 1 < parts.length; i += 2) {
    const fields = parts[i]!.replace(/^:/, '').split(' ');
    const code = (fields[4] ?? '').charAt(0);
    const path = parts[i + 1]!;
    // Without rename detection only these occur; U (unmerged) and X cannot appear between commits.
    const status: ChangeStatus = code === 'A' || code === 'D' || code === 'T' ? code : 'M';
    changes.push({ status, path, mode: status === 'D' ? null : (fields[1] ?? null) });
  }
  return changes;
}

/** Files changed from `from` to `to` (commit shas) with their new modes, one diff call, raw paths. */
export async function changedFiles(git: Git, from: string, to: string): Promise<RawChange[]> {
  const out = await git.raw([
    'diff',
    '--raw',
    '-z',
    '--no-abbrev',
    '--no-renames',
    '--no-ext-diff',
    '--end-of-options',
    from,
    to,
    '--',
  ]);
  return parseRawDiff(out);
}
