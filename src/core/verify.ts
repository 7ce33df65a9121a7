/**
 * Did the pipeline use the promoted run? A pure verdict over the manifests of one asset and game
 * date: the newest manifest must have succeeded and record `models.<pointer>` = the expected run.
 * With `since` (the flow run's start), manifests written before it never count as confirmation.
 */
import type { Manifest } from './schemas.js';

/**
 * The asset of the run manifest the agent writes for each apply (in the pipeline's format, under
 * the same root): git-promote's own record, never evidence that the pipeline ran a slate.
 */
export const APPLY_MANIFEST_ASSET = 'promotion';

export interface ManifestEntry {
  path: string;
  manifest: Manifest;
}

interface VerifyInput {
  pointer: string;
  asset: string;
  gameDate: string;
  expectedRun: string;
  /** Manifests older than this are ignored (the flow run's start). */
  since?: Date | null;
  manifests: readonly ManifestEntry[];
  /**
   * True when the pipeline wrote no manifest of any asset for the game date: a day without a
   * slate, its own outcome (ok, nothing to verify), never a failure.
   */
  noSlate?: boolean;
}

export type VerifyReason =
  | 'confirmed'
  | 'no-slate'
  | 'no-manifests'
  | 'only-older'
  | 'not-finished'
  | 'failed'
  | 'no-model'
  | 'wrong-run';

export interface VerifyVerdict {
  pointer: string;
  asset: string;
  gameDate: string;
  expectedRun: string;
  ok: boolean;
  reason: VerifyReason;
  /** One line saying what was found. */
  detail: string;
  /** The manifest the verdict rests on. */
  manifest: {
    path: string;
    run_id: string;
    status: Manifest['status'];
    model: string | null;
    time: string | null;
  } | null;
  /** Manifests for the asset and date, and how many of them predate `since`. */
  considered: number;
  older: number;
}

/**
 * When a manifest was written: the latest of finished_at, started_at and run_as_of_ts. Using the
 * latest means a manifest this run wrote is never mistaken for an old one, and an old one (all of
 * its times before the flow started) never for a new one.
 */
export function manifestTime(m: Manifest): Date | null {
  let best: number | null = null;
  for (const t of [m.finished_at, m.started_at, m.run_as_of_ts]) {
    if (!t) continue;
    const ms = Date.parse(t);
    if (!Number.isNaN(ms) && (best === null || ms > best)) best = ms;
  }
  return best === null ? null : new Date(best);
}

function summary(entry: ManifestEntry, pointer: string): NonNullable<VerifyVerdict['manifest']> {
  const m = entry.manifest;
  return {
    path: entry.path,
    run_id: m.run_id,
    status: m.status,
    model: m.models?.[pointer] ?? null,
    time: manifestTime(m)?.toISOString() ?? null,
  };
}

export function verifyManifests(input: VerifyInput): VerifyVerdict {
  const { pointer, asset, gameDate, expectedRun } = input;
  const all = input.manifests
    .filter((e) => e.manifest.asset === asset && e.manifest.game_date === gameDate)
    .map((e) => ({ e, t: manifestTime(e.manifest)?.getTime() ?? -Infinity }))
    .sort((a, b) => b.t - a.t || b.e.manifest.run_id.localeCompare(a.e.manifest.run_id));
  const sinceMs = input.since ? input.since.getTime() : null;
  const fresh = sinceMs === null ? all : all.filter((x) => x.t >= sinceMs);
  const base = {
    pointer,
    asset,
    gameDate,
    expectedRun,
    considered: all.length,
    older: all.length - fresh.length,
  };
  const where = `${asset} for ${gameDate}`;

  if (all.length === 0)
    return input.noSlate
      ? { ...base, ok: true, reason: 'no-slate', detail: noSlateText(gameDate), manifest: null }
      : { ...base, ok: false, reason: 'no-manifests', detail: `no manifests of ${where}`, manifest: null };
  if (fresh.length === 0) {
    const s = summary(all[0]!.e, pointer);
    return {
      ...base,
      ok: false,
      reason: 'only-older',
      detail:
        `no manifest of ${where} written since the flow run started (${input.since!.toISOString()}); ` +
        `the newest is run ${s.run_id} at ${s.time ?? 'an unknown time'} with ${pointer}=${s.model ?? '(none)'}`,
      manifest: s,
    };
  }
  const latest = fresh[0]!.e;
  const s = summary(latest, pointer);
  const m = latest.manifest;
  const at = `manifest of ${where} (run ${m.run_id})`;
  if (m.status === 'running' || m.status === 'skipped')
    return {
      ...base,
      ok: false,
      reason: 'not-finished',
      detail: `the newest ${at} is ${m.status}`,
      manifest: s,
    };
  if (m.status === 'failed')
    return {
      ...base,
      ok: false,
      reason: 'failed',
      detail: `the newest ${at} failed${m.failure_reason ? `: ${m.failure_reason}` : ''}`,
      manifest: s,
    };
  if (s.model === null)
    return {
      ...base,
      ok: false,
      reason: 'no-model',
      detail: `the newest ${at} does not record models.${pointer}`,
      manifest: s,
    };
  if (s.model !== expectedRun)
    return {
      ...base,
      ok: false,
      reason: 'wrong-run',
      detail: `the newest ${at} used ${pointer}=${s.model}, not ${expectedRun}`,
      manifest: s,
    };
  return {
    ...base,
    ok: true,
    reason: 'confirmed',
    detail: `${at} succeeded with ${pointer}=${expectedRun}`,
    manifest: s,
  };
}

/** The words of a day without a slate, the same in verify, doctor and the agent's follow-up. */
export function noSlateText(gameDate: string): string {
  return `no slate for ${gameDate}: the pipeline wrote no manifests for that date, so there is nothing to verify`;
}
