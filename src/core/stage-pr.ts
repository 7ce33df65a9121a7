/**
 * The pull request of a stage promotion (`propose --stage S --from F`, docs/stages.md), built
 * before anything is sent (pure): which run each pointer takes from F, F's record per host (commit,
 * flow run, verdict, who posted it and when), the pointer diff, and the machine-readable block
 * validate, rollback and history read back (pr-body.ts).
 */
import { PromotionBranch } from './branch-name.js';
import { cell, pointerDiffSection, renderBlock, type PrBlock } from './pr-body.js';
import { pointerFileDiff, type PullRequestDraft } from './promotion-pr.js';
import type { StageRecord } from './stage-record.js';

export interface StagePointer {
  pointer: string;
  file: string;
  from: string | null;
  to: string;
  record: StageRecord;
  recordPath: string;
  /** False when the base branch already holds this record (records are append-only). */
  writeRecord: boolean;
  oldContent: string | null;
  newContent: string;
}

export interface StageProposal {
  stage: string;
  from: string;
  base: string;
  baseSha: string;
  remote: string;
  branch: string;
  pointers: StagePointer[];
  files: Record<string, string>;
  commitMessage: string;
  labels: string[];
}

/** `promote-<stage>/<pointers>/<runs>`: never the first stage's `promote/…` branch of the same runs. */
export function stageBranch(stage: string, assignments: { pointer: string; run: string }[]): string {
  return `promote-${stage}/${new PromotionBranch(assignments).toString().slice('promote/'.length)}`;
}

export function stageTitle(stage: string, pointers: { pointer: string; to: string }[]): string {
  return `promote ${stage}: ${pointers.map((p) => `${p.pointer} → ${p.to}`).join(', ')}`;
}

export function buildStagePullRequest(p: StageProposal): PullRequestDraft {
  const block: PrBlock & { stage: string; from: string } = {
    v: 1,
    kind: 'promotion',
    base: p.base,
    branch: p.branch,
    stage: p.stage,
    from: p.from,
    pointers: p.pointers.map((x) => ({
      pointer: x.pointer,
      file: x.file,
      from: x.from,
      to: x.to,
      evidence: x.recordPath,
      meta_sha256: x.record.meta_sha256,
    })),
  };
  const lines = [
    `## Promotion to ${p.stage}, from ${p.from}`,
    '',
    `${p.stage} takes the runs ${p.from} runs now; the evidence is ${p.from}'s record on GitHub Deployments, which \`validate\` reads again from GitHub.`,
    '',
    '| pointer | from run | to run | verified on ' + p.from + ' |',
    '|---|---|---|---|',
    ...p.pointers.map(
      (x) =>
        `| ${cell(x.pointer)} | ${cell(x.from ?? '(none)')} | ${cell(x.to)} | ${cell(x.record.verified_at)} |`,
    ),
    '',
    `### ${p.from} hosts`,
    '',
    '| pointer | host | commit | flow run | verdict | posted by | at |',
    '|---|---|---|---|---|---|---|',
    ...p.pointers.flatMap((x) =>
      x.record.hosts.map(
        (h) =>
          `| ${cell(x.pointer)} | ${cell(h.host)} | ${h.commit.slice(0, 12)} | ${cell(h.flow_run ?? '-')} | ${h.state} | ${cell(h.status_creator ?? '?')} | ${cell(h.verified_at)} |`,
      ),
    ),
    '',
  ];
  lines.push(
    ...pointerDiffSection(p.pointers.map((x) => pointerFileDiff(x.file, x.oldContent, x.newContent))),
  );
  lines.push(
    `Evidence: ${p.pointers.map((x) => `\`${x.recordPath}\``).join(', ')}`,
    '',
    renderBlock(block),
    '',
  );
  return {
    title: stageTitle(p.stage, p.pointers),
    body: lines.join('\n'),
    head: p.branch,
    base: p.base,
    labels: p.labels,
  };
}
