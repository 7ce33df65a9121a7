/**
 * The end of every `propose`: push the candidate commit to its branch with a lease (or find that
 * the branch already holds exactly this change), then open or update its pull request.
 */
import { commitShape, fetchRemoteBranch, pushWithLease } from '../adapters/git-commit.js';
import type { Env } from '../adapters/git.js';
import type { Forge } from '../core/forge.js';
import type { PullRequestDraft } from '../core/promotion-pr.js';
import { afterPush } from './propose-preflight.js';

export interface Pushed {
  sha: string;
  pushed: boolean;
  pullRequest: { number: number; url: string; action: 'opened' | 'updated' } | null;
  text: string[];
}

/** Open the pull request, or update the one already open from the same branch. */
export async function createPullRequest(
  forge: Forge,
  draft: PullRequestDraft,
): Promise<{ number: number; url: string; action: 'opened' | 'updated' }> {
  const existing = await forge.findOpenPull(draft.head, draft.base);
  const pr = existing
    ? await forge.updatePull(existing.number, { title: draft.title, body: draft.body })
    : await forge.createPull({ title: draft.title, body: draft.body, head: draft.head, base: draft.base });
  const missing = draft.labels.filter((l) => !pr.labels.includes(l));
  if (missing.length) await forge.addLabels(pr.number, missing);
  return { number: pr.number, url: pr.htmlUrl, action: existing ? 'updated' : 'opened' };
}

export async function pushProposal(input: {
  root: string;
  env: Env;
  remote: string;
  branch: string;
  baseSha: string;
  /** The candidate commit (checked like CI). */
  commit: string;
  forge: Forge | null;
  draft: PullRequestDraft;
}): Promise<Pushed> {
  const { root, env, remote, branch } = input;
  const remoteSha = await fetchRemoteBranch(root, env, remote, branch);
  let sha = input.commit;
  let pushed = true;
  if (remoteSha) {
    const [mine, theirs] = await Promise.all([
      commitShape(root, env, sha),
      commitShape(root, env, remoteSha),
    ]);
    if (mine.tree === theirs.tree && theirs.parents.length === 1 && theirs.parents[0] === input.baseSha) {
      sha = remoteSha; // the branch already holds exactly this change: nothing to push
      pushed = false;
    }
  }
  if (pushed) await pushWithLease(root, env, { remote, branch, sha, expected: remoteSha });
  const text = [
    pushed
      ? `pushed ${branch} (${sha.slice(0, 12)}) to ${remote}`
      : `${branch} on ${remote} already holds this change (${sha.slice(0, 12)})`,
  ];
  let pullRequest: Pushed['pullRequest'] = null;
  if (input.forge) {
    try {
      pullRequest = await createPullRequest(input.forge, input.draft);
    } catch (err) {
      throw afterPush(err, { branch, sha, remote });
    }
    text.push(`${pullRequest.action} pull request #${pullRequest.number}: ${pullRequest.url}`);
  } else text.push('no pull request (--no-pr): open one from that branch when ready');
  return { sha, pushed, pullRequest, text };
}
