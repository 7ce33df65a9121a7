/**
 * The end of every `propose` (and `adopt`): push the candidate commit to its branch with a lease
 * (or find that the branch already holds exactly this change), then open or update its pull request.
 */
import { pushProposal } from '../adapters/git-commit.js';
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
  /** Called between creating and labelling (the crash tests' aim); nothing otherwise. */
  opened: () => void = () => undefined,
): Promise<{ number: number; url: string; action: 'opened' | 'updated' }> {
  const existing = await forge.findOpenPull(draft.head, draft.base);
  const pr = existing
    ? await forge.updatePull(existing.number, { title: draft.title, body: draft.body })
    : await forge.createPull({ title: draft.title, body: draft.body, head: draft.head, base: draft.base });
  opened();
  const missing = draft.labels.filter((l) => !pr.labels.includes(l));
  if (missing.length) await forge.addLabels(pr.number, missing);
  return { number: pr.number, url: pr.htmlUrl, action: existing ? 'updated' : 'opened' };
}

export async function publishProposal(input: {
  root: string;
  env: Env;
  remote: string;
  branch: string;
  baseSha: string;
  /** The candidate commit (checked like CI). */
  commit: string;
  forge: Forge | null;
  draft: PullRequestDraft;
  /** The command, for the hint after a failure past the push (default propose). */
  command?: 'propose' | 'adopt';
}): Promise<Pushed> {
  const { remote, branch } = input;
  const { sha, pushed } = await pushProposal(input.root, input.env, input);
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
      throw afterPush(err, { branch, sha, remote }, input.command);
    }
    text.push(`${pullRequest.action} pull request #${pullRequest.number}: ${pullRequest.url}`);
  } else text.push('no pull request (--no-pr): open one from that branch when ready');
  return { sha, pushed, pullRequest, text };
}
