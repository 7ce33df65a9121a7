/**
 * Git plumbing on the bare repositories behind the GitHub stand-in: resolve branches, test
 * mergeability and write merge, squash and rebase commits without a working tree. The base
 * branch only moves by compare-and-swap (`git update-ref <ref> <new> <old>`).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runGit, type Env } from '../../adapters/git.js';

export interface Identity {
  name: string;
  email: string;
}

const GITHUB_IDENTITY: Identity = { name: 'GitHub', email: 'noreply@github.com' };

export interface BareRepo {
  readonly path: string;
  /** Sha of refs/heads/<branch>, or null when the branch does not exist. */
  branchSha(branch: string): Promise<string | null>;
  /** Sha of a commit named by sha or branch, or null. */
  resolveCommit(rev: string): Promise<string | null>;
  /** The tree of merging `head` into `base`, or null on conflict. */
  mergeTree(base: string, head: string): Promise<string | null>;
  /** Replay `commits` onto `onto` (cherry-picks in a temporary worktree); null on conflict. */
  replay(onto: string, commits: string[]): Promise<string | null>;
  commitTree(tree: string, parents: string[], message: string, author?: Identity): Promise<string>;
  /** Move refs/heads/<branch> from `oldSha` to `newSha`; false if it no longer points at `oldSha`. */
  compareAndSwap(branch: string, newSha: string, oldSha: string): Promise<boolean>;
  /** Commits reachable from head but not base, oldest first. */
  commitsBetween(base: string, head: string): Promise<string[]>;
  commitInfo(sha: string): Promise<{ parents: string[]; message: string; author: Identity }>;
  /** The tree sha of a commit. */
  treeOf(sha: string): Promise<string>;
}

/** The stand-in's git environment: the operator's, without the system config. */
const standInEnv = (extra: Record<string, string> = {}): Env => ({
  ...process.env,
  GIT_CONFIG_NOSYSTEM: '1',
  ...extra,
});

async function run(
  cwd: string,
  args: string[],
  env: Record<string, string> = {},
  input?: string,
): Promise<string> {
  return (await runGit(cwd, standInEnv(env), args, { input })).stdout;
}

const SHA = /^[0-9a-f]{40}$/;

export function openBareRepo(path: string): BareRepo {
  const identityEnv = (author: Identity): Record<string, string> => ({
    GIT_AUTHOR_NAME: author.name,
    GIT_AUTHOR_EMAIL: author.email,
    GIT_COMMITTER_NAME: GITHUB_IDENTITY.name,
    GIT_COMMITTER_EMAIL: GITHUB_IDENTITY.email,
  });
  /** The commit `name` (a full ref or a sha) resolves to, or null. */
  const commitOf = async (name: string): Promise<string | null> => {
    const out = await run(path, [
      'rev-parse',
      '--verify',
      '--quiet',
      '--end-of-options',
      `${name}^{commit}`,
    ]).catch(() => '');
    return out.trim() || null;
  };
  const repo: BareRepo = {
    path,
    async branchSha(branch) {
      if (branch.startsWith('-') || branch.includes('..')) return null;
      return commitOf(`refs/heads/${branch}`);
    },
    async resolveCommit(rev) {
      if (rev.startsWith('-') || rev.includes('..')) return null;
      return commitOf(SHA.test(rev) ? rev : `refs/heads/${rev}`);
    },
    async mergeTree(base, head) {
      // Exit status 1 means conflicts; anything else is a real failure.
      const args = ['merge-tree', '--write-tree', '--no-messages', base, head];
      const r = await runGit(path, standInEnv(), args, { okCodes: [0, 1] });
      return r.code === 1 ? null : r.stdout.split('\n')[0]!.trim();
    },
    async commitTree(tree, parents, message, author = GITHUB_IDENTITY) {
      const args = ['commit-tree', tree, ...parents.flatMap((p) => ['-p', p]), '-F', '-'];
      const input = message.endsWith('\n') ? message : `${message}\n`;
      return (await run(path, args, identityEnv(author), input)).trim();
    },
    async replay(onto, commits) {
      // git 2.39 has no `merge-tree --merge-base`, so cherry-pick in a throwaway worktree.
      const dir = await mkdtemp(join(tmpdir(), 'gh-stand-in-rebase-'));
      const env = { GIT_COMMITTER_NAME: GITHUB_IDENTITY.name, GIT_COMMITTER_EMAIL: GITHUB_IDENTITY.email };
      try {
        await run(path, ['worktree', 'add', '--quiet', '--detach', dir, onto]);
        for (const c of commits) {
          try {
            await run(dir, ['cherry-pick', '--allow-empty', '--keep-redundant-commits', c], env);
          } catch {
            await run(dir, ['cherry-pick', '--abort']).catch(() => '');
            return null;
          }
        }
        return (await run(dir, ['rev-parse', 'HEAD'])).trim();
      } finally {
        await run(path, ['worktree', 'remove', '--force', dir]).catch(() => '');
        await rm(dir, { recursive: true, force: true });
      }
    },
    async compareAndSwap(branch, newSha, oldSha) {
      try {
        await run(path, ['update-ref', `refs/heads/${branch}`, newSha, oldSha]);
        return true;
      } catch {
        return false;
      }
    },
    async commitsBetween(base, head) {
      const out = await run(path, ['rev-list', '--reverse', '--topo-order', `${base}..${head}`]);
      return out.split('\n').filter(Boolean);
    },
    async treeOf(sha) {
      return (await run(path, ['rev-parse', `${sha}^{tree}`])).trim();
    },
    async commitInfo(sha) {
      const out = await run(path, ['show', '-s', '--format=%P%x00%an%x00%ae%x00%B', sha]);
      const [parents = '', name = '', email = '', ...rest] = out.split('\0');
      return {
        parents: parents.split(' ').filter(Boolean),
        author: { name, email },
        message: rest.join('\0').replace(/\n+$/, ''),
      };
    },
  };
  return repo;
}
