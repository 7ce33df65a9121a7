/**
 * `git promote apply`: one pass of the agent. Lock, recover an interrupted write, fetch the branch
 * into the private mirror, refuse rewritten or unsigned history, read config, pointer files and
 * evidence at the tip from git objects, plan against the applied state and the target, check each
 * artifact, write every changed pointer file all-or-nothing, record state, journal and manifest,
 * then run the afterApply hooks (the flow trigger) once for the commit.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, realpathSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import {
  deleteRef,
  descendsFrom,
  ensureMirror,
  fetchMirror,
  markApplied,
  remoteUrl,
  verifySigned,
} from '../adapters/git-mirror.js';
import { ensureStateDir, readState } from '../adapters/fs/state-store.js';
import { readIntent, writeSet } from '../adapters/fs/write-set.js';
import type { AfterApplyHook, AppliedCommit, PointerChange } from '../core/apply-result.js';
import { isInside } from '../core/artifact-checks.js';
import {
  CheckFailedError,
  fileSystemError,
  isPromoteError,
  PromoteError,
  UsageError,
} from '../core/errors.js';
import { slateDate } from '../core/game-date.js';
import { planApply, type Plan } from '../core/plan.js';
import type { Manifest } from '../core/schemas.js';
import { APPLY_MANIFEST_ASSET } from '../core/verify.js';
import { fillTemplate } from '../core/template.js';
import {
  finisher,
  recoverInterrupted,
  resumeFollowUps,
  type ApplyRecord,
  type PassLog,
} from './apply-record.js';
import { reportLines, unifiedDiff, type ApplyReport } from './apply-report.js';
import { checkWrites, readTip } from './apply-tip.js';
import { assertLockHeld, lockSession, openSession, pointerPath, type AgentSession } from './apply-session.js';
import { readOrNull } from '../adapters/read-text.js';
import type { Context, Outcome } from './context.js';
import { failedFollowUps, followUpHook } from './agent-follow-up.js';
import { recordedPass } from './pass-record.js';

export { LockLostError, lockSession, openSession, type AgentSession } from './apply-session.js';
export { recoverInterrupted, type PassLog } from './apply-record.js';
export type { ApplyReport } from './apply-report.js';

export interface ApplyOptions {
  dryRun?: boolean;
  /** false with --no-trigger: the afterApply hooks are not called. */
  trigger?: boolean;
  wait?: boolean;
  allowRewrite?: boolean;
  config?: string;
  /** Called when the pass has applied (or found nothing to apply) and only the follow-ups are left. */
  onApplied?: () => void;
}

export interface ApplyDeps {
  afterApply: AfterApplyHook[];
}

/** 20261126T180000.000Z: a sortable instant that is also a valid run id. */
function compactTime(d: Date): string {
  return d.toISOString().replace(/[-:]/g, '');
}

/** One apply pass. The lock must be held unless dryRun. */
export async function applyPass(
  session: AgentSession,
  opts: ApplyOptions,
  deps: ApplyDeps,
  ctx: Context,
  log: PassLog = () => undefined,
): Promise<ApplyReport> {
  const { config, paths, target, crash } = session;
  const { remote, branch } = config.repository;
  if (!existsSync(target)) {
    throw new UsageError(
      `the agent target ${target} does not exist`,
      'Set agent.target to the pipeline checkout on this host (clone the repository there first).',
    );
  }
  const branchName = `${remote}/${branch}`;
  const startedAt = ctx.now();

  // 1. Finish or discard a write that a crash interrupted, before looking at anything else.
  let recovered: string | null = null;
  let discardedTemps: string[] = [];
  if (!opts.dryRun) {
    assertLockHeld(session);
    crash('locked');
    ({ recovered, discarded: discardedTemps } = await recoverInterrupted(session, ctx, log));
  } else if (readIntent(paths.intent)) {
    log('interrupted', { detail: 'an interrupted apply will be completed by the next apply' });
  }

  // 2. Fetch into the private mirror.
  const state = readState(paths, target);
  await ensureMirror(paths.mirror, ctx.env);
  if (state.applied && !opts.dryRun) await markApplied(paths.mirror, ctx.env, state.applied.commit);
  // The target is a clone of the pipeline repository; the config may live outside it (/etc/git-promote).
  const url = await remoteUrl(session.target, ctx.env, remote);
  // A dry run holds no lock: it fetches into a scratch ref of its own, so it never races the
  // agent's ref updates, and deletes it afterwards.
  const scratch = opts.dryRun
    ? `refs/git-promote/dry-run-${process.pid}-${randomBytes(4).toString('hex')}`
    : undefined;
  let tip: string;
  try {
    tip = await fetchMirror(paths.mirror, ctx.env, url, branch, { ref: scratch, signal: ctx.signal });
  } finally {
    if (scratch) await deleteRef(paths.mirror, ctx.env, scratch);
  }
  crash('fetched');
  const previousCommit = state.applied?.commit ?? null;

  // 3. Only descendants of the applied commit; optionally only signed ones.
  if (previousCommit && previousCommit !== tip && !opts.allowRewrite) {
    if (!(await descendsFrom(paths.mirror, ctx.env, previousCommit, tip))) {
      throw new CheckFailedError(
        `${branchName} at ${tip.slice(0, 12)} does not descend from the applied commit ${previousCommit.slice(0, 12)}: the branch history was rewritten`,
        'Find out why the branch was force-pushed; to apply it anyway run `git promote apply --allow-rewrite`.',
      );
    }
  }
  if (config.agent.requireSignedCommits) {
    const signers = config.agent.allowedSigners;
    const signer = await verifySigned(paths.mirror, ctx.env, tip, {
      gpg: signers?.gpg ?? [],
      ssh: signers?.ssh ? resolve(session.root, signers.ssh) : undefined,
    });
    log('signed', { commit: tip.slice(0, 12), signer });
  }

  // 4. The host config's pointer files at the tip, from git objects.
  const { pointers, desired, configChanged } = await readTip(session, tip, branchName, ctx);
  if (configChanged.length) log('config-changed', { detail: configChanged.join(', ') });

  // 5. Plan: desired vs applied vs actual.
  const actual: Record<string, string | null> = {};
  for (const [name, p] of pointers) actual[name] = readOrNull(pointerPath(session, p.file));
  let plan: Plan;
  try {
    plan = planApply({
      pointers: pointers.map(([name, p]) => ({ name, file: p.file, runField: p.runField })),
      desired,
      applied: state.applied?.runs ?? null,
      actual,
    });
  } catch (err) {
    if (!isPromoteError(err)) throw err;
    throw new CheckFailedError(
      `${err.message} (${branchName} at ${tip.slice(0, 12)})`,
      'Fix the pointer file on the branch with a pull request; the applied pointers were kept.',
    );
  }
  const runs = Object.fromEntries(plan.pointers.map((p) => [p.pointer, p.desiredRun]));

  // 6. Check every pointer about to be written against its evidence and local artifact.
  const checks = await checkWrites(session, plan, tip, branchName, ctx);

  const changed: PointerChange[] = plan.writes.map((w) => ({
    pointer: w.pointer,
    file: w.file,
    from: w.actualRun,
    to: w.desiredRun,
    reason: w.reason!,
  }));
  const hooks = deps.afterApply.filter((h) => h.enabled?.(session.config, ctx.env) ?? true);
  const hooksWanted = hooks.length > 0 && opts.trigger !== false;
  const base: Omit<ApplyReport, 'applied' | 'upToDate' | 'trigger' | 'followUps' | 'diff'> = {
    commit: tip,
    previousCommit,
    branch: branchName,
    target,
    dryRun: Boolean(opts.dryRun),
    changed,
    drift: plan.drift,
    recovered,
    discardedTemps,
    configChanged,
  };

  if (opts.dryRun) {
    return {
      ...base,
      applied: null,
      upToDate: changed.length === 0 && tip === previousCommit,
      trigger: 'not-needed',
      followUps: {},
      diff: unifiedDiff(plan, actual),
    };
  }
  if (ctx.signal?.aborted)
    throw ctx.signal.reason instanceof Error ? ctx.signal.reason : new Error('stopped');

  // 7 + 8. Nothing to write and nothing new: only resume follow-ups left pending.
  if (changed.length === 0 && tip === previousCommit) {
    opts.onApplied?.();
    const followUps =
      hooksWanted && state.pending
        ? await resumeFollowUps(session, hooks, ctx, log).catch((err: unknown) => {
            throw alreadyWritten(
              err,
              `the pointer files of ${branchName} @ ${tip.slice(0, 12)} were applied earlier`,
            );
          })
        : {};
    return {
      ...base,
      applied: null,
      upToDate: true,
      trigger: Object.keys(followUps).length ? 'done' : 'not-needed',
      followUps,
      diff: null,
    };
  }

  const now = ctx.now();
  // Unique per pass, even for two passes in one millisecond (an apply and a drift restore): the
  // record of a write is told apart by its id. Stored in the intent, so recovery keeps it.
  const id = `apply-${compactTime(now)}-${tip.slice(0, 12)}-${randomBytes(3).toString('hex')}`;
  const trigger: ApplyReport['trigger'] =
    changed.length === 0 ? 'not-needed' : opts.trigger === false ? 'skipped' : hooksWanted ? 'done' : 'none';
  const manifestPath =
    changed.length === 0
      ? null
      : resolve(
          config.manifests ? resolve(session.root, config.manifests.root) : paths.manifests,
          fillTemplate(
            config.manifests?.layout ?? '{asset}/game_date={game_date}/run={run_id}/manifest.json',
            {
              asset: APPLY_MANIFEST_ASSET,
              game_date: slateDate(now),
              run_id: id,
            },
          ),
        );
  const applied: AppliedCommit = {
    id,
    commit: tip,
    previousCommit,
    branch: branchName,
    target,
    changed,
    runs,
    manifest: manifestPath,
    appliedAt: now.toISOString(),
  };
  const manifest: Manifest | null = manifestPath
    ? {
        asset: APPLY_MANIFEST_ASSET,
        game_date: slateDate(now),
        run_id: id,
        run_as_of_ts: now.toISOString(),
        step: 'apply',
        status: 'success',
        started_at: startedAt.toISOString(),
        finished_at: now.toISOString(),
        duration_s: Math.max(0, (now.getTime() - startedAt.getTime()) / 1000),
        inputs: [{ name: 'commit', path: `${branchName}@${tip}` }],
        outputs: changed.map((c) => ({ name: c.pointer, path: pointerPath(session, c.file) })),
        checks,
        models: runs,
        commit: tip,
        previous_commit: previousCommit,
        changed,
        drift: plan.drift,
      }
    : null;

  // A pointer directory that is a symlink out of the target would let the write land elsewhere.
  const realTarget = realpathSync(target);
  for (const dir of new Set(plan.writes.map((w) => dirname(pointerPath(session, w.file))))) {
    mkdirSync(dir, { recursive: true });
    if (!isInside(realTarget, realpathSync(dir))) {
      throw new CheckFailedError(
        `${dir} resolves to ${realpathSync(dir)}, outside the target ${realTarget}`,
        'Replace that symlink with a real directory inside the target; nothing was written.',
      );
    }
  }
  assertLockHeld(session);
  writeOrExplain(() =>
    writeSet<ApplyRecord>({
      intentPath: paths.intent,
      id,
      createdAt: now.toISOString(),
      files: plan.writes.map((w) => ({ path: pointerPath(session, w.file), content: w.content })),
      record: {
        applied,
        manifest,
        pendingHooks: hooksWanted && changed.length > 0,
        drift: plan.drift,
        trigger,
      },
      finish: finisher(session),
      crash,
    }),
  );
  await markApplied(paths.mirror, ctx.env, tip);
  log('applied', {
    commit: tip.slice(0, 12),
    changed: changed.length ? changed.map((c) => `${c.pointer}:${c.from ?? '-'}->${c.to}`).join(',') : 'none',
    ...(plan.drift.length ? { drift: plan.drift.map((d) => d.pointer).join(',') } : {}),
    trigger,
  });

  // 9. Hand the change to the hooks (flow trigger, deployments).
  if (trigger === 'done') assertLockHeld(session);
  opts.onApplied?.();
  const followUps =
    trigger === 'done'
      ? await resumeFollowUps(session, hooks, ctx, log).catch((err: unknown) => {
          const what = changed.map((c) => `${c.pointer} ${c.from ?? '-'} -> ${c.to}`).join(', ');
          throw alreadyWritten(
            err,
            `the pointer files were already written: ${what || 'no pointer changed'} (${branchName} @ ${tip.slice(0, 12)})`,
          );
        })
      : {};
  return { ...base, applied, upToDate: false, trigger, followUps, diff: null };
}

/** A follow-up failed after the write: say that the pointers are written and the next pass resumes. */
function alreadyWritten(err: unknown, what: string): unknown {
  if (!isPromoteError(err)) return err;
  return new PromoteError(
    err.exitCode,
    err.message,
    `${err.remedy.replace(/\.$/, '')}; the next \`git promote apply\` (or the agent) resumes what follows the write.`,
    { cause: err, details: [...err.details, what] },
  );
}

/**
 * File system errors that are the host's configuration, said plainly (see fileSystemError); the
 * write set has left nothing half-written.
 */
function writeOrExplain(write: () => void): void {
  try {
    write();
  } catch (err) {
    throw fileSystemError(err) ?? err;
  }
}

export function toApplyOptions(opts: Record<string, unknown>): ApplyOptions {
  return {
    dryRun: opts.dryRun === true,
    trigger: opts.trigger !== false,
    wait: opts.wait === true,
    allowRewrite: opts.allowRewrite === true,
    config: typeof opts.config === 'string' ? opts.config : undefined,
  };
}

/**
 * What `apply` prints while it runs, on stderr (stdout keeps the one summary, or the JSON):
 * every state change of the flow run it follows, and every warning.
 */
function progressLog(ctx: Context): PassLog {
  return (event, fields) => {
    if (event === 'flow-run') {
      const f = fields as {
        id: string;
        name?: string;
        state: string;
        stateName?: string;
        elapsed?: string;
        url?: string;
      };
      ctx.stderr.write(
        `flow run ${f.name ? `${f.name} (${f.id})` : f.id}: ${f.state}${f.stateName ? ` (${f.stateName})` : ''}` +
          `${f.elapsed ? ` after ${f.elapsed}` : ''}${f.url ? `  ${f.url}` : ''}\n`,
      );
    } else if (event.endsWith('-warning') || event === 'warning') {
      ctx.stderr.write(`warning: ${String(fields.message ?? '')}\n`);
    }
  };
}

/** The apply command with its afterApply hooks injected (the lead wires the flow trigger here). */
export function makeApply(deps: ApplyDeps) {
  return async function apply(_args: string[], raw: Record<string, unknown>, ctx: Context): Promise<Outcome> {
    const opts = toApplyOptions(raw);
    const session = await openSession(opts, ctx);
    if (opts.dryRun) {
      ensureStateDir(session.paths);
      const report = await applyPass(session, opts, deps, ctx);
      return { exitCode: 0, data: report, text: reportLines(report) };
    }
    const lock = await lockSession(session, { wait: opts.wait, command: 'git-promote apply' }, ctx);
    try {
      const report = await recordedPass(
        session,
        ctx,
        (warning) => ctx.stderr.write(`warning: ${warning}\n`),
        (onApplied) => applyPass(session, { ...opts, onApplied }, deps, ctx, progressLog(ctx)),
      );
      // Applied, but the flow failed or the manifests do not show the new run: a check failed.
      const failed = failedFollowUps(report.followUps);
      return {
        exitCode: failed.length ? 1 : 0,
        data: report,
        text: [...reportLines(report), ...failed.map((f) => `not confirmed: ${f}`)],
      };
    } finally {
      lock.release();
    }
  };
}

export const apply = makeApply({ afterApply: [followUpHook()] });
