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
 * deployment's run back (src/prefect/server/models/flow_runs.py, create_flow_run). An agent that
 * names its stage adds `<stage>/<host>` (docs/stages.md): two hosts applying the same commit
 * through one Prefect server each get their own run.
 */
export function flowIdempotencyKey(
  deployment: string,
  commit: string,
  pointers: readonly string[],
  scope?: string,
): string {
  return `${deployment}:${scope ? `${scope}:` : ''}${commit}:${[...pointers].sort().join(',')}`;
}

export interface TriggerRequest {
  /** The applied commit (full sha). */
  commit: string;
  /** The pointers that commit changed. */
  pointers: string[];
  /** The slate date for `{game_date}` (YYYY-MM-DD, ET). */
  gameDate: string;
  /** `<stage>/<host>` of an agent that names its stage, for the idempotency key. */
  scope?: string;
}

/** The placeholder values of flow parameters and command arguments. */
export function triggerValues(request: TriggerRequest): Record<string, string> {
  return {
    game_date: request.gameDate,
    commit: request.commit,
    pointers: [...request.pointers].sort().join(','),
  };
}

/**
 * The states in which a flow run is using the pointer files (docs/switching-safely.md): starting
 * (PENDING), executing (RUNNING) or still stopping (CANCELLING). A pointer written then would
 * reach only the steps that start afterwards.
 */
export const BUSY_STATES: readonly FlowStateType[] = ['PENDING', 'RUNNING', 'CANCELLING'];
