/**
 * Which failures are worth retrying, and the retry loop itself (exponential backoff with full
 * jitter). Sleep and randomness are injected so tests run in milliseconds.
 */
import { sleep } from '../long-timeout.js';

/** Error codes (node and undici) that mean "the network or the server hiccuped": retry. */
const TRANSIENT_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_CLOSED',
]);

/** Messages that carry the same meaning when no code survives (TLS handshake, DNS, dropped socket). */
const TRANSIENT_MESSAGES = [
  /TLS handshake time(d )?out/i,
  /SSL handshake timed out/i,
  /socket disconnected before secure TLS connection/i,
  /Temporary failure in name resolution/i,
  /other side closed/i,
  /socket hang up/i,
];

/** An HTTP status that the same request may succeed on later. */
export function isTransientStatus(status: number): boolean {
  return status >= 500 || status === 408 || status === 429;
}

function* causes(err: unknown): Generator<unknown> {
  const seen = new Set<unknown>();
  for (let e = err; e !== undefined && e !== null && !seen.has(e); e = (e as { cause?: unknown }).cause) {
    seen.add(e);
    yield e;
  }
}

/** The first error code in the cause chain (fetch wraps the socket error as `cause`). */
function errorCode(err: unknown): string | undefined {
  for (const e of causes(err)) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
  }
  return undefined;
}

/** True for connection refused/reset, DNS EAI_AGAIN, timeouts and TLS handshake timeouts. */
export function isTransientNetworkError(err: unknown): boolean {
  for (const e of causes(err)) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && TRANSIENT_CODES.has(code)) return true;
    if (e instanceof Error && e.name === 'TimeoutError') return true;
    const message = e instanceof Error ? e.message : typeof e === 'string' ? e : '';
    if (TRANSIENT_MESSAGES.some((re) => re.test(message))) return true;
  }
  return false;
}

/** A short human description of a network error: its code and innermost message. */
export function describeNetworkError(err: unknown): string {
  let last = '';
  for (const e of causes(err)) if (e instanceof Error && e.message) last = e.message;
  const code = errorCode(err);
  if (code && !last.includes(code)) return `${code}: ${last}`;
  return last || String(err);
}

export interface RetryOptions {
  /** Total attempts including the first (default 5). */
  attempts?: number;
  /** First backoff ceiling in ms (default 500); doubles each attempt. */
  baseMs?: number;
  /** Largest backoff ceiling in ms (default 10 s). */
  maxMs?: number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** In [0, 1): the jitter source. */
  random?: () => number;
  signal?: AbortSignal;
  /** Called before each wait, for logs. */
  onRetry?: (info: { attempt: number; delayMs: number; error: unknown }) => void;
}

/** Full-jitter exponential backoff: a random delay in [0, min(max, base * 2^attempt)). */
export function backoffDelay(attempt: number, options: RetryOptions = {}): number {
  const base = options.baseMs ?? 500;
  const max = options.maxMs ?? 10_000;
  const ceiling = Math.min(max, base * 2 ** attempt);
  return Math.floor((options.random ?? Math.random)() * ceiling);
}

/**
 * Call fn until it succeeds, it throws something `isRetryable` rejects, or attempts run out
 * (the last error is rethrown).
 */
export async function withRetry<T>(
  fn: (attempt: number) => Promise<T>,
  isRetryable: (err: unknown) => boolean,
  options: RetryOptions = {},
): Promise<T> {
  const attempts = Math.max(1, options.attempts ?? 5);
  const wait = options.sleep ?? sleep;
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (err) {
      if (attempt + 1 >= attempts || !isRetryable(err) || options.signal?.aborted) throw err;
      const delayMs = backoffDelay(attempt, options);
      options.onRetry?.({ attempt: attempt + 1, delayMs, error: err });
      await wait(delayMs, options.signal);
    }
  }
}
