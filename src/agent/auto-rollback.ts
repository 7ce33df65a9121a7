/**
 * After the flow follow-up (docs/auto-rollback.md): when it ends with the flow run failed or the
 * manifests showing another run, and `policy.autoRollback` is "propose", open a rollback PR for the
 * change that caused it, once per change, labelled for the fast lane; an inconclusive verdict (no
 * slate, Prefect unreachable, a cancelled run) never does. Either way the outcome is commented on
 * the promotion's PR. The revert is made in the agent's mirror (never the target's working tree)
 * and pushed to the remote the target names, like `reconcile` does.
 */
import { githubToken } from '../adapters/github-actions.js';
import { runGit } from '../adapters/git.js';
import { pushFromMirror, remoteUrl } from '../adapters/git-mirror.js';
import { readPointerHistory } from '../adapters/pointer-history.js';
import { revertInWorktree } from '../adapters/revert-worktree.js';
import type { AfterApplyContext, AfterApplyHook, AppliedCommit, FollowUp } from '../core/apply-result.js';
import {
  autoRollbackComment,
  changeVerdict,
  type ChangeVerdict,
  type FlowFollowUp,
} from '../core/auto-rollback.js';
import { evidencePath } from '../core/evidence-path.js';
import { prNumberFromMessage } from '../core/history.js';
import type { Forge } from '../core/forge.js';
import { planRollback, rollbackBranch } from '../core/rollback-plan.js';
import { blockInfo, rollbackBody, rollbackTitle } from '../core/rollback-pr.js';
import { revertEnv } from './break-glass.js';

/** What happened to each pointer's rollback: its PR, or why none was opened. */
type PointerRollback = { branch: string; pr: number; url: string } | { skipped: string };

interface Progress {
  rollbacks?: Record<string, PointerRollback>;
  commented?: number | null;
}

async function openForge(c: AfterApplyContext): Promise<Forge> {
  const { forgeFromEnv } = await import('../adapters/github/index.js');
  return forgeFromEnv(c.config.repository.github, c.env, { fetch: c.fetch });
}

/** Revert the pointer's change at `applied` in the mirror, push the branch and open (or find) its PR. */
async function proposeRollback(
  c: AfterApplyContext,
  forge: Forge,
  applied: AppliedCommit,
  pointer: string,
  verdict: Extract<ChangeVerdict, { kind: 'failed' }>,
): Promise<PointerRollback> {
  const p = c.config.pointers[pointer]!;
  const entries = await readPointerHistory({
    cwd: c.mirror,
    env: c.env,
    tip: applied.commit,
    pointer,
    file: p.file,
    runField: p.runField,
    prefix: '',
    limit: 20,
    parseBlock: (message) => blockInfo(message, pointer),
  });
  const latest = entries[0];
  const run = applied.runs[pointer];
  if (!latest || latest.to !== run) return { skipped: `${pointer}'s latest change is not the applied one` };
  // Undoing a rollback automatically would bring the bad run back: a person decides.
  if (latest.kind === 'rollback')
    return {
      skipped: `the failed change returned ${pointer} to ${run}, a rollback: not undone automatically`,
    };
  const plan = planRollback(pointer, entries);
  if (!plan) return { skipped: `${pointer} is already at the run before` };
  const { head } = await revertInWorktree({
    cwd: c.mirror,
    env: revertEnv(c.env),
    base: applied.commit,
    targets: plan.reverts,
    allowed: (path) => path === p.file || path.startsWith(`promotions/${pointer}/`),
  });
  const branch = rollbackBranch(pointer, plan.reverts[0]!.sha);
  const { remote } = c.config.repository;
  const url = await remoteUrl(c.target, c.env, remote);
  await pushFromMirror(c.mirror, c.env, {
    url,
    remote,
    sha: head,
    branch,
    otherHint: 'Check that the agent host may push branches; the next pass tries the rollback again.',
  });
  const base = c.config.repository.branch;
  const reason = `automatic: ${verdict.detail}`;
  const body = rollbackBody({
    plan,
    reason,
    base,
    branch,
    file: p.file,
    evidence: evidencePath(pointer, plan.restored),
    restoredEvidence: null,
  }).toString();
  // The branch is named for the reverted change: a restarted agent finds the PR it opened.
  // Loaded here: a pass that opens no rollback never loads what proposing needs.
  const { createPullRequest } = await import('../commands/propose-push.js');
  const pull = await createPullRequest(
    forge,
    { title: rollbackTitle(plan), body, head: branch, base, labels: c.config.policy.rollbackLabels },
    () => c.crash('auto-rollback-opened'),
  );
  return { branch, pr: pull.number, url: pull.url };
}

export function autoRollbackHook(): AfterApplyHook {
  return {
    name: 'auto-rollback',
    enabled: (config, env) => Boolean(config.repository.github && githubToken(env)),
    async run(applied, c): Promise<FollowUp> {
      const verdict = changeVerdict(c.earlier.flow as FlowFollowUp | undefined);
      if (!verdict) return { outcome: 'no flow run followed' };
      const progress: Progress = { ...((c.saved as Progress | null) ?? {}) };
      const rollbacks: Record<string, PointerRollback> = { ...(progress.rollbacks ?? {}) };
      const forge = await openForge(c);
      const propose = c.config.policy.autoRollback === 'propose';
      if (verdict.kind === 'failed' && propose) {
        for (const pointer of verdict.pointers) {
          if (rollbacks[pointer] || !applied.changed.some((ch) => ch.pointer === pointer)) continue;
          rollbacks[pointer] = await proposeRollback(c, forge, applied, pointer, verdict);
          // Saved before anything else can fail: the next attempt opens no second PR.
          await c.save({ ...progress, rollbacks } as FollowUp);
          const r = rollbacks[pointer]!;
          c.log(
            'auto-rollback',
            'pr' in r ? { pointer, pr: r.pr, url: r.url } : { pointer, skipped: r.skipped },
          );
        }
      }
      let commented = progress.commented ?? null;
      if (commented === null) {
        const message = (await runGit(c.mirror, c.env, ['log', '-1', '--format=%B', applied.commit])).stdout;
        const promotionPr = prNumberFromMessage(message);
        if (promotionPr !== null) {
          const body = autoRollbackComment({
            verdict,
            applied,
            rollbacks,
            policy: c.config.policy.autoRollback,
          });
          // Marked with the apply id: a restart after posting finds it instead of posting twice.
          const marker = body.split('\n')[0]!;
          try {
            if (!(await forge.listComments(promotionPr)).some((text) => text.startsWith(marker)))
              await forge.createComment(promotionPr, body);
            commented = promotionPr;
            await c.save({ ...progress, rollbacks, commented } as FollowUp);
          } catch (err) {
            // The comment is a courtesy: a PR that is gone or locked must not hold the agent.
            c.log('auto-rollback-warning', {
              message: `could not comment on PR #${promotionPr}: ${err instanceof Error ? err.message : String(err)}`,
            });
          }
        }
      }
      return {
        verdict: verdict.kind,
        detail: verdict.detail,
        rollbacks,
        commented,
      };
    },
  };
}
