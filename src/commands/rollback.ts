import { loadConfig } from '../adapters/config-file.js';
import { gitStderr, readBlobs, runGit, type Env } from '../adapters/git.js';
import { revertInWorktree } from '../adapters/revert-worktree.js';
import { pointerConfig } from '../core/config.js';
import {
  CheckFailedError,
  PromoteError,
  TransientError,
  UsageError,
  toPromoteError,
} from '../core/errors.js';
import { evidencePath } from '../core/evidence-path.js';
import type { Forge } from '../core/forge.js';
import { repoEvidencePath } from '../core/history.js';
import { readPointerRun } from '../core/pointer-file.js';
import { planRollback, rollbackBranch, short, type RollbackPlan } from '../core/rollback-plan.js';
import { rollbackBody, rollbackTitle } from '../core/rollback-pr.js';
import type { Config } from '../core/schemas.js';
import type { CommonOptions, Context, Outcome } from './context.js';
import { createPullRequest } from './propose-push.js';
import { configForStage } from '../core/stages.js';
import { pointerHistory } from './history.js';

async function pushBranch(cwd: string, env: Env, remote: string, sha: string, branch: string): Promise<void> {
  try {
    // Forced: the branch is ours (rollback/<pointer>/<sha>) and a rerun rebuilds it.
    await runGit(cwd, env, ['push', '--quiet', '--force', '--', remote, `${sha}:refs/heads/${branch}`]);
  } catch (err) {
    const detail = gitStderr(err).trim().split('\n').pop();
    throw new TransientError(
      `git push of ${branch} to ${remote} failed: ${detail}`,
      'Check access to the remote, then rerun the rollback (it rebuilds the branch).',
      { cause: err },
    );
  }
}

export interface RollbackOptions extends CommonOptions {
  /** Revert every later change back to this run (a checked run id). */
  to?: string;
  dryRun?: boolean;
  /** false with --no-pr. */
  pr?: boolean;
  /** Why, for the PR body (trimmed, not blank). */
  reason?: string;
  /** false with --no-fetch. */
  fetch?: boolean;
  /** Break-glass on the agent host (docs/switching-safely.md). */
  local?: boolean;
  /** false with --no-trigger (with --local). */
  trigger?: boolean;
  /** Wait for the agent's lock (with --local). */
  wait?: boolean;
  /** The stage whose pointer files are read (docs/stages.md); default agent.stage. */
  stage?: string;
}

export async function rollback(args: string[], opts: RollbackOptions, ctx: Context): Promise<Outcome> {
  // Break-glass on the host, GitHub unreachable (docs/switching-safely.md).
  if (opts.local === true) return (await import('./rollback-local.js')).rollbackLocal(args, opts, ctx);
  if (opts.trigger === false || opts.wait === true)
    throw new UsageError(
      '--no-trigger and --wait go with --local only',
      'A rollback without --local opens a PR; the agent triggers the flow when it applies the merge.',
    );
  const name = args[0];
  if (!name) throw new UsageError('missing <pointer>', 'Run `git promote rollback <pointer>`.');
  const { to } = opts;
  const reason = opts.reason?.trim() || null;
  const dryRun = opts.dryRun === true;
  const wantPr = opts.pr !== false && !dryRun;
  const loaded = await loadConfig(ctx.cwd, ctx.env, opts.config);
  const root = loaded.root;
  // With stages: revert the stage's pointer file (docs/stages.md).
  const { config } = configForStage(loaded.config, opts.stage);
  const pointer = pointerConfig(config, name);
  const { remote, branch: base } = config.repository;
  // Find out before changing anything whether a PR can be opened at all.
  const forge = wantPr ? await openForge(config, ctx) : null;

  const { tip, prefix, file, entries } = await pointerHistory({
    command: 'rollback',
    root,
    env: ctx.env,
    config,
    name,
    fetch: opts.fetch !== false,
  });
  const plan = planRollback(name, entries, to);
  if (plan === null) {
    return {
      exitCode: 0,
      data: { pointer: name, left: to, restored: to, reverted: [], branch: null, pushed: false, pr: null },
      text: [`${name} is already at ${to} on ${remote}/${base}: nothing to roll back`],
    };
  }

  const evidenceDir = `${prefix}promotions/${name}/`;
  const { head, kept } = await revertInWorktree({
    cwd: root,
    env: ctx.env,
    base: tip,
    targets: plan.reverts,
    allowed: (p) => p === file || p.startsWith(evidenceDir),
  });
  await verifyRestored(root, ctx, plan, head, file, prefix, pointer.runField);

  const branch = rollbackBranch(name, plan.reverts[0]!.sha);
  const reverted = plan.reverts.map((r) => ({
    sha: r.sha,
    pr: r.pr,
    from: r.from,
    to: r.to,
    subject: r.subject,
  }));
  const text = [
    `rollback ${name}: ${plan.left ?? '(none)'} -> ${plan.restored}${dryRun ? ' (dry run: nothing pushed)' : ''}`,
    ...plan.reverts.map(
      (r) =>
        `  ${dryRun ? 'would revert' : 'reverted'} ${short(r.sha)} ${r.subject}` +
        (kept[r.sha] ? ` (only ${name}; kept its other changes: ${kept[r.sha]!.join(', ')})` : ''),
    ),
  ];
  const result = {
    pointer: name,
    left: plan.left,
    restored: plan.restored,
    reverted,
    branch,
    head,
    reason,
    kept,
  };
  if (dryRun) {
    // The reverts were made and checked in a temporary worktree; only their diff is shown.
    const diff = (await runGit(root, ctx.env, ['diff', '--no-color', '--no-ext-diff', tip, head, '--', file]))
      .stdout;
    return {
      exitCode: 0,
      data: { ...result, pushed: false, pr: null },
      text: [...text, `would push ${branch} (${short(head)})`, diff.trimEnd()],
    };
  }
  await pushBranch(root, ctx.env, remote, head, branch);
  text.push(`pushed ${branch} (${short(head)})`);
  let pr: { number: number; url: string; updated: boolean } | null = null;
  if (forge) {
    const body = rollbackBody({
      plan,
      reason,
      base,
      branch,
      file: pointer.file,
      evidence: evidencePath(name, plan.restored),
      restoredEvidence: entries.find((e) => e.to === plan.restored && e.evidence)?.evidence ?? null,
    });
    try {
      const pull = await createPullRequest(forge, {
        title: rollbackTitle(plan),
        body: body.toString(),
        head: branch,
        base,
        labels: config.policy.rollbackLabels,
      });
      pr = { number: pull.number, url: pull.url, updated: pull.action === 'updated' };
    } catch (err) {
      const e = toPromoteError(err);
      throw new PromoteError(
        e.exitCode,
        `${e.message} (the branch ${branch} was pushed)`,
        `${e.remedy} Then rerun the rollback: it rebuilds the branch and opens or updates the PR.`,
        { cause: err },
      );
    }
    text.push(`${pr.updated ? 'updated' : 'opened'} PR #${pr.number} ${pr.url}`);
  } else {
    text.push(`no PR opened (--no-pr): open one from ${branch} into ${base} when ready`);
  }
  return { exitCode: 0, data: { ...result, pushed: true, pr }, text };
}

/** The rollback head must select the restored run, and that run's evidence must be in its tree. */
async function verifyRestored(
  root: string,
  ctx: Context,
  plan: RollbackPlan,
  head: string,
  file: string,
  prefix: string,
  runField: string,
): Promise<void> {
  const evidence = repoEvidencePath(prefix, plan.pointer, plan.restored)!;
  const [content, evidenceText] = await readBlobs(root, ctx.env, [`${head}:${file}`, `${head}:${evidence}`]);
  const run =
    content === null || content === undefined
      ? null
      : readPointerRun(content, runField, `${file} after the rollback`);
  if (run !== plan.restored)
    throw new CheckFailedError(
      `after the reverts ${file} selects ${run ?? '(no file)'}, not ${plan.restored}; nothing was pushed`,
      'A later change to the pointer is in the way: change it in a reviewed PR instead.',
    );
  if (evidenceText === null || evidenceText === undefined)
    throw new CheckFailedError(
      `${evidence} is missing, so the rollback would not pass validation; nothing was pushed`,
      `Promote ${plan.restored} with fresh evidence: \`git promote propose ${plan.pointer}=${plan.restored}\`.`,
    );
}

/** The forge for repository.github from GITHUB_TOKEN/GH_TOKEN and GITHUB_API_URL (usage error if missing). */
async function openForge(config: Config, ctx: Context): Promise<Forge> {
  const { forgeFromEnv } = await import('../adapters/github/index.js');
  try {
    return forgeFromEnv(config.repository.github, ctx.env, { fetch: ctx.fetch });
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    throw new UsageError(err.message, `${err.remedy} Or pass --no-pr to push the branch only.`, {
      cause: err,
    });
  }
}
