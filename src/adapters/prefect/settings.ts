/** Prefect connection settings from config and Prefect's own environment variables. */
import { parseDuration } from '../../core/duration.js';
import { UsageError } from '../../core/errors.js';
import { parseApiUrl } from './api-url.js';
import type { Config } from '../../core/schemas.js';

export interface PrefectSettings {
  /**
   * Base URL without credentials or trailing slash: `…/api` for a self-hosted server,
   * `https://api.prefect.cloud/api/accounts/<id>/workspaces/<id>` for Prefect Cloud.
   */
  api: string;
  /** `user:password` for Basic auth (PREFECT_API_AUTH_STRING, or credentials found in the URL). */
  authString?: string;
  /** Prefect Cloud API key (PREFECT_API_KEY), sent as a Bearer token when no auth string is set. */
  apiKey?: string;
  /** Set when both an auth string and an API key are present: which one is sent. */
  authNote?: string;
  flowName: string;
  deploymentName: string;
  parameters: Record<string, unknown>;
  timeoutMs: number;
}

export function prefectSettings(config: Config, env: Record<string, string | undefined>): PrefectSettings {
  const prefect = config.flow?.prefect;
  if (!prefect)
    throw new UsageError(
      'flow.prefect is not configured',
      'Add "flow": {"prefect": {"deployment": "flow/deployment"}} to promote.config.json.',
    );
  const fromEnv = env.PREFECT_API_URL?.trim();
  const raw = fromEnv || prefect.api;
  if (!raw)
    throw new UsageError(
      'no Prefect API URL: PREFECT_API_URL is unset and flow.prefect.api is missing',
      'Set flow.prefect.api in promote.config.json (e.g. http://127.0.0.1:4200/api) or export PREFECT_API_URL.',
    );
  const { api, authString: fromUrl } = parseApiUrl(raw, fromEnv ? 'PREFECT_API_URL' : 'flow.prefect.api');
  const authString = env.PREFECT_API_AUTH_STRING || fromUrl;
  const apiKey = env.PREFECT_API_KEY?.trim() || undefined;
  const [flowName, deploymentName] = prefect.deployment.split('/') as [string, string];
  return {
    api,
    ...(authString ? { authString } : {}),
    ...(apiKey ? { apiKey } : {}),
    ...(authString && apiKey
      ? {
          authNote:
            "PREFECT_API_AUTH_STRING and PREFECT_API_KEY are both set: Basic auth from the auth string is sent and the API key is ignored, as Prefect's own client does",
        }
      : {}),
    flowName,
    deploymentName,
    parameters: prefect.parameters,
    timeoutMs: parseDuration(prefect.timeout) ?? parseDuration(config.flow?.timeout ?? '2h')!,
  };
}
