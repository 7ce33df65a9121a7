/**
 * The flow trigger port: start the daily flow once for an applied commit and follow it to a
 * terminal state. Two implementations: a self-hosted Prefect Server (prefect-trigger.ts) and a
 * plain command (command-trigger.ts) for sites without Prefect; flow-trigger.ts picks one.
 */
import type { FlowRunInfo, TriggerRequest } from '../../core/flow-state.js';
import type { RetryOptions } from '../prefect/retry.js';

interface TriggerResult {
  flowRunId: string;
  /** False when the server returned an existing run for the same idempotency key. */
  created: boolean;
  run: FlowRunInfo;
}

interface FollowOptions {
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
