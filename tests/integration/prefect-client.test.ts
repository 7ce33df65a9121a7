import { afterEach, describe, expect, it } from 'vitest';
import { createPrefectClient } from '../../src/adapters/prefect/client.js';
import { prefectSettings } from '../../src/adapters/prefect/settings.js';
import { createPrefectTrigger } from '../../src/adapters/flow/prefect-trigger.js';
import { CheckFailedError, TransientError, UsageError } from '../../src/core/errors.js';
import { configSchema } from '../../src/core/schemas.js';
import { startPrefectStandIn, type PrefectStandIn } from '../../src/sandbox/prefect/index.js';
import { sampleConfig } from '../helpers/fixtures.js';

const fast = { attempts: 4, baseMs: 1, maxMs: 5 };
let prefect: PrefectStandIn | undefined;
afterEach(async () => {
  expect(prefect?.unexpected ?? []).toEqual([]);
  await prefect?.close();
  prefect = undefined;
});

function trigger(p: PrefectStandIn, extra: { authString?: string; requestTimeoutMs?: number } = {}) {
  return createPrefectTrigger(
    {
      api: p.url,
      ...(extra.authString ? { authString: extra.authString } : {}),
      flowName: 'daily',
      deploymentName: 'live',
      parameters: { game_date: '{game_date}', mode: 'live', pointers: ['{pointers}'] },
      timeoutMs: 10_000,
    },
    {
      env: {},
      fetch,
      cwd: '/',
      now: () => new Date(),
      retry: fast,
      ...(extra.requestTimeoutMs ? { requestTimeoutMs: extra.requestTimeoutMs } : {}),
    },
  );
}

const request = { commit: 'a'.repeat(40), pointers: ['rates', 'minutes'], gameDate: '2026-11-26' };

describe('Prefect trigger against the stand-in', () => {
  it('creates one flow run with filled parameters, tags and the idempotency key, and follows it', async () => {
    prefect = await startPrefectStandIn({ stepMs: 5 });
    const t = trigger(prefect);
    const first = await t.trigger(request);
    expect(first.created).toBe(true);
    expect(first.run.state).toBe('SCHEDULED');
    const run = prefect.flowRuns[0]!;
    expect(run.parameters).toEqual({ game_date: '2026-11-26', mode: 'live', pointers: ['minutes,rates'] });
    expect(run.tags).toEqual(['git-promote', 'minutes', 'rates']);
    expect(run.idempotency_key).toBe(`daily/live:${'a'.repeat(40)}:minutes,rates`);

    const again = await t.trigger(request);
    expect(again).toMatchObject({ flowRunId: first.flowRunId, created: false });
    expect(prefect.flowRuns).toHaveLength(1);

    const states: string[] = [];
    const done = await t.follow(first.flowRunId, {
      timeoutMs: 5_000,
      pollMs: 2,
      onState: (r) => states.push(r.state),
    });
    expect(done.state).toBe('COMPLETED');
    expect(done.startTime).not.toBeNull();
    expect(states.at(-1)).toBe('COMPLETED');
    // Each change is reported once, in Prefect's order (how many are seen depends on timing).
    const order = ['SCHEDULED', 'PENDING', 'RUNNING', 'COMPLETED'];
    expect(states.map((x) => order.indexOf(x))).toEqual(
      [...new Set(states.map((x) => order.indexOf(x)))].sort(),
    );
  });

  it('retries a create whose answer was lost on a dropped connection and still makes exactly one run', async () => {
    prefect = await startPrefectStandIn({ stepMs: 5 });
    prefect.inject({ method: 'POST', path: /create_flow_run$/, drop: 'after' });
    const result = await trigger(prefect).trigger(request);
    expect(prefect.flowRuns).toHaveLength(1);
    expect(result.flowRunId).toBe(prefect.flowRuns[0]!.id);
    const creates = prefect.requests.filter((r) => r.path.endsWith('create_flow_run'));
    expect(creates.map((r) => r.status)).toEqual(['dropped', 200]);
  });

  it('retries 5xx and slow answers, but never a 4xx', async () => {
    prefect = await startPrefectStandIn({ stepMs: 5 });
    prefect.inject({ path: /^\/deployments\/name/, status: 503, times: 2 });
    prefect.inject({ method: 'POST', path: /create_flow_run$/, delayMs: 400 });
    await trigger(prefect, { requestTimeoutMs: 150 }).trigger(request);
    expect(
      prefect.requests.filter((r) => r.path.startsWith('/deployments/name')).map((r) => r.status),
    ).toEqual([503, 503, 200]);
    expect(prefect.flowRuns).toHaveLength(1);

    prefect.inject({ method: 'POST', path: /create_flow_run$/, status: 404, times: 5 });
    const err = await trigger(prefect)
      .trigger({ ...request, commit: 'b'.repeat(40) })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CheckFailedError);
    expect((err as CheckFailedError).exitCode).toBe(1);
    expect(prefect.requests.filter((r) => r.status === 404)).toHaveLength(1);
  });

  it('gives up on a persistent 5xx with a transient error (exit 3)', async () => {
    prefect = await startPrefectStandIn();
    prefect.inject({ path: /^\/deployments\/name/, status: 500, times: 10 });
    const err = await trigger(prefect)
      .trigger(request)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TransientError);
    expect((err as TransientError).exitCode).toBe(3);
    expect((err as Error).message).toContain('HTTP 500');
    expect(prefect.requests).toHaveLength(4);
  });

  it('names a missing deployment clearly (exit 1, not retried)', async () => {
    prefect = await startPrefectStandIn({ deployments: [{ flow: 'daily', name: 'backfill' }] });
    const err = await trigger(prefect)
      .trigger(request)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CheckFailedError);
    expect((err as CheckFailedError).message).toBe(
      `Prefect deployment "daily/live" not found at ${prefect.url}`,
    );
    expect((err as CheckFailedError).remedy).toContain('flow.prefect.deployment');
    expect(prefect.requests).toHaveLength(1);
  });

  it('sends Basic auth from PREFECT_API_AUTH_STRING and reports refused credentials without them', async () => {
    prefect = await startPrefectStandIn({ auth: 'admin:s3cret' });
    const ok = await trigger(prefect, { authString: 'admin:s3cret' }).trigger(request);
    expect(ok.created).toBe(true);
    const err = await trigger(prefect)
      .trigger(request)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UsageError);
    expect((err as Error).message).toContain('refused the credentials (HTTP 401)');
    expect((err as Error).message).not.toContain('s3cret');
  });

  it('reports FAILED and CRASHED runs as terminal states', async () => {
    prefect = await startPrefectStandIn({ stepMs: 5 });
    prefect.nextOutcome({ state: 'FAILED', failureReason: 'missing required columns [minutes_p50]' });
    prefect.nextOutcome({ state: 'CRASHED' });
    const t = trigger(prefect);
    const a = await t.trigger(request);
    const b = await t.trigger({ ...request, commit: 'c'.repeat(40) });
    const fa = await t.follow(a.flowRunId, { timeoutMs: 5_000, pollMs: 2 });
    const fb = await t.follow(b.flowRunId, { timeoutMs: 5_000, pollMs: 2 });
    expect(fa).toMatchObject({ state: 'FAILED', message: 'missing required columns [minutes_p50]' });
    expect(fb.state).toBe('CRASHED');
  });

  it('stops following after the flow timeout with a transient error', async () => {
    prefect = await startPrefectStandIn({ stepMs: 10_000 });
    const t = trigger(prefect);
    const { flowRunId } = await t.trigger(request);
    const err = await t.follow(flowRunId, { timeoutMs: 50, pollMs: 10 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TransientError);
    expect((err as Error).message).toContain(`flow run ${flowRunId} is still SCHEDULED`);
  });
});

describe('Prefect client transport', () => {
  it('classifies connection refused as transient after retries (exit 3)', async () => {
    const p = await startPrefectStandIn();
    const url = p.url;
    await p.close();
    const client = createPrefectClient({ api: url, fetch, retry: fast });
    const err = await client.readFlowRun('x').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TransientError);
    expect((err as Error).message).toContain('ECONNREFUSED');
  });

  it('caps the response size', async () => {
    prefect = await startPrefectStandIn();
    prefect.inject({ path: '/flow_runs/big', status: 200, body: { id: 'big', pad: 'x'.repeat(10_000) } });
    const client = createPrefectClient({ api: prefect.url, fetch, maxBytes: 1000, retry: fast });
    const err = await client.readFlowRun('big').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TransientError);
    expect((err as Error).message).toContain('larger than 1000 bytes');
  });

  it('takes PREFECT_API_URL over flow.prefect.api and moves URL credentials into Basic auth', () => {
    const config = configSchema.parse(
      sampleConfig('/x', {
        flow: { prefect: { api: 'http://127.0.0.1:4200/api', deployment: 'daily/live' } },
      }),
    );
    expect(prefectSettings(config, {}).api).toBe('http://127.0.0.1:4200/api');
    const s = prefectSettings(config, { PREFECT_API_URL: 'http://u:p%40ss@prefect.local:4200/api/' });
    expect(s).toMatchObject({ api: 'http://prefect.local:4200/api', authString: 'u:p@ss' });
    expect(prefectSettings(config, { PREFECT_API_AUTH_STRING: 'a:b' }).authString).toBe('a:b');
    expect(() => prefectSettings(config, { PREFECT_API_URL: 'not a url' })).toThrow(UsageError);
  });
});

describe('Prefect realism in the stand-in and the client', () => {
  const daily = { interval: 86_400, anchor: '2026-01-01T15:00:00Z' };

  it("keeps Prefect's default of 3 future runs for a daily schedule, inserting nothing twice", async () => {
    let now = new Date('2026-11-26T18:00:00Z');
    prefect = await startPrefectStandIn({
      now: () => now,
      deployments: [{ flow: 'daily', name: 'live', schedule: daily, parameters: { mode: 'live' } }],
    });
    const scheduled = () =>
      prefect!.flowRuns.filter((r) => r.auto_scheduled).map((r) => r.expected_start_time);
    expect(scheduled()).toEqual([
      '2026-11-27T15:00:00.000Z',
      '2026-11-28T15:00:00.000Z',
      '2026-11-29T15:00:00.000Z',
    ]);
    const run = prefect.flowRuns[0]!;
    expect(run).toMatchObject({
      state_type: 'SCHEDULED',
      tags: ['auto-scheduled'],
      parameters: { mode: 'live' },
    });
    expect(run.idempotency_key).toBe(
      `scheduled ${prefect.deployments[0]!.id} ${run.created_by!.id} 2026-11-27 15:00:00+00:00`,
    );
    prefect.schedule();
    expect(scheduled()).toHaveLength(3);
    // Two days later two runs are past (Late: no worker ran them); the scheduler tops up to 3 ahead.
    now = new Date('2026-11-28T16:00:00Z');
    prefect.schedule();
    expect(scheduled().slice(3)).toEqual(['2026-11-30T15:00:00.000Z', '2026-12-01T15:00:00.000Z']);
  });

  it('keys idempotency per flow: the same key on another deployment of the flow returns the first run', async () => {
    prefect = await startPrefectStandIn({
      deployments: [
        { flow: 'daily', name: 'live' },
        { flow: 'daily', name: 'live-v2' },
        { flow: 'weekly', name: 'live' },
      ],
    });
    const [a, b, c] = prefect.deployments;
    const post = (id: string) =>
      fetch(`${prefect!.url}/deployments/${id}/create_flow_run`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ idempotency_key: 'k' }),
      }).then(async (r) => ({ status: r.status, id: ((await r.json()) as { id: string }).id }));
    const first = await post(a!.id);
    expect(first.status).toBe(201);
    expect(await post(b!.id)).toEqual({ status: 200, id: first.id });
    expect((await post(c!.id)).status).toBe(201);
  });

  it("reports a parameter hydration error (400) with Prefect's detail, at once and as exit 2", async () => {
    prefect = await startPrefectStandIn();
    const t = createPrefectTrigger(
      {
        api: prefect.url,
        flowName: 'daily',
        deploymentName: 'live',
        parameters: {
          game_date: '{game_date}',
          cfg: { __prefect_kind: 'workspace_variable', variable_name: 'slate_cfg' },
        },
        timeoutMs: 1_000,
      },
      { env: {}, fetch, cwd: '/', now: () => new Date(), retry: fast },
    );
    const err = await t.trigger(request).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UsageError);
    expect((err as Error).message).toMatch(
      /rejected POST \/deployments\/\S+\/create_flow_run \(HTTP 400\): Error hydrating flow run parameters: Variable 'slate_cfg' not found in workspace\.$/,
    );
    expect(prefect.requests.filter((r) => r.status === 400)).toHaveLength(1);
  });

  it("treats a proxy's HTML 502 as transient but an HTML 200 or 405 as a configuration error", async () => {
    prefect = await startPrefectStandIn();
    prefect.inject({
      path: /^\/flow_runs\//,
      status: 502,
      contentType: 'text/html',
      body: '<html>Bad Gateway</html>',
      times: 10,
    });
    const client = createPrefectClient({ api: prefect.url, fetch, retry: fast });
    const err = await client.readFlowRun('x').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TransientError);
    expect(prefect.requests).toHaveLength(4);

    const ui = createPrefectClient({ api: prefect.origin, fetch, retry: fast });
    const post = await ui.filterFlowRuns({}).catch((e: unknown) => e);
    expect(post).toBeInstanceOf(UsageError);
    expect((post as Error).message).toBe(
      `Prefect at ${prefect.origin} answered POST /flow_runs/filter with HTTP 405 and Method Not Allowed, not JSON: is PREFECT_API_URL missing /api?`,
    );
    expect((post as UsageError).remedy).toContain(`to ${prefect.origin}/api:`);
    expect(prefect.unexpected).toEqual(['POST /flow_runs/filter']);
    prefect.unexpected.splice(0);
  });

  it('reads PREFECT_API_KEY for Prefect Cloud and says which credentials win when both are set', () => {
    const config = configSchema.parse(
      sampleConfig('/x', { flow: { prefect: { deployment: 'daily/live' } } }),
    );
    const cloud = 'https://api.prefect.cloud/api/accounts/a1/workspaces/w1';
    const key = prefectSettings(config, { PREFECT_API_URL: cloud, PREFECT_API_KEY: 'pnu_abc' });
    expect(key).toMatchObject({ api: cloud, apiKey: 'pnu_abc' });
    expect(key.authString).toBeUndefined();
    expect(key.authNote).toBeUndefined();
    const both = prefectSettings(config, {
      PREFECT_API_URL: cloud,
      PREFECT_API_KEY: 'pnu_abc',
      PREFECT_API_AUTH_STRING: 'u:p',
    });
    expect(both.authNote).toMatch(/^PREFECT_API_AUTH_STRING and PREFECT_API_KEY are both set: Basic auth/);
  });
});
