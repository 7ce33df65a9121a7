/**
 * Octokit with the retry and throttling plugins, configured for git-promote:
 * - 403/429 rate limits (primary and secondary) wait what GitHub says (`retry-after`,
 *   `x-ratelimit-reset`) and retry, for every method: a rate-limited request was not carried out.
 *   A wait longer than `maxRetryAfterS` is not sat out: the command fails with exit 3.
 * - 5xx answers and network errors are retried only for requests marked idempotent by the
 *   caller (GET, PATCH of a title/body, adding labels, posting a commit status); a POST that may
 *   have succeeded (creating a PR, a comment, a deployment) and the merge PUT are never re-sent.
 * - 400/401/403/404/405/409/410/422/429/451 are answers, not accidents: never retried.
 * Every request has a time limit and a response-size cap.
 */
import { Octokit } from '@octokit/rest';
import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';
import { readBodyCapped, ResponseTooLargeError } from '../http-body.js';
import { BAD_ANSWER_HEADER } from './errors.js';

export interface GitHubClientOptions {
  token: string;
  /** API base URL (GITHUB_API_URL); default https://api.github.com. */
  baseUrl?: string;
  fetch?: typeof globalThis.fetch;
  /** Retries after the first try, for rate limits and idempotent 5xx (default 3). */
  retries?: number;
  /** Milliseconds per unit of retry delay: a `retry-after: 2` waits 2 × this (default 1000; tests use less). */
  retryUnitMs?: number;
  /** Longest server-requested wait that is honoured, in seconds (default 60). */
  maxRetryAfterS?: number;
  /** Per-request time limit in milliseconds (default 30000). */
  timeoutMs?: number;
  /** Response size cap in bytes (default 10 MiB). */
  maxResponseBytes?: number;
  /**
   * Space writes one second apart as GitHub asks of integrations (default: on, except for a
   * loopback stand-in, which has no secondary limits to protect).
   */
  paceWrites?: boolean;
  /** Told about each wait, e.g. to print "GitHub rate limit: waiting 3s" (no request data). */
  onWait?: (info: {
    reason: 'rate-limit' | 'secondary-rate-limit';
    seconds: number;
    attempt: number;
  }) => void;
  userAgent?: string;
}

const RetryingOctokit = Octokit.plugin(retry, throttling);
type GitHubClient = InstanceType<typeof RetryingOctokit>;

export function isLoopback(baseUrl: string): boolean {
  try {
    const host = new URL(baseUrl).hostname;
    return host === '127.0.0.1' || host === 'localhost' || host === '[::1]';
  } catch {
    return false;
  }
}

function isJsonType(contentType: string | null): boolean {
  const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  return type === 'application/json' || type.endsWith('+json');
}

/**
 * An answer octokit must not retry (a 400) and toForgeError recognises by BAD_ANSWER_HEADER:
 * octokit wraps anything a fetch throws into a retryable "500", so a bad answer is returned.
 */
function badAnswer(kind: 'not-json' | 'too-large', message: string): Response {
  return new Response(JSON.stringify({ message }), {
    status: 400,
    headers: { 'content-type': 'application/json', [BAD_ANSWER_HEADER]: kind },
  });
}

/**
 * fetch with a time limit and a size cap enforced while the body streams in (a timeout becomes a
 * network error, retryable if idempotent). An oversized body, and a success answer that is not
 * JSON (an HTML login page or a proxy's page: GITHUB_API_URL names the wrong server), become a
 * bad answer (see badAnswer).
 */
function guardedFetch(
  base: typeof globalThis.fetch,
  timeoutMs: number,
  maxBytes: number,
): typeof globalThis.fetch {
  return async (input, init) => {
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = init?.signal ? AbortSignal.any([init.signal, timeout]) : timeout;
    let res: Response;
    let body: Buffer;
    try {
      res = await base(input, { ...init, signal });
      body = await readBodyCapped(res, maxBytes);
    } catch (err) {
      if (timeout.aborted) throw new Error(`no answer within ${Math.round(timeoutMs / 1000)}s`);
      if (err instanceof ResponseTooLargeError) return badAnswer('too-large', err.message);
      throw err;
    }
    const empty = res.status === 204 || res.status === 205 || res.status === 304;
    const contentType = res.headers.get('content-type');
    if (res.status >= 200 && res.status < 300 && !empty && body.length > 0 && !isJsonType(contentType)) {
      const what = (contentType ?? 'no content type').split(';')[0]!;
      return badAnswer('not-json', `answered HTTP ${res.status} with ${what}, not JSON`);
    }
    const copy = new Response(empty ? null : new Uint8Array(body), {
      status: res.status,
      statusText: res.statusText,
      headers: res.headers,
    });
    // octokit.paginate reads response.url to page namespaced lists (check runs); a new Response
    // has none of its own.
    Object.defineProperty(copy, 'url', { value: res.url });
    return copy;
  };
}

// A Bottleneck.Group stand-in that runs jobs at once: used instead of the 1-write-per-second pacing.
const unpaced = {
  key: () => ({
    schedule: (...args: unknown[]) => {
      const fn = args.find((a) => typeof a === 'function') as (...a: unknown[]) => unknown;
      const rest = args.slice(args.indexOf(fn) + 1);
      return Promise.resolve(fn(...rest));
    },
  }),
};

export function createGitHubClient(options: GitHubClientOptions): GitHubClient {
  const baseUrl = (options.baseUrl ?? 'https://api.github.com').replace(/\/+$/, '');
  const retries = options.retries ?? 3;
  const unit = options.retryUnitMs ?? 1000;
  const maxWait = options.maxRetryAfterS ?? 60;
  const paceWrites = options.paceWrites ?? !isLoopback(baseUrl);
  const onLimit =
    (reason: 'rate-limit' | 'secondary-rate-limit') =>
    (retryAfter: number, _opts: unknown, _octokit: unknown, retryCount: number): boolean => {
      if (retryCount >= retries || retryAfter > maxWait) return false;
      options.onWait?.({ reason, seconds: retryAfter, attempt: retryCount + 1 });
      return true;
    };
  return new RetryingOctokit({
    auth: options.token,
    baseUrl,
    userAgent: options.userAgent ?? 'git-promote',
    request: {
      fetch: guardedFetch(
        options.fetch ?? globalThis.fetch,
        options.timeoutMs ?? 30_000,
        options.maxResponseBytes ?? 10 * 1024 * 1024,
      ),
    },
    // octokit's default logger prints to the console; commands report through their own output.
    log: { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} },
    retry: {
      retries,
      retryAfterBaseValue: unit,
      // 403 and 429 are left to the throttling plugin, which honours retry-after.
      doNotRetry: [400, 401, 403, 404, 405, 409, 410, 422, 429, 451],
    },
    throttle: {
      retryAfterBaseValue: unit,
      fallbackSecondaryRateRetryAfter: 60,
      onRateLimit: onLimit('rate-limit'),
      onSecondaryRateLimit: onLimit('secondary-rate-limit'),
      ...(paceWrites ? {} : { write: unpaced as never, notifications: unpaced as never }),
    },
  });
}

/** Per-request option that turns off retries of 5xx/network errors for a non-idempotent call. */
export const NO_RETRY = { request: { retries: 0 } } as const;
