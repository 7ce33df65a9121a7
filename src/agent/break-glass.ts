/**
 * `git promote rollback <pointer> --local` (docs/switching-safely.md, break-glass): undo the
 * latest change of a pointer on this host with GitHub unreachable. It uses only what the host
 * already has: the agent's mirror (the history up to the commit applied here) and the artifacts.
 *
 * The revert is made in the mirror exactly as `rollback` makes it (a `git revert` of the pointer's
 * latest change, in a temporary worktree); its pointer file is written through the same write set,
 * intent journal and record as an apply, checked against its evidence and artifact first, after
 * the quiet window; then the flow is triggered and verified like any apply. The state records the
 * host as diverged, with the revert prepared as a branch in the mirror: the agent applies nothing
 * over it until the branch selects the same runs, and `git promote reconcile` pushes that branch
 * and opens its pull request once GitHub answers.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { dirname, resolve } from 'node:path';
import { checkArtifact } from '../adapters/fs/artifact.js';
import { ensureDirsInside } from '../adapters/fs/contained-dirs.js';
import { readState, type Diverged } from '../adapters/fs/state-store.js';
import { writeSet } from '../adapters/fs/write-set.js';
import { readBlobs, runGit, type Env } from '../adapters/git.js';
import { ensureMirror } from '../adapters/git-mirror.js';
import { readPointerHistory } from '../adapters/pointer-history.js';
import { readOrNull } from '../adapters/read-text.js';
import { revertInWorktree } from '../adapters/revert-worktree.js';
import { applyId, promotionManifest } from '../core/apply-decision.js';
import type { AfterApplyHook, AppliedCommit, FollowUp } from '../core/apply-result.js';
import { pointerConfig } from '../core/config.js';
import { BusyError, CheckFailedError, isPromoteError, UsageError } from '../core/errors.js';
import { evidencePath } from '../core/evidence-path.js';
import { slateDate } from '../core/game-date.js';
import { parseWith } from '../core/json-file.js';
import { readPointerRun } from '../core/pointer-file.js';
import { planRollback, rollbackBranch, type RollbackPlan } from '../core/rollback-plan.js';
import { blockInfo } from '../core/rollback-pr.js';
import { DEFAULT_MANIFEST_LAYOUT, evidenceSchema } from '../core/schemas.js';
import { fillTemplate } from '../core/template.js';
import type { Context } from '../commands/context.js';
import { waitForQuiet } from './quiet-window.js';
import { finisher, recoverInterrupted, resumeFollowUps, type ApplyRecord } from './record.js';
import type { PassLog } from './pass-log.js';
import { assertLockHeld, lockSession, openSession, pointerPath, type AgentSession } from './session.js';

export interface LocalRollbackOptions {
  pointer: string;
  to?: string;
  reason: string | null;
  trigger: boolean;
  wait?: boolean;
  config?: string;
}

export interface LocalRollbackReport {
  pointer: string;
  /** The run the host held, and the run it holds now. */
  left: string | null;
  restored: string;
  /** Null when the pointer already held `to` (nothing done). */
  applied: AppliedCommit | null;
  diverged: Diverged | null;
  followUps: Record<string, FollowUp>;
  waitedMs: number;
}

/**
 * The session for the follow-ups of a local rollback: no GitHub deployment for a commit GitHub
 * does not have (and GitHub may be down); the hooks trigger and verify the flow only.
 */
export function withoutDeployments(session: AgentSession): AgentSession {
  const { config } = session;
  return {
    ...session,
    config: {
      ...config,
      agent: { ...config.agent, deployment: { ...config.agent.deployment, enabled: false } },
    },
  };
}

/** A commit identity for the revert when the host has none (a service account). */
export function revertEnv(env: Env): Env {
  const who = `git-promote on ${hostname()}`;
  const email = `git-promote@${hostname()}`;
  return {
    ...env,
    GIT_AUTHOR_NAME: env.GIT_AUTHOR_NAME ?? who,
    GIT_AUTHOR_EMAIL: env.GIT_AUTHOR_EMAIL ?? email,
    GIT_COMMITTER_NAME: env.GIT_COMMITTER_NAME ?? who,
    GIT_COMMITTER_EMAIL: env.GIT_COMMITTER_EMAIL ?? email,
  };
}

/** The lock, with the hint that fits a break-glass: the agent holds it for its whole life. */
async function lockForRollback(
  session: AgentSession,
  opts: LocalRollbackOptions,
  ctx: Context,
): Promise<void> {
  try {
    await lockSession(session, { wait: opts.wait, command: 'git-promote rollback --local' }, ctx);
  } catch (err) {
    if (!(err instanceof BusyError)) throw err;
    throw new BusyError(
      err.message,
      'Stop the agent first (`sudo systemctl stop git-promote-agent`), run the rollback again, then start the agent: it holds while the host is diverged.',
      { cause: err },
    );
  }
}

/** The pointer's runs in every file of `commit`, for the state's record of what the host holds. */
export async function runsAt(
  session: AgentSession,
  commit: string,
  env: Env,
): Promise<Record<string, string>> {
  const entries = Object.entries(session.config.pointers);
  const texts = await readBlobs(
    session.paths.mirror,
    env,
    entries.map(([, p]) => `${commit}:${p.file}`),
  );
  const runs: Record<string, string> = {};
  entries.forEach(([name, p], i) => {
    const text = texts[i];
    if (text) runs[name] = readPointerRun(text, p.runField, `${p.file} at ${commit.slice(0, 12)}`);
  });
  return runs;
}

/** Revert the pointer's latest change(s) on `base` in the mirror and check the result. */
async function prepareRevert(
  session: AgentSession,
  name: string,
  base: string,
  plan: RollbackPlan,
  env: Env,
): Promise<{ head: string; content: string; evidenceText: string }> {
  const pointer = session.config.pointers[name]!;
  const { head } = await revertInWorktree({
    cwd: session.paths.mirror,
    env: revertEnv(env),
    base,
    targets: plan.reverts,
    allowed: (p) => p === pointer.file || p.startsWith(`promotions/${name}/`),
  });
  const evidence = evidencePath(name, plan.restored);
  const [content, evidenceText] = await readBlobs(session.paths.mirror, env, [
    `${head}:${pointer.file}`,
    `${head}:${evidence}`,
  ]);
  const run = content ? readPointerRun(content, pointer.runField, `${pointer.file} after the revert`) : null;
  if (!content || run !== plan.restored)
    throw new CheckFailedError(
      `after the revert ${pointer.file} selects ${run ?? '(no file)'}, not ${plan.restored}; nothing was written`,
      'A later change to the pointer is in the way: pass --to with the run to return to.',
    );
  if (!evidenceText)
    throw new CheckFailedError(
      `${evidence} is not in the history this host has, so ${plan.restored} cannot be checked; nothing was written`,
      `Roll back through a pull request once GitHub answers (\`git promote rollback ${name}\`).`,
    );
  return { head, content, evidenceText };
}

export async function localRollback(
  opts: LocalRollbackOptions,
  deps: { afterApply: AfterApplyHook[] },
  ctx: Context,
  log: PassLog,
): Promise<LocalRollbackReport> {
  const session = await openSession({ config: opts.config }, ctx);
  const name = opts.pointer;
  const pointer = pointerConfig(session.config, name);
  await lockForRollback(session, opts, ctx);
  try {
    const { paths, target, config } = session;
    await recoverInterrupted(session, ctx, log);
    await ensureMirror(paths.mirror, ctx.env);
    const state = readState(paths, target);
    if (!state.applied)
      throw new CheckFailedError(
        `no agent has applied anything to ${target} on this host, so there is nothing to roll back locally`,
        'Roll back through a pull request (`git promote rollback <pointer>`).',
      );
    if (state.diverged?.rollbacks.some((r) => r.pointer === name))
      throw new CheckFailedError(
        `${name} was already rolled back on this host (${state.diverged.rollbacks.find((r) => r.pointer === name)!.from ?? '-'} -> ${state.diverged.runs[name]}) at ${state.diverged.since}`,
        'Run `git promote reconcile` once GitHub answers and roll back further through a pull request.',
      );
    // Local rollbacks stack: each reverts on top of the one before (other pointers only).
    const base = state.applied.commit;
    const entries = await readPointerHistory({
      cwd: paths.mirror,
      env: ctx.env,
      tip: base,
      pointer: name,
      file: pointer.file,
      runField: pointer.runField,
      prefix: '',
      parseBlock: (message) => blockInfo(message, name),
    });
    const plan = planRollback(name, entries, opts.to);
    if (plan === null)
      return {
        pointer: name,
        left: opts.to!,
        restored: opts.to!,
        applied: null,
        diverged: state.diverged,
        followUps: {},
        waitedMs: 0,
      };

    const { head, content, evidenceText } = await prepareRevert(session, name, base, plan, ctx.env);
    let evidence;
    try {
      evidence = parseWith(evidenceSchema, evidenceText, evidencePath(name, plan.restored));
    } catch (err) {
      if (!isPromoteError(err)) throw err;
      throw new CheckFailedError(`${err.message}; nothing was written`, err.remedy, { cause: err });
    }
    const check = checkArtifact(pointer.artifacts, session.root, plan.restored, evidence, pointer.contract);
    if (check.problems.length)
      throw new CheckFailedError(
        `cannot roll ${name} back to ${plan.restored} on this host: ${check.problems[0]}; nothing was written`,
        `Restore the artifact of ${plan.restored} (it must hash to promotions/${name}/${plan.restored}.json), then run the rollback again.`,
        { details: check.problems.slice(1) },
      );

    // Never in the middle of a flow run: cancel a bad run in Prefect to go ahead at once.
    const quiet = await waitForQuiet(session, ctx, log);
    assertLockHeld(session);

    const now = ctx.now();
    const id = applyId(now, head, randomBytes(3).toString('hex'));
    const file = pointerPath(session, pointer.file);
    const actual = readOrNull(file);
    let from: string | null = null;
    try {
      from = actual === null ? null : readPointerRun(actual, pointer.runField, file);
    } catch (err) {
      if (!isPromoteError(err)) throw err;
    }
    const runs = await runsAt(session, head, ctx.env);
    const branchName = `${config.repository.remote}/${config.repository.branch}`;
    const applied: AppliedCommit = {
      id,
      commit: head,
      previousCommit: base,
      branch: branchName,
      target,
      changed: [{ pointer: name, file: pointer.file, from, to: plan.restored, reason: 'rollback' }],
      runs,
      manifest: null,
      appliedAt: now.toISOString(),
    };
    const gameDate = slateDate(now);
    applied.manifest = resolve(
      config.manifests ? resolve(session.root, config.manifests.root) : paths.manifests,
      fillTemplate(config.manifests?.layout ?? DEFAULT_MANIFEST_LAYOUT, {
        asset: 'promotion',
        game_date: gameDate,
        run_id: id,
      }),
    );
    const manifest = promotionManifest({
      applied,
      startedAt: now,
      gameDate,
      outputPath: () => file,
      checks: [
        { name: `artifact:${name}`, status: 'pass', detail: `${check.dir} matches evidence meta_sha256` },
      ],
      drift: [],
    });
    const branch = state.diverged?.branch ?? rollbackBranch(name, plan.reverts[0]!.sha);
    const diverged: Diverged = {
      id,
      since: state.diverged?.since ?? now.toISOString(),
      host: hostname(),
      base: state.diverged?.base ?? base,
      runs,
      rollbacks: [
        ...(state.diverged?.rollbacks ?? []),
        {
          pointer: name,
          file: pointer.file,
          from: plan.left,
          to: plan.restored,
          reason: opts.reason,
          reverts: plan.reverts.map((r) => ({
            sha: r.sha,
            parents: r.parents,
            subject: r.subject,
            from: r.from,
            to: r.to,
            pr: r.pr,
          })),
        },
      ],
      branch,
      head,
    };
    // The revert branch, kept in the mirror for reconcile (and reachable whatever happens).
    await runGit(paths.mirror, ctx.env, ['update-ref', '--', `refs/heads/${branch}`, head]);

    const hooks = deps.afterApply.filter((h) => h.enabled?.(config, ctx.env) ?? true);
    const hooksWanted = opts.trigger && hooks.length > 0;
    ensureDirsInside(target, [dirname(file)]);
    assertLockHeld(session);
    writeSet<ApplyRecord>({
      intentPath: paths.intent,
      id,
      createdAt: now.toISOString(),
      files: [{ path: file, content }],
      record: {
        applied,
        manifest,
        pendingHooks: hooksWanted,
        drift: [],
        trigger: hooksWanted ? 'done' : opts.trigger ? 'none' : 'skipped',
        diverged,
      },
      finish: finisher(session),
      crash: session.crash,
    });
    log('rolled-back-locally', {
      pointer: name,
      from: from ?? '-',
      to: plan.restored,
      commit: head.slice(0, 12),
      branch,
    });
    const followUps = hooksWanted ? await resumeFollowUps(withoutDeployments(session), hooks, ctx, log) : {};
    return {
      pointer: name,
      left: plan.left,
      restored: plan.restored,
      applied,
      diverged,
      followUps,
      waitedMs: quiet.waitedMs,
    };
  } finally {
    session.lock?.release();
  }
}

/** Usage problems of `rollback --local` found before anything is opened. */
export function localRollbackUsage(opts: { dryRun?: boolean; pr?: boolean; fetch?: boolean }): void {
  if (opts.dryRun === true || opts.pr === false || opts.fetch === false)
    throw new UsageError(
      '--local cannot be combined with --dry-run, --no-pr or --no-fetch',
      'Run `git promote rollback <pointer> --local` alone: it uses only what this host has.',
    );
}
