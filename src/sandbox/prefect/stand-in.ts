/**
 * A loopback stand-in for the Prefect Server endpoints git-promote uses, with Prefect's paths,
 * fields, state types and idempotency behaviour (the same idempotency_key for the same
 * deployment returns the existing flow run: 200 instead of 201). Failures can be injected, and
 * each flow run is a tiny "flow" that writes pipeline manifests recording the runs in the pointer
 * files of a target directory, moving SCHEDULED -> PENDING -> RUNNING -> COMPLETED (or FAILED /
 * CRASHED when asked). Used by the tests and by `git promote sandbox`.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { dirname, join } from 'node:path';
import type { FlowStateType } from '../../core/flow-state.js';

export interface StandInDeployment {
  flow: string;
  name: string;
  id?: string;
  parameters?: Record<string, unknown>;
  tags?: string[];
}

export interface StandInPointer {
  /** Pointer file path relative to the target directory. */
  file: string;
  runField?: string;
  /** The asset whose manifest records models.<pointer>. */
  asset: string;
}

export interface StandInFlow {
  manifestsRoot: string;
  layout?: string;
  /** Where the flow reads the current pointer files (the agent target). */
  targetDir: string;
  pointers: Record<string, StandInPointer>;
}

export interface FlowOutcome {
  state: 'COMPLETED' | 'FAILED' | 'CRASHED' | 'CANCELLED';
  /** failure_reason written into the manifests of a FAILED run. */
  failureReason?: string;
  /** Write manifests (default: yes unless CRASHED or CANCELLED). */
  writeManifests?: boolean;
}

export interface Injection {
  method?: string;
  /** Matched against the path after /api (a string must be equal; a RegExp must match). */
  path?: string | RegExp;
  /** Answer this status (with `body`, default {"detail": "injected failure"}). */
  status?: number;
  body?: unknown;
  /** Close the connection without an answer: before handling, or after handling the request. */
  drop?: 'before' | 'after';
  /** Wait this long before answering. */
  delayMs?: number;
  /** How many matching requests this applies to (default 1). */
  times?: number;
}

export interface StandInState {
  id: string;
  type: FlowStateType;
  name: string;
  timestamp: string;
  message: string | null;
}

export interface StandInFlowRun {
  id: string;
  name: string;
  flow_id: string;
  deployment_id: string;
  parameters: Record<string, unknown>;
  tags: string[];
  idempotency_key: string | null;
  state_type: FlowStateType;
  state_name: string;
  state: StandInState;
  created: string;
  updated: string;
  expected_start_time: string;
  start_time: string | null;
  end_time: string | null;
  run_count: number;
}

export interface PrefectStandInOptions {
  /** Default: one deployment "daily/live". */
  deployments?: StandInDeployment[];
  /** Require `Authorization: Basic base64(auth)`. */
  auth?: string;
  flow?: StandInFlow;
  /** Time between state transitions of a flow run (default 20 ms). */
  stepMs?: number;
  now?: () => Date;
}

export interface RecordedRequest {
  method: string;
  path: string;
  status: number | 'dropped';
  body?: unknown;
}

export interface PrefectStandIn {
  /** Base URL ending in /api. */
  url: string;
  close(): Promise<void>;
  inject(injection: Injection): void;
  /** The outcome of the next flow runs created (in order); default COMPLETED. */
  nextOutcome(outcome: FlowOutcome): void;
  /** Every flow run, in creation order. */
  flowRuns: StandInFlowRun[];
  deployments: Required<StandInDeployment>[];
  requests: RecordedRequest[];
  /** Requests to endpoints the stand-in does not implement. */
  unexpected: string[];
  /** Add a flow run in a given state (e.g. yesterday's FAILED run for doctor). */
  seedFlowRun(run: Partial<StandInFlowRun> & { state_type: FlowStateType }): StandInFlowRun;
  /** Resolve when every flow run has reached a terminal state. */
  settle(): Promise<void>;
}

const STATE_NAMES: Record<FlowStateType, string> = {
  SCHEDULED: 'Scheduled',
  PENDING: 'Pending',
  RUNNING: 'Running',
  PAUSED: 'Paused',
  CANCELLING: 'Cancelling',
  COMPLETED: 'Completed',
  FAILED: 'Failed',
  CANCELLED: 'Cancelled',
  CRASHED: 'Crashed',
};
const TERMINAL = new Set<FlowStateType>(['COMPLETED', 'FAILED', 'CANCELLED', 'CRASHED']);
const ADJECTIVES = ['crimson', 'quiet', 'brave', 'amber', 'swift', 'gentle'];
const ANIMALS = ['otter', 'heron', 'lynx', 'badger', 'falcon', 'marmot'];

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req as AsyncIterable<Buffer>) {
    size += c.length;
    if (size > 1024 * 1024) throw new Error('body too large');
    chunks.push(c);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  return text ? JSON.parse(text) : undefined;
}

async function writeAtomic(path: string, content: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.${randomUUID()}.tmp`;
  await writeFile(tmp, content);
  await rename(tmp, path);
}

export async function startPrefectStandIn(options: PrefectStandInOptions = {}): Promise<PrefectStandIn> {
  const now = options.now ?? (() => new Date());
  const stepMs = options.stepMs ?? 20;
  const deployments = (options.deployments ?? [{ flow: 'daily', name: 'live' }]).map((d) => ({
    id: d.id ?? randomUUID(),
    flow: d.flow,
    name: d.name,
    parameters: d.parameters ?? {},
    tags: d.tags ?? [],
  }));
  const flowIds = new Map<string, string>();
  for (const d of deployments) if (!flowIds.has(d.flow)) flowIds.set(d.flow, randomUUID());
  const flowRuns: StandInFlowRun[] = [];
  const injections: (Injection & { left: number })[] = [];
  const outcomes: FlowOutcome[] = [];
  const requests: RecordedRequest[] = [];
  const unexpected: string[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const pending = new Set<Promise<void>>();
  const sockets = new Set<Socket>();
  let sequence = 0;

  function setState(run: StandInFlowRun, type: FlowStateType, message: string | null = null): void {
    const ts = now().toISOString();
    run.state_type = type;
    run.state_name = STATE_NAMES[type];
    run.state = { id: randomUUID(), type, name: STATE_NAMES[type], timestamp: ts, message };
    run.updated = ts;
    if (type === 'RUNNING' && !run.start_time) {
      run.start_time = ts;
      run.run_count += 1;
    }
    if (TERMINAL.has(type)) run.end_time = ts;
  }

  function later(ms: number, fn: () => Promise<void> | void): void {
    const timer = setTimeout(() => {
      timers.delete(timer);
      const p = Promise.resolve()
        .then(fn)
        .catch(() => undefined)
        .finally(() => pending.delete(p));
      pending.add(p);
    }, ms);
    timers.add(timer);
  }

  async function writeManifests(run: StandInFlowRun, outcome: FlowOutcome): Promise<void> {
    const flow = options.flow;
    if (!flow) return;
    const gameDate = String(run.parameters.game_date ?? now().toISOString().slice(0, 10));
    const runId = `live-${gameDate}-${String(++sequence).padStart(3, '0')}`;
    const layout = flow.layout ?? '{asset}/game_date={game_date}/run={run_id}/manifest.json';
    for (const [pointer, p] of Object.entries(flow.pointers)) {
      let model: string | null = null;
      try {
        const data = JSON.parse(await readFile(join(flow.targetDir, p.file), 'utf8')) as Record<
          string,
          unknown
        >;
        const value = data[p.runField ?? 'run_id'];
        model = typeof value === 'string' ? value : null;
      } catch {
        model = null;
      }
      const failed = outcome.state !== 'COMPLETED';
      const manifest = {
        asset: p.asset,
        game_date: gameDate,
        run_id: runId,
        run_as_of_ts: run.start_time ?? now().toISOString(),
        step: p.asset,
        status: failed ? 'failed' : 'success',
        started_at: run.start_time,
        finished_at: now().toISOString(),
        duration_s: 0.1,
        outputs: failed ? [] : [{ name: p.asset, rows: 450, columns: ['player_id', 'game_id'] }],
        checks: [{ name: 'rows', status: failed ? 'fail' : 'pass' }],
        models: model ? { [pointer]: model } : {},
        failure_reason: failed ? (outcome.failureReason ?? 'flow failed') : null,
        flow_run_id: run.id,
      };
      const rel = layout
        .replace('{asset}', p.asset)
        .replace('{game_date}', gameDate)
        .replace('{run_id}', runId);
      await writeAtomic(join(flow.manifestsRoot, rel), `${JSON.stringify(manifest, null, 2)}\n`);
    }
  }

  function progress(run: StandInFlowRun, outcome: FlowOutcome): void {
    later(stepMs, () => setState(run, 'PENDING'));
    later(stepMs * 2, () => setState(run, 'RUNNING'));
    later(stepMs * 3, async () => {
      const write = outcome.writeManifests ?? (outcome.state === 'COMPLETED' || outcome.state === 'FAILED');
      if (write) await writeManifests(run, outcome);
      setState(
        run,
        outcome.state,
        outcome.state === 'COMPLETED' ? 'All states completed.' : (outcome.failureReason ?? null),
      );
    });
  }

  function newRun(deployment: (typeof deployments)[number], body: Record<string, unknown>): StandInFlowRun {
    const ts = now().toISOString();
    const i = flowRuns.length;
    const run: StandInFlowRun = {
      id: randomUUID(),
      name:
        typeof body.name === 'string' && body.name
          ? body.name
          : `${ADJECTIVES[i % ADJECTIVES.length]}-${ANIMALS[Math.floor(i / ADJECTIVES.length) % ANIMALS.length]}`,
      flow_id: flowIds.get(deployment.flow)!,
      deployment_id: deployment.id,
      parameters: { ...deployment.parameters, ...((body.parameters as Record<string, unknown>) ?? {}) },
      tags: [...new Set([...deployment.tags, ...((body.tags as string[]) ?? [])])],
      idempotency_key: typeof body.idempotency_key === 'string' ? body.idempotency_key : null,
      state_type: 'SCHEDULED',
      state_name: 'Scheduled',
      state: { id: randomUUID(), type: 'SCHEDULED', name: 'Scheduled', timestamp: ts, message: null },
      created: ts,
      updated: ts,
      expected_start_time: ts,
      start_time: null,
      end_time: null,
      run_count: 0,
    };
    flowRuns.push(run);
    progress(run, outcomes.shift() ?? { state: 'COMPLETED' });
    return run;
  }

  function matchInjection(method: string, path: string) {
    const i = injections.findIndex(
      (j) =>
        j.left > 0 &&
        (!j.method || j.method === method) &&
        (!j.path || (typeof j.path === 'string' ? j.path === path : j.path.test(path))),
    );
    if (i < 0) return null;
    const j = injections[i]!;
    j.left -= 1;
    if (j.left === 0) injections.splice(i, 1);
    return j;
  }

  /** The route handler: returns [status, body]. */
  function route(method: string, path: string, body: unknown): [number, unknown] {
    let m: RegExpExecArray | null;
    if (method === 'GET' && path === '/health') return [200, true];
    if (method === 'GET' && (m = /^\/deployments\/name\/([^/]+)\/([^/]+)$/.exec(path))) {
      const [flow, name] = [decodeURIComponent(m[1]!), decodeURIComponent(m[2]!)];
      const d = deployments.find((x) => x.flow === flow && x.name === name);
      if (!d) return [404, { detail: 'Deployment not found' }];
      return [
        200,
        { id: d.id, name: d.name, flow_id: flowIds.get(d.flow), parameters: d.parameters, tags: d.tags },
      ];
    }
    if (method === 'POST' && (m = /^\/deployments\/([^/]+)\/create_flow_run$/.exec(path))) {
      const d = deployments.find((x) => x.id === decodeURIComponent(m![1]!));
      if (!d) return [404, { detail: 'Deployment not found' }];
      const b = (body ?? {}) as Record<string, unknown>;
      const problems: string[] = [];
      if (b.parameters !== undefined && (typeof b.parameters !== 'object' || b.parameters === null))
        problems.push('parameters must be an object');
      if (b.tags !== undefined && (!Array.isArray(b.tags) || b.tags.some((t) => typeof t !== 'string')))
        problems.push('tags must be a list of strings');
      if (
        b.idempotency_key !== undefined &&
        b.idempotency_key !== null &&
        typeof b.idempotency_key !== 'string'
      )
        problems.push('idempotency_key must be a string');
      if (problems.length) return [422, { detail: problems.map((msg) => ({ msg })) }];
      const key = typeof b.idempotency_key === 'string' ? b.idempotency_key : null;
      const existing = key
        ? flowRuns.find((r) => r.deployment_id === d.id && r.idempotency_key === key)
        : undefined;
      if (existing) return [200, existing];
      return [201, newRun(d, b)];
    }
    if (method === 'GET' && (m = /^\/flow_runs\/([^/]+)$/.exec(path))) {
      const run = flowRuns.find((r) => r.id === decodeURIComponent(m![1]!));
      return run ? [200, run] : [404, { detail: 'Flow run not found' }];
    }
    if (method === 'POST' && path === '/flow_runs/filter') return [200, filterRuns(body)];
    unexpected.push(`${method} ${path}`);
    return [404, { detail: 'Not Found' }];
  }

  function filterRuns(body: unknown): StandInFlowRun[] {
    const b = (body ?? {}) as {
      deployments?: { id?: { any_?: string[] } };
      flow_runs?: { id?: { any_?: string[] }; tags?: { all_?: string[] } };
      sort?: string;
      limit?: number;
      offset?: number;
    };
    let runs = flowRuns.slice();
    const depIds = b.deployments?.id?.any_;
    if (depIds) runs = runs.filter((r) => depIds.includes(r.deployment_id));
    const ids = b.flow_runs?.id?.any_;
    if (ids) runs = runs.filter((r) => ids.includes(r.id));
    const tags = b.flow_runs?.tags?.all_;
    if (tags) runs = runs.filter((r) => tags.every((t) => r.tags.includes(t)));
    const sort = b.sort ?? 'ID_DESC';
    const key = sort.startsWith('START_TIME')
      ? 'start_time'
      : sort.startsWith('EXPECTED')
        ? 'expected_start_time'
        : 'created';
    runs.sort((x, y) => String(x[key] ?? '').localeCompare(String(y[key] ?? '')));
    if (sort.endsWith('DESC')) runs.reverse();
    const offset = b.offset ?? 0;
    return runs.slice(offset, offset + (b.limit ?? 200));
  }

  const expectedAuth = options.auth ? `Basic ${Buffer.from(options.auth).toString('base64')}` : null;

  const server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://stand-in');
      const method = req.method ?? 'GET';
      if (!url.pathname.startsWith('/api/')) {
        unexpected.push(`${method} ${url.pathname}`);
        return send(res, 404, { detail: 'Not Found' });
      }
      const path = url.pathname.slice(4);
      const injection = matchInjection(method, path);
      if (injection?.delayMs) await new Promise((r) => setTimeout(r, injection.delayMs));
      if (injection?.drop === 'before') {
        requests.push({ method, path, status: 'dropped' });
        req.socket.destroy();
        return;
      }
      let body: unknown;
      try {
        body = await readBody(req);
      } catch {
        requests.push({ method, path, status: 422 });
        return send(res, 422, { detail: 'request body is not valid JSON' });
      }
      if (expectedAuth && req.headers.authorization !== expectedAuth) {
        requests.push({ method, path, status: 401, body });
        return send(res, 401, { exception_message: 'Unauthorized' });
      }
      if (injection?.status) {
        requests.push({ method, path, status: injection.status, body });
        return send(res, injection.status, injection.body ?? { detail: 'injected failure' });
      }
      const [status, answer] = route(method, path, body);
      if (injection?.drop === 'after') {
        requests.push({ method, path, status: 'dropped', body });
        req.socket.destroy();
        return;
      }
      requests.push({ method, path, status, body });
      send(res, status, answer);
    })().catch(() => {
      if (!res.headersSent) send(res, 500, { detail: 'stand-in error' });
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}/api`,
    flowRuns,
    deployments,
    requests,
    unexpected,
    inject(injection) {
      injections.push({ ...injection, left: injection.times ?? 1 });
    },
    nextOutcome(outcome) {
      outcomes.push(outcome);
    },
    seedFlowRun(partial) {
      const ts = now().toISOString();
      const d = deployments[0]!;
      const run: StandInFlowRun = {
        id: randomUUID(),
        name: 'seeded-run',
        flow_id: flowIds.get(d.flow)!,
        deployment_id: d.id,
        parameters: {},
        tags: [],
        idempotency_key: null,
        created: ts,
        updated: ts,
        expected_start_time: ts,
        start_time: ts,
        end_time: null,
        run_count: 1,
        ...partial,
        state_name: STATE_NAMES[partial.state_type],
        state: {
          id: randomUUID(),
          type: partial.state_type,
          name: STATE_NAMES[partial.state_type],
          timestamp: ts,
          message: partial.state?.message ?? null,
        },
      };
      flowRuns.push(run);
      return run;
    },
    async settle() {
      while (pending.size > 0 || timers.size > 0) await new Promise((r) => setTimeout(r, 5));
    },
    async close() {
      for (const t of timers) clearTimeout(t);
      timers.clear();
      await Promise.all([...pending]);
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
