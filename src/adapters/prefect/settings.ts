/** Prefect connection settings from config and Prefect's own environment variables. */
import { parseDuration } from '../../core/duration.js';
import { UsageError } from '../../core/errors.js';
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

/** Parse an API URL, moving any `user:pass@` into the auth string so it never reaches a log. */
export function parseApiUrl(text: string, what: string): { api: string; authString?: string } {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(
      `${what} is not a URL`,
      'Set it to the Prefect API base, such as http://127.0.0.1:4200/api (self-hosted) or https://api.prefect.cloud/api/accounts/<id>/workspaces/<id> (Prefect Cloud).',
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

/** Prefect Cloud's workspace API URL: https://api.prefect.cloud/api/accounts/<id>/workspaces/<id>. */
const CLOUD_WORKSPACE = /\/api\/accounts\/[^/]+\/workspaces\/[^/]+$/;

export function isPrefectCloud(api: string): boolean {
  const url = new URL(api);
  return url.hostname.endsWith('prefect.cloud') || CLOUD_WORKSPACE.test(url.pathname);
}

/** What to do when the configured URL answers with something that is not Prefect's JSON API. */
export function apiUrlHint(api: string): string {
  const url = new URL(api);
  if (isPrefectCloud(api))
    return 'Set PREFECT_API_URL to the workspace API URL https://api.prefect.cloud/api/accounts/<account-id>/workspaces/<workspace-id> (`prefect cloud workspace ls`, `prefect config view`).';
  if (!/\/api$/.test(url.pathname))
    return `Set PREFECT_API_URL (or flow.prefect.api) to ${api}/api: Prefect serves its API under /api and its UI everywhere else.`;
  return 'Check that PREFECT_API_URL / flow.prefect.api points at the Prefect API itself, not a proxy or UI page.';
}

/** One line naming the credentials a client built from these settings sends (never their value). */
export function authDescription(settings: Pick<PrefectSettings, 'authString' | 'apiKey'>): string {
  if (settings.authString) return 'Basic auth from PREFECT_API_AUTH_STRING';
  if (settings.apiKey) return 'Bearer PREFECT_API_KEY';
  return 'no credentials';
}
