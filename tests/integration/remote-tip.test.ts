/** The agent's cheap look at the remote: `git ls-remote` of exactly one branch. */
import { afterEach, describe, expect, it } from 'vitest';
import { remoteBranchTip } from '../../src/adapters/remote-tip.js';
import { createRepo, testEnv, type TestRepo } from '../helpers/git-repo.js';

let repo: TestRepo;
afterEach(() => repo.cleanup());

describe('remoteBranchTip', () => {
  it("reads the branch's tip, and only that branch's", async () => {
    repo = createRepo({ 'a.txt': 'one\n' });
    const first = repo.head();
    const tip = await remoteBranchTip(repo.dir, testEnv(), repo.remote, 'main');
    expect(tip).toBe(first);
    // ls-remote matches patterns by their last components: a branch ending in refs/heads/main (and
    // listed first) must not be taken for main.
    repo.git(['push', '--quiet', 'origin', `HEAD:refs/heads/a/refs/heads/main`]);
    const second = repo.commit({ 'a.txt': 'two\n' });
    repo.git(['push', '--quiet', '--force', 'origin', `${first}:refs/heads/a/refs/heads/main`]);
    expect(await remoteBranchTip(repo.dir, testEnv(), repo.remote, 'main')).toBe(second);
  });

  it('is null when the branch or the remote is missing, so the caller does a full pass', async () => {
    repo = createRepo({ 'a.txt': 'one\n' });
    expect(await remoteBranchTip(repo.dir, testEnv(), repo.remote, 'nope')).toBeNull();
    expect(await remoteBranchTip(repo.dir, testEnv(), `${repo.dir}/missing.git`, 'main')).toBeNull();
  });

  it('refuses a branch name git could read as an option', async () => {
    repo = createRepo({ 'a.txt': 'one\n' });
    await expect(
      remoteBranchTip(repo.dir, testEnv(), repo.remote, '--upload-pack=touch'),
    ).rejects.toMatchObject({
      exitCode: 2,
    });
  });
});
