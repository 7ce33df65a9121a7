import { afterEach, describe, expect, it } from 'vitest';
import { runCliProcess } from '../helpers/cli.js';
import { doctorWorld, GAME_DATE, type DoctorWorld } from '../helpers/doctor-world.js';

let world: DoctorWorld | undefined;
afterEach(async () => {
  await world?.cleanup();
  world = undefined;
});

describe('git-promote verify and doctor (built CLI)', () => {
  it('verify exits 0 when the newest manifest used the pointer run, 1 when it used the old one', async () => {
    world = await doctorWorld();
    world.manifest('minutes_scores', 'live-1', {
      finished_at: `${GAME_DATE}T15:00:00Z`,
      models: { minutes: 'minutes-old' },
    });
    world.manifest('minutes_scores', 'live-2', {
      finished_at: `${GAME_DATE}T17:00:00Z`,
      models: { minutes: 'minutes-new' },
    });
    const ok = await runCliProcess(['verify', 'minutes', '--game-date', GAME_DATE], {
      cwd: world.repo.clone,
    });
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain(
      `ok: minutes minutes-new on ${GAME_DATE}: manifest of minutes_scores for ${GAME_DATE} (run live-2) succeeded`,
    );

    const old = await runCliProcess(
      ['verify', 'minutes', '--game-date', GAME_DATE, '--run', 'minutes-newer', '--json'],
      {
        cwd: world.repo.clone,
      },
    );
    expect(old.code).toBe(1);
    const data = JSON.parse(old.stdout) as { ok: boolean; reason: string; manifest: { run_id: string } };
    expect(data).toMatchObject({ ok: false, reason: 'wrong-run', manifest: { run_id: 'live-2' } });

    const since = await runCliProcess(
      ['verify', 'minutes', '--game-date', GAME_DATE, '--since', `${GAME_DATE}T18:00:00Z`],
      { cwd: world.repo.clone },
    );
    expect(since.code).toBe(1);
    expect(since.stdout).toContain(
      'no manifest of minutes_scores for 2026-11-26 written since the flow run started',
    );
  });

  it('verify rejects bad input with one error and one hint line', async () => {
    world = await doctorWorld();
    const unknown = await runCliProcess(['verify', 'nope'], { cwd: world.repo.clone });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toBe(
      'error: unknown pointer "nope"\nhint: Use one of the pointers in promote.config.json: minutes, rates.\n',
    );
    const badRun = await runCliProcess(['verify', 'minutes', '--run', '../x'], { cwd: world.repo.clone });
    expect(badRun.code).toBe(2);
    expect(badRun.stderr).toMatch(/^error: invalid --run "\.\.\/x": it starts with "\."\nhint: /);
    const badDate = await runCliProcess(['verify', 'minutes', '--game-date', '2026-13-01'], {
      cwd: world.repo.clone,
    });
    expect(badDate.code).toBe(2);
    expect(badDate.stderr).toContain('error: invalid --game-date "2026-13-01"');
  });

  it('doctor --json triages a failed manifest and exits 1', async () => {
    world = await doctorWorld();
    world.manifest('minutes_scores', 'live-1', {
      status: 'failed',
      failure_reason: 'missing required columns [minutes_p50]',
    });
    world.manifest('rates_scores', 'live-1', { models: { rates: 'rates-1' } });
    world.prefect.seedFlowRun({ state_type: 'COMPLETED', parameters: { game_date: GAME_DATE } });
    const res = await runCliProcess(['doctor', '--game-date', GAME_DATE, '--json'], {
      cwd: world.repo.clone,
    });
    expect(res.code).toBe(1);
    const report = JSON.parse(res.stdout) as {
      healthy: boolean;
      triage: { rule: string; category: string }[];
      checks: { name: string; status: string }[];
    };
    expect(report.healthy).toBe(false);
    expect(report.triage).toEqual([expect.objectContaining({ rule: 'schema-drift', category: 'C' })]);
    expect(report.checks.map((c) => [c.name, c.status])).toEqual([
      ['flow-run', 'ok'],
      ['manifests', 'fail'],
      ['pointers', 'ok'],
      ['rollback', 'skip'],
      ['agent', 'skip'],
      ['repository', 'skip'],
    ]);
  });
});
