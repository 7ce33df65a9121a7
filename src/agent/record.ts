/**
 * Recording an apply: the finish step of its write set (manifest, state, journal; idempotent so a
 * restart can run it again), recovery of an interrupted set, and the afterApply follow-ups.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { ensureMirror, markApplied } from '../adapters/git-mirror.js';
import { writeFileAtomic } from '../adapters/fs/atomic-write.js';
import {
  appendJournal,
  readJournal,
  readState,
  writeState,
  type AgentState,
  type Diverged,
} from '../adapters/fs/state-store.js';
import { readIntent, recoverIntent, type Intent } from '../adapters/fs/write-set.js';
import type {
  AfterApplyContext,
  AfterApplyHook,
  AppliedCommit,
  FollowUp,
  PointerChange,
} from '../core/apply-result.js';
import { stringifyJson } from '../core/json-file.js';
import type { Manifest } from '../core/schemas.js';
import type { ApplyReport } from './report.js';
import { pointerPath, type AgentSession } from './session.js';
import type { Context } from '../commands/context.js';
import type { PassLog } from './pass-log.js';

/** The record an intent carries, so a restart can finish the apply exactly as it began. */
export interface ApplyRecord {
  applied: AppliedCommit;
  manifest: Manifest | null;
  pendingHooks: boolean;
  drift: { pointer: string; file: string; detail: string }[];
  trigger: ApplyReport['trigger'];
  /** Set by a break-glass rollback: the host now differs from the branch (state.diverged). */
  diverged?: Diverged;
  /** The id of the divergence this apply ends (the branch agrees with the host again). */
  reconciled?: string;
}

/** The finish step of a write set: manifest, state, journal; each skipped when already done. */
export function finisher(session: AgentSession): (intent: Intent<ApplyRecord>) => void {
  const { paths, target, crash } = session;
  return (intent) => {
    const { applied, manifest, pendingHooks, drift, trigger, diverged, reconciled } = intent.record;
    if (manifest && applied.manifest) {
      mkdirSync(dirname(applied.manifest), { recursive: true });
      writeFileAtomic(applied.manifest, stringifyJson(manifest), crash);
      crash('manifest-written');
    }
    const state = readState(paths, target);
    if (state.applied?.id !== applied.id) {
      const next: AgentState = {
        ...state,
        applied: { id: applied.id, commit: applied.commit, at: applied.appliedAt, runs: applied.runs },
        pending: pendingHooks
          ? {
              id: applied.id,
              commit: applied.commit,
              previousCommit: applied.previousCommit,
              changed: applied.changed.map((c) => ({ ...c })),
              runs: applied.runs,
              manifest: applied.manifest,
              since: applied.appliedAt,
              followUps: {},
              progress: {},
            }
          : null,
        // Every apply settles the question: a break-glass rollback sets it, any other clears it.
        diverged: diverged ?? null,
      };
      writeState(paths, next, crash);
    }
    if (!readJournal(paths).some((e) => e.event === 'applied' && e.id === applied.id)) {
      appendJournal(
        paths,
        {
          at: applied.appliedAt,
          event: 'applied',
          id: applied.id,
          commit: applied.commit,
          previousCommit: applied.previousCommit,
          changed: applied.changed,
          drift,
          runs: applied.runs,
          manifest: applied.manifest,
          trigger,
          ...(diverged
            ? { diverged: { base: diverged.base, branch: diverged.branch, head: diverged.head } }
            : {}),
          ...(reconciled ? { reconciled } : {}),
          // Follow-ups of an earlier commit that never finished: this commit's follow-ups cover it.
          ...(state.pending && state.pending.id !== applied.id ? { superseded: state.pending.commit } : {}),
        },
        crash,
      );
    }
  };
}

function hookContext(
  session: AgentSession,
  ctx: Context,
  log: PassLog,
  saved: FollowUp | null,
  save: (data: FollowUp) => Promise<void>,
  earlier: Record<string, FollowUp>,
): AfterApplyContext {
  return {
    config: session.config,
    root: session.root,
    saved,
    save,
    earlier,
    mirror: session.paths.mirror,
    target: session.target,
    crash: session.crash,
    env: ctx.env,
    now: ctx.now,
    fetch: ctx.fetch,
    signal: ctx.signal,
    log: (event, fields) => log(event, fields ?? {}),
  };
}

/** Call the hooks not yet done for the pending commit, recording each outcome as it comes. */
export async function resumeFollowUps(
  session: AgentSession,
  hooks: AfterApplyHook[],
  ctx: Context,
  log: PassLog,
): Promise<Record<string, FollowUp>> {
  const { paths, target } = session;
  let state = readState(paths, target);
  const pending = state.pending;
  if (!pending) return {};
  const applied: AppliedCommit = {
    id: pending.id,
    commit: pending.commit,
    previousCommit: pending.previousCommit,
    branch: `${session.config.repository.remote}/${session.config.repository.branch}`,
    target,
    changed: pending.changed as PointerChange[],
    runs: pending.runs ?? {},
    manifest: pending.manifest ?? null,
    appliedAt: pending.since,
  };
  for (const hook of hooks) {
    if (hook.name in pending.followUps) continue;
    const save = async (data: FollowUp) => {
      pending.progress[hook.name] = data;
      writeState(paths, { ...state, pending });
      appendJournal(paths, {
        at: ctx.now().toISOString(),
        event: 'follow-up-progress',
        id: pending.id,
        commit: pending.commit,
        hook: hook.name,
        data,
      });
    };
    const saved = pending.progress[hook.name] ?? null;
    const outcome =
      (await hook.run(applied, hookContext(session, ctx, log, saved, save, { ...pending.followUps }))) ?? {};
    pending.followUps[hook.name] = outcome;
    writeState(paths, { ...state, pending });
    appendJournal(paths, {
      at: ctx.now().toISOString(),
      event: 'follow-up',
      id: pending.id,
      commit: pending.commit,
      hook: hook.name,
      outcome,
    });
    log('follow-up', { commit: pending.commit.slice(0, 12), hook: hook.name, ...outcome });
  }
  state = readState(paths, target);
  writeState(paths, {
    ...state,
    pending: null,
    lastFollowUps: { commit: pending.commit, followUps: pending.followUps },
  });
  return pending.followUps;
}

/**
 * With the lock held: complete a write set whose intent was committed before a crash, and remove
 * temp files of one that was not. Returns the id of the completed apply, if any.
 */
export async function recoverInterrupted(
  session: AgentSession,
  ctx: Context,
  log: PassLog = () => undefined,
): Promise<{ recovered: string | null; discarded: string[] }> {
  const { config, paths, crash } = session;
  const dirs = Object.values(config.pointers).map((p) => dirname(pointerPath(session, p.file)));
  const interrupted = readIntent<ApplyRecord>(paths.intent);
  if (interrupted) {
    dirs.push(...interrupted.files.map((f) => dirname(f.path)));
    if (interrupted.record.applied.manifest) dirs.push(dirname(interrupted.record.applied.manifest));
  }
  const r = recoverIntent<ApplyRecord>({ intentPath: paths.intent, dirs, finish: finisher(session), crash });
  if (r.completed) {
    await ensureMirror(paths.mirror, ctx.env);
    await markApplied(paths.mirror, ctx.env, r.completed.record.applied.commit);
    log('recovered', { id: r.completed.id, commit: r.completed.record.applied.commit.slice(0, 12) });
  }
  if (r.discarded.length > 0) log('discarded-temps', { files: r.discarded });
  return { recovered: r.completed?.id ?? null, discarded: r.discarded };
}
