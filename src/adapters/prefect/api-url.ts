/** What a Prefect API URL looks like, self-hosted (`…/api`) or Prefect Cloud (a workspace URL). */
import { UsageError } from '../../core/errors.js';

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

/** The question an answer that is not Prefect's JSON raises about the configured URL. */
export function notApiQuestion(api: string): string {
  if (isPrefectCloud(api)) return 'is PREFECT_API_URL the workspace API URL?';
  return /\/api$/.test(new URL(api).pathname)
    ? 'is PREFECT_API_URL the Prefect API?'
    : 'is PREFECT_API_URL missing /api?';
}
