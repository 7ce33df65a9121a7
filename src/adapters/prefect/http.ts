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
    /** The body was JSON (Prefect's API always answers JSON; a UI page or proxy does not). */
    readonly json = true,
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

export class BadResponseError extends Error {
  /** Set when the body was not JSON at all (an HTML page, plain text): the URL is wrong. */
  constructor(
    message: string,
    readonly notJson: 'html' | 'text' | null = null,
  ) {
    super(message);
  }
}

interface JsonRequest {
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

interface JsonResponse {
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

/** The field a FastAPI/pydantic error is about: its `loc` without the leading "body". */
function field(loc: unknown): string {
  if (!Array.isArray(loc)) return '';
  const parts = loc.map(String);
  return (parts[0] === 'body' ? parts.slice(1) : parts).join('.');
}

/** `field: message` for each entry of a pydantic error list (at most three). */
function validationErrors(list: unknown[]): string {
  const lines = list.slice(0, 3).map((e) => {
    const item = (e ?? {}) as { loc?: unknown; msg?: unknown };
    const where = field(item.loc);
    const msg = typeof item.msg === 'string' ? item.msg : JSON.stringify(e);
    return where ? `${where}: ${msg}` : msg;
  });
  return lines.join('; ') + (list.length > 3 ? `; and ${list.length - 3} more` : '');
}

function oneLine(text: string): string {
  const detail = text.replace(/\s+/g, ' ').trim();
  return detail.length > 300 ? `${detail.slice(0, 297)}...` : detail;
}

/**
 * A one-line, length-capped excerpt of a Prefect error body. Prefect answers HTTPExceptions as
 * {"detail": "..."} (404, 409 "Error creating flow run: …", 400 "Error hydrating flow run
 * parameters: …") and request validation as {"exception_message": "Invalid request received.",
 * "exception_detail": [{loc, msg, type}…], "request_body": …} (src/prefect/server/api/server.py,
 * validation_exception_handler): name the fields, not only the generic message.
 */
export function errorDetail(data: unknown): string {
  const body = (data ?? {}) as { detail?: unknown; exception_message?: unknown; exception_detail?: unknown };
  if (Array.isArray(body.exception_detail) && body.exception_detail.length)
    return oneLine(validationErrors(body.exception_detail));
  if (Array.isArray(body.detail)) return oneLine(validationErrors(body.detail));
  const d = body.detail ?? body.exception_message;
  if (d === undefined) return data === null || data === undefined ? '' : oneLine(JSON.stringify(data));
  return oneLine(typeof d === 'string' ? d : JSON.stringify(d));
}

function notJsonKind(text: string, contentType: string | null): 'html' | 'text' {
  return /html/i.test(contentType ?? '') || /^\s*</.test(text) ? 'html' : 'text';
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
  let data: unknown = null;
  let json = true;
  if (text.trim() !== '') {
    try {
      data = JSON.parse(text);
    } catch {
      json = false;
    }
  }
  const kind = json ? null : notJsonKind(text, res.headers.get('content-type'));
  if (res.status < 200 || res.status >= 300)
    throw new HttpStatusError(
      res.status,
      json ? errorDetail(data) : `${kind === 'html' ? 'an HTML page' : oneLine(text.slice(0, 120))}`,
      req.method,
      req.path,
      json,
    );
  if (!json)
    throw new BadResponseError(
      `${req.method} ${req.path} answered HTTP ${res.status} with ${kind === 'html' ? 'an HTML page' : 'a body that is not JSON'}`,
      kind,
    );
  return { status: res.status, data };
}

function timeoutError(ms: number): Error {
  const err = new Error(`no complete response within ${ms} ms`);
  err.name = 'TimeoutError';
  return err;
}
