/**
 * Where a person can look at a flow run: its page in the Prefect UI, `/runs/flow-run/<id>` (the
 * route of Prefect's UI, `ui-v2/src/routes/runs/flow-run.$id.tsx`). A self-hosted UI is served next
 * to the API (the API base without its `/api` suffix) unless PREFECT_UI_URL (Prefect's own setting)
 * says otherwise; Prefect Cloud's UI for the workspace API
 * `https://api.prefect.cloud/api/accounts/<a>/workspaces/<w>` is
 * `https://app.prefect.cloud/account/<a>/workspace/<w>`. Credentials are never included.
 */
import { parseApiUrl } from '../adapters/prefect/api-url.js';
import type { Config } from '../core/schemas.js';

const CLOUD_API = /^https:\/\/api\.prefect\.cloud\/api\/accounts\/([^/]+)\/workspaces\/([^/]+)$/;

export function flowRunUrl(
  config: Config,
  env: Record<string, string | undefined>,
  flowRunId: string,
): string | null {
  const prefect = config.flow?.prefect;
  if (!prefect) return null;
  const ui = env.PREFECT_UI_URL?.trim();
  const raw = ui || env.PREFECT_API_URL?.trim() || prefect.api;
  if (!raw) return null;
  let base: string;
  try {
    base = parseApiUrl(raw, 'the Prefect URL').api;
  } catch {
    return null;
  }
  if (!ui) {
    const cloud = CLOUD_API.exec(base);
    base = cloud
      ? `https://app.prefect.cloud/account/${cloud[1]}/workspace/${cloud[2]}`
      : base.replace(/\/api$/, '');
  }
  return `${base}/runs/flow-run/${encodeURIComponent(flowRunId)}`;
}
