/** Commits and changed paths between two trees, for validate. */
import { runGit, type Env } from './git.js';
import { UsageError } from '../core/errors.js';
import type { ChangeStatus } from '../core/validate-checks.js';

/** The best common ancestor of two commits (what a pull request's diff starts from). */
export async function mergeBase(cwd: string, env: Env, a: string, b: string): Promise<string> {
  // Exit 1: no common ancestor; 128: a commit is missing (a shallow clone).
  const r = await runGit(cwd, env, ['merge-base', '--end-of-options', a, b], { okCodes: [0, 1, 128] });
  const sha = r.stdout.trim();
  if (!sha)
    throw new UsageError(
      `commits ${a.slice(0, 12)} and ${b.slice(0, 12)} share no history`,
      'Check --base and --head, or fetch the full history (fetch-depth: 0).',
    );
  return sha;
}

interface RawChange {
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
export async function changedFiles(cwd: string, env: Env, from: string, to: string): Promise<RawChange[]> {
  const { stdout } = await runGit(cwd, env, [
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
  return parseRawDiff(stdout);
}
