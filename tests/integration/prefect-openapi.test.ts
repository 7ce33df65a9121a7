/**
 * The Prefect stand-in against Prefect's own OpenAPI description (tests/fixtures/prefect-openapi.json,
 * the subset of Prefect 3's docs/v3/api-ref/rest-api/server/schema.json that git-promote uses;
 * its info.x-source names the commit): every route exists, the request fields the stand-in accepts
 * are the request models' fields, every answer of a scenario through the real client has a
 * documented status (or a reason it is not documented) and fields of the documented types, and
 * every request body the client sent is valid for the request model.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPrefectTrigger } from '../../src/adapters/flow/prefect-trigger.js';
import { createPrefectClient } from '../../src/adapters/prefect/client.js';
import { readGameDateRuns } from '../../src/adapters/prefect/game-date-runs.js';
import { PREFECT_ROUTES, startPrefectStandIn, type PrefectStandIn } from '../../src/sandbox/prefect/index.js';
import {
  CREATE_FLOW_RUN_FIELDS,
  FILTER_FIELDS,
  FLOW_RUN_SORTS,
  STATE_TYPE_FILTER_FIELDS,
  STATE_TYPES,
  SUB_FILTER_FIELDS,
} from '../../src/sandbox/prefect/request-validation.js';
import { flowActivities } from '../../src/adapters/flow/flow-activity.js';
import { configSchema } from '../../src/core/schemas.js';
import { sampleConfig } from '../helpers/fixtures.js';
import { typeChecker, type Schema } from '../helpers/openapi-types.js';

interface Operation {
  requestBody?: { content: Record<string, { schema: Schema }> };
  responses: Record<string, { content?: Record<string, { schema: Schema }> }>;
}
interface Spec {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema> };
}

const spec = JSON.parse(
  readFileSync(new URL('../fixtures/prefect-openapi.json', import.meta.url), 'utf8'),
) as Spec;
const { typeProblems, resolve } = typeChecker(spec, { strict: true });
const props = (name: string) => Object.keys((spec.components.schemas[name]!.properties as object) ?? {});

/**
 * Statuses Prefect really answers that FastAPI's description leaves out, each with its source.
 * Nothing else may be missing.
 */
const UNDOCUMENTED: Record<string, string> = {
  'POST /deployments/{id}/create_flow_run 201':
    'deployments.py sets response.status_code = 201 when the run is new (200 for an idempotent hit)',
  'POST /deployments/{id}/create_flow_run 404': 'HTTPException "Deployment not found" (deployments.py)',
  'POST /deployments/{id}/create_flow_run 409': 'HTTPException "Error creating flow run: …" (deployments.py)',
  'POST /deployments/{id}/create_flow_run 400': 'HTTPException "Error hydrating flow run parameters: …"',
  'GET /deployments/name/{flow_name}/{deployment_name} 404': 'ObjectNotFoundError handler (server.py)',
  'GET /flow_runs/{id} 404': 'HTTPException "Flow run not found" (flow_runs.py)',
};

function template(method: string, path: string): string | null {
  for (const route of PREFECT_ROUTES) {
    const [m, t] = route.split(' ') as [string, string];
    if (m !== method) continue;
    const re = new RegExp(`^${t.replace(/\{[^}]+\}/g, '[^/]+')}$`);
    if (re.test(path)) return t;
  }
  return null;
}

describe("Prefect's OpenAPI description", () => {
  it('has every route of the stand-in', () => {
    for (const route of PREFECT_ROUTES) {
      const [method, path] = route.split(' ') as [string, string];
      expect(spec.paths[path]?.[method.toLowerCase()], route).toBeDefined();
    }
  });

  it("lists exactly the request fields the stand-in validates, and forbids others as Prefect's models do", () => {
    const create = spec.components.schemas.DeploymentFlowRunCreate!;
    expect(create.additionalProperties).toBe(false);
    expect(props('DeploymentFlowRunCreate').sort()).toEqual([...CREATE_FLOW_RUN_FIELDS].sort());
    expect(resolve(spec.components.schemas.FlowRunSort).enum).toEqual([...FLOW_RUN_SORTS]);
    for (const [name, model] of Object.entries(FILTER_FIELDS)) {
      expect(spec.components.schemas[model.schema]!.additionalProperties, model.schema).toBe(false);
      expect(props(model.schema).sort(), model.schema).toEqual(Object.keys(model.fields).sort());
      const body = spec.components.schemas.Body_read_flow_runs_flow_runs_filter_post!;
      expect(JSON.stringify((body.properties as Record<string, unknown>)[name])).toContain(model.schema);
    }
    for (const [sub, fields] of Object.entries(SUB_FILTER_FIELDS)) {
      expect(spec.components.schemas[sub]!.additionalProperties, sub).toBe(false);
      expect(props(sub).sort(), sub).toEqual([...fields].sort());
    }
    // FlowRunFilterState.type, which the quiet window sends (docs/switching-safely.md).
    expect(JSON.stringify(spec.components.schemas.FlowRunFilterState!.properties)).toContain(
      'FlowRunFilterStateType',
    );
    expect(spec.components.schemas.FlowRunFilterStateType!.additionalProperties).toBe(false);
    expect(props('FlowRunFilterStateType').sort()).toEqual([...STATE_TYPE_FILTER_FIELDS].sort());
    expect(resolve(spec.components.schemas.StateType).enum).toEqual([...STATE_TYPES]);
  });
});

describe('the stand-in answers as described', () => {
  let prefect: PrefectStandIn;
  const answers: { method: string; path: string; status: number; body: unknown }[] = [];
  /** How many of the stand-in's requests came from git-promote's client (the first ones). */
  let fromClient = 0;

  beforeAll(async () => {
    prefect = await startPrefectStandIn({
      stepMs: 2,
      deployments: [
        { flow: 'daily', name: 'live', schedule: { interval: 3600, anchor: '2026-01-01T00:00:00Z' } },
        {
          flow: 'daily',
          name: 'strict',
          parameterSchema: {
            type: 'object',
            properties: { game_date: { type: 'string' } },
            required: ['game_date'],
          },
        },
      ],
    });
    const raw = async (method: string, path: string, body?: unknown) => {
      const res = await fetch(`${prefect.url}${path}`, {
        method,
        headers: { 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      answers.push({ method, path, status: res.status, body: await res.json() });
    };
    // Through the real client: trigger, idempotent retrigger, follow, the game date's runs.
    const settings = { api: prefect.url, flowName: 'daily', deploymentName: 'live', timeoutMs: 5_000 };
    const deps = { env: {}, fetch, cwd: '/', now: () => new Date(), retry: { attempts: 1 } };
    const trigger = createPrefectTrigger({ ...settings, parameters: { game_date: '{game_date}' } }, deps);
    const request = { commit: 'a'.repeat(40), pointers: ['minutes'], gameDate: '2026-11-26' };
    const { flowRunId } = await trigger.trigger(request);
    await trigger.trigger(request);
    await trigger.follow(flowRunId, { timeoutMs: 5_000, pollMs: 2 });
    const client = createPrefectClient({ api: prefect.url, fetch, retry: { attempts: 1 } });
    await readGameDateRuns(client, prefect.deployments[0]!.id, '2026-11-26');
    // The quiet window's question: runs of the deployment in progress.
    const config = configSchema.parse(
      sampleConfig('/tmp', { flow: { prefect: { api: prefect.url, deployment: 'daily/live' } } }),
    );
    const [activity] = flowActivities(config, { env: {}, fetch, root: '/', retry: { attempts: 1 } });
    await activity!.inProgress();
    fromClient = prefect.requests.length;

    // Raw answers: each route's success and error cases.
    const [live, strict] = prefect.deployments;
    await raw('GET', '/health');
    await raw('GET', '/deployments/name/daily/live');
    await raw('GET', '/deployments/name/daily/nope');
    await raw('GET', `/flow_runs/${flowRunId}`);
    await raw('GET', '/flow_runs/2f0c5e2a-0000-4000-8000-000000000000');
    await raw('POST', `/deployments/${live!.id}/create_flow_run`, { parameters: 'x', bogus: 1 });
    await raw('POST', '/deployments/2f0c5e2a-0000-4000-8000-000000000000/create_flow_run', {});
    await raw('POST', `/deployments/${strict!.id}/create_flow_run`, { parameters: { game_date: 5 } });
    await raw('POST', `/deployments/${live!.id}/create_flow_run`, {
      parameters: { cfg: { __prefect_kind: 'workspace_variable', variable_name: 'nope' } },
    });
    await raw('POST', '/flow_runs/filter', { flow_runs: { expected_start_time: { after: 'x' } } });
    await raw('POST', '/flow_runs/filter', { limit: 500 });
    await raw('POST', '/flow_runs/filter', { sort: 'EXPECTED_START_TIME_ASC', limit: 5 });
    await raw('POST', '/flow_runs/filter', { flow_runs: { state: { type: { any_: ['RUNNING', 'BUSY'] } } } });
  });
  afterAll(async () => {
    expect(prefect.unexpected).toEqual([]);
    await prefect.close();
  });

  it('gives documented statuses (or known undocumented ones) with fields of the documented types', () => {
    const all = [
      ...prefect.requests.map((r) => ({ ...r, body: undefined as unknown, viaClient: true })),
      ...answers.map((a) => ({ ...a, viaClient: false })),
    ];
    const seen = new Set<string>();
    for (const r of all) {
      const t = template(r.method, r.path);
      expect(t, r.path).not.toBeNull();
      const key = `${r.method} ${t} ${r.status}`;
      seen.add(key);
      const op = spec.paths[t!]![r.method.toLowerCase()]!;
      const documented = op.responses[String(r.status)];
      if (!documented) expect(UNDOCUMENTED[key], `${key} is not documented`).toBeDefined();
      if (r.viaClient) continue;
      const schema = documented?.content?.['application/json']?.schema;
      // 422 is documented as FastAPI's HTTPValidationError, but Prefect's handler replaces it.
      if (schema && r.status !== 422) expect(typeProblems(r.body, schema, 'body'), key).toEqual([]);
    }
    for (const key of [
      'POST /deployments/{id}/create_flow_run 201',
      'POST /deployments/{id}/create_flow_run 200',
      'POST /deployments/{id}/create_flow_run 409',
      'POST /deployments/{id}/create_flow_run 400',
      'POST /deployments/{id}/create_flow_run 422',
      'POST /flow_runs/filter 422',
      'GET /flow_runs/{id} 404',
    ])
      expect(seen, key).toContain(key);
  });

  it("answers request validation errors in Prefect's shape, naming the fields", () => {
    const bad = answers.find((a) => a.status === 422 && a.path.endsWith('create_flow_run'))!;
    expect(bad.body).toMatchObject({
      exception_message: 'Invalid request received.',
      exception_detail: [
        { type: 'dict_type', loc: ['body', 'parameters'], msg: 'Input should be a valid dictionary' },
        { type: 'extra_forbidden', loc: ['body', 'bogus'], msg: 'Extra inputs are not permitted' },
      ],
    });
    const validation = spec.components.schemas.ValidationError!;
    for (const e of (bad.body as { exception_detail: unknown[] }).exception_detail)
      expect(typeProblems(e, validation, 'detail')).toEqual([]);
    const filter = answers.filter((a) => a.path === '/flow_runs/filter').map((a) => a.body);
    expect(filter[0]).toMatchObject({
      exception_detail: [
        { type: 'extra_forbidden', loc: ['body', 'flow_runs', 'expected_start_time', 'after'] },
      ],
    });
    expect(filter[1]).toEqual({ detail: 'Invalid limit: must be less than or equal to 200.' });
    // A state type Prefect does not know: StateType's enum error, at its index.
    expect(filter[3]).toMatchObject({
      exception_detail: [
        { type: 'enum', loc: ['body', 'flow_runs', 'state', 'type', 'any_', 1], input: 'BUSY' },
      ],
    });
    expect(answers.find((a) => a.status === 409)!.body).toEqual({
      detail:
        "Error creating flow run: Validation failed for field 'game_date'. Failure reason: 5 is not of type 'string'",
    });
    expect(answers.find((a) => a.status === 400)!.body).toEqual({
      detail: "Error hydrating flow run parameters: Variable 'nope' not found in workspace.",
    });
  });

  it("received from git-promote's client only request bodies valid for the request models", () => {
    const bodies = prefect.requests.slice(0, fromClient).filter((r) => r.body !== undefined);
    expect(bodies.length).toBeGreaterThan(0);
    for (const r of bodies) {
      const t = template(r.method, r.path)!;
      const schema = spec.paths[t]![r.method.toLowerCase()]!.requestBody!.content['application/json']!.schema;
      expect(typeProblems(r.body, schema, 'body'), `${r.method} ${t}`).toEqual([]);
    }
  });
});
