/**
 * A loopback stand-in for the Prefect 3 endpoints git-promote uses, derived from Prefect's server
 * source (each behaviour cites its file): paths, fields and state types; idempotency per
 * (flow_id, idempotency_key), so the same key for another deployment of the same flow returns the
 * existing run with 200 (src/prefect/server/models/flow_runs.py, create_flow_run); the scheduler
 * (scheduler.ts); 422 validation bodies (request-validation.ts); 400/409 parameter errors
 * (parameters.ts); the UI's index.html with 200 for GETs outside the API; Basic auth
 * (PREFECT_SERVER_API_AUTH_STRING) or, as Prefect Cloud, Bearer API keys under
 * /api/accounts/<id>/workspaces/<id>. Failures can be injected, and each flow run created through
 * the API is a tiny "flow" that writes pipeline manifests recording the runs in the pointer files
 * of a target directory, moving SCHEDULED -> PENDING -> RUNNING -> COMPLETED (or FAILED / CRASHED
 * when asked). Used by the tests and by `git promote sandbox`.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { dirname, join } from 'node:path';
import type { FlowStateType } from '../../core/flow-state.js';
import { hydrate, HydrationFailure, validateParameters, type JsonSchema } from './parameters.js';
import { createFlowRunErrors, filterErrors, validationBody } from './request-validation.js';
import {
  needsRuns,
  PREFECT_SCHEDULER_DEFAULTS,
  pythonUtc,
  scheduleDates,
  type SchedulerSettings,
  type StandInSchedule,
} from './scheduler.js';

export type { StandInSchedule } from './scheduler.js';

interface StandInDeployment {
  flow: string;
  name: string;
  id?: string;
  parameters?: Record<string, unknown>;
  tags?: string[];
  /** An interval schedule: the scheduler keeps future SCHEDULED runs for it. */
  schedule?: StandInSchedule;
  /**
   * The deployment's parameter_openapi_schema (default: an object schema accepting anything, as a
   * flow with `**kwargs` gets); null for a deployment without one.
   */
  parameterSchema?: JsonSchema | null;
  /** Default true, as DeploymentCreate has it (src/prefect/server/schemas/actions.py:205). */
  enforceParameterSchema?: boolean;
}

type StandInDeploymentRecord = Required<
  Omit<StandInDeployment, 'schedule' | 'parameterSchema' | 'enforceParameterSchema'>
> & {
  schedule: (StandInSchedule & { id: string; active: boolean }) | null;
  parameterSchema: JsonSchema | null;
  enforceParameterSchema: boolean;
  created: string;
};

interface StandInPointer {
  /** Pointer file path relative to the target directory. */
  file: string;
  runField?: string;
  /** The asset whose manifest records models.<pointer>. */
  asset: string;
}

interface StandInFlow {
  manifestsRoot: string;
  layout?: string;
  /** Where the flow reads the current pointer files (the agent target). */
  targetDir: string;
  pointers: Record<string, StandInPointer>;
}

interface FlowOutcome {
  state: 'COMPLETED' | 'FAILED' | 'CRASHED' | 'CANCELLED';
  /** failure_reason written into the manifests of a FAILED run. */
  failureReason?: string;
  /** Write manifests (default: yes unless CRASHED or CANCELLED). */
  writeManifests?: boolean;
}

interface Injection {
  method?: string;
  /** Matched against the path after /api (a string must be equal; a RegExp must match). */
  path?: string | RegExp;
  /** Answer this status (with `body`, default {"detail": "injected failure"}). */
  status?: number;
  body?: unknown;
  /** Send `body` as this content type, unencoded (e.g. a proxy's HTML error page). */
  contentType?: string;
  /** Close the connection without an answer: before handling, or after handling the request. */
  drop?: 'before' | 'after';
  /** Wait this long before answering. */
  delayMs?: number;
  /** How many matching requests this applies to (default 1). */
  times?: number;
}

interface StandInState {
  id: string;
  type: FlowStateType;
  name: string;
  timestamp: string;
  message: string | null;
}

interface StandInFlowRun {
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
  next_scheduled_start_time: string | null;
  run_count: number;
  auto_scheduled: boolean;
  work_queue_name: string | null;
  context: Record<string, unknown>;
  labels: Record<string, unknown>;
  empirical_policy: Record<string, unknown>;
  created_by: { id: string | null; type: string | null; display_value: string | null } | null;
}

export interface PrefectStandInOptions {
  /** Default: one deployment "daily/live". */
  deployments?: StandInDeployment[];
  /** Require `Authorization: Basic base64(auth)` (a server with PREFECT_SERVER_API_AUTH_STRING). */
  auth?: string;
  /** Require `Authorization: Bearer <apiKey>`, as Prefect Cloud does. */
  apiKey?: string;
  /**
   * Where the API is mounted (default `/api`); Prefect Cloud's is
   * `/api/accounts/<account id>/workspaces/<workspace id>` (see `cloudPath`).
   */
  basePath?: string;
  /** Scheduler settings (default Prefect's: min 3 runs / 1 h ahead, max 100 runs / 100 days). */
  scheduler?: Partial<SchedulerSettings>;
  /** Workspace variables for `{"__prefect_kind": "workspace_variable"}` parameters. */
  variables?: Record<string, unknown>;
  flow?: StandInFlow;
  /** Time between state transitions of a flow run (default 20 ms). */
  stepMs?: number;
  now?: () => Date;
}

interface RecordedRequest {
  method: string;
  path: string;
  status: number | 'dropped';
  body?: unknown;
}

export interface PrefectStandIn {
  /** Base URL of the API (ending in /api, or the Cloud workspace path). */
  url: string;
  /** The server's root, where Prefect serves its UI. */
  origin: string;
  close(): Promise<void>;
  inject(injection: Injection): void;
  /** The outcome of the next flow runs created (in order); default COMPLETED. */
  nextOutcome(outcome: FlowOutcome): void;
  /** Every flow run, in creation order. */
  flowRuns: StandInFlowRun[];
  deployments: StandInDeploymentRecord[];
  requests: RecordedRequest[];
  /** Requests to endpoints the stand-in does not implement. */
  unexpected: string[];
  /** Run the scheduler service now (it also runs before every request). */
  schedule(): void;
  /** Add a flow run in a given state (e.g. yesterday's FAILED run for doctor). */
  seedFlowRun(run: Partial<StandInFlowRun> & { state_type: FlowStateType }): StandInFlowRun;
  /**
   * Move a flow run to a state, as its worker would report it (a seeded RUNNING run completing);
   * a run not in the stand-in throws.
   */
  setFlowRunState(id: string, type: FlowStateType, message?: string): StandInFlowRun;
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

/** The operations the stand-in implements, as Prefect's OpenAPI description names them. */
export const PREFECT_ROUTES = [
  'GET /health',
  'GET /deployments/name/{flow_name}/{deployment_name}',
  'POST /deployments/{id}/create_flow_run',
  'GET /flow_runs/{id}',
  'POST /flow_runs/filter',
] as const;

/** A Prefect Cloud workspace API path. */
export function cloudPath(accountId: string, workspaceId: string): string {
  return `/api/accounts/${accountId}/workspaces/${workspaceId}`;
}

const INDEX_HTML =
  '<!doctype html>\n<html lang="en">\n<head><meta charset="UTF-8"><title>Prefect Server</title></head>\n<body><div id="app"></div></body>\n</html>\n';

/**
 * Outside the API, Prefect serves its UI: a single-page app whose static files answer every GET
 * with index.html and 200 (SPAStaticFiles in src/prefect/server/api/server.py up to 3.7.7, FastAPI
 * `frontend(..., fallback="index.html")` since), and other methods with Starlette's 405.
 */
function sendUi(res: ServerResponse, method: string): void {
  if (method === 'GET' || method === 'HEAD') {
    res.writeHead(200, {
      'content-type': 'text/html; charset=utf-8',
      'content-length': Buffer.byteLength(INDEX_HTML),
    });
    res.end(method === 'HEAD' ? undefined : INDEX_HTML);
    return;
  }
  res.writeHead(405, { 'content-type': 'text/plain; charset=utf-8', allow: 'GET, HEAD' });
  res.end('Method Not Allowed');
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
  const basePath = (options.basePath ?? '/api').replace(/\/+$/, '');
  const scheduler = { ...PREFECT_SCHEDULER_DEFAULTS, ...options.scheduler };
  const variables = options.variables ?? {};
  const created0 = now().toISOString();
  const deployments: StandInDeploymentRecord[] = (
    options.deployments ?? [{ flow: 'daily', name: 'live' }]
  ).map((d) => ({
    id: d.id ?? randomUUID(),
    flow: d.flow,
    name: d.name,
    parameters: d.parameters ?? {},
    tags: d.tags ?? [],
    schedule: d.schedule ? { id: randomUUID(), active: true, ...d.schedule } : null,
    parameterSchema:
      d.parameterSchema === undefined
        ? ({ type: 'object', properties: {} } as JsonSchema)
        : d.parameterSchema,
    enforceParameterSchema: d.enforceParameterSchema ?? true,
    created: created0,
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

  function runName(i: number): string {
    return `${ADJECTIVES[i % ADJECTIVES.length]}-${ANIMALS[Math.floor(i / ADJECTIVES.length) % ANIMALS.length]}`;
  }

  /** A SCHEDULED run of a deployment with FlowRunResponse's fields. */
  function baseRun(
    deployment: StandInDeploymentRecord,
    fields: Partial<StandInFlowRun> & { expected_start_time: string },
  ): StandInFlowRun {
    const ts = now().toISOString();
    return {
      id: randomUUID(),
      name: runName(flowRuns.length),
      flow_id: flowIds.get(deployment.flow)!,
      deployment_id: deployment.id,
      parameters: { ...deployment.parameters },
      tags: [...deployment.tags],
      idempotency_key: null,
      state_type: 'SCHEDULED',
      state_name: 'Scheduled',
      state: { id: randomUUID(), type: 'SCHEDULED', name: 'Scheduled', timestamp: ts, message: null },
      created: ts,
      updated: ts,
      start_time: null,
      end_time: null,
      next_scheduled_start_time: fields.expected_start_time,
      run_count: 0,
      auto_scheduled: false,
      work_queue_name: 'default',
      context: {},
      labels: { 'prefect.flow.id': flowIds.get(deployment.flow)!, 'prefect.deployment.id': deployment.id },
      empirical_policy: { retries: 0, retry_delay: 0, pause_keys: [], resuming: false },
      created_by: null,
      ...fields,
    };
  }

  function newRun(
    deployment: StandInDeploymentRecord,
    body: Record<string, unknown>,
    parameters: Record<string, unknown>,
  ): StandInFlowRun {
    const ts = now().toISOString();
    const run = baseRun(deployment, {
      ...(typeof body.name === 'string' && body.name ? { name: body.name } : {}),
      parameters,
      // Prefect: tags=set(deployment.tags).union(flow_run.tags)
      tags: [...new Set([...deployment.tags, ...((body.tags as string[]) ?? [])])],
      idempotency_key: typeof body.idempotency_key === 'string' ? body.idempotency_key : null,
      expected_start_time: ts,
    });
    flowRuns.push(run);
    progress(run, outcomes.shift() ?? { state: 'COMPLETED' });
    return run;
  }

  /** The scheduler service's pass (scheduler.ts); runs keep their state, no worker starts them. */
  function schedule(): void {
    const t = now().getTime();
    for (const d of deployments) {
      if (!d.schedule?.active) continue;
      const future = flowRuns
        .filter((r) => r.deployment_id === d.id && r.auto_scheduled && r.state_type === 'SCHEDULED')
        .map((r) => Date.parse(r.expected_start_time))
        .filter((x) => x >= t);
      if (!needsRuns(future, t, scheduler)) continue;
      for (const date of scheduleDates(d.schedule, t, scheduler)) {
        const key = `scheduled ${d.id} ${d.schedule.id} ${pythonUtc(date)}`;
        if (flowRuns.some((r) => r.flow_id === flowIds.get(d.flow) && r.idempotency_key === key)) continue;
        const iso = new Date(date).toISOString();
        const run = baseRun(d, {
          idempotency_key: key,
          tags: ['auto-scheduled', ...d.tags],
          auto_scheduled: true,
          expected_start_time: iso,
          created_by: { id: d.schedule.id, type: 'SCHEDULE', display_value: 'IntervalSchedule' },
        });
        run.state.message = 'Flow run scheduled';
        flowRuns.push(run);
      }
    }
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
        {
          id: d.id,
          created: d.created,
          updated: d.created,
          name: d.name,
          flow_id: flowIds.get(d.flow),
          paused: false,
          status: 'READY',
          parameters: d.parameters,
          tags: d.tags,
          enforce_parameter_schema: d.enforceParameterSchema,
          parameter_openapi_schema: d.parameterSchema,
          schedules: d.schedule
            ? [
                {
                  id: d.schedule.id,
                  created: d.created,
                  updated: d.created,
                  deployment_id: d.id,
                  active: d.schedule.active,
                  schedule: {
                    interval: d.schedule.interval,
                    anchor_date: d.schedule.anchor,
                    timezone: 'UTC',
                  },
                },
              ]
            : [],
        },
      ];
    }
    if (method === 'POST' && (m = /^\/deployments\/([^/]+)\/create_flow_run$/.exec(path))) {
      // FastAPI validates the body before the handler runs: 422 comes before 404.
      const errors = createFlowRunErrors(body);
      if (errors.length) return [422, validationBody(errors, body)];
      const d = deployments.find((x) => x.id === decodeURIComponent(m![1]!));
      if (!d) return [404, { detail: 'Deployment not found' }];
      const b = (body ?? {}) as Record<string, unknown>;
      let parameters: Record<string, unknown>;
      try {
        parameters = hydrate(
          { ...d.parameters, ...((b.parameters as Record<string, unknown>) ?? {}) },
          variables,
        ) as Record<string, unknown>;
      } catch (err) {
        if (!(err instanceof HydrationFailure)) throw err;
        return [400, { detail: `Error hydrating flow run parameters: ${err.message}` }];
      }
      const enforce =
        typeof b.enforce_parameter_schema === 'boolean'
          ? b.enforce_parameter_schema
          : d.enforceParameterSchema;
      if (enforce) {
        if (!d.parameterSchema)
          return [
            409,
            {
              detail:
                'Error updating deployment: Cannot update parameters because parameter schema enforcement is enabled and the deployment does not have a valid parameter schema.',
            },
          ];
        const problem = validateParameters(parameters, d.parameterSchema);
        if (problem) return [409, { detail: `Error creating flow run: ${problem}` }];
      }
      // Idempotency is per flow, not per deployment (models/flow_runs.py, create_flow_run:
      // on conflict of (flow_id, idempotency_key), read back the existing run; 200, not 201).
      const key = typeof b.idempotency_key === 'string' ? b.idempotency_key : null;
      const existing = key
        ? flowRuns.find((r) => r.flow_id === flowIds.get(d.flow) && r.idempotency_key === key)
        : undefined;
      if (existing) return [200, existing];
      return [201, newRun(d, b, parameters)];
    }
    if (method === 'GET' && (m = /^\/flow_runs\/([^/]+)$/.exec(path))) {
      const run = flowRuns.find((r) => r.id === decodeURIComponent(m![1]!));
      return run ? [200, run] : [404, { detail: 'Flow run not found' }];
    }
    if (method === 'POST' && path === '/flow_runs/filter') {
      const { errors, unimplemented } = filterErrors(body);
      if (errors.length) return [422, validationBody(errors, body)];
      for (const u of unimplemented) unexpected.push(`POST /flow_runs/filter with ${u}`);
      // LimitBody (src/prefect/server/api/dependencies.py): PREFECT_SERVER_API_DEFAULT_LIMIT (200)
      // is the default and the maximum; an HTTPException, so {"detail": …}.
      const limit = (body as { limit?: number } | undefined)?.limit;
      if (typeof limit === 'number' && limit > 200)
        return [422, { detail: 'Invalid limit: must be less than or equal to 200.' }];
      if (typeof limit === 'number' && limit < 0)
        return [422, { detail: 'Invalid limit: must be greater than or equal to 0.' }];
      return [200, filterRuns(body)];
    }
    unexpected.push(`${method} ${path}`);
    return [404, { detail: 'Not Found' }];
  }

  /** The filters of schemas/filters.py the stand-in implements (others are reported as unexpected). */
  function filterRuns(body: unknown): StandInFlowRun[] {
    type AnyOf = { any_?: string[] | null; not_any_?: string[] | null };
    const b = (body ?? {}) as {
      deployments?: { id?: AnyOf | null } | null;
      flow_runs?: {
        id?: AnyOf | null;
        tags?: { all_?: string[] | null } | null;
        deployment_id?: { any_?: string[] | null } | null;
        state?: { type?: AnyOf | null; name?: AnyOf | null } | null;
        expected_start_time?: { before_?: string | null; after_?: string | null } | null;
        idempotency_key?: AnyOf | null;
      } | null;
      sort?: string;
      limit?: number | null;
      offset?: number;
    };
    const anyOf = (f: AnyOf | null | undefined, v: string | null) =>
      (!f?.any_ || (v !== null && f.any_.includes(v))) &&
      (!f?.not_any_ || v === null || !f.not_any_.includes(v));
    const fr = b.flow_runs ?? {};
    const before = fr.expected_start_time?.before_ ? Date.parse(fr.expected_start_time.before_) : null;
    const after = fr.expected_start_time?.after_ ? Date.parse(fr.expected_start_time.after_) : null;
    let runs = flowRuns.filter(
      (r) =>
        anyOf(b.deployments?.id, r.deployment_id) &&
        anyOf(fr.id, r.id) &&
        (!fr.tags?.all_ || fr.tags.all_.every((t) => r.tags.includes(t))) &&
        (!fr.deployment_id?.any_ || fr.deployment_id.any_.includes(r.deployment_id)) &&
        anyOf(fr.state?.type, r.state_type) &&
        anyOf(fr.state?.name, r.state_name) &&
        anyOf(fr.idempotency_key, r.idempotency_key) &&
        // FlowRunFilterExpectedStartTime: before_ is <=, after_ is >=.
        (before === null || Date.parse(r.expected_start_time) <= before) &&
        (after === null || Date.parse(r.expected_start_time) >= after),
    );
    const sort = b.sort ?? 'ID_DESC';
    const key: keyof StandInFlowRun = sort.startsWith('START_TIME')
      ? 'start_time'
      : sort.startsWith('EXPECTED')
        ? 'expected_start_time'
        : sort.startsWith('NEXT_SCHEDULED')
          ? 'next_scheduled_start_time'
          : sort.startsWith('END_TIME')
            ? 'end_time'
            : sort.startsWith('NAME')
              ? 'name'
              : 'created';
    runs = runs.slice().sort((x, y) => String(x[key] ?? '').localeCompare(String(y[key] ?? '')));
    if (sort.endsWith('DESC')) runs.reverse();
    const offset = b.offset ?? 0;
    return runs.slice(offset, offset + (b.limit ?? 200));
  }

  const expectedAuth = options.auth
    ? `Basic ${Buffer.from(options.auth).toString('base64')}`
    : options.apiKey
      ? `Bearer ${options.apiKey}`
      : null;

  const server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://stand-in');
      const method = req.method ?? 'GET';
      if (!url.pathname.startsWith(`${basePath}/`)) {
        unexpected.push(`${method} ${url.pathname}`);
        // Under /api but not this API (another Cloud workspace): FastAPI's 404. Elsewhere: the UI.
        if (url.pathname.startsWith('/api/')) {
          requests.push({ method, path: url.pathname, status: 404 });
          return send(res, 404, { detail: 'Not Found' });
        }
        requests.push({
          method,
          path: url.pathname,
          status: method === 'GET' || method === 'HEAD' ? 200 : 405,
        });
        return sendUi(res, method);
      }
      const path = url.pathname.slice(basePath.length);
      schedule();
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
        // FastAPI's RequestValidationError for a body that does not parse, through Prefect's handler.
        return send(
          res,
          422,
          validationBody(
            [{ type: 'json_invalid', loc: ['body', 0], msg: 'JSON decode error', input: {} }],
            null,
          ),
        );
      }
      // Self-hosted: the token_validation middleware (server.py) answers {"exception_message":
      // "Unauthorized"}. Prefect Cloud is not open source; the stand-in answers it the same way.
      if (expectedAuth && req.headers.authorization !== expectedAuth) {
        requests.push({ method, path, status: 401, body });
        return send(res, 401, { exception_message: 'Unauthorized' });
      }
      if (injection?.status) {
        requests.push({ method, path, status: injection.status, body });
        if (injection.contentType) {
          res.writeHead(injection.status, { 'content-type': injection.contentType });
          return res.end(String(injection.body ?? ''));
        }
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

  schedule();
  return {
    url: `http://127.0.0.1:${port}${basePath}`,
    origin: `http://127.0.0.1:${port}`,
    schedule,
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
      const d = deployments.find((x) => x.id === partial.deployment_id) ?? deployments[0]!;
      const run: StandInFlowRun = {
        ...baseRun(d, { expected_start_time: partial.expected_start_time ?? ts }),
        name: 'seeded-run',
        parameters: {},
        tags: [],
        start_time: ts,
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
    setFlowRunState(id, type, message) {
      const run = flowRuns.find((r) => r.id === id);
      if (!run) throw new Error(`no flow run ${id} in the Prefect stand-in`);
      setState(run, type, message ?? null);
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
