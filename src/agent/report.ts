/** What an apply pass reports, for humans (lines, a unified diff for --dry-run) and --json. */
import { createTwoFilesPatch } from 'diff';
import { formatDuration } from '../core/duration.js';
import type { AppliedCommit, FollowUp, PointerChange } from '../core/apply-result.js';
import type { Plan } from '../core/plan.js';
import { CONFIG_CHANGED_HINT } from '../core/config-diff.js';
import { holdRemedy, holdText, type Hold } from '../core/switch-gate.js';
import type { QuietResult } from './quiet-window.js';

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
  /** What the config on the branch changes against the host config (never applied). */
  configChanged: string[];
  trigger: 'skipped' | 'none' | 'done' | 'not-needed';
  /** Why nothing was written although the branch differs (a freeze window, a diverged host). */
  held: Hold | null;
  /** How long the pass waited for a flow run in progress before it wrote. */
  quiet: QuietResult | null;
  /** E.g. the run a promotion replaces could not be restored on this host. */
  warnings: string[];
  followUps: Record<string, FollowUp>;
  diff: string | null;
}

export function unifiedDiff(plan: Plan, actual: Record<string, string | null>): string {
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

function short(sha: string | null): string {
  return sha ? sha.slice(0, 12) : '(none)';
}

export function reportLines(r: ApplyReport): string[] {
  const lines: string[] = [];
  if (r.recovered) lines.push(`completed an interrupted apply (${r.recovered})`);
  if (r.configChanged.length)
    lines.push(`warning: ${CONFIG_CHANGED_HINT} (${r.configChanged.join(', ')}); the host config is used`);
  for (const w of r.warnings) lines.push(`warning: ${w}`);
  if (r.held) {
    lines.push(
      `${r.branch} @ ${short(r.commit)}: ${r.dryRun ? 'would wait' : 'not applied'}: ${holdText(r.held)}`,
    );
    lines.push(`  ${holdRemedy(r.held)}`);
    if (!r.dryRun || r.diff === null) return lines;
  }
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
  if (r.quiet?.waitedMs)
    lines.push(
      `waited ${formatDuration(r.quiet.waitedMs)} for ${r.quiet.waitedFor.join('; ')} to end before writing`,
    );
  if (r.trigger === 'skipped') lines.push('flow not triggered (--no-trigger)');
  else if (r.trigger === 'none' && r.changed.length) lines.push('flow not triggered (no trigger configured)');
  for (const f of Object.values(r.followUps)) lines.push(...followUpLines(f));
  return lines;
}

/** The summary of a follow-up: the flow run and its state, each verification, the deployment. */
export function followUpLines(f: FollowUp): string[] {
  const lines: string[] = [];
  if (f.flow === 'not configured') lines.push('flow: not configured, nothing triggered');
  else if (typeof f.flowRunId === 'string') {
    const resumed = f.resumed === true ? ', resumed' : '';
    const elapsed = typeof f.elapsed === 'string' ? ` after ${f.elapsed}` : '';
    const url = typeof f.url === 'string' ? `  ${f.url}` : '';
    lines.push(`flow run ${f.flowRunId}: ${String(f.state)}${elapsed}${resumed}${url}`);
  }
  if (Array.isArray(f.verified))
    for (const v of f.verified as { pointer: string; ok: boolean; detail: string }[])
      lines.push(`verification ${v.pointer}: ${v.ok ? 'confirmed' : 'NOT confirmed'}: ${v.detail}`);
  if (typeof f.flowRunId === 'string' && f.state !== 'COMPLETED')
    lines.push('verification: not run (the flow run did not complete)');
  if (typeof f.deployment === 'string') lines.push(`deployment: ${f.deployment}`);
  return lines;
}

/** One summary of an apply pass for the agent's log: pointers written, flow run, verification, deployment. */
export function summaryFields(r: ApplyReport): Record<string, unknown> {
  const fields: Record<string, unknown> = {
    commit: r.commit.slice(0, 12),
    written: r.changed.length
      ? r.changed.map((c) => `${c.pointer}:${c.from ?? '-'}->${c.to}`).join(',')
      : 'none',
  };
  for (const f of Object.values(r.followUps)) {
    if (typeof f.flowRunId === 'string') fields.flow_run = f.flowRunId;
    if (typeof f.state === 'string') fields.state = f.state;
    if (Array.isArray(f.verified))
      fields.verified =
        (f.verified as { pointer: string; ok: boolean }[])
          .map((v) => `${v.pointer}:${v.ok ? 'ok' : 'failed'}`)
          .join(',') || 'none';
    if (typeof f.deployment === 'string') fields.deployment = f.deployment;
    if (typeof f.url === 'string') fields.url = f.url;
  }
  return fields;
}
