/**
 * A loopback stand-in for the GitHub REST API, backed by real bare git repositories. Used by the
 * tests and by `git promote sandbox`. It checks the token, answers with GitHub's paths, fields,
 * status codes and rate-limit headers, records every request, and injects faults on demand.
 * Unknown routes answer 404 and are recorded as unexpected, so a test can fail on them.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { openBareRepo, type BareRepo } from './bare-repo.js';
import { errorBody, matchRoute, merge, type RouteRequest, type RouteResponse } from './routes.js';
import type { PullRecord, RepoState } from './resources.js';
import { handleGraphql } from './graphql.js';
import { mergeGate } from './merge-gates.js';

export interface Fault {
  method?: string;
  /** Matched against the request path (without query); a string must match exactly. */
  path?: RegExp | string;
  status: number;
  /** How many matching requests get the fault (default 1). */
  times?: number;
  headers?: Record<string, string>;
  /** Response body (default: GitHub's error shape with a message for the status). */
  body?: unknown;
  /** 'before' (default): the request is refused untouched. 'after': it is carried out, then the answer is replaced. */
  when?: 'before' | 'after';
  /** Destroy the connection instead of answering (a network error). */
  drop?: boolean;
  /** Run when the fault fires, before the answer (e.g. move the base as a racing merge would). */
  onHit?: () => void;
}

export interface LoggedRequest {
  method: string;
  path: string;
  query: string;
  status: number;
  /** The route template that handled it, or null for an unexpected request. */
  route: string | null;
  /** True when an injected fault produced the answer. */
  injected: boolean;
  /** Parsed request body. */
  body: unknown;
  /** Response body as sent. */
  response?: unknown;
}

export interface GitHubStandInOptions {
  /** owner/repo → path of a bare git repository. */
  repos: Record<string, string>;
  /** Accepted token (default: a random one, returned as `token`). */
  token?: string;
  /** Who `token` authenticates as (default github-actions[bot], the Actions GITHUB_TOKEN). */
  login?: string;
  /** More accepted tokens, each with the login it authenticates as (a person's token, say). */
  users?: Record<string, string>;
  /** Default branch reported for each repository (default: main). */
  defaultBranch?: string;
  now?: () => Date;
}

export interface GitHubStandIn {
  /** Base URL: use as GITHUB_API_URL or octokit's baseUrl. */
  url: string;
  token: string;
  close(): Promise<void>;
  inject(fault: Fault): void;
  /** Every request in arrival order. */
  readonly requests: LoggedRequest[];
  /** Requests no route matched (each answered 404). */
  unexpected(): LoggedRequest[];
  /** Throws when a request hit no route. */
  assertNoUnexpected(): void;
  /** Forget logged requests and pending faults. */
  reset(): void;
  addRepo(fullName: string, barePath: string): void;
  pulls(fullName: string): PullRecord[];
  pull(fullName: string, number: number): PullRecord | undefined;
  repoState(fullName: string): RepoState;
}

const MAX_BODY = 1024 * 1024;

/** A 403 secondary rate limit as GitHub sends it (octokit recognises "secondary rate limit"). */
export function secondaryRateLimit(retryAfterS = 1, times = 1, status = 403): Fault {
  return {
    status,
    times,
    headers: { 'retry-after': String(retryAfterS) },
    body: errorBody(
      status,
      'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.',
    ),
  };
}

/** A primary rate limit: remaining 0 and a reset time `resetInS` seconds from now. */
export function primaryRateLimit(resetInS = 1, times = 1, now = Date.now()): Fault {
  return {
    status: 403,
    times,
    headers: {
      'x-ratelimit-remaining': '0',
      'x-ratelimit-reset': String(Math.ceil(now / 1000) + resetInS),
      'retry-after': String(resetInS),
    },
    body: errorBody(403, 'API rate limit exceeded for user ID 1.'),
  };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let size = 0;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new Error('body too large'));
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function rateHeaders(): Record<string, string> {
  return {
    'x-ratelimit-limit': '5000',
    'x-ratelimit-remaining': '4999',
    'x-ratelimit-used': '1',
    'x-ratelimit-reset': String(Math.ceil(Date.now() / 1000) + 3600),
    'x-ratelimit-resource': 'core',
  };
}

function matches(fault: Fault, method: string, path: string): boolean {
  if (fault.method && fault.method.toUpperCase() !== method) return false;
  if (fault.path === undefined) return true;
  return typeof fault.path === 'string' ? fault.path === path : fault.path.test(path);
}

const STATUS_MESSAGES: Record<number, string> = {
  401: 'Bad credentials',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Pull Request is not mergeable',
  409: 'Conflict',
  422: 'Validation Failed',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Server Error',
  503: 'Service Unavailable',
};

export async function startGitHubStandIn(options: GitHubStandInOptions): Promise<GitHubStandIn> {
  const token = options.token ?? `ghs_standin${randomBytes(16).toString('hex')}`;
  const logins = new Map([
    [token, options.login ?? 'github-actions[bot]'],
    ...Object.entries(options.users ?? {}),
  ]);
  const now = options.now ?? (() => new Date());
  const repos = new Map<string, { state: RepoState; bare: BareRepo; queue: Promise<unknown> }>();
  const requests: LoggedRequest[] = [];
  let faults: (Fault & { left: number })[] = [];
  let counter = 0;
  let url = '';

  const addRepo = (fullName: string, barePath: string) => {
    const [owner, name] = fullName.split('/');
    if (!owner || !name) throw new Error(`repository must be owner/name, got ${fullName}`);
    repos.set(fullName.toLowerCase(), {
      bare: openBareRepo(barePath),
      queue: Promise.resolve(),
      state: {
        owner,
        name,
        id: repos.size + 1,
        defaultBranch: options.defaultBranch ?? 'main',
        pulls: [],
        comments: [],
        statuses: [],
        deployments: [],
        deploymentStatuses: [],
        labels: [],
        rules: [],
        protection: {},
        checkRuns: [],
        reviews: [],
        mergeMethods: { merge: true, squash: true, rebase: true },
      },
    });
  };
  for (const [fullName, path] of Object.entries(options.repos)) addRepo(fullName, path);

  const takeFault = (method: string, path: string, when: 'before' | 'after') => {
    const fault = faults.find((f) => f.left > 0 && (f.when ?? 'before') === when && matches(f, method, path));
    if (fault) {
      fault.left -= 1;
      fault.onHit?.();
    }
    return fault;
  };

  async function respond(
    req: IncomingMessage,
  ): Promise<{ res: RouteResponse; log: Omit<LoggedRequest, 'status'> }> {
    const method = (req.method ?? 'GET').toUpperCase();
    const parsed = new URL(req.url ?? '/', 'http://stand-in');
    const path = parsed.pathname.replace(/\/+$/, '') || '/';
    const raw = await readBody(req);
    let body: Record<string, unknown> = {};
    if (raw) {
      try {
        const data: unknown = JSON.parse(raw);
        if (typeof data === 'object' && data !== null && !Array.isArray(data))
          body = data as Record<string, unknown>;
      } catch {
        return {
          res: { status: 400, body: errorBody(400, 'Problems parsing JSON') },
          log: { method, path, query: parsed.search, route: null, injected: false, body: raw },
        };
      }
    }
    const match = matchRoute(method, path);
    const log = {
      method,
      path,
      query: parsed.search,
      route: match.route?.path ?? null,
      injected: false,
      body,
    };

    const auth = req.headers.authorization ?? '';
    const presented = /^(?:token|bearer)\s+(\S+)$/i.exec(auth)?.[1];
    const user = presented === undefined ? undefined : logins.get(presented);
    if (user === undefined) return { res: { status: 401, body: errorBody(401, 'Bad credentials') }, log };

    const before = takeFault(method, path, 'before');
    if (before) return { res: faultResponse(before), log: { ...log, injected: true } };
    if (method === 'POST' && path === '/graphql') {
      const res = await handleGraphql(body, {
        repos: [...repos.values()].map((e) => e.state),
        user,
        live: async (state, p) => {
          const entry = entryOf(`${state.owner}/${state.name}`);
          const headSha = await entry.bare.branchSha(p.head);
          const baseSha = await entry.bare.branchSha(p.base);
          const mergeable =
            headSha && baseSha ? (await entry.bare.mergeTree(baseSha, headSha)) !== null : false;
          return { headSha, clean: mergeable && headSha !== null && mergeGate(state, p, headSha) === null };
        },
      });
      return { res, log: { ...log, route: 'POST /graphql' } };
    }
    if (!match.route) return { res: { status: 404, body: errorBody(404, 'Not Found') }, log };

    const entry = repos.get(`${match.params.owner}/${match.params.repo}`.toLowerCase());
    if (!entry) return { res: { status: 404, body: errorBody(404, 'Not Found') }, log };
    const res = await match.route.handle(
      routeRequest(entry, match.params, path, parsed.searchParams, body, user),
    );
    if (method !== 'GET' && res.status < 300) await autoMergeSweep(entry);
    const after = takeFault(method, path, 'after');
    if (after) return { res: faultResponse(after), log: { ...log, injected: true } };
    return { res, log };
  }

  type Entry = { state: RepoState; bare: BareRepo; queue: Promise<unknown> };
  function routeRequest(
    entry: Entry,
    params: Record<string, string>,
    path: string,
    query: URLSearchParams,
    body: Record<string, unknown>,
    user: string,
  ): RouteRequest {
    return {
      params,
      path,
      query,
      body,
      repo: entry.state,
      bare: entry.bare,
      base: url,
      now,
      nextId: () => ++counter,
      user,
      exclusive: <T>(fn: () => Promise<T>) => {
        const next = entry.queue.then(fn, fn);
        entry.queue = next.catch(() => undefined);
        return next;
      },
    };
  }

  /**
   * GitHub's auto-merge: after a change that may lift a PR's requirements (a check run, a status,
   * a review), merge every open PR with auto-merge enabled whose head is still the expected one
   * and that GitHub would now merge, as the account that enabled it.
   */
  async function autoMergeSweep(entry: Entry): Promise<void> {
    for (const p of entry.state.pulls) {
      if (p.state !== 'open' || !p.autoMerge) continue;
      const headSha = await entry.bare.branchSha(p.head);
      if (headSha !== p.autoMerge.expectedHeadOid || mergeGate(entry.state, p, headSha) !== null) continue;
      const { state } = entry;
      await merge(
        routeRequest(
          entry,
          { owner: state.owner, repo: state.name, pull_number: String(p.number) },
          `/repos/${state.owner}/${state.name}/pulls/${p.number}/merge`,
          new URLSearchParams(),
          { merge_method: p.autoMerge.method, sha: headSha },
          p.autoMerge.enabledBy,
        ),
        p,
      );
    }
  }

  function faultResponse(f: Fault): RouteResponse & { drop?: boolean } {
    return {
      status: f.status,
      body: f.body ?? errorBody(f.status, STATUS_MESSAGES[f.status] ?? 'Error'),
      headers: f.headers ?? {},
      drop: f.drop ?? false,
    };
  }

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    respond(req)
      .catch((err: unknown) => ({
        res: { status: 500, body: errorBody(500, `stand-in error: ${String(err)}`) } as RouteResponse,
        log: {
          method: req.method ?? '',
          path: req.url ?? '',
          query: '',
          route: null,
          injected: false,
          body: null,
        },
      }))
      .then(({ res: out, log }) => {
        requests.push({ ...log, status: out.status, response: out.body });
        if ((out as { drop?: boolean }).drop) {
          res.socket?.destroy();
          return;
        }
        const text = out.body === undefined ? '' : JSON.stringify(out.body);
        res.writeHead(out.status, {
          'content-type': 'application/json; charset=utf-8',
          'x-github-media-type': 'github.v3; format=json',
          'x-github-request-id': `STANDIN:${requests.length}`,
          ...rateHeaders(),
          ...out.headers,
        });
        res.end(text);
      });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const entryOf = (fullName: string) => {
    const entry = repos.get(fullName.toLowerCase());
    if (!entry) throw new Error(`stand-in has no repository ${fullName}`);
    return entry;
  };

  return {
    url,
    token,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
    inject: (fault) => faults.push({ ...fault, left: fault.times ?? 1 }),
    unexpected: () => requests.filter((r) => r.route === null && !r.injected),
    assertNoUnexpected() {
      const bad = requests.filter((r) => r.route === null && !r.injected);
      if (bad.length > 0)
        throw new Error(`unexpected GitHub requests: ${bad.map((r) => `${r.method} ${r.path}`).join(', ')}`);
    },
    reset() {
      requests.length = 0;
      faults = [];
    },
    addRepo,
    pulls: (fullName) => entryOf(fullName).state.pulls,
    pull: (fullName, number) => entryOf(fullName).state.pulls.find((p) => p.number === number),
    repoState: (fullName) => entryOf(fullName).state,
  };
}
