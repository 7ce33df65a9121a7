/**
 * One pass of the agent (`git promote apply`, and every interval of `git promote agent`). Lock, recover an interrupted write, fetch the branch
 * into the private mirror, refuse rewritten or unsigned history, read config, pointer files and
 * evidence at the tip from git objects, plan against the applied state and the target, check each
 * artifact, write every changed pointer file all-or-nothing, record state, journal and manifest,
 * then run the afterApply hooks (the flow trigger) once for the commit.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { markApplied } from '../adapters/git-mirror.js';
import { fetchTrustedTip } from './fetch-tip.js';
import { readState } from '../adapters/fs/state-store.js';
import { readIntent, writeSet } from '../adapters/fs/write-set.js';
import { ensureDirsInside } from '../adapters/fs/contained-dirs.js';
import type { AfterApplyHook, AppliedCommit, PointerChange } from '../core/apply-result.js';
import { applyId, promotionManifest, triggerDecision } from '../core/apply-decision.js';
import {
  CheckFailedError,
  fileSystemError,
  isPromoteError,
  PromoteError,
  UsageError,
} from '../core/errors.js';
import { slateDate } from '../core/game-date.js';
import { planApply, type Plan } from '../core/plan.js';
import { DEFAULT_MANIFEST_LAYOUT } from '../core/schemas.js';
import { APPLY_MANIFEST_ASSET } from '../core/verify.js';
import { fillTemplate } from '../core/template.js';
import { finisher, recoverInterrupted, resumeFollowUps, type ApplyRecord } from './record.js';
import type { PassLog } from './pass-log.js';
import { unifiedDiff, type ApplyReport } from './report.js';
import { checkWrites, readTip } from './tip.js';
import { divergedHold, freezeHold, replacedRunsNotReady } from './switch-gates.js';
import { waitForQuiet } from './quiet-window.js';
import { withoutDeployments } from './break-glass.js';
import type { Hold } from '../core/switch-gate.js';
import { assertLockHeld, pointerPath, type AgentSession } from './session.js';
import { readOrNull } from '../adapters/read-text.js';
import type { Context } from '../commands/context.js';

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

  // 2 + 3. Fetch into the private mirror; only descendants of the applied commit, optionally signed.
  // A host rolled back locally holds a commit of its own: the branch continues from `base`.
  const state = readState(paths, target);
  const previousCommit = state.diverged?.base ?? state.applied?.commit ?? null;
  const tip = await fetchTrustedTip(session, { ...opts, previousCommit }, ctx, log);
  crash('fetched');

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
  const diverged = divergedHold(state, plan);

  // 6. Check every pointer about to be written against its evidence and local artifact, and
  // whether the runs it replaces could be restored here (a warning: docs/switching-safely.md).
  const checks = diverged ? [] : await checkWrites(session, plan, tip, branchName, ctx);
  const warnings = diverged
    ? []
    : (await replacedRunsNotReady(session, plan, tip, ctx)).map(
        (r) => `rollback of ${r.pointer} to ${r.run} is not ready on this host: ${r.detail}`,
      );
  for (const message of warnings) log('rollback-readiness-warning', { message });

  const changed: PointerChange[] = plan.writes.map((w) => ({
    pointer: w.pointer,
    file: w.file,
    from: w.actualRun,
    to: w.desiredRun,
    reason: w.reason!,
  }));
  const hooks = deps.afterApply.filter((h) => h.enabled?.(session.config, ctx.env) ?? true);
  const hooksWanted = hooks.length > 0 && opts.trigger !== false;
  const base: Omit<
    ApplyReport,
    'applied' | 'upToDate' | 'trigger' | 'followUps' | 'diff' | 'held' | 'quiet'
  > = {
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
    warnings,
  };
  const heldReport = (held: Hold): ApplyReport => ({
    ...base,
    applied: null,
    upToDate: false,
    held,
    quiet: null,
    trigger: 'not-needed',
    followUps: {},
    diff: null,
  });
  if (diverged) {
    // The local rollback's own flow run may still be pending: follow it; apply nothing else.
    const followUps =
      !opts.dryRun && hooksWanted && state.pending
        ? await resumeFollowUps(withoutDeployments(session), hooks, ctx, log)
        : {};
    return { ...heldReport(diverged), followUps };
  }
  // The freeze looks at the host's view: runs held on the history of the commit it applied.
  const frozen = await freezeHold(session, plan, previousCommit, ctx);

  if (opts.dryRun) {
    return {
      ...base,
      applied: null,
      upToDate: changed.length === 0 && tip === previousCommit,
      held: frozen,
      quiet: null,
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
      held: null,
      quiet: null,
      trigger: Object.keys(followUps).length ? 'done' : 'not-needed',
      followUps,
      diff: null,
    };
  }

  // 7b. Only rollbacks during a freeze window; and never while a run of the flow is in progress.
  if (frozen) return heldReport(frozen);
  const quiet = plan.writes.length > 0 ? await waitForQuiet(session, ctx, log) : null;
  assertLockHeld(session);

  const now = ctx.now();
  // Stored in the intent, so recovery keeps it.
  const id = applyId(now, tip, randomBytes(3).toString('hex'));
  const trigger = triggerDecision(changed.length, opts.trigger !== false, hooks.length > 0);
  const applied: AppliedCommit = {
    id,
    commit: tip,
    previousCommit,
    branch: branchName,
    target,
    changed,
    runs,
    manifest: null,
    appliedAt: now.toISOString(),
  };
  const gameDate = slateDate(now);
  if (changed.length > 0) {
    applied.manifest = resolve(
      config.manifests ? resolve(session.root, config.manifests.root) : paths.manifests,
      fillTemplate(config.manifests?.layout ?? DEFAULT_MANIFEST_LAYOUT, {
        asset: APPLY_MANIFEST_ASSET,
        game_date: gameDate,
        run_id: id,
      }),
    );
  }
  const manifest = applied.manifest
    ? promotionManifest({
        applied,
        startedAt,
        gameDate,
        outputPath: (c) => pointerPath(session, c.file),
        checks,
        drift: plan.drift,
      })
    : null;

  ensureDirsInside(
    target,
    plan.writes.map((w) => dirname(pointerPath(session, w.file))),
  );
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
        // The branch agrees with a host rolled back locally: this apply ends the divergence.
        ...(state.diverged ? { reconciled: state.diverged.id } : {}),
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
  return { ...base, applied, upToDate: false, held: null, quiet, trigger, followUps, diff: null };
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
