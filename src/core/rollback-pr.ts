/**
 * The pull request a rollback opens, built before anything is sent: the PR body value object with
 * kind "rollback" and, added to its block, the commits reverted; plus reading that block (and a
 * promotion's) back from a commit message for `history`.
 */
import { PrBody, type PrBlock } from './pr-body.js';
import type { BlockInfo, EvidenceSummary } from './history.js';
import type { RollbackPlan } from './rollback-plan.js';
import { short } from './rollback-plan.js';
import { evidencePath } from './evidence-path.js';

interface RollbackPullInput {
  plan: RollbackPlan;
  reason: string | null;
  /** Base branch and rollback branch. */
  base: string;
  branch: string;
  /** Pointer file path and the restored run's evidence path (relative to the config root). */
  file: string;
  evidence: string;
  /** Evidence summary of the restored run, when history has it. */
  restoredEvidence: EvidenceSummary | null;
}

/** One reverted commit in the block (an addition to the promotion block's fields). */
interface BlockRevert {
  sha: string;
  pr: number | null;
  from: string | null;
  to: string | null;
}

export function rollbackTitle(plan: RollbackPlan): string {
  return `Roll back ${plan.pointer} to ${plan.restored}`;
}

/**
 * Commit subjects come from earlier PRs, failure messages from servers: they must not add markup
 * (or a second block) to a PR body or comment.
 */
export const inert = (text: string) =>
  text.replace(/[<>&]/g, (c) => (c === '<' ? '&lt;' : c === '>' ? '&gt;' : '&amp;')).replace(/\r?\n/g, ' ');

/** Human summary: run left, run restored, reverted commits and PRs, reason. */
export function rollbackBodyText(plan: RollbackPlan, reason: string | null): string {
  return [
    `Rollback of \`${plan.pointer}\`: leaves \`${plan.left ?? '(none)'}\`, restores \`${plan.restored}\`.`,
    '',
    `Reverted (newest first):`,
    ...plan.reverts.map(
      (r) =>
        `- ${short(r.sha)} ${r.from ?? '(none)'} -> ${r.to ?? '(none)'}${r.pr === null ? '' : ` (#${r.pr})`}: ${inert(r.subject)}`,
    ),
    '',
    `Reason: ${reason === null ? '(none given)' : inert(reason)}`,
    '',
    `The evidence of \`${plan.restored}\` is already in the tree, so no new smoke run is needed.`,
  ].join('\n');
}

/** The full body: the summary as the note, the pointer table and the machine-readable block. */
export function rollbackBody(input: RollbackPullInput): PrBody {
  const { plan } = input;
  const reverts: BlockRevert[] = plan.reverts.map((r) => ({ sha: r.sha, pr: r.pr, from: r.from, to: r.to }));
  const block: PrBlock = {
    v: 1,
    kind: 'rollback',
    base: input.base,
    branch: input.branch,
    pointers: [
      {
        pointer: plan.pointer,
        file: input.file,
        from: plan.left,
        to: plan.restored,
        evidence: input.evidence,
        ...(input.restoredEvidence?.gameDate ? { game_date: input.restoredEvidence.gameDate } : {}),
      },
    ],
    reverts,
    ...(input.reason ? { reason: input.reason } : {}),
  };
  return new PrBody({
    block,
    rows: [
      {
        pointer: plan.pointer,
        from: plan.left,
        to: plan.restored,
        gameDate: input.restoredEvidence?.gameDate ?? '-',
        rows: input.restoredEvidence?.rows ?? null,
        columns: null,
        durationMs: null,
      },
    ],
    checks: [],
    metrics: [],
    diffs: [],
    note: rollbackBodyText(plan, input.reason),
  });
}

/**
 * What the embedded block of a commit message (a squash merge carrying the PR body) says about
 * `pointer`: its kind and, for a rollback, the commits it reverted. Null when there is no valid
 * block or it is about other pointers. Values are only compared, never run.
 */
export function blockInfo(message: string, pointer: string): BlockInfo | null {
  const block = PrBody.parse(message);
  // An adoption changes no pointer file: it is never the block of a pointer change.
  if (!block || block.kind === 'adoption' || !block.pointers.some((p) => p.pointer === pointer)) return null;
  const reverts = Array.isArray(block.reverts)
    ? (block.reverts as unknown[])
        .map((r) => (r && typeof r === 'object' ? (r as { sha?: unknown }).sha : undefined))
        .filter((sha): sha is string => typeof sha === 'string' && /^[0-9a-f]{7,64}$/.test(sha))
    : [];
  return { kind: block.kind, reverts };
}

/** One pointer a break-glass rollback returned on the host (state.diverged.rollbacks). */
export interface LocalRollbackRecord {
  pointer: string;
  file: string;
  from: string | null;
  to: string;
  reason: string | null;
  reverts: (BlockRevert & { subject: string })[];
}

export interface BreakGlassPullInput {
  rollbacks: LocalRollbackRecord[];
  base: string;
  branch: string;
  host: string;
  since: string;
}

export function breakGlassTitle(rollbacks: LocalRollbackRecord[]): string {
  return `Roll back ${rollbacks.map((r) => `${r.pointer} to ${r.to}`).join(', ')} (applied on the host already)`;
}

/**
 * The PR `reconcile` opens for a break-glass rollback (docs/switching-safely.md): the same
 * rollback block as `rollback` writes, one entry per pointer returned, so validate, history and
 * status read it as any rollback; the note says it is already live on the host.
 */
export function breakGlassBody(input: BreakGlassPullInput): PrBody {
  const reasons = [...new Set(input.rollbacks.map((r) => r.reason).filter((r): r is string => r !== null))];
  const note = [
    `Break-glass rollback, already applied on ${inert(input.host)} at ${input.since} while GitHub was unreachable (\`git promote rollback --local\`).`,
    'Merging this brings the branch back in line with the host; the agent resumes once it does, without writing again.',
    '',
    ...input.rollbacks.flatMap((r) => [
      `\`${r.pointer}\`: leaves \`${r.from ?? '(none)'}\`, restores \`${r.to}\`. Reverted (newest first):`,
      ...r.reverts.map(
        (v) =>
          `- ${short(v.sha)} ${v.from ?? '(none)'} -> ${v.to ?? '(none)'}${v.pr === null ? '' : ` (#${v.pr})`}: ${inert(v.subject)}`,
      ),
    ]),
    '',
    `Reason: ${reasons.length ? reasons.map(inert).join('; ') : '(none given)'}`,
  ].join('\n');
  const block: PrBlock = {
    v: 1,
    kind: 'rollback',
    base: input.base,
    branch: input.branch,
    pointers: input.rollbacks.map((r) => ({
      pointer: r.pointer,
      file: r.file,
      from: r.from,
      to: r.to,
      evidence: evidencePath(r.pointer, r.to),
    })),
    reverts: input.rollbacks.flatMap((r) =>
      r.reverts.map((v) => ({ sha: v.sha, pr: v.pr, from: v.from, to: v.to })),
    ),
    ...(reasons.length ? { reason: reasons.join('; ') } : {}),
    breakGlass: { host: input.host, since: input.since },
  };
  return new PrBody({
    block,
    rows: input.rollbacks.map((r) => ({
      pointer: r.pointer,
      from: r.from,
      to: r.to,
      gameDate: '-',
      rows: null,
      columns: null,
      durationMs: null,
    })),
    checks: [],
    metrics: [],
    diffs: [],
    note,
  });
}
