/**
 * Is the flow running right now? The agent asks before it writes a pointer file (the quiet
 * window, docs/switching-safely.md): a run that has started reads the pointer files step by step,
 * so a write in the middle gives one flow run two models.
 *
 * Prefect (`flow.prefect`): the configured deployment's flow runs in PENDING, RUNNING or
 * CANCELLING, from POST /flow_runs/filter with `deployments.id.any_` and
 * `flow_runs.state.type.any_` (src/prefect/server/api/flow_runs.py, read_flow_runs;
 * FlowRunFilterStateType in src/prefect/server/schemas/filters.py). A command flow: the file
 * `flow.lockFile` while it exists, unless it holds only the pid of a process that is gone.
 */
import { readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { BUSY_STATES, type FlowStateType } from '../../core/flow-state.js';
import type { Config } from '../../core/schemas.js';
import { oneLine } from '../../core/workflow-commands.js';
import { createPrefectClient, toFlowRunInfo } from '../prefect/client.js';
import type { RetryOptions } from '../prefect/retry.js';
import { prefectSettings } from '../prefect/settings.js';

export interface ActiveRun {
  /** Prefect's flow run id, or the lock file's path. */
  id: string;
  name?: string;
  state: FlowStateType | 'LOCKED';
  /** Since when (the run's start, else its creation; the lock file's mtime). */
  since: string | null;
}

export interface FlowActivity {
  /** What is asked: `daily/live` or the lock file's path. */
  readonly what: string;
  /** The runs in progress now (empty when quiet); throws a PromoteError when it cannot tell. */
  inProgress(): Promise<ActiveRun[]>;
  /** Notes about what was ignored (a stale lock file), for the log. */
  notes(): string[];
}

export interface FlowActivityDeps {
  env: Record<string, string | undefined>;
  fetch: typeof globalThis.fetch;
  /** The config's directory (flow.lockFile is relative to it). */
  root: string;
  retry?: RetryOptions;
  signal?: AbortSignal;
}

/** A pid file's pid when the file holds nothing else. */
function pidOf(text: string): number | null {
  const m = /^\s*(\d{1,10})\s*$/.exec(text);
  return m ? Number(m[1]) : null;
}

function processGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

function lockFileActivity(path: string): FlowActivity {
  let notes: string[] = [];
  return {
    what: path,
    notes: () => notes,
    async inProgress() {
      notes = [];
      let st;
      try {
        st = statSync(path);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
        throw err;
      }
      if (st.isFile() && st.size <= 64) {
        const pid = pidOf(readFileSync(path, 'utf8'));
        if (pid !== null && pid > 0 && processGone(pid)) {
          notes = [`${path} names pid ${pid}, which is not running: treated as stale`];
          return [];
        }
      }
      return [{ id: path, state: 'LOCKED', since: st.mtime.toISOString() }];
    },
  };
}

function prefectActivity(config: Config, deps: FlowActivityDeps): FlowActivity {
  const settings = prefectSettings(config, deps.env);
  const client = createPrefectClient({
    api: settings.api,
    ...(settings.authString ? { authString: settings.authString } : {}),
    ...(settings.apiKey ? { apiKey: settings.apiKey } : {}),
    fetch: deps.fetch,
    timeoutMs: 15_000,
    ...(deps.retry ? { retry: deps.retry } : {}),
    ...(deps.signal ? { signal: deps.signal } : {}),
  });
  let deploymentId: string | null = null;
  return {
    what: `${settings.flowName}/${settings.deploymentName}`,
    notes: () => [],
    async inProgress() {
      deploymentId ??= (await client.readDeploymentByName(settings.flowName, settings.deploymentName)).id;
      const runs = await client.filterFlowRuns({
        deployments: { id: { any_: [deploymentId] } },
        flow_runs: { state: { type: { any_: [...BUSY_STATES] } } },
        sort: 'START_TIME_ASC',
        limit: 20,
      });
      return runs
        .map(toFlowRunInfo)
        .filter((r) => BUSY_STATES.includes(r.state))
        .map((r) => ({
          id: r.flowRunId,
          ...(r.name ? { name: oneLine(r.name) } : {}),
          state: r.state,
          since: r.startTime ?? r.created,
        }));
    },
  };
}

/** Every source configured (Prefect and/or flow.lockFile); empty when none is. */
export function flowActivities(config: Config, deps: FlowActivityDeps): FlowActivity[] {
  const out: FlowActivity[] = [];
  if (config.flow?.prefect) out.push(prefectActivity(config, deps));
  if (config.flow?.lockFile) out.push(lockFileActivity(resolve(deps.root, config.flow.lockFile)));
  return out;
}
