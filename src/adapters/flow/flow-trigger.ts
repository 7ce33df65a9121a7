/**
 * The flow trigger port: start the daily flow once for an applied commit and follow it to a
 * terminal state. Two implementations: a self-hosted Prefect Server (`flow.prefect`) and a plain
 * command (`flow.command`) for sites without Prefect.
 */
import { UsageError } from '../../core/errors.js';
import type { FlowRunInfo } from '../../core/flow-state.js';
import type { Config } from '../../core/schemas.js';
import { fillTemplate } from '../../core/template.js';
import type { RetryOptions } from '../prefect/retry.js';

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

export interface TriggerResult {
  flowRunId: string;
  /** False when the server returned an existing run for the same idempotency key. */
  created: boolean;
  run: FlowRunInfo;
}

export interface FollowOptions {
  /** Give up following after this long (TransientError for Prefect; the command is killed). */
  timeoutMs: number;
  signal?: AbortSignal;
  /** Called with the first state seen and each change. */
  onState?: (run: FlowRunInfo) => void;
  /** Time between polls (Prefect; default 5 s). */
  pollMs?: number;
}

export interface FlowTrigger {
  readonly kind: 'prefect' | 'command';
  /** What it starts: `<flow>/<deployment>` for Prefect, the program for a command. */
  readonly target: string;
  trigger(request: TriggerRequest): Promise<TriggerResult>;
  /** Wait until the run is COMPLETED, FAILED, CANCELLED or CRASHED and return it. */
  follow(flowRunId: string, options: FollowOptions): Promise<FlowRunInfo>;
}

export interface FlowTriggerDeps {
  env: Record<string, string | undefined>;
  fetch: typeof globalThis.fetch;
  /** Working directory of `flow.command` (the agent target, else the repository root). */
  cwd: string;
  now: () => Date;
  retry?: RetryOptions;
  /** Per HTTP request (Prefect). */
  requestTimeoutMs?: number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/** The placeholder values of flow parameters and command arguments. */
export function triggerValues(request: TriggerRequest): Record<string, string> {
  return {
    game_date: request.gameDate,
    commit: request.commit,
    pointers: [...request.pointers].sort().join(','),
  };
}

/** Fill `{game_date}`, `{commit}`, `{pointers}` in every string of a parameters object. */
export function fillParameters(value: unknown, values: Record<string, string>): unknown {
  if (typeof value === 'string') return fillTemplate(value, values);
  if (Array.isArray(value)) return value.map((v) => fillParameters(v, values));
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fillParameters(v, values)]));
  return value;
}

/** The configured trigger: Prefect when `flow.prefect` is set, else `flow.command`, else none. */
export async function createFlowTrigger(config: Config, deps: FlowTriggerDeps): Promise<FlowTrigger | null> {
  if (config.flow?.prefect) {
    const { createPrefectTrigger } = await import('./prefect-trigger.js');
    const { prefectSettings } = await import('../prefect/settings.js');
    return createPrefectTrigger(prefectSettings(config, deps.env), deps);
  }
  if (config.flow?.command) {
    const { createCommandTrigger } = await import('./command-trigger.js');
    return createCommandTrigger({
      command: config.flow.command,
      cwd: deps.cwd,
      env: deps.env,
      now: deps.now,
    });
  }
  return null;
}

/** The same as createFlowTrigger, but a missing flow section is a configuration error. */
export async function requireFlowTrigger(config: Config, deps: FlowTriggerDeps): Promise<FlowTrigger> {
  const trigger = await createFlowTrigger(config, deps);
  if (!trigger)
    throw new UsageError(
      'no flow is configured to trigger',
      'Add "flow": {"prefect": {...}} or "flow": {"command": [...]} to promote.config.json, or pass --no-trigger.',
    );
  return trigger;
}
