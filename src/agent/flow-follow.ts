/**
 * Runbook steps 4-5 without the agent around them: trigger the daily flow once for an applied
 * commit (or resume following the run saved earlier), persist the flow run id before waiting,
 * follow it to a terminal state, then verify every changed pointer from the manifests.
 */
import type { FlowTrigger } from '../adapters/flow/flow-port.js';
import { createFlowTrigger } from '../adapters/flow/flow-trigger.js';
import { parseDuration } from '../core/duration.js';
import { UsageError } from '../core/errors.js';
import { flowRunSince, type FlowRunInfo, type FlowStateType } from '../core/flow-state.js';
import { slateDate } from '../core/game-date.js';
import type { Config } from '../core/schemas.js';
import type { Context } from '../commands/context.js';
import { currentRun, targetDir, verifyPointer, type PointerVerification } from '../commands/verify.js';

/** What is persisted (through `save`) before following, so a restart resumes the same run. */
export interface SavedFlowRun {
  flowRunId: string;
  kind: 'prefect' | 'command';
  /** The trigger's target (`<flow>/<deployment>`): a run of another deployment is never resumed. */
  target?: string;
  commit: string;
  pointers: string[];
  gameDate: string;
  /** False when the server handed back an existing run for the same idempotency key. */
  created: boolean;
  triggeredAt: string;
}

interface FlowFollowOutcome {
  flowRunId: string;
  created: boolean;
  /** True when an earlier saved run was followed instead of triggering. */
  resumed: boolean;
  gameDate: string;
  state: FlowStateType;
  run: FlowRunInfo;
  /** One verdict per pointer with verify.asset (empty unless the run COMPLETED). */
  verified: PointerVerification[];
  /** Pointers without verify.asset (not verified). */
  unverified: string[];
  /** COMPLETED and every verdict ok. */
  ok: boolean;
}

interface TriggerFollowVerifyOptions {
  config: Config;
  /** Repository root (directory of promote.config.json). */
  root: string;
  /** The applied commit. */
  commit: string;
  /** The pointers it changed (one flow run for all of them). */
  pointers: string[];
  /** Expected run per pointer; default: read from the pointer files in the agent target. */
  runs?: Record<string, string>;
  ctx: Pick<Context, 'env' | 'fetch' | 'now' | 'signal'>;
  /** A run saved by an earlier attempt for this commit: follow it instead of triggering. */
  saved?: Pick<SavedFlowRun, 'flowRunId'> & Partial<SavedFlowRun>;
  save: (saved: SavedFlowRun) => Promise<void>;
  /** Default: the configured trigger (flow.prefect, else flow.command). */
  trigger?: FlowTrigger;
  /** `<stage>/<host>` of an agent that names its stage (the idempotency key includes it). */
  scope?: string;
  onState?: (run: FlowRunInfo) => void;
  /** Default: flow.prefect.timeout, else flow.timeout. */
  timeoutMs?: number;
  pollMs?: number;
}

function flowTimeout(config: Config): number {
  const text = config.flow?.prefect?.timeout ?? config.flow?.timeout ?? '2h';
  return parseDuration(text) ?? 7_200_000;
}

export async function triggerFollowVerify(options: TriggerFollowVerifyOptions): Promise<FlowFollowOutcome> {
  const { config, root, commit, ctx } = options;
  const pointers = [...new Set(options.pointers)].sort();
  const trigger =
    options.trigger ??
    (await createFlowTrigger(config, {
      env: ctx.env,
      fetch: ctx.fetch,
      now: ctx.now,
      cwd: targetDir(config, root),
    }));
  if (!trigger)
    throw new UsageError(
      'no flow is configured to trigger',
      'Add "flow": {"prefect": {...}} or "flow": {"command": [...]} to promote.config.json.',
    );

  // After a switch of flow.prefect.deployment the saved run belongs to the old deployment:
  // following it would verify a run the current configuration did not ask for.
  const resume =
    options.saved &&
    (options.saved.commit === undefined || options.saved.commit === commit) &&
    (options.saved.target === undefined || options.saved.target === trigger.target);
  let flowRunId: string;
  let created = false;
  let gameDate: string;
  if (resume) {
    flowRunId = options.saved!.flowRunId;
    gameDate = options.saved!.gameDate ?? slateDate(ctx.now());
  } else {
    gameDate = slateDate(ctx.now());
    const result = await trigger.trigger({
      commit,
      pointers,
      gameDate,
      ...(options.scope ? { scope: options.scope } : {}),
    });
    flowRunId = result.flowRunId;
    created = result.created;
    await options.save({
      flowRunId,
      kind: trigger.kind,
      target: trigger.target,
      commit,
      pointers,
      gameDate,
      created,
      triggeredAt: ctx.now().toISOString(),
    });
  }

  const run = await trigger.follow(flowRunId, {
    timeoutMs: options.timeoutMs ?? flowTimeout(config),
    ...(ctx.signal ? { signal: ctx.signal } : {}),
    ...(options.onState ? { onState: options.onState } : {}),
    ...(options.pollMs !== undefined ? { pollMs: options.pollMs } : {}),
  });

  const verified: PointerVerification[] = [];
  const unverified: string[] = [];
  if (run.state === 'COMPLETED') {
    const since = flowRunSince(run);
    for (const pointer of pointers) {
      if (!config.pointers[pointer]?.verify || !config.manifests) {
        unverified.push(pointer);
        continue;
      }
      const expectedRun = options.runs?.[pointer] ?? (await currentRun(config, root, pointer)).run;
      verified.push(await verifyPointer({ config, pointer, gameDate, expectedRun, since }));
    }
  }
  return {
    flowRunId,
    created,
    resumed: Boolean(resume),
    gameDate,
    state: run.state,
    run,
    verified,
    unverified,
    ok: run.state === 'COMPLETED' && verified.every((v) => v.ok),
  };
}
