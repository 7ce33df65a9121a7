import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { doctor, type DoctorReport } from '../../src/commands/doctor.js';
import { pointerJson } from '../helpers/fixtures.js';
import { testContext } from '../helpers/context.js';
import { doctorWorld, GAME_DATE, type DoctorWorld } from '../helpers/doctor-world.js';
import { writeFiles } from '../helpers/git-repo.js';

let world: DoctorWorld | undefined;
afterEach(async () => {
  expect(world?.prefect.unexpected ?? []).toEqual([]);
  await world?.cleanup();
  world = undefined;
});

// One failed manifest per runbook signature, as the pipeline would write it.
const SIGNATURES: [string, string, string][] = [
  ['live_api', 'OSError: [Errno 98] address already in use (0.0.0.0:8501)', 'port-conflict'],
  [
    'features_minutes',
    'Requested run=20261126T1500 missing under /data/gold/features_minutes_v1/',
    'run-id-mismatch',
  ],
  ['roster', 'Roster snapshot is 31h old', 'stale-roster'],
  ['rates_features', "missing required columns ['usage_rate']", 'schema-drift'],
  ['injuries_ingest', 'Temporary failure in name resolution', 'network'],
  ['odds_ingest', 'SSL handshake timed out', 'network'],
  ['gold_write', "PermissionError: [Errno 13] Permission denied: '/data/gold'", 'permission-denied'],
  [
    'sim_worlds',
    "FileNotFoundError: [Errno 2] No such file or directory: 'minutes.parquet'",
    'missing-input',
  ],
];

function ctxFor(w: DoctorWorld) {
  return testContext({ cwd: w.repo.clone });
}

function healthy(w: DoctorWorld) {
  w.manifest('minutes_scores', 'live-1', {
    finished_at: `${GAME_DATE}T16:00:00Z`,
    models: { minutes: 'minutes-new' },
  });
  w.manifest('rates_scores', 'live-1', {
    finished_at: `${GAME_DATE}T16:00:00Z`,
    models: { rates: 'rates-1' },
  });
  w.prefect.seedFlowRun({
    state_type: 'COMPLETED',
    parameters: { game_date: GAME_DATE },
    name: 'brave-otter',
  });
}

describe('doctor', () => {
  it('is healthy (exit 0) when the run completed, manifests exist and the target matches the branch', async () => {
    world = await doctorWorld();
    healthy(world);
    const ctx = ctxFor(world);
    const outcome = await doctor([], {}, ctx);
    const report = outcome.data as DoctorReport;
    expect(report.checks.map((c) => [c.name, c.status])).toEqual([
      ['flow-run', 'ok'],
      ['manifests', 'ok'],
      ['pointers', 'ok'],
      // Each pointer was created by the first commit: no earlier run to roll back to.
      ['rollback', 'skip'],
      ['agent', 'skip'],
      ['repository', 'skip'],
    ]);
    expect(outcome.exitCode).toBe(0);
    expect(outcome.text[0]).toBe(`doctor: game_date ${GAME_DATE}: healthy`);
    expect(outcome.text.join('\n')).toContain('daily/live run brave-otter');
  });

  it('classifies one failed manifest per runbook signature and exits 1', async () => {
    world = await doctorWorld();
    healthy(world);
    for (const [asset, reason] of SIGNATURES)
      world.manifest(asset, 'live-1', { status: 'failed', failure_reason: reason, step: asset });
    const outcome = await doctor([], { gameDate: GAME_DATE }, ctxFor(world));
    const report = outcome.data as DoctorReport;
    expect(outcome.exitCode).toBe(1);
    expect(Object.fromEntries(report.triage.map((t) => [t.asset, t.rule]))).toEqual(
      Object.fromEntries(SIGNATURES.map(([asset, , rule]) => [asset, rule])),
    );
    const port = report.triage.find((t) => t.asset === 'live_api')!;
    expect(port).toMatchObject({ category: 'C', evidence: SIGNATURES[0]![1] });
    expect(outcome.text.join('\n')).toContain(
      'live_api run=live-1: port conflict -> category C (do not retry blindly',
    );
    expect(report.triage.find((t) => t.asset === 'injuries_ingest')!.category).toBe('A');
    expect(report.triage.find((t) => t.asset === 'roster')!.category).toBe('B');
  });

  it('reports a FAILED flow run, a missing step manifest and a target behind the branch', async () => {
    world = await doctorWorld();
    world.manifest('minutes_scores', 'live-1', { status: 'success', models: { minutes: 'minutes-new' } });
    world.prefect.seedFlowRun({
      state_type: 'FAILED',
      parameters: { game_date: GAME_DATE },
      state: { message: 'Flow run encountered an exception' } as never,
    });
    writeFiles(join(world.data, 'target'), { 'config/minutes_current_run.json': pointerJson('minutes-old') });
    const outcome = await doctor([], {}, ctxFor(world));
    const report = outcome.data as DoctorReport;
    expect(outcome.exitCode).toBe(1);
    const byName = Object.fromEntries(report.checks.map((c) => [c.name, c]));
    expect(byName['flow-run']!.status).toBe('fail');
    expect(byName['flow-run']!.detail).toContain('is FAILED: Flow run encountered an exception');
    expect(byName.manifests!.items).toContainEqual({
      name: 'rates_scores',
      status: 'fail',
      detail: `no manifest for ${GAME_DATE}`,
    });
    expect(byName.pointers!.items).toContainEqual({
      name: 'minutes',
      status: 'fail',
      detail: 'target has minutes-old, origin/main has minutes-new',
    });
  });

  it('keeps a failure that a later successful run superseded on record without calling it broken', async () => {
    world = await doctorWorld();
    healthy(world);
    world.manifest('minutes_scores', 'live-0', {
      status: 'failed',
      finished_at: `${GAME_DATE}T12:00:00Z`,
      failure_reason: 'Temporary failure in name resolution',
    });
    const outcome = await doctor([], {}, ctxFor(world));
    const report = outcome.data as DoctorReport;
    expect(report.triage).toEqual([
      expect.objectContaining({ run_id: 'live-0', rule: 'network', superseded: true }),
    ]);
    expect(outcome.exitCode).toBe(0);
    expect(outcome.text.join('\n')).toContain('[superseded by a later successful run]');
  });

  it('reports an unreachable Prefect as a failed check instead of crashing', async () => {
    world = await doctorWorld();
    healthy(world);
    world.prefect.inject({ path: /^\/deployments\/name/, status: 503, times: 10 });
    const outcome = await doctor([], {}, ctxFor(world));
    const flow = (outcome.data as DoctorReport).checks[0]!;
    expect(flow).toMatchObject({ name: 'flow-run', status: 'fail' });
    expect(flow.detail).toContain('HTTP 503');
    expect(outcome.exitCode).toBe(1);
  });
});

describe('doctor on a stage host (docs/stages.md)', () => {
  /**
   * The host config of a staging agent; the branch holds staging's pointer files, which this host
   * writes to each pointer's own file in its target (that holds minutes-new and rates-1).
   */
  function stageHost(w: DoctorWorld, staging: { minutes: string; rates: string }, agentStage?: string) {
    const path = join(w.repo.clone, 'promote.config.json');
    const config = JSON.parse(readFileSync(path, 'utf8')) as { agent: Record<string, unknown> };
    const withStages = {
      ...config,
      stages: { staging: {} },
      agent: { ...config.agent, ...(agentStage ? { stage: agentStage, host: 'stg-1' } : {}) },
    };
    w.repo.commit({
      'promote.config.json': `${JSON.stringify(withStages, null, 2)}\n`,
      'config/staging/minutes_current_run.json': pointerJson(staging.minutes),
      'config/staging/rates_current_run.json': pointerJson(staging.rates),
      // The pointers' own files on the branch are another matter (not this host's).
      'config/minutes_current_run.json': pointerJson('minutes-elsewhere'),
    });
  }
  const pointers = (r: DoctorReport) => r.checks.find((c) => c.name === 'pointers')!;

  it("compares the target with its stage's files on the branch", async () => {
    world = await doctorWorld();
    healthy(world);
    stageHost(world, { minutes: 'minutes-new', rates: 'rates-1' }, 'staging');
    const outcome = await doctor([], {}, ctxFor(world));
    expect(pointers(outcome.data as DoctorReport)).toMatchObject({
      status: 'ok',
      items: [
        { name: 'minutes', status: 'ok', detail: 'minutes-new' },
        { name: 'rates', status: 'ok', detail: 'rates-1' },
      ],
    });
    expect(outcome.exitCode).toBe(0);
  });

  it("says when the target is behind its stage's file", async () => {
    world = await doctorWorld();
    healthy(world);
    stageHost(world, { minutes: 'minutes-next', rates: 'rates-1' }, 'staging');
    const outcome = await doctor([], {}, ctxFor(world));
    expect(pointers(outcome.data as DoctorReport).items).toContainEqual({
      name: 'minutes',
      status: 'fail',
      detail: 'target has minutes-new, origin/main has minutes-next',
    });
    expect(outcome.exitCode).toBe(1);
  });

  it('fails the host config that has stages but no agent.stage, as the agent would', async () => {
    world = await doctorWorld();
    healthy(world);
    stageHost(world, { minutes: 'minutes-new', rates: 'rates-1' });
    const outcome = await doctor([], {}, ctxFor(world));
    const report = outcome.data as DoctorReport;
    expect(pointers(report)).toMatchObject({
      status: 'fail',
      detail:
        'promote.config.json has stages (staging) but agent.stage is not set: the agent refuses to start',
    });
    expect(report.checks.find((c) => c.name === 'rollback')!.status).toBe('skip');
    expect(outcome.exitCode).toBe(1);
  });
});
