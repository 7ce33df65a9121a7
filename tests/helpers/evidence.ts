/**
 * Valid evidence objects (the evidence format in docs/data-formats.md) for tests, and a repository layout holding them.
 * Override any part; meta_sha256 is computed from the final meta unless given explicitly.
 */
import { canonicalSha256 } from '../../src/core/meta-hash.js';
import { ADOPTED_EVIDENCE_SCHEMA_ID, EVIDENCE_SCHEMA_ID } from '../../src/core/schemas.js';
import { sampleMeta } from './fixtures.js';

export const EVIDENCE_COLUMNS = ['player_id', 'game_id', 'minutes_p50'];

export interface EvidenceOptions {
  /** Slate date of the smoke run (default 2026-11-25: one day before testContext's clock). */
  gameDate?: string;
  contract?: string;
  rows?: number;
  columns?: string[];
  meta?: Record<string, unknown>;
  smoke?: Record<string, unknown>;
  manifest?: Record<string, unknown>;
  checks?: { name: string; ok: boolean; detail?: string }[];
  metaSha256?: string;
  /** Any other top-level fields (or replacements). */
  extra?: Record<string, unknown>;
}

export type EvidenceObject = Record<string, unknown> & {
  pointer: string;
  run_id: string;
  game_date: string;
  meta: Record<string, unknown>;
  meta_sha256: string;
};

export function buildEvidence(pointer: string, runId: string, options: EvidenceOptions = {}): EvidenceObject {
  const gameDate = options.gameDate ?? '2026-11-25';
  const meta = options.meta ?? sampleMeta(runId, options.contract ?? '2.1.0');
  const manifest = {
    asset: `${pointer}_scores`,
    game_date: gameDate,
    run_id: runId,
    run_as_of_ts: `${gameDate}T15:00:00Z`,
    step: 'smoke',
    status: 'success',
    started_at: `${gameDate}T15:00:00Z`,
    finished_at: `${gameDate}T15:00:42Z`,
    duration_s: 42,
    outputs: [
      {
        name: `${pointer}_scores`,
        path: `/tmp/smoke/${pointer}.parquet`,
        rows: options.rows ?? 450,
        columns: options.columns ?? EVIDENCE_COLUMNS,
      },
    ],
    ...options.manifest,
  };
  return {
    schema: EVIDENCE_SCHEMA_ID,
    pointer,
    run_id: runId,
    game_date: gameDate,
    smoke: {
      command: ['python', '-m', 'score', '--run-id', runId, '--no-publish'],
      exit_code: 0,
      started_at: `${gameDate}T15:00:00Z`,
      finished_at: `${gameDate}T15:00:42Z`,
      duration_ms: 42_000,
      published: false,
      ...options.smoke,
    },
    manifest,
    meta,
    meta_sha256: options.metaSha256 ?? canonicalSha256(meta),
    checks: options.checks ?? [
      { name: 'manifest-status', ok: true },
      { name: 'columns', ok: true },
      { name: 'rows', ok: true, detail: `${options.rows ?? 450} rows` },
    ],
    tool: { name: 'git-promote', version: '0.1.0' },
    ...options.extra,
  };
}

export function evidenceJson(pointer: string, runId: string, options: EvidenceOptions = {}): string {
  return `${JSON.stringify(buildEvidence(pointer, runId, options), null, 2)}\n`;
}

/** The repository path of a pointer's evidence. */
export function evidenceFile(pointer: string, runId: string): string {
  return `promotions/${pointer}/${runId}.json`;
}

/** Adopted evidence (schema 2) as `git promote adopt` writes it. */
export function adoptedEvidence(
  pointer: string,
  runId: string,
  options: { meta?: Record<string, unknown>; contract?: string; extra?: Record<string, unknown> } = {},
): Record<string, unknown> {
  const meta = options.meta ?? sampleMeta(runId, options.contract ?? '2.1.0');
  return {
    schema: ADOPTED_EVIDENCE_SCHEMA_ID,
    kind: 'adopted',
    pointer,
    run_id: runId,
    adopted: { by: 'Test Author <author@example.com>', at: '2026-11-20T12:00:00.000Z' },
    meta,
    meta_sha256: canonicalSha256(meta),
    checks: [{ name: 'meta.run_id', ok: true, detail: `meta.json is for ${runId}` }],
    tool: { name: 'git-promote', version: '0.1.0' },
    ...options.extra,
  };
}

export function adoptedEvidenceJson(
  pointer: string,
  runId: string,
  options: Parameters<typeof adoptedEvidence>[2] = {},
): string {
  return `${JSON.stringify(adoptedEvidence(pointer, runId, options), null, 2)}\n`;
}
