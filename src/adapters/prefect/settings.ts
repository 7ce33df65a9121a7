/** Prefect connection settings from config and Prefect's own environment variables. */
import { parseDuration } from '../../core/duration.js';
import { UsageError } from '../../core/errors.js';
import type { Config } from '../../core/schemas.js';

export interface PrefectSettings {
  /** Base URL ending in `/api`, without credentials or trailing slash. */
  api: string;
  /** `user:password` for Basic auth (PREFECT_API_AUTH_STRING, or credentials found in the URL). */
  authString?: string;
  flowName: string;
  deploymentName: string;
  parameters: Record<string, unknown>;
  timeoutMs: number;
}

/** Parse an API URL, moving any `user:pass@` into the auth string so it never reaches a log. */
export function parseApiUrl(text: string, what: string): { api: string; authString?: string } {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(
      `${what} is not a URL`,
      'Set it to the Prefect API base, such as http://127.0.0.1:4200/api.',
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new UsageError(
      `${what} must be an http(s) URL`,
      'Set it to a URL such as http://127.0.0.1:4200/api.',
    );
  const authString = url.username
    ? `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`
    : undefined;
  url.username = '';
  url.password = '';
  url.search = '';
  url.hash = '';
  return { api: url.toString().replace(/\/+$/, ''), ...(authString ? { authString } : {}) };
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
  const [flowName, deploymentName] = prefect.deployment.split('/') as [string, string];
  return {
    api,
    ...(authString ? { authString } : {}),
    flowName,
    deploymentName,
    parameters: prefect.parameters,
    timeoutMs: parseDuration(prefect.timeout) ?? parseDuration(config.flow?.timeout ?? '2h')!,
  };
}
