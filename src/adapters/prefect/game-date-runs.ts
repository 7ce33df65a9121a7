/** A deployment's flow runs expected to start on a game date's slate day, every page of them. */
import { gameDateWindow } from '../../core/game-date.js';
import type { PrefectClient, PrefectFlowRun } from './client.js';

/**
 * Prefect's scheduler keeps up to 100 future runs up to 100 days ahead, so "the latest runs" of a
 * scheduled deployment are all in the future: select by `expected_start_time` instead
 * (FlowRunFilterExpectedStartTime; src/prefect/server/schemas/filters.py) and page through.
 */
export function readGameDateRuns(
  client: PrefectClient,
  deploymentId: string,
  gameDate: string,
): Promise<PrefectFlowRun[]> {
  const { after, before } = gameDateWindow(gameDate);
  return client.filterAllFlowRuns({
    deployments: { id: { any_: [deploymentId] } },
    flow_runs: { expected_start_time: { after_: after, before_: before } },
    sort: 'EXPECTED_START_TIME_ASC',
  });
}
