/** FlowTrigger over a Prefect deployment (self-hosted Prefect Server or Prefect Cloud). */
import { TransientError } from '../../core/errors.js';
import {
  flowIdempotencyKey,
  isTerminalState,
  triggerValues,
  type FlowRunInfo,
} from '../../core/flow-state.js';
import { formatDuration } from '../../core/duration.js';
import { createPrefectClient, toFlowRunInfo, type PrefectClient } from '../prefect/client.js';
import { sleep as realSleep } from '../long-timeout.js';
import type { PrefectSettings } from '../prefect/settings.js';
import { fillParameters } from '../../core/template.js';
import type { FlowTrigger, FlowTriggerDeps } from './flow-port.js';

export function createPrefectTrigger(
  settings: PrefectSettings,
  deps: FlowTriggerDeps,
  client: PrefectClient = createPrefectClient({
    api: settings.api,
    ...(settings.authString ? { authString: settings.authString } : {}),
    ...(settings.apiKey ? { apiKey: settings.apiKey } : {}),
    fetch: deps.fetch,
    ...(deps.requestTimeoutMs ? { timeoutMs: deps.requestTimeoutMs } : {}),
    ...(deps.retry ? { retry: deps.retry } : {}),
  }),
): FlowTrigger {
  const sleep = deps.sleep ?? realSleep;
  const target = `${settings.flowName}/${settings.deploymentName}`;
  return {
    kind: 'prefect',
    target,
    async trigger(request) {
      const deployment = await client.readDeploymentByName(settings.flowName, settings.deploymentName);
      const values = triggerValues(request);
      const { run, created } = await client.createFlowRun(deployment.id, {
        parameters: fillParameters(settings.parameters, values) as Record<string, unknown>,
        tags: ['git-promote', ...[...request.pointers].sort()],
        idempotency_key: flowIdempotencyKey(target, request.commit, request.pointers, request.scope),
        name: `git-promote-${request.commit.slice(0, 12)}`,
      });
      return { flowRunId: run.id, created, run: toFlowRunInfo(run) };
    },
    async follow(flowRunId, options) {
      const deadline = deps.now().getTime() + options.timeoutMs;
      let last: FlowRunInfo | null = null;
      for (;;) {
        try {
          const run = toFlowRunInfo(await client.readFlowRun(flowRunId));
          if (!last || last.state !== run.state || last.stateName !== run.stateName) options.onState?.(run);
          last = run;
          if (isTerminalState(run.state)) return run;
        } catch (err) {
          // A Prefect restart during a two-hour run is not the run failing: keep following
          // until the deadline. Anything else (404, bad credentials) ends it now.
          if (!(err instanceof TransientError)) throw err;
        }
        if (deps.now().getTime() >= deadline)
          throw new TransientError(
            `flow run ${flowRunId} is still ${last?.state ?? 'unknown'} after ${formatDuration(options.timeoutMs)}`,
            'Look at the run in the Prefect UI; the agent resumes following it on its next pass.',
          );
        await sleep(options.pollMs ?? 5_000, options.signal);
      }
    },
  };
}
