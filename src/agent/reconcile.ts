/**
 * After a break-glass rollback (break-glass.ts; docs/switching-safely.md): bring the branch back
 * in line with the host. Fetch the branch; if it already selects the host's runs there is nothing
 * to do (the agent resumes by itself). Otherwise push the revert branch prepared in the mirror
 * (rebuilt on the current tip when the branch moved meanwhile) and open or update its pull
 * request. Runs beside a running agent: it fetches into a scratch ref, writes no pointer file and
 * no state, and records what it did in the journal.
 */
import { randomBytes } from 'node:crypto';
import { appendJournal, readState, writeState, type Diverged } from '../adapters/fs/state-store.js';
import { readBlobs, runGit } from '../adapters/git.js';
import { deleteRef, ensureMirror, fetchMirror, pushFromMirror, remoteUrl } from '../adapters/git-mirror.js';
import { revertInWorktree } from '../adapters/revert-worktree.js';
import { CheckFailedError, PromoteError, toPromoteError } from '../core/errors.js';
import type { Forge } from '../core/forge.js';
import { readPointerRun } from '../core/pointer-file.js';
import { breakGlassBody, breakGlassTitle } from '../core/rollback-pr.js';
import { branchAgrees, disagreements } from '../core/switch-gate.js';
import type { Context } from '../commands/context.js';
import { requireForge } from '../commands/forge-access.js';
import { createPullRequest } from '../commands/propose-push.js';
import { revertEnv, runsAt } from './break-glass.js';
import { lockSession, type AgentSession } from './session.js';

export interface ReconcileReport {
  /** nothing: not diverged; agrees: the branch already selects the host's runs; opened: pushed + PR. */
  outcome: 'nothing' | 'agrees' | 'opened' | 'abandoned';
  diverged: Diverged | null;
  tip: string | null;
  head: string | null;
  rebuilt: boolean;
  pr: { number: number; url: string; updated: boolean } | null;
}

/** The revert commits on top of `tip`, one pointer at a time, checked to select the host's runs. */
async function rebuild(session: AgentSession, d: Diverged, tip: string, ctx: Context): Promise<string> {
  const env = revertEnv(ctx.env);
  let head = tip;
  for (const r of d.rollbacks) {
    ({ head } = await revertInWorktree({
      cwd: session.paths.mirror,
      env,
      base: head,
      targets: r.reverts,
      allowed: (p) => p === r.file || p.startsWith(`promotions/${r.pointer}/`),
    }));
  }
  const runs = await runsAt(session, head, ctx.env);
  const off = d.rollbacks.filter((r) => runs[r.pointer] !== r.to);
  if (off.length)
    throw new CheckFailedError(
      `the branch moved since the local rollback and the revert on ${tip.slice(0, 12)} leaves ${off
        .map((r) => `${r.pointer}=${runs[r.pointer] ?? '(none)'} (host ${r.to})`)
        .join(', ')}; nothing was pushed`,
      'Bring the branch to the host’s runs with a reviewed PR (the agent resumes when they agree), or `git promote reconcile --abandon` to let the branch win.',
    );
  return head;
}

async function openPull(forge: Forge, session: AgentSession, d: Diverged): Promise<ReconcileReport['pr']> {
  const { config } = session;
  const base = config.repository.branch;
  const body = breakGlassBody({
    rollbacks: d.rollbacks,
    base,
    branch: d.branch,
    host: d.host,
    since: d.since,
  });
  const pull = await createPullRequest(forge, {
    title: breakGlassTitle(d.rollbacks),
    body: body.toString(),
    head: d.branch,
    base,
    labels: config.policy.rollbackLabels,
  });
  return { number: pull.number, url: pull.url, updated: pull.action === 'updated' };
}

/** `reconcile --abandon`: forget the divergence (with the lock); the next pass applies the branch. */
async function abandon(session: AgentSession, ctx: Context): Promise<ReconcileReport> {
  const lock = await lockSession(session, { command: 'git-promote reconcile --abandon' }, ctx);
  try {
    const state = readState(session.paths, session.target);
    if (!state.diverged)
      return { outcome: 'nothing', diverged: null, tip: null, head: null, rebuilt: false, pr: null };
    // The host keeps its files (the agent writes the branch over them on its next pass, as a
    // change from the runs it holds); the applied commit goes back to the branch it left.
    writeState(
      session.paths,
      {
        ...state,
        applied: state.applied && { ...state.applied, commit: state.diverged.base },
        diverged: null,
      },
      session.crash,
    );
    appendJournal(session.paths, {
      at: ctx.now().toISOString(),
      event: 'diverged-abandoned',
      id: state.diverged.id,
      runs: state.diverged.runs,
    });
    return {
      outcome: 'abandoned',
      diverged: state.diverged,
      tip: null,
      head: null,
      rebuilt: false,
      pr: null,
    };
  } finally {
    lock.release();
  }
}

export async function reconcileHost(
  session: AgentSession,
  opts: { abandon?: boolean },
  ctx: Context,
): Promise<ReconcileReport> {
  if (opts.abandon) return abandon(session, ctx);
  const { config, paths, target } = session;
  const d = readState(paths, target).diverged;
  if (!d) return { outcome: 'nothing', diverged: null, tip: null, head: null, rebuilt: false, pr: null };
  // Checked before anything is pushed: a PR must be possible (a token and repository.github).
  const forge = await requireForge(ctx, config.repository.github);

  await ensureMirror(paths.mirror, ctx.env);
  const { remote, branch } = config.repository;
  const url = await remoteUrl(target, ctx.env, remote);
  const scratch = `refs/git-promote/reconcile-${process.pid}-${randomBytes(4).toString('hex')}`;
  let tip: string;
  try {
    tip = await fetchMirror(paths.mirror, ctx.env, url, branch, { ref: scratch, signal: ctx.signal });
  } finally {
    await deleteRef(paths.mirror, ctx.env, scratch);
  }
  const texts = await readBlobs(
    paths.mirror,
    ctx.env,
    Object.values(config.pointers).map((p) => `${tip}:${p.file}`),
  );
  const tipRuns: Record<string, string> = {};
  Object.entries(config.pointers).forEach(([name, p], i) => {
    const text = texts[i];
    if (text) tipRuns[name] = readPointerRun(text, p.runField, `${remote}/${branch}:${p.file}`);
  });
  const rolledBack = d.rollbacks.map((r) => r.pointer);
  if (branchAgrees(d.runs, tipRuns, rolledBack))
    return { outcome: 'agrees', diverged: d, tip, head: null, rebuilt: false, pr: null };

  const rebuilt = tip !== d.base;
  const head = rebuilt ? await rebuild(session, d, tip, ctx) : d.head;
  await pushFromMirror(paths.mirror, ctx.env, {
    url,
    remote,
    sha: head,
    branch: d.branch,
    otherHint: 'Check access to the remote, then run `git promote reconcile` again.',
  });
  if (rebuilt) await runGit(paths.mirror, ctx.env, ['update-ref', '--', `refs/heads/${d.branch}`, head]);

  let pr: ReconcileReport['pr'];
  try {
    pr = await openPull(forge, session, d);
  } catch (err) {
    const e = toPromoteError(err);
    throw new PromoteError(
      e.exitCode,
      `${e.message} (the branch ${d.branch} was pushed)`,
      `${e.remedy} Then run \`git promote reconcile\` again: it opens or updates the PR.`,
      { cause: err },
    );
  }
  appendJournal(paths, {
    at: ctx.now().toISOString(),
    event: 'reconcile',
    id: d.id,
    branch: d.branch,
    head,
    tip,
    rebuilt,
    pr,
    differences: disagreements(d.runs, tipRuns, rolledBack),
  });
  return { outcome: 'opened', diverged: d, tip, head, rebuilt, pr };
}
