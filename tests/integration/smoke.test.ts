/**
 * `git promote smoke` in-process against real child processes: the fake scorer writes a real
 * manifest; each failure mode gives one clear error with the right exit code.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/program.js';
import { smoke, type SmokeOptions } from '../../src/commands/smoke.js';
import { PromoteError } from '../../src/core/errors.js';
import { canonicalSha256 } from '../../src/core/meta-hash.js';
import { evidenceSchema } from '../../src/core/schemas.js';
import { testContext } from '../helpers/context.js';
import { promoteErrorOf } from '../helpers/errors.js';
import { createPipelineWorld, EXPECTED_COLUMNS, type PipelineWorld } from '../helpers/smoke-scorer.js';
import { writeFiles } from '../helpers/git-repo.js';
import { waitGone, waitUntil } from '../helpers/wait.js';

let world: PipelineWorld;
beforeEach(() => {
  world = createPipelineWorld();
});
afterEach(() => world.cleanup());

async function smokeError(args: string[], opts: SmokeOptions = {}): Promise<PromoteError> {
  return promoteErrorOf(smoke(args, opts, testContext({ cwd: world.root })), 'expected smoke to fail');
}

describe('smoke', () => {
  it('runs the scorer and builds evidence whose checks pass', async () => {
    world.addRun('minutes', 'm-new', { metrics: { mae: 4.1 } });
    const ctx = testContext({ cwd: world.root });
    const out = join(world.repo.dir, 'evidence.json');
    const outcome = await smoke(['minutes', 'm-new'], { gameDate: '2026-11-24', out }, ctx);
    expect(outcome.exitCode).toBe(0);
    const evidence = evidenceSchema.parse(JSON.parse(readFileSync(out, 'utf8')));
    expect(evidence).toMatchObject({ pointer: 'minutes', run_id: 'm-new', game_date: '2026-11-24' });
    expect(evidence.smoke).toMatchObject({ exit_code: 0, published: false });
    expect(evidence.smoke.command).toContain('m-new');
    expect(evidence.smoke.command).toContain('2026-11-24');
    expect(evidence.manifest.outputs?.[0]?.columns).toEqual(EXPECTED_COLUMNS);
    expect(evidence.meta_sha256).toBe(canonicalSha256(evidence.meta));
    expect(evidence.checks.every((c) => c.ok)).toBe(true);
    expect(evidence.checks.map((c) => c.name)).toEqual(
      expect.arrayContaining([
        'contract',
        'smoke.exit',
        'manifest.status',
        'manifest.run_id',
        'columns',
        'rows',
      ]),
    );
    expect(outcome.text[0]).toMatch(/^smoke minutes=m-new on 2026-11-24: passed/);
  });

  it('defaults the game date to the latest one with manifests, else yesterday ET', async () => {
    world.addRun('minutes', 'm-new');
    const ctx = testContext({ cwd: world.root });
    const first = await smoke(['minutes', 'm-new'], {}, ctx);
    expect((first.data as { game_date: string }).game_date).toBe('2026-11-25');
    const m = join(world.data, 'manifests/minutes_scores');
    for (const d of ['2026-11-20', '2026-11-23', '2026-12-01'])
      mkdirSync(join(m, `game_date=${d}`), { recursive: true });
    writeFiles(m, { 'game_date=junk/x': '' });
    const second = await smoke(['minutes', 'm-new'], {}, ctx);
    expect((second.data as { game_date: string }).game_date).toBe('2026-11-23');
  });

  it('shows progress of a long smoke run on a terminal only', async () => {
    world.addRun('minutes', 'm-new', { smoke: { sleepMs: 1300 } });
    const tty = testContext({ cwd: world.root, isTTY: true });
    await smoke(['minutes', 'm-new'], {}, tty);
    expect(tty.err()).toMatch(/\rsmoke minutes=m-new \(2026-11-25\): running 1(\.\d)?s/);
    expect(tty.err().endsWith('\r\x1b[K')).toBe(true);
    const plain = testContext({ cwd: world.root });
    await smoke(['minutes', 'm-new'], {}, plain);
    expect(plain.err()).toBe('');
  });

  it('reports a failing smoke command with its stderr (exit 1)', async () => {
    world.addRun('minutes', 'm-new', { smoke: { mode: 'fail' } });
    const err = await smokeError(['minutes', 'm-new']);
    expect(err.exitCode).toBe(1);
    expect(err.message).toMatch(/smoke minutes=m-new \(\d{4}-\d{2}-\d{2}\) failed: .* exited with 3/);
    expect(err.details.join('\n')).toContain('KeyError: feature_minutes_rolling_7');
  });

  it('stops a smoke command that runs too long, with its whole process group', async () => {
    world.repo.cleanup();
    world = createPipelineWorld({ timeout: '1s' });
    world.addRun('minutes', 'm-new', { smoke: { mode: 'hang' } });
    const started = Date.now();
    const err = await smokeError(['minutes', 'm-new']);
    expect(Date.now() - started).toBeLessThan(8000);
    expect(err.exitCode).toBe(1);
    expect(err.message).toContain('timed out after 1s');
    const pids = JSON.parse(readFileSync(join(world.data, 'models/minutes/run=m-new/pids.json'), 'utf8')) as {
      scorer: number;
      worker: number;
    };
    await waitGone(pids.scorer);
    await waitGone(pids.worker);
  });

  it('stops the smoke run when interrupted (exit 3) and kills its workers', async () => {
    world.addRun('minutes', 'm-new', { smoke: { mode: 'hang' } });
    const controller = new AbortController();
    const ctx = testContext({ cwd: world.root, signal: controller.signal });
    const pidsPath = join(world.data, 'models/minutes/run=m-new/pids.json');
    const running = smoke(['minutes', 'm-new'], {}, ctx).then(
      () => null,
      (e: PromoteError) => e,
    );
    // Interrupt once the scorer and its worker are running (they record their pids).
    await waitUntil(
      () => existsSync(pidsPath) && readFileSync(pidsPath, 'utf8').endsWith('}'),
      'the smoke workers to start',
    );
    controller.abort();
    const err = await running;
    expect(err?.exitCode).toBe(3);
    expect(err?.message).toContain('was interrupted');
    const pids = JSON.parse(readFileSync(join(world.data, 'models/minutes/run=m-new/pids.json'), 'utf8')) as {
      worker: number;
    };
    await waitGone(pids.worker);
  });

  it('refuses a smoke run that writes no manifest', async () => {
    world.addRun('minutes', 'm-new', { smoke: { mode: 'no-manifest' } });
    const err = await smokeError(['minutes', 'm-new']);
    expect(err.exitCode).toBe(1);
    expect(err.message).toContain('wrote no manifest');
  });

  it('refuses a manifest that is not valid JSON', async () => {
    world.addRun('minutes', 'm-new', { smoke: { mode: 'bad-json' } });
    const err = await smokeError(['minutes', 'm-new']);
    expect(err.exitCode).toBe(1);
    expect(err.message).toContain('the smoke manifest is not valid JSON');
  });

  it.each([
    [{ columns: ['player_id', 'game_id'] }, 'columns (missing minutes_p50)'],
    [{ rows: 12 }, 'rows (12 rows (expected >= 100))'],
    [{ mode: 'failed-status' as const }, 'manifest.status (failed: scoring raised ValueError)'],
  ])('fails the checks of a bad manifest %j (exit 1, evidence still shown)', async (behaviour, detail) => {
    world.addRun('minutes', 'm-new', { smoke: behaviour });
    const ctx = testContext({ cwd: world.root });
    const out = join(world.repo.dir, 'evidence.json');
    const outcome = await smoke(['minutes', 'm-new'], { out }, ctx);
    expect(outcome.exitCode).toBe(1);
    expect(ctx.err()).toContain(detail);
    expect(ctx.err()).toMatch(/^error: .*\nhint: Do not promote this run/);
    expect(existsSync(out)).toBe(true);
  });

  it('refuses a candidate with an incompatible contract before running anything', async () => {
    world.addRun('minutes', 'm-new', { contract: '3.0.0', smoke: { mode: 'hang' } });
    const err = await smokeError(['minutes', 'm-new']);
    expect(err.exitCode).toBe(1);
    expect(err.message).toBe(
      "candidate minutes=m-new refused: contract 3.0.0 does not satisfy the pointer's range ^2.0.0",
    );
    expect(existsSync(join(world.data, 'models/minutes/run=m-new/pids.json'))).toBe(false);
  });

  it('refuses a run without meta.json, a meta.json of another run, and bad arguments', async () => {
    expect((await smokeError(['minutes', 'nope'])).message).toContain('has no meta.json');
    world.addRun('minutes', 'm-new', { meta: { run_id: 'm-other' } });
    expect((await smokeError(['minutes', 'm-new'])).message).toContain('meta.json is for m-other');
    expect((await smokeError(['minutes', '../x'])).exitCode).toBe(2);
    expect((await smokeError(['nope', 'm-new'])).exitCode).toBe(2);
    // Option values are parsed by the CLI before the handler runs.
    const ctx = testContext({ cwd: world.root });
    expect(await runCli(['smoke', 'minutes', 'm-new', '--game-date', '2026-13-01'], ctx)).toBe(2);
    expect(ctx.err()).toMatch(/^error: invalid --game-date "2026-13-01"\nhint: /);
  });
});
