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

  it('verify on a day without a slate exits 0 with the note; a slate day missing the asset still fails', async () => {
    world = await doctorWorld();
    const noSlate = await runCliProcess(['verify', 'minutes', '--game-date', GAME_DATE], {
      cwd: world.repo.clone,
    });
    expect(noSlate.stderr).toBe('');
    expect(noSlate.code).toBe(0);
    expect(noSlate.stdout).toContain(
      `no slate: minutes minutes-new on ${GAME_DATE}: no slate for ${GAME_DATE}: the pipeline wrote no manifests for that date, so there is nothing to verify`,
    );
    const json = await runCliProcess(['verify', 'minutes', '--game-date', GAME_DATE, '--json'], {
      cwd: world.repo.clone,
    });
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: true, reason: 'no-slate', manifest: null });

    // Another asset has manifests for the date: it was a slate, and minutes_scores is missing.
    world.manifest('rates_scores', 'live-1', { models: { rates: 'rates-1' } });
    const missing = await runCliProcess(['verify', 'minutes', '--game-date', GAME_DATE], {
      cwd: world.repo.clone,
    });
    expect(missing.code).toBe(1);
    expect(missing.stdout).toContain(
      `FAILED: minutes minutes-new on ${GAME_DATE}: no manifests of minutes_scores`,
    );
  });

  it('doctor on a day without a slate is healthy when the flow run completed, broken when it failed', async () => {
    world = await doctorWorld();
    world.prefect.seedFlowRun({ state_type: 'COMPLETED', parameters: { game_date: GAME_DATE } });
    const ok = await runCliProcess(['doctor', '--game-date', GAME_DATE], { cwd: world.repo.clone });
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain(`doctor: game_date ${GAME_DATE}: healthy, no slate for ${GAME_DATE}`);
    expect(ok.stdout).toContain(`[ok]   manifests: no slate for ${GAME_DATE}`);

    await world.cleanup();
    world = await doctorWorld();
    world.prefect.seedFlowRun({ state_type: 'FAILED', parameters: { game_date: GAME_DATE } });
    const failed = await runCliProcess(['doctor', '--game-date', GAME_DATE, '--json'], {
      cwd: world.repo.clone,
    });
    expect(failed.code).toBe(1);
    const report = JSON.parse(failed.stdout) as {
      noSlate: boolean;
      checks: { name: string; status: string; detail: string }[];
    };
    expect(report.noSlate).toBe(false);
    expect(report.checks.find((c) => c.name === 'manifests')).toMatchObject({
      status: 'fail',
      detail: `no manifests for ${GAME_DATE}: the flow run ended FAILED`,
    });
  });
});
