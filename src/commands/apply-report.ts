/** What an apply pass reports, for humans (lines, a unified diff for --dry-run) and --json. */
import { createTwoFilesPatch } from 'diff';
import type { AppliedCommit, FollowUp, PointerChange } from '../core/apply-result.js';
import type { Plan } from '../core/plan.js';
import { CONFIG_CHANGED_HINT } from '../core/config-diff.js';

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
