/**
 * What an apply hands to the steps that follow it (the flow trigger, deployment statuses): the
 * extension point of the agent. Types only.
 */
import type { Config } from './schemas.js';
import type { ChangeReason } from './plan.js';

export interface PointerChange {
  pointer: string;
  /** Pointer file, relative to the target. */
  file: string;
  /** Run before (null when the file did not exist or did not parse). */
  from: string | null;
  to: string;
  reason: ChangeReason;
}

export interface AppliedCommit {
  /** Apply id, also the run_id of the apply's own manifest. */
  id: string;
  commit: string;
  previousCommit: string | null;
  /** "<remote>/<branch>" */
  branch: string;
  target: string;
  changed: PointerChange[];
  /** Every pointer's run at `commit`. */
  runs: Record<string, string>;
  /** The apply's run manifest, when one was written. */
  manifest: string | null;
  appliedAt: string;
}

/** What a hook returns, recorded in state.pending.followUps[hook.name] and the journal (JSON). */
export type FollowUp = Record<string, unknown>;

export interface AfterApplyContext {
  config: Config;
  /** The pipeline repository root (directory of promote.config.json). */
  root: string;
  /** What this hook saved for this commit with save() before a crash or failure, else null. */
  saved: FollowUp | null;
  /** The outcomes of the hooks before this one for this commit, by hook name. */
  earlier: Record<string, FollowUp>;
  /** The agent's private mirror of the branch (a bare repository holding the applied commit). */
  mirror: string;
  /** The pipeline checkout the agent writes (its `origin` is the repository's remote). */
  target: string;
  /** Fault injection for the crash tests (adapters/fs/crash-points.ts); a no-op otherwise. */
  crash: (step: string) => void;
  /**
   * Persist progress before a long wait (e.g. the flow run id before following it): written to
   * state.pending.progress[hook.name] atomically and journalled, and handed back as `saved`
   * if the hook has to run again for this commit.
   */
  save(data: FollowUp): Promise<void>;
  env: Record<string, string | undefined>;
  now: () => Date;
  fetch: typeof globalThis.fetch;
  signal?: AbortSignal;
  /** One log line for the agent's log. */
  log(event: string, fields?: Record<string, unknown>): void;
}

/**
 * Called once per applied commit that changed a pointer, after the change is durable. A hook that
 * throws leaves the commit pending: the next apply pass calls it again (so it must be idempotent,
 * e.g. a flow run with idempotency_key), and hooks already done are not called again.
 */
export interface AfterApplyHook {
  /** Stable key for the state and journal, e.g. "prefect" or "github-deployment". */
  name: string;
  /** Whether the hook has anything to do with this configuration and environment (default: yes). */
  enabled?(config: Config, env: Record<string, string | undefined>): boolean;
  run(applied: AppliedCommit, ctx: AfterApplyContext): Promise<FollowUp | void>;
}
