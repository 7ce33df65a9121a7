import { join } from 'node:path';
import { CONFIG_FILE, loadConfig } from '../adapters/config-file.js';
import { CONFIG_CHANGED_HINT, configDifferences } from '../core/config-diff.js';
import { fetchBranch, readBlobs, repoPrefix, resolveCommit } from '../adapters/git.js';
import { readPointerRunOr } from '../core/pointer-file.js';
import { readOrNull } from '../adapters/read-text.js';
import type { CommonOptions, Context, Outcome } from './context.js';
import { appliedOnHost, hostStatePaths, openPromotionPulls } from './status-extras.js';
import type { Readiness } from '../adapters/fs/rollback-readiness.js';
import {
  divergedLine,
  divergedStatus,
  freezeLines,
  freezeStatus,
  readinessByPointer,
  type DivergedStatus,
} from './status-safety.js';
import { configForStage } from '../core/stages.js';
import { fleetStatus } from './fleet-status.js';

interface PointerStatus {
  pointer: string;
  file: string;
  branch: string | null;
  local: string | null;
  target: string | null;
  /** The run the agent on this host recorded as applied. */
  applied: string | null;
  /** Open promotion or rollback PRs that change this pointer. */
  pulls: { number: number; kind: string; to: string }[];
  /** The branch is ahead of what this host applied (the agent will apply it): why, else null. */
  pending: string | null;
  /** The target's file differs from what the agent last wrote there (restored on its next pass). */
  drift: string[];
  /** Other differences worth knowing, e.g. this checkout is behind the branch. */
  notes: string[];
  /** Whether the run a rollback would restore is on this host and matches its evidence. */
  rollback: Readiness | null;
  problems: string[];
}

export interface StatusOptions extends CommonOptions {
  /** false with --no-fetch. */
  fetch?: boolean;
  /** The stage whose pointer files are shown (docs/stages.md); default agent.stage. */
  stage?: string;
  /** Per stage and host: applied, last verification, lag (docs/stages.md). */
  fleet?: boolean;
}

export async function status(_args: string[], opts: StatusOptions, ctx: Context): Promise<Outcome> {
  const loaded = await loadConfig(ctx.cwd, ctx.env, opts.config);
  if (opts.fleet) return fleetStatus(loaded, opts, ctx);
  const root = loaded.root;
  // With stages: the stage's pointer files on the branch; the target keeps each pointer's own file.
  const { config, stage } = configForStage(loaded.config, opts.stage);
  const { remote, branch } = config.repository;
  const sha =
    opts.fetch === false
      ? await resolveCommit(root, ctx.env, `refs/remotes/${remote}/${branch}`)
      : await fetchBranch(root, ctx.env, remote, branch);

  const entries = Object.entries(config.pointers);
  const [tipConfig = null, ...remoteBlobs] = sha
    ? await readBlobs(root, ctx.env, [`${sha}:${CONFIG_FILE}`, ...entries.map(([, p]) => `${sha}:${p.file}`)])
    : [];
  const configChanged = configDifferences(loaded.config, tipConfig);
  const target = config.agent.target;
  const host = appliedOnHost(config, root, ctx.env);
  const { pulls, problem: githubProblem, newer } = await openPromotionPulls(config, ctx);
  const prefix = sha ? await repoPrefix(root, ctx.env, 'status') : '';
  const readiness = sha ? await readinessByPointer(config, root, sha, prefix, ctx.env) : {};
  const rows: PointerStatus[] = [];
  for (const [i, [name, p]] of entries.entries()) {
    const problems: string[] = [];
    const onBranch = readPointerRunOr(
      remoteBlobs[i] ?? null,
      p.runField,
      `${remote}/${branch}:${p.file}`,
      problems,
    );
    const local = readPointerRunOr(readOrNull(join(root, p.file)), p.runField, p.file, problems);
    const hostFile = join(target ?? '', loaded.config.pointers[name]!.file);
    const applied = target ? readPointerRunOr(readOrNull(hostFile), p.runField, hostFile, problems) : null;
    // The words of docs/commands/status.md: *pending* = the branch is ahead of what this host applied;
    // *drift* = a file on the host differs from what the agent last wrote there.
    const recorded = host?.runs[name] ?? null;
    const hostRun = host ? recorded : applied;
    // A diverged host is not behind the branch: it holds runs on purpose (said once, below).
    const pending =
      target && onBranch && hostRun !== onBranch && !host?.diverged
        ? `branch has ${onBranch}, this host ${host ? 'applied' : 'has'} ${hostRun ?? 'nothing'}`
        : null;
    const drift: string[] = [];
    if (host && target && recorded && applied !== recorded)
      drift.push(`target has ${applied ?? 'no valid file'}, the agent wrote ${recorded}`);
    const notes: string[] = [];
    if (onBranch && local && onBranch !== local) notes.push(`checkout has ${local}: pull to update it`);
    const open = (pulls ?? []).flatMap((pr) =>
      pr.pointers
        .filter((x) => x.pointer === name)
        .map((x) => ({ number: pr.number, kind: pr.kind, to: x.to })),
    );
    rows.push({
      pointer: name,
      file: p.file,
      branch: onBranch,
      local,
      target: applied,
      applied: host?.runs[name] ?? null,
      pulls: open,
      pending,
      drift,
      notes,
      rollback: readiness[name] ?? null,
      problems,
    });
  }
  const paths = hostStatePaths(config, root, ctx.env);
  const branchRuns = Object.fromEntries(rows.flatMap((r) => (r.branch ? [[r.pointer, r.branch]] : [])));
  const diverged: DivergedStatus | null =
    host?.diverged && paths ? divergedStatus(host.diverged, paths, branchRuns) : null;
  const freeze = await freezeStatus(
    config,
    root,
    prefix,
    host ? (host.diverged?.base ?? host.commit) : null,
    rows.flatMap((r) =>
      r.branch && (host ? host.runs[r.pointer] : r.target) !== r.branch && !host?.diverged
        ? [{ pointer: r.pointer, from: (host ? host.runs[r.pointer] : r.target) ?? null, to: r.branch }]
        : [],
    ),
    ctx,
  );

  const show = (v: string | null) => v ?? '-';
  const text = [
    `${remote}/${branch} @ ${sha ? sha.slice(0, 12) : '(not fetched)'}${stage ? ` (stage ${stage})` : ''}`,
    ...(host
      ? [
          `agent on this host applied ${host.commit.slice(0, 12)} at ${host.at}${host.pending ? ` (follow-up pending for ${host.pending.slice(0, 12)})` : ''}`,
        ]
      : []),
    ...(diverged ? [`diverged: ${divergedLine(diverged)}`] : []),
    ...(freeze ? freezeLines(freeze) : []),
    ...(githubProblem ? [`note: ${githubProblem}`] : []),
    ...newer.map((n) => `note: ${n}`),
    ...(configChanged.length ? [`warning: ${CONFIG_CHANGED_HINT} (${configChanged.join(', ')})`] : []),
    ...rows.flatMap((r) => [
      `${r.pointer}: branch ${show(r.branch)} | checkout ${show(r.local)}${target ? ` | target ${show(r.target)}` : ''}` +
        (r.pending ? `  [pending: ${r.pending}]` : '') +
        (r.drift.length ? `  [drift: ${r.drift.join('; ')}]` : ''),
      ...r.notes.map((n) => `  note: ${n}`),
      ...(r.rollback?.run
        ? [
            `  rollback to ${r.rollback.run}: ${r.rollback.ready ? 'ready' : 'NOT ready'}: ${r.rollback.detail}`,
          ]
        : []),
      ...r.pulls.map((pr) => `  open ${pr.kind} PR #${pr.number} → ${pr.to}`),
      ...r.problems.map((p) => `  problem: ${p}`),
    ]),
  ];
  const broken = rows.some((r) => r.problems.length > 0);
  return {
    exitCode: broken ? 1 : 0,
    data: {
      remote,
      branch,
      sha,
      ...(stage ? { stage } : {}),
      applied: host,
      pullsKnown: pulls !== null,
      configChanged,
      diverged,
      freeze,
      pointers: rows,
    },
    text,
  };
}
