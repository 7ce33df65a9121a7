/**
 * Real temporary git repositories for tests: a bare remote and a clone, built from a
 * { path: content } map, with a pinned author and no user or system git configuration.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export const GIT_TEST_ENV: Record<string, string> = {
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_AUTHOR_NAME: 'Test Author',
  GIT_AUTHOR_EMAIL: 'author@example.com',
  GIT_AUTHOR_DATE: '2026-01-01T00:00:00Z',
  GIT_COMMITTER_NAME: 'Test Author',
  GIT_COMMITTER_EMAIL: 'author@example.com',
  GIT_COMMITTER_DATE: '2026-01-01T00:00:00Z',
  GIT_TERMINAL_PROMPT: '0',
  // The GitHub CLI of the machine running the tests must never lend its token (see gh-token.ts).
  GH_CONFIG_DIR: '/nonexistent/git-promote-tests/gh',
  // The installed bin keeps a code cache in the home directory: not from tests (code-cache.test.ts
  // turns it on, in a directory of its own).
  GIT_PROMOTE_CODE_CACHE: '0',
};

/** The environment for processes under test: PATH and HOME plus the pinned git identity. */
export function testEnv(extra: Record<string, string | undefined> = {}): Record<string, string | undefined> {
  return { PATH: process.env.PATH, HOME: process.env.HOME, LANG: 'C.UTF-8', ...GIT_TEST_ENV, ...extra };
}

export function git(cwd: string, args: string[], env: Record<string, string | undefined> = {}): string {
  return execFileSync('git', args, {
    cwd,
    env: { ...testEnv(), ...env } as NodeJS.ProcessEnv,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

const created = new Set<string>();

/** A fresh directory in the temp folder; the test that asks for it must remove it. */
export function tempDir(prefix = 'git-promote-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  created.add(dir);
  return dir;
}

/** Remove every directory tempDir() made in this test file (for tests that hand them to a world). */
export function removeTempDirs(): void {
  for (const dir of created) rmSync(dir, { recursive: true, force: true });
  created.clear();
}

/** Directories made by tempDir() in this test file that still exist (see temp-dir-guard.ts). */
export function leftoverTempDirs(): string[] {
  return [...created].filter((d) => existsSync(d));
}

export function writeFiles(root: string, files: Record<string, string>): void {
  for (const [path, content] of Object.entries(files)) {
    const full = join(root, path);
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, content);
  }
}

export interface TestRepo {
  /** Folder holding everything; removed by cleanup(). */
  dir: string;
  /** Bare repository acting as `origin`. */
  remote: string;
  /** Working clone of the remote, on `branch`. */
  clone: string;
  branch: string;
  git(args: string[]): string;
  /** Write files in the clone, commit them and push; returns the new commit sha. */
  commit(files: Record<string, string>, message?: string): string;
  head(): string;
  cleanup(): void;
}

export function createRepo(files: Record<string, string>, options: { branch?: string } = {}): TestRepo {
  const branch = options.branch ?? 'main';
  const dir = tempDir();
  const remote = join(dir, 'origin.git');
  const clone = join(dir, 'clone');
  git(dir, ['init', '--quiet', '--bare', `--initial-branch=${branch}`, remote]);
  git(dir, ['clone', '--quiet', remote, clone]);
  git(clone, ['checkout', '--quiet', '-B', branch]);
  const repo: TestRepo = {
    dir,
    remote,
    clone,
    branch,
    git: (args) => git(clone, args),
    commit(more, message = 'test commit') {
      writeFiles(clone, more);
      git(clone, ['add', '--all']);
      git(clone, ['commit', '--quiet', '--allow-empty', '-m', message]);
      git(clone, ['push', '--quiet', 'origin', `HEAD:refs/heads/${branch}`]);
      return repo.head();
    },
    head: () => git(clone, ['rev-parse', 'HEAD']).trim(),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
  repo.commit(files, 'initial commit');
  return repo;
}
