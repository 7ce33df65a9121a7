/**
 * The agent's pass record (kept in the state directory across processes, so counters survive
 * `agent --once` under a timer) and its rendering in the Prometheus text exposition format that
 * node_exporter's textfile collector reads. Pure: the caller reads and writes the files.
 */
import { ExitCode, InternalError, type PromoteError } from './errors.js';

export const PASS_ERROR_KINDS = ['refused', 'transient', 'config', 'busy', 'internal'] as const;
type PassErrorKind = (typeof PASS_ERROR_KINDS)[number];

export interface PassStats {
  version: 1;
  /** The first pass recorded (ISO time), null before it. */
  since: string | null;
  /** End of the last pass that succeeded (ISO time), null before the first. */
  lastSuccessAt: string | null;
  /** The last pass that failed, kept until the next one fails. */
  lastError: { at: string; kind: PassErrorKind; message: string } | null;
  errors: Record<PassErrorKind, number>;
}

export type PassOutcome = { ok: true; at: Date } | { ok: false; at: Date; error: PromoteError };

export function emptyPassStats(): PassStats {
  return {
    version: 1,
    since: null,
    lastSuccessAt: null,
    lastError: null,
    errors: { refused: 0, transient: 0, config: 0, busy: 0, internal: 0 },
  };
}

/** The metric label of a failed pass: what the exit code says about retrying it. */
export function passErrorKind(error: PromoteError): PassErrorKind {
  if (error instanceof InternalError) return 'internal';
  switch (error.exitCode) {
    case ExitCode.usage:
      return 'config';
    case ExitCode.transient:
      return 'transient';
    case ExitCode.busy:
      return 'busy';
    default:
      return 'refused';
  }
}

export function recordPass(stats: PassStats, outcome: PassOutcome): PassStats {
  const at = outcome.at.toISOString();
  const since = stats.since ?? at;
  if (outcome.ok) return { ...stats, since, lastSuccessAt: at };
  const kind = passErrorKind(outcome.error);
  return {
    ...stats,
    since,
    lastError: { at, kind, message: outcome.error.message },
    errors: { ...stats.errors, [kind]: (stats.errors[kind] ?? 0) + 1 },
  };
}

interface MetricsInput {
  stats: PassStats;
  /** When this host last applied a commit, and every pointer's run then. */
  applied: { at: string; runs: Record<string, string> } | null;
  /** Per pointer of the last finished follow-up: did the manifests show its new run. */
  verification: { pointer: string; ok: boolean }[];
  /** Applied commits whose follow-up (flow run, verification) has not finished. */
  pendingFollowUps: number;
}

const seconds = (iso: string | null) => (iso === null ? 0 : Date.parse(iso) / 1000);

/** A label value as the text format wants it: backslash, double quote and newline escaped. */
function label(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}

function family(
  name: string,
  type: 'gauge' | 'counter',
  help: string,
  samples: [labels: Record<string, string>, value: number][],
): string[] {
  return [
    `# HELP ${name} ${help}`,
    `# TYPE ${name} ${type}`,
    ...samples.map(([labels, value]) => {
      const l = Object.entries(labels).map(([k, v]) => `${k}=${label(v)}`);
      return `${name}${l.length ? `{${l.join(',')}}` : ''} ${value}`;
    }),
  ];
}

/** The metrics file: every family always present, so an alert never waits for a first sample. */
export function renderMetrics(input: MetricsInput): string {
  const { stats, applied } = input;
  const lines = [
    ...family(
      'git_promote_last_pass_timestamp_seconds',
      'gauge',
      'End of the last apply pass that succeeded (Unix time; 0 before the first).',
      [[{}, seconds(stats.lastSuccessAt)]],
    ),
    ...family(
      'git_promote_last_apply_timestamp_seconds',
      'gauge',
      'When this host last applied a new commit (Unix time; 0 before the first).',
      [[{}, seconds(applied?.at ?? null)]],
    ),
    ...family(
      'git_promote_pass_errors_total',
      'counter',
      'Apply passes that failed, by kind: refused (exit 1), config (2), transient (3), busy (4), internal.',
      PASS_ERROR_KINDS.map((kind) => [{ kind }, stats.errors[kind] ?? 0]),
    ),
    ...family(
      'git_promote_applied_run_info',
      'gauge',
      'The run each pointer has applied on this host (always 1).',
      Object.entries(applied?.runs ?? {}).map(([pointer, run]) => [{ pointer, run }, 1]),
    ),
    ...family(
      'git_promote_verification_ok',
      'gauge',
      "Whether the last follow-up's manifests show the pointer's new run in use (1) or not (0).",
      input.verification.map((v) => [{ pointer: v.pointer }, v.ok ? 1 : 0]),
    ),
    ...family(
      'git_promote_pending_follow_ups',
      'gauge',
      'Applied commits whose follow-up (flow run, verification) has not finished.',
      [[{}, input.pendingFollowUps]],
    ),
  ];
  return `${lines.join('\n')}\n`;
}

/**
 * Per pointer, from the last finished follow-up of the flow hook: its verified entries, and for
 * a follow-up that failed before verifying (the flow run failed) every pointer it covered, as 0.
 */
export function verificationOf(
  flow: Record<string, unknown> | undefined,
): { pointer: string; ok: boolean }[] {
  if (!flow) return [];
  const out = new Map<string, boolean>();
  const verified = Array.isArray(flow.verified) ? (flow.verified as Record<string, unknown>[]) : [];
  for (const v of verified) if (typeof v.pointer === 'string') out.set(v.pointer, v.ok === true);
  if (flow.ok === false && Array.isArray(flow.pointers))
    for (const p of flow.pointers) if (typeof p === 'string' && !out.has(p)) out.set(p, false);
  return [...out].map(([pointer, ok]) => ({ pointer, ok }));
}
