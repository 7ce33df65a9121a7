/** Prefect's flow run state types (also used for `flow.command` runs) and what counts as finished. */
export const FLOW_STATE_TYPES = [
  'SCHEDULED',
  'PENDING',
  'RUNNING',
  'PAUSED',
  'CANCELLING',
  'COMPLETED',
  'FAILED',
  'CANCELLED',
  'CRASHED',
] as const;
export type FlowStateType = (typeof FLOW_STATE_TYPES)[number];

const TERMINAL: ReadonlySet<FlowStateType> = new Set(['COMPLETED', 'FAILED', 'CANCELLED', 'CRASHED']);

export function isFlowStateType(value: unknown): value is FlowStateType {
  return (FLOW_STATE_TYPES as readonly unknown[]).includes(value);
}

export function isTerminalState(state: FlowStateType): boolean {
  return TERMINAL.has(state);
}

/** A flow run as git-promote sees it, whichever system ran it. */
export interface FlowRunInfo {
  flowRunId: string;
  name?: string;
  state: FlowStateType;
  /** Prefect's state name (e.g. "Late", "AwaitingRetry") or the command's exit description. */
  stateName?: string;
  message?: string;
  /** When the run started executing (ISO); null until it has. */
  startTime: string | null;
  endTime: string | null;
  /** When the run was created (ISO). */
  created: string | null;
  parameters?: Record<string, unknown>;
  /** When the run was scheduled to start (Prefect's expected_start_time). */
  expectedStartTime?: string;
}

/** The moment manifests of this run can be no older than: its start, else its creation. */
export function flowRunSince(run: FlowRunInfo): Date | null {
  for (const t of [run.startTime, run.created]) {
    if (t) {
      const d = new Date(t);
      if (!Number.isNaN(d.getTime())) return d;
    }
  }
  return null;
}

/**
 * The idempotency key of the contract (docs/flow.md, "Prefect settings"): `<flow>/<deployment>:<commit>:<pointer,pointer…>` (pointers
 * sorted). Prefect keys flow runs per (flow_id, idempotency_key), not per deployment, so without
 * the deployment in the key a switch from `daily/live` to `daily/live-v2` would get the old
 * deployment's run back (src/prefect/server/models/flow_runs.py, create_flow_run).
 */
export function flowIdempotencyKey(deployment: string, commit: string, pointers: readonly string[]): string {
  return `${deployment}:${commit}:${[...pointers].sort().join(',')}`;
}
