/**
 * Prefect as it really behaves, through the built CLI against the Prefect stand-in: a scheduled
 * deployment full of future runs, Prefect's error bodies, a URL without /api, Prefect Cloud's
 * URL and API key, and a switch of deployment with a follow-up pending.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { buildWorld, SANDBOX_POINTERS, type SandboxWorld } from '../../src/sandbox/world/build-world.js';
import { cloudPath, type PrefectStandInOptions } from '../../src/sandbox/prefect/index.js';
import { runCliProcess } from '../helpers/cli.js';
import { testContext } from '../helpers/context.js';
import { doctorWorld, GAME_DATE, type DoctorWorld } from '../helpers/doctor-world.js';
import { removeTempDirs, tempDir, testEnv } from '../helpers/git-repo.js';
import { promoteOnMain } from '../helpers/sandbox-promotion.js';
import { spawnCli } from '../helpers/agent-world.js';

const worlds: SandboxWorld[] = [];
let doctorW: DoctorWorld | undefined;
afterEach(async () => {
  for (const w of worlds.splice(0)) await w.close();
  await doctorW?.cleanup();
  doctorW = undefined;
  // The sandbox worlds live in folders made by tempDir(): remove them with their contents.
  removeTempDirs();
});

async function world(prefect: Omit<PrefectStandInOptions, 'flow'> = {}): Promise<SandboxWorld> {
  const w = await buildWorld(
    join(tempDir(), 'world'),
    testContext({ env: testEnv(), now: () => new Date() }),
    {
      prefect,
    },
  );
  worlds.push(w);
  return w;
}

const candidate = SANDBOX_POINTERS.minutes.runs[1];

async function doctor(w: SandboxWorld) {
  const res = await runCliProcess(['doctor', '--json'], { cwd: w.target, env: w.env });
  return JSON.parse(res.stdout) as {
    checks: {
      name: string;
      status: string;
      detail: string;
      items: { name: string; status: string; detail: string }[];
    }[];
  };
}

function apply(w: SandboxWorld, env: Record<string, string | undefined> = {}) {
  return runCliProcess(['apply', '--json'], { cwd: w.target, env: { ...w.env, ...env } });
}

describe('doctor on a scheduled deployment', () => {
  it("finds today's COMPLETED run among 100 future SCHEDULED runs", async () => {
    // A daily 10:00 ET schedule with the scheduler keeping 100 runs ahead
    // (PREFECT_SERVER_SERVICES_SCHEDULER_MIN_RUNS=100): the newest 50 are all in the future.
    doctorW = await doctorWorld(undefined, {
      deployments: [
        { flow: 'daily', name: 'live', schedule: { interval: 86_400, anchor: '2026-01-01T15:00:00Z' } },
      ],
      scheduler: { minRuns: 100 },
    });
    const w = doctorW;
    const future = w.prefect.flowRuns.filter((r) => r.state_type === 'SCHEDULED' && r.auto_scheduled);
    expect(future).toHaveLength(100);
    expect(future[0]!.expected_start_time).toBe('2026-11-27T15:00:00.000Z');
    // Today's run, made by the scheduler days ago, ran at 10:00 ET.
    const today = w.prefect.seedFlowRun({
      state_type: 'COMPLETED',
      name: 'brave-otter',
      expected_start_time: `${GAME_DATE}T15:00:00.000Z`,
      auto_scheduled: true,
      tags: ['auto-scheduled'],
    });
    w.prefect.seedFlowRun({
      state_type: 'FAILED',
      name: 'yesterday',
      expected_start_time: '2026-11-25T15:00:00.000Z',
    });
    w.manifest('minutes_scores', 'live-1', { models: { minutes: 'minutes-new' } });
    w.manifest('rates_scores', 'live-1', { models: { rates: 'rates-1' } });

    const res = await runCliProcess(['doctor', '--game-date', GAME_DATE, '--json'], { cwd: w.repo.clone });
    const report = JSON.parse(res.stdout) as {
      flowRun: { flowRunId: string; state: string } | null;
      checks: { name: string; status: string; detail: string }[];
    };
    expect(report.checks[0]).toMatchObject({ name: 'flow-run', status: 'ok' });
    expect(report.flowRun).toMatchObject({ flowRunId: today.id, state: 'COMPLETED' });
    expect(res.code).toBe(0);
    // Asked for the ET day, not for "the newest runs".
    const filters = w.prefect.requests.filter((r) => r.path === '/flow_runs/filter');
    expect(filters.map((r) => r.status)).toEqual([200]);
    expect(filters[0]!.body).toMatchObject({
      flow_runs: {
        expected_start_time: { after_: '2026-11-26T05:00:00.000Z', before_: '2026-11-27T04:59:59.999Z' },
      },
      limit: 200,
      offset: 0,
    });
  });

  it('pages through more than 200 runs on the day', async () => {
    doctorW = await doctorWorld(undefined, {
      deployments: [
        { flow: 'daily', name: 'live', schedule: { interval: 300, anchor: '2026-11-26T05:00:00Z' } },
      ],
      // Every 5 minutes, 100 runs ahead: the day's remaining slots are SCHEDULED.
      scheduler: { minRuns: 100 },
    });
    const w = doctorW;
    // 13:00 ET now; the morning's 156 five-minute runs completed, plus the promotion's run.
    for (let i = 0; i < 156; i++)
      w.prefect.seedFlowRun({
        state_type: 'COMPLETED',
        name: `tick-${i}`,
        expected_start_time: new Date(Date.parse('2026-11-26T05:00:00Z') + i * 300_000).toISOString(),
      });
    const promoted = w.prefect.seedFlowRun({
      state_type: 'FAILED',
      name: 'git-promote-abc',
      parameters: { game_date: GAME_DATE },
      expected_start_time: '2026-11-26T17:59:00.000Z',
      state: { message: 'Flow run encountered an exception' } as never,
    });
    w.manifest('minutes_scores', 'live-1', { models: { minutes: 'minutes-new' } });
    w.manifest('rates_scores', 'live-1', { models: { rates: 'rates-1' } });
    const res = await runCliProcess(['doctor', '--game-date', GAME_DATE, '--json'], { cwd: w.repo.clone });
    const report = JSON.parse(res.stdout) as { flowRun: { flowRunId: string } | null };
    const pages = w.prefect.requests.filter((r) => r.path === '/flow_runs/filter');
    expect(pages.map((r) => (r.body as { offset: number }).offset)).toEqual([0, 200]);
    // The CLI's clock is later than every run of the day: the last one due is the day's latest.
    const latest = w.prefect.flowRuns
      .filter((r) => r.expected_start_time < '2026-11-27T05:00:00.000Z')
      .sort((a, b) => a.expected_start_time.localeCompare(b.expected_start_time))
      .at(-1)!;
    expect(latest.expected_start_time > promoted.expected_start_time).toBe(true);
    expect(report.flowRun?.flowRunId).toBe(latest.id);
  });
});

describe('Prefect errors through apply', () => {
  it("names the field of a 422 and exits 2 (Prefect's exception_detail)", async () => {
    const w = await world();
    await promoteOnMain(w, candidate);
    // Prefect's validation_exception_handler body for a parameters value that is not a dict.
    w.prefect.inject({
      method: 'POST',
      path: /create_flow_run$/,
      status: 422,
      body: {
        exception_message: 'Invalid request received.',
        exception_detail: [
          {
            type: 'dict_type',
            loc: ['body', 'parameters'],
            msg: 'Input should be a valid dictionary',
            input: 'x',
          },
        ],
        request_body: { parameters: 'x' },
      },
    });
    const res = await apply(w);
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(
      /^error: Prefect at \S+ rejected POST \/deployments\/[0-9a-f-]+\/create_flow_run \(HTTP 422\): parameters: Input should be a valid dictionary\n {2}the pointer files were already written: .*\nhint: Fix flow\.prefect\.parameters/,
    );
    expect(w.prefect.requests.filter((r) => r.status === 422)).toHaveLength(1);
  });

  it("reports enforce_parameter_schema's 409 with the field and exits 2", async () => {
    const w = await world({
      deployments: [
        {
          flow: 'daily',
          name: 'live',
          parameterSchema: {
            type: 'object',
            properties: {
              game_date: { type: 'string' },
              mode: { type: 'string', enum: ['live', 'backfill'] },
            },
            required: ['game_date', 'mode'],
          },
        },
      ],
    });
    await promoteOnMain(w, candidate);
    const res = await apply(w);
    expect(res.code).toBe(2);
    expect(res.stderr.split('\n')[0]).toMatch(
      /\(HTTP 409\): Error creating flow run: Validation failed\. Failure reason: 'mode' is a required property$/,
    );
    expect(w.prefect.flowRuns).toHaveLength(0);
  });

  it('exits 2 at once when PREFECT_API_URL lacks /api, and the agent stops instead of retrying', async () => {
    const w = await world();
    await promoteOnMain(w, candidate);
    const env = { ...w.env, PREFECT_API_URL: w.prefect.origin };
    const started = Date.now();
    const { done } = spawnCli(['agent'], { cwd: w.target, env, timeoutMs: 30_000 });
    const res = await done;
    const elapsed = Date.now() - started;
    expect(res.code).toBe(2);
    expect(res.stdout).toContain('is PREFECT_API_URL missing /api?');
    expect(res.stdout).toContain(`Set PREFECT_API_URL (or flow.prefect.api) to ${w.prefect.origin}/api`);
    // The UI answered the one GET with index.html and 200; nothing was retried.
    expect(w.prefect.requests).toEqual([
      { method: 'GET', path: '/deployments/name/daily/live', status: 200 },
    ]);
    expect(elapsed).toBeLessThan(20_000);
    w.prefect.unexpected.splice(0);

    const once = await apply(w, { PREFECT_API_URL: w.prefect.origin });
    expect(once.code).toBe(2);
    // The quiet window asks Prefect before any write (docs/switching-safely.md): nothing was written.
    expect(once.stderr).toMatch(
      /^error: cannot tell whether daily\/live has a run in progress: .*with an HTML page, not JSON: is PREFECT_API_URL missing \/api\?; no pointer file was written\nhint: /,
    );
    expect(JSON.parse(readFileSync(join(w.target, 'config/minutes_current_run.json'), 'utf8')).run_id).toBe(
      SANDBOX_POINTERS.minutes.runs[0],
    );
  });
});

describe('Prefect Cloud', () => {
  const account = '9b3c1a52-0f59-4a0c-9a1e-1f0c3f1d2e3a';
  const workspace = '4e6d8f10-2b3c-4d5e-8f90-a1b2c3d4e5f6';
  const key = 'pnu_0123456789abcdefghijABCDEFGHIJ0123';

  it('sends PREFECT_API_KEY as a Bearer token to the workspace URL; an auth string set too wins, as in Prefect', async () => {
    const w = await world({ basePath: cloudPath(account, workspace), apiKey: key });
    expect(w.prefect.url).toMatch(new RegExp(`/api/accounts/${account}/workspaces/${workspace}$`));
    await promoteOnMain(w, candidate);
    const both = await apply(w, { PREFECT_API_KEY: key, PREFECT_API_AUTH_STRING: 'admin:s3cret-pass' });
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('refused the credentials (HTTP 401)');
    expect(both.stderr).toContain(
      'hint: Both PREFECT_API_AUTH_STRING and PREFECT_API_KEY are set and the auth string wins',
    );

    const res = await apply(w, { PREFECT_API_KEY: key });
    // stderr carries the flow run's progress lines only: no error, no warning.
    expect(res.stderr).not.toMatch(/^(error|warning):/m);
    expect(res.code).toBe(0);
    expect(JSON.parse(res.stdout).followUps.flow).toMatchObject({ ok: true, state: 'COMPLETED' });
    expect(w.prefect.requests.filter((r) => r.status === 401)).toHaveLength(1);
    for (const out of [
      both.stdout,
      both.stderr,
      res.stdout,
      readFileSync(join(w.state, 'journal.jsonl'), 'utf8'),
    ])
      expect(out).not.toContain(key.slice(4));
  });
});

describe('switching deployments', () => {
  it('triggers the new deployment instead of following the old one after a switch with a follow-up pending', async () => {
    const w = await world({
      deployments: [
        { flow: 'daily', name: 'live' },
        { flow: 'daily', name: 'live-v2' },
      ],
    });
    const [live, v2] = w.prefect.deployments;
    const commit = await promoteOnMain(w, candidate);
    // The run is created on daily/live, then reading it fails for good: the follow-up stays pending.
    w.prefect.inject({ method: 'GET', path: /^\/flow_runs\//, status: 404, times: 1 });
    const first = await apply(w);
    expect(first.code).toBe(1);
    expect(w.prefect.flowRuns.map((r) => r.deployment_id)).toEqual([live!.id]);
    const pending = await doctor(w);
    expect(pending.checks.find((c) => c.name === 'agent')).toMatchObject({
      status: 'warn',
      items: [
        // The pass applied, then its follow-up failed: no pass has succeeded yet, for seconds only.
        expect.objectContaining({ name: 'last pass', status: 'warn' }),
        expect.objectContaining({ name: 'last apply' }),
        expect.objectContaining({
          name: 'pending follow-up',
          detail: expect.stringContaining(`following flow run ${w.prefect.flowRuns[0]!.id}`),
        }),
      ],
    });

    // The operator moves the host to daily/live-v2 (same flow, so Prefect keys runs per flow).
    const configPath = join(w.target, 'promote.config.json');
    const config = JSON.parse(readFileSync(configPath, 'utf8'));
    config.flow.prefect.deployment = 'daily/live-v2';
    writeFileSync(configPath, `${JSON.stringify(config, null, 2)}\n`);

    const second = await apply(w);
    expect(second.stderr).not.toMatch(/^(error|warning):/m);
    expect(second.code).toBe(0);
    const flow = JSON.parse(second.stdout).followUps.flow;
    expect(w.prefect.flowRuns.map((r) => r.deployment_id)).toEqual([live!.id, v2!.id]);
    expect(flow).toMatchObject({ ok: true, resumed: false, flowRunId: w.prefect.flowRuns[1]!.id });
    expect(w.prefect.flowRuns[1]!.idempotency_key).toBe(`daily/live-v2:${commit}:minutes`);

    // doctor answers "did today's promotion reach the flow" from the agent's state.
    const after = await doctor(w);
    const agent = after.checks.find((c) => c.name === 'agent')!;
    expect(agent.status).toBe('ok');
    expect(agent.items.find((i) => i.name === 'last follow-up')!.detail).toContain(
      `${commit.slice(0, 12)}: flow run COMPLETED; manifests show minutes=${candidate}; it is the`,
    );
    expect(agent.items).toContainEqual(expect.objectContaining({ name: 'verified minutes', status: 'ok' }));
  });
});
