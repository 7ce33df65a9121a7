/**
 * `git promote apply`: one pass of the agent. Lock, recover an interrupted write, fetch the branch
 * into the private mirror, refuse rewritten or unsigned history, read config, pointer files and
 * evidence at the tip from git objects, plan against the applied state and the target, check each
 * artifact, write every changed pointer file all-or-nothing, record state, journal and manifest,
 * then run the afterApply hooks (the flow trigger) once for the commit.
 */
import { existsSync, mkdirSync, readFileSync, realpathSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { createTwoFilesPatch } from 'diff';
import { loadConfig, parseConfigText, CONFIG_FILE } from '../adapters/config-file.js';
import { readBlobs } from '../adapters/git.js';
import { randomBytes } from 'node:crypto';
import {
  deleteRef,
  descendsFrom,
  ensureMirror,
  fetchMirror,
  markApplied,
  remoteUrl,
  verifySigned,
} from '../adapters/git-mirror.js';
import { checkArtifact } from '../adapters/fs/artifact.js';
import { writeFileAtomic } from '../adapters/fs/atomic-write.js';
import { crashHook, type CrashHook } from '../adapters/fs/crash-points.js';
import { acquireLock, type HeldLock } from '../adapters/fs/lock.js';
import {
  appendJournal,
  ensureStateDir,
  readJournal,
  readState,
  resolveStateDir,
  statePaths,
  writeState,
  type AgentState,
  type StatePaths,
} from '../adapters/fs/state-store.js';
import { readIntent, recoverIntent, writeSet, type Intent } from '../adapters/fs/write-set.js';
import type {
  AfterApplyContext,
  AfterApplyHook,
  AppliedCommit,
  FollowUp,
  PointerChange,
} from '../core/apply-result.js';
import { CheckFailedError, isPromoteError, UsageError } from '../core/errors.js';
import { slateDate } from '../core/game-date.js';
import { parseWith, stringifyJson } from '../core/json-file.js';
import { planApply, type Plan } from '../core/plan.js';
import { isInside } from '../core/artifact-checks.js';
import { isRunId } from '../core/run-id.js';
import { evidenceSchema, type Config, type Manifest } from '../core/schemas.js';
import { fillTemplate } from '../core/template.js';
import type { Context, Outcome } from './context.js';

export interface ApplyOptions {
  dryRun?: boolean;
  /** false with --no-trigger: the afterApply hooks are not called. */
  trigger?: boolean;
  wait?: boolean;
  allowRewrite?: boolean;
  config?: string;
}

export interface ApplyDeps {
  afterApply: AfterApplyHook[];
}

/** Everything a pass needs that does not change between passes. */
export interface AgentSession {
  config: Config;
  root: string;
  target: string;
  paths: StatePaths;
  crash: CrashHook;
}

export interface ApplyReport {
  /** Present when a commit was applied by this pass. */
  applied: AppliedCommit | null;
  commit: string;
  previousCommit: string | null;
  branch: string;
  target: string;
  dryRun: boolean;
  upToDate: boolean;
  changed: PointerChange[];
  drift: { pointer: string; file: string; detail: string }[];
  /** Apply id of an interrupted write completed at the start of this pass. */
  recovered: string | null;
  discardedTemps: string[];
  trigger: 'skipped' | 'none' | 'done' | 'not-needed';
  followUps: Record<string, FollowUp>;
  diff: string | null;
}

/** The record an intent carries, so a restart can finish the apply exactly as it began. */
interface ApplyRecord {
  applied: AppliedCommit;
  manifest: Manifest | null;
  pendingHooks: boolean;
  drift: { pointer: string; file: string; detail: string }[];
  trigger: ApplyReport['trigger'];
}

export async function openSession(opts: ApplyOptions, ctx: Context): Promise<AgentSession> {
  const { config, root } = await loadConfig(ctx.cwd, ctx.env, opts.config);
  if (!config.agent.target) {
    throw new UsageError(
      'agent.target is not set in promote.config.json',
      'Set agent.target to the pipeline checkout this host runs (where the pointer files live).',
    );
  }
  const target = resolve(root, config.agent.target);
  const paths = statePaths(resolveStateDir(config.agent.state, target, ctx.env, root));
  return { config, root, target, paths, crash: crashHook(ctx.env) };
}

export function lockSession(
  session: AgentSession,
  opts: { wait?: boolean; command: string },
  ctx: Context,
): Promise<HeldLock> {
  ensureStateDir(session.paths);
  return acquireLock(session.paths.lock, {
    wait: opts.wait,
    signal: ctx.signal,
    now: ctx.now,
    command: opts.command,
  });
}

function pointerPath(session: AgentSession, file: string): string {
  return join(session.target, file);
}

function readOrNull(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return null;
    throw err;
  }
}

function compactTime(d: Date): string {
  return d
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
}

/** The finish step of a write set: manifest, state, journal; each skipped when already done. */
function finisher(session: AgentSession): (intent: Intent<ApplyRecord>) => void {
  const { paths, target, crash } = session;
  return (intent) => {
    const { applied, manifest, pendingHooks, drift, trigger } = intent.record;
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
            }
          : null,
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
          // Follow-ups of an earlier commit that never finished: this commit's follow-ups cover it.
          ...(state.pending && state.pending.id !== applied.id ? { superseded: state.pending.commit } : {}),
        },
        crash,
      );
    }
  };
}

function hookContext(session: AgentSession, ctx: Context, log: PassLog): AfterApplyContext {
  return {
    config: session.config,
    env: ctx.env,
    now: ctx.now,
    fetch: ctx.fetch,
    signal: ctx.signal,
    log: (event, fields) => log(event, fields ?? {}),
  };
}

export type PassLog = (event: string, fields: Record<string, unknown>) => void;

/** Call the hooks not yet done for the pending commit, recording each outcome as it comes. */
async function resumeFollowUps(
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
    const outcome = (await hook.run(applied, hookContext(session, ctx, log))) ?? {};
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

function unifiedDiff(plan: Plan, actual: Record<string, string | null>): string {
  return plan.writes
    .map((w) =>
      createTwoFilesPatch(
        actual[w.pointer] === null ? '/dev/null' : `a/${w.file}`,
        `b/${w.file}`,
        actual[w.pointer] ?? '',
        w.content,
        undefined,
        undefined,
        { context: 3 },
      ).replace(/^=+\n/, ''),
    )
    .join('');
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
    crash('locked');
    ({ recovered, discarded: discardedTemps } = await recoverInterrupted(session, ctx, log));
  } else if (readIntent(paths.intent)) {
    log('interrupted', { detail: 'an interrupted apply will be completed by the next apply' });
  }

  // 2. Fetch into the private mirror.
  const state = readState(paths, target);
  await ensureMirror(paths.mirror, ctx.env);
  if (state.applied && !opts.dryRun) await markApplied(paths.mirror, ctx.env, state.applied.commit);
  const url = await remoteUrl(session.root, ctx.env, remote);
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
  if (config.agent.requireSignedCommits) await verifySigned(paths.mirror, ctx.env, tip);

  // 4. Config, pointer files and evidence at the tip, from git objects.
  const localPointers = Object.entries(config.pointers);
  const first = await readBlobs(paths.mirror, ctx.env, [
    `${tip}:${CONFIG_FILE}`,
    ...localPointers.map(([, p]) => `${tip}:${p.file}`),
  ]);
  let tipConfig = config;
  if (first[0] !== null && first[0] !== undefined) {
    try {
      tipConfig = parseConfigText(first[0], `${CONFIG_FILE} at ${tip.slice(0, 12)}`).config;
    } catch (err) {
      if (!isPromoteError(err)) throw err;
      throw new CheckFailedError(err.message, `Fix ${CONFIG_FILE} on ${branchName}; nothing was applied.`, {
        details: err.details,
      });
    }
  }
  const pointers = Object.entries(tipConfig.pointers);
  const known = new Map(localPointers.map(([, p], i) => [p.file, first[i + 1] ?? null]));
  const missingFiles = pointers.map(([, p]) => p.file).filter((f) => !known.has(f));
  if (missingFiles.length > 0) {
    const more = await readBlobs(
      paths.mirror,
      ctx.env,
      missingFiles.map((f) => `${tip}:${f}`),
    );
    missingFiles.forEach((f, i) => known.set(f, more[i] ?? null));
  }
  const desired: Record<string, string> = {};
  for (const [name, p] of pointers) {
    const content = known.get(p.file) ?? null;
    if (content === null) {
      throw new CheckFailedError(
        `pointer "${name}": ${p.file} does not exist on ${branchName} at ${tip.slice(0, 12)}`,
        `Commit ${p.file} to ${branchName}; nothing was applied.`,
      );
    }
    desired[name] = content;
  }

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
  const evidencePaths = plan.writes.map((w) => `promotions/${w.pointer}/${w.desiredRun}.json`);
  const evidenceTexts = await readBlobs(
    paths.mirror,
    ctx.env,
    evidencePaths.map((e) => `${tip}:${e}`),
  );
  const problems: string[] = [];
  const checks: { name: string; status: 'pass' | 'fail'; detail?: string }[] = [];
  plan.writes.forEach((w, i) => {
    const pointer = tipConfig.pointers[w.pointer]!;
    const text = evidenceTexts[i] ?? null;
    if (!isRunId(w.desiredRun)) {
      problems.push(`${w.pointer}: invalid run id`);
      return;
    }
    if (text === null) {
      problems.push(`${w.pointer}: no evidence ${evidencePaths[i]} on ${branchName}`);
      return;
    }
    let evidence;
    try {
      evidence = parseWith(evidenceSchema, text, evidencePaths[i]!);
    } catch (err) {
      if (!isPromoteError(err)) throw err;
      problems.push(`${w.pointer}: ${err.message}`);
      return;
    }
    if (evidence.pointer !== w.pointer || evidence.run_id !== w.desiredRun) {
      problems.push(
        `${w.pointer}: ${evidencePaths[i]} is evidence for ${evidence.pointer}=${evidence.run_id}`,
      );
      return;
    }
    const check = checkArtifact(pointer.artifacts, session.root, w.desiredRun, evidence, pointer.contract);
    problems.push(...check.problems.map((p) => `${w.pointer}=${w.desiredRun}: ${p}`));
    checks.push({
      name: `artifact:${w.pointer}`,
      status: check.problems.length ? 'fail' : 'pass',
      detail: check.problems[0] ?? `${check.dir} matches evidence meta_sha256`,
    });
  });
  if (problems.length > 0) {
    throw new CheckFailedError(
      `refusing to apply ${branchName} at ${tip.slice(0, 12)}: ${problems[0]}`,
      'Fix the artifact or the promotion on the branch; the applied pointers were kept.',
      { details: problems.slice(1) },
    );
  }

  const changed: PointerChange[] = plan.writes.map((w) => ({
    pointer: w.pointer,
    file: w.file,
    from: w.actualRun,
    to: w.desiredRun,
    reason: w.reason!,
  }));
  const hooksWanted = deps.afterApply.length > 0 && opts.trigger !== false;
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
    const followUps =
      hooksWanted && state.pending ? await resumeFollowUps(session, deps.afterApply, ctx, log) : {};
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
  const id = `apply-${compactTime(now)}-${tip.slice(0, 12)}`;
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
              asset: 'promotion',
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
        asset: 'promotion',
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
  });
  await markApplied(paths.mirror, ctx.env, tip);
  log('applied', {
    commit: tip.slice(0, 12),
    changed: changed.length ? changed.map((c) => `${c.pointer}:${c.from ?? '-'}->${c.to}`).join(',') : 'none',
    ...(plan.drift.length ? { drift: plan.drift.map((d) => d.pointer).join(',') } : {}),
    trigger,
  });

  // 9. Hand the change to the hooks (flow trigger, deployments).
  const followUps = trigger === 'done' ? await resumeFollowUps(session, deps.afterApply, ctx, log) : {};
  return { ...base, applied, upToDate: false, trigger, followUps, diff: null };
}

function short(sha: string | null): string {
  return sha ? sha.slice(0, 12) : '(none)';
}

export function reportLines(r: ApplyReport): string[] {
  const lines: string[] = [];
  if (r.recovered) lines.push(`completed an interrupted apply (${r.recovered})`);
  for (const d of r.drift)
    lines.push(`drift: ${d.file} (${d.pointer}): ${d.detail}${r.dryRun ? '' : '; restored'}`);
  if (r.dryRun) {
    if (r.changed.length === 0) lines.push(`${r.branch} @ ${short(r.commit)}: nothing to apply`);
    else {
      lines.push(`${r.branch} @ ${short(r.commit)}: would apply (dry run, nothing changed):`);
      lines.push(r.diff!.trimEnd());
    }
    return lines;
  }
  if (r.upToDate) {
    lines.push(`${r.branch} @ ${short(r.commit)}: up to date, nothing to apply`);
    return lines;
  }
  lines.push(
    `applied ${r.branch} @ ${short(r.commit)} (was ${short(r.previousCommit)}) to ${r.target}` +
      (r.changed.length === 0 ? ': no pointer changed' : ':'),
  );
  for (const c of r.changed)
    lines.push(`  ${c.pointer}: ${c.from ?? '-'} -> ${c.to} (${c.reason}, ${c.file})`);
  if (r.applied?.manifest) lines.push(`manifest: ${r.applied.manifest}`);
  if (r.trigger === 'skipped') lines.push('flow not triggered (--no-trigger)');
  else if (r.trigger === 'none' && r.changed.length) lines.push('flow not triggered (no trigger configured)');
  return lines;
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
      const report = await applyPass(session, opts, deps, ctx);
      return { exitCode: 0, data: report, text: reportLines(report) };
    } finally {
      lock.release();
    }
  };
}

export const apply = makeApply({ afterApply: [] });
