/**
 * The pull request a promotion opens, built before anything is sent (pure): its block, the smoke
 * rows, checks, metrics against the current run and the pointer diffs. Its rollback twin is
 * rollback-pr.ts.
 */
import { createTwoFilesPatch } from 'diff';
import { outputShape } from './evidence.js';
import { PrBody, type PrBlock, type PrCheck, type PrMetric, type PrRow } from './pr-body.js';
import type { MetricRow } from './metric-gate.js';
import type { Evidence, Meta } from './schemas.js';

/** One `pointer=run` on the command line. */
export interface Assignment {
  pointer: string;
  run: string;
}

export interface ProposedPointer {
  pointer: string;
  file: string;
  from: string | null;
  to: string;
  evidence: Evidence;
  evidencePath: string;
  /** False when the base branch already holds this evidence file (evidence files are append-only). */
  writeEvidence: boolean;
  oldContent: string | null;
  newContent: string;
  currentMeta: Meta | null;
  /** The metric gate's rows, when the pointer has a metrics policy. */
  gate?: MetricRow[];
}

export interface Proposal {
  base: string;
  baseSha: string;
  remote: string;
  branch: string;
  pointers: ProposedPointer[];
  /** Pointers already at the requested run. */
  unchanged: Assignment[];
  files: Record<string, string>;
  commitMessage: string;
  labels: string[];
}

export interface PullRequestDraft {
  title: string;
  body: string;
  head: string;
  base: string;
  labels: string[];
}

export function promotionTitle(pointers: { pointer: string; to: string }[]): string {
  return `promote ${pointers.map((p) => `${p.pointer} → ${p.to}`).join(', ')}`;
}

/** The unified diff of one pointer file in a pull request body (a new file diffs against ''). */
export function pointerFileDiff(file: string, oldContent: string | null, newContent: string): string {
  return createTwoFilesPatch(`a/${file}`, `b/${file}`, oldContent ?? '', newContent, undefined, undefined, {
    context: 3,
  })
    .split('\n')
    .slice(1) // drop the "====" separator line
    .join('\n');
}

/** The pull request exactly as it will be sent (pure). */
export function buildPullRequest(p: Proposal): PullRequestDraft {
  const block: PrBlock = {
    v: 1,
    kind: 'promotion',
    base: p.base,
    branch: p.branch,
    pointers: p.pointers.map((x) => ({
      pointer: x.pointer,
      file: x.file,
      from: x.from,
      to: x.to,
      evidence: x.evidencePath,
      meta_sha256: x.evidence.meta_sha256,
      game_date: x.evidence.game_date,
    })),
  };
  const rows: PrRow[] = p.pointers.map((x) => {
    const shape = outputShape(x.evidence);
    return {
      pointer: x.pointer,
      from: x.from,
      to: x.to,
      gameDate: x.evidence.game_date,
      rows: shape.rows,
      columns: shape.columns,
      durationMs: x.evidence.smoke.duration_ms,
    };
  });
  const checks: PrCheck[] = p.pointers.flatMap((x) =>
    x.evidence.checks.map((c) => ({
      pointer: x.pointer,
      name: c.name,
      ok: c.ok,
      ...(c.detail ? { detail: c.detail } : {}),
    })),
  );
  const metrics: PrMetric[] = p.pointers.flatMap((x) => {
    const cand = x.evidence.meta.metrics ?? {};
    const cur = x.currentMeta?.metrics ?? {};
    const gate = new Map((x.gate ?? []).map((r) => [r.metric, r]));
    const names = [...new Set([...Object.keys(cur), ...Object.keys(cand), ...gate.keys()])].sort();
    return names.map((name) => {
      const row = gate.get(name);
      return {
        pointer: x.pointer,
        name,
        current: cur[name] ?? null,
        candidate: cand[name] ?? null,
        ...(row ? { limit: row.limit, ok: row.ok } : {}),
      };
    });
  });
  const diffs = p.pointers.map((x) => pointerFileDiff(x.file, x.oldContent, x.newContent));
  const body = new PrBody({ block, rows, checks, metrics, diffs }).toString();
  return { title: promotionTitle(p.pointers), body, head: p.branch, base: p.base, labels: p.labels };
}
