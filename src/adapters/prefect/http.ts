/**
 * One JSON request with a time limit and a size cap. Network failures and HTTP statuses are
 * returned as typed errors (HttpStatusError, NetworkError) for the caller to classify; nothing
 * here prints a header, since the Authorization header holds the credentials.
 */
import { readBodyCapped, ResponseTooLargeError } from '../http-body.js';
import { describeNetworkError, isTransientNetworkError, isTransientStatus } from './retry.js';

export class HttpStatusError extends Error {
  constructor(
    readonly status: number,
    readonly detail: string,
    readonly method: string,
    readonly path: string,
  ) {
    super(`${method} ${path} answered HTTP ${status}${detail ? `: ${detail}` : ''}`);
  }
  get transient(): boolean {
    return isTransientStatus(this.status);
  }
}

export class NetworkError extends Error {
  constructor(
    readonly method: string,
    readonly path: string,
    cause: unknown,
    readonly transient: boolean,
  ) {
    super(`${method} ${path} failed: ${describeNetworkError(cause)}`, { cause });
  }
}

export class BadResponseError extends Error {}

/** A success answer whose body is not JSON: the URL names something other than the API. */
export class NotJsonResponseError extends BadResponseError {}

export interface JsonRequest {
  fetch: typeof globalThis.fetch;
  url: string;
  /** The path for messages (no host, no credentials). */
  path: string;
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: unknown;
  timeoutMs: number;
  maxBytes: number;
  signal?: AbortSignal;
}

export interface JsonResponse {
  status: number;
  data: unknown;
}

async function readCapped(res: Response, maxBytes: number): Promise<string> {
  try {
    return (await readBodyCapped(res, maxBytes)).toString('utf8');
  } catch (err) {
    if (err instanceof ResponseTooLargeError) throw new BadResponseError(err.message);
    throw err;
  }
}

/** A one-line, length-capped excerpt of an error body (Prefect answers {"detail": "..."}). */
function errorDetail(text: string): string {
  let detail = text;
  try {
    const data = JSON.parse(text) as { detail?: unknown; exception_message?: unknown };
    const d = data.detail ?? data.exception_message;
    if (d !== undefined) detail = typeof d === 'string' ? d : JSON.stringify(d);
  } catch {
    // not JSON: keep the text
  }
  detail = detail.replace(/\s+/g, ' ').trim();
  return detail.length > 200 ? `${detail.slice(0, 197)}...` : detail;
}

export async function requestJson(req: JsonRequest): Promise<JsonResponse> {
  const timeout = AbortSignal.timeout(req.timeoutMs);
  const signal = req.signal ? AbortSignal.any([timeout, req.signal]) : timeout;
  let res: Response;
  let text: string;
  try {
    res = await req.fetch(req.url, {
      method: req.method,
      headers: {
        accept: 'application/json',
        ...(req.body === undefined ? {} : { 'content-type': 'application/json' }),
        ...req.headers,
      },
      body: req.body === undefined ? undefined : JSON.stringify(req.body),
      signal,
      redirect: 'error',
    });
    text = await readCapped(res, req.maxBytes);
  } catch (err) {
    if (err instanceof BadResponseError) throw err;
    // Our caller's own abort (Ctrl-C) is not a network failure: let it through untouched.
    if (req.signal?.aborted) throw req.signal.reason ?? err;
    const transient = timeout.aborted || isTransientNetworkError(err);
    throw new NetworkError(
      req.method,
      req.path,
      timeout.aborted ? timeoutError(req.timeoutMs) : err,
      transient,
    );
  }
  if (res.status < 200 || res.status >= 300)
    throw new HttpStatusError(res.status, errorDetail(text), req.method, req.path);
  if (text.trim() === '') return { status: res.status, data: null };
  try {
    return { status: res.status, data: JSON.parse(text) };
  } catch {
    throw new NotJsonResponseError(
      `${req.method} ${req.path} answered HTTP ${res.status} with a body that is not JSON`,
    );
  }
}

function timeoutError(ms: number): Error {
  const err = new Error(`no complete response within ${ms} ms`);
  err.name = 'TimeoutError';
  return err;
}
