/**
 * Where a person can look at a flow run: the Prefect UI page of the run. The UI is served next to
 * the API (the API base without its `/api` suffix) unless PREFECT_UI_URL (Prefect's own setting)
 * says otherwise; its route for a flow run is `/runs/flow-run/<id>` (Prefect's UI router,
 * `ui-v2/src/routes/runs/flow-run.$id.tsx`). Credentials in the URL are never included.
 */
import { parseApiUrl } from '../adapters/prefect/settings.js';
import type { Config } from '../core/schemas.js';

export function flowRunUrl(
  config: Config,
  env: Record<string, string | undefined>,
  flowRunId: string,
): string | null {
  const prefect = config.flow?.prefect;
  if (!prefect) return null;
  const raw = env.PREFECT_UI_URL?.trim() || env.PREFECT_API_URL?.trim() || prefect.api;
  if (!raw) return null;
  try {
    const { api } = parseApiUrl(raw, 'the Prefect URL');
    const ui = env.PREFECT_UI_URL?.trim() ? api : api.replace(/\/api$/, '');
    return `${ui}/runs/flow-run/${encodeURIComponent(flowRunId)}`;
  } catch {
    return null;
  }
}
