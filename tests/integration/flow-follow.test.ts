import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createFlowTrigger } from '../../src/adapters/flow/flow-trigger.js';
import { slateDate } from '../../src/core/game-date.js';
import { triggerFollowVerify, type SavedFlowRun } from '../../src/agent/flow-follow.js';
import { flowWorld, type FlowWorld } from '../helpers/flow-world.js';
import { waitGone } from '../helpers/wait.js';

const COMMIT = '1'.repeat(40);
// Real clock: the stand-in stamps flow runs and manifests with it.
const ctx = { env: {}, fetch, now: () => new Date() };
let world: FlowWorld | undefined;
afterEach(async () => {
  expect(world?.prefect.unexpected ?? []).toEqual([]);
  await world?.cleanup();
  world = undefined;
});

function recorder() {
  const saves: SavedFlowRun[] = [];
  return { saves, save: async (s: SavedFlowRun) => void saves.push(s) };
}

/** triggerFollowVerify of minutes at COMMIT in the current world, polling fast; `over` replaces inputs. */
function follow(over: Partial<Parameters<typeof triggerFollowVerify>[0]> = {}) {
  return triggerFollowVerify({
    config: world!.config,
    root: world!.root,
    commit: COMMIT,
    pointers: ['minutes'],
    ctx,
    save: recorder().save,
    pollMs: 5,
    ...over,
  });
}

describe('triggerFollowVerify', () => {
  it('triggers once, saves the run id before following, and verifies every changed pointer', async () => {
    world = await flowWorld({ standIn: { stepMs: 50 } });
    const { saves, save } = recorder();
    const statesAtSave: string[] = [];
    const outcome = await follow({
      pointers: ['rates', 'minutes'],
      save: async (s) => {
        statesAtSave.push(world!.prefect.flowRuns[0]!.state_type);
        await save(s);
      },
    });
    expect(outcome).toMatchObject({ ok: true, state: 'COMPLETED', created: true, resumed: false });
    expect(outcome.gameDate).toBe(slateDate(new Date()));
    expect(outcome.verified.map((v) => [v.pointer, v.reason, v.expectedRun])).toEqual([
      ['minutes', 'confirmed', 'minutes-2026-11-20'],
      ['rates', 'confirmed', 'rates-2026-11-19'],
    ]);
    expect(world.prefect.flowRuns).toHaveLength(1);
    expect(saves).toEqual([
      expect.objectContaining({
        flowRunId: outcome.flowRunId,
        kind: 'prefect',
        commit: COMMIT,
        pointers: ['minutes', 'rates'],
      }),
    ]);
    expect(statesAtSave[0]).not.toBe('COMPLETED');
  });

  it('resumes following the saved run after a restart instead of creating another', async () => {
    world = await flowWorld({ standIn: { stepMs: 60 } });
    const { saves, save } = recorder();
    const abort = new AbortController();
    // The first process dies while following: abort as soon as the run id was saved.
    const first = await follow({
      ctx: { ...ctx, signal: abort.signal },
      save: async (s) => {
        await save(s);
        abort.abort(new Error('killed'));
      },
    }).catch((e: unknown) => e);
    expect((first as Error).message).toBe('killed');
    expect(saves).toHaveLength(1);

    const second = await follow({
      saved: saves[0]!,
      save,
    });
    expect(second).toMatchObject({ ok: true, resumed: true, created: false, flowRunId: saves[0]!.flowRunId });
    expect(world.prefect.flowRuns).toHaveLength(1);
    expect(world.prefect.requests.filter((r) => r.path.endsWith('create_flow_run'))).toHaveLength(1);
    expect(saves).toHaveLength(1);
  });

  it('creates exactly one flow run when the create answer is lost on a dropped connection', async () => {
    world = await flowWorld();
    world.prefect.inject({ method: 'POST', path: /create_flow_run$/, drop: 'after' });
    const trigger = await createFlowTrigger(world.config, {
      ...ctx,
      cwd: world.target,
      retry: { attempts: 3, baseMs: 1 },
    });
    const { save } = recorder();
    const outcome = await follow({
      trigger: trigger!,
      save,
    });
    expect(outcome.ok).toBe(true);
    expect(world.prefect.flowRuns).toHaveLength(1);
    expect(
      world.prefect.requests.filter((r) => r.path.endsWith('create_flow_run')).map((r) => r.status),
    ).toEqual(['dropped', 200]);
  });

  it('reports a FAILED run with its message and does not verify', async () => {
    world = await flowWorld();
    world.prefect.nextOutcome({ state: 'FAILED', failureReason: 'Roster snapshot is 31h old' });
    const outcome = await follow();
    expect(outcome).toMatchObject({ ok: false, state: 'FAILED', verified: [] });
    expect(outcome.run.message).toBe('Roster snapshot is 31h old');
  });

  it('reports a CRASHED run', async () => {
    world = await flowWorld();
    world.prefect.nextOutcome({ state: 'CRASHED' });
    const outcome = await follow();
    expect(outcome).toMatchObject({ ok: false, state: 'CRASHED' });
  });

  it('fails verification when the manifests show the old run', async () => {
    // The flow read the target before the new pointer landed: its manifests record the old run.
    world = await flowWorld({ runs: { minutes: 'minutes-old', rates: 'rates-old' } });
    const outcome = await follow({
      runs: { minutes: 'minutes-new' },
    });
    expect(outcome.ok).toBe(false);
    expect(outcome.state).toBe('COMPLETED');
    expect(outcome.verified[0]).toMatchObject({ reason: 'wrong-run' });
    expect(outcome.verified[0]!.detail).toContain('minutes=minutes-old, not minutes-new');
  });

  it('does not take an earlier manifest naming the new run as confirmation', async () => {
    world = await flowWorld();
    const gameDate = slateDate(new Date());
    world.manifest({
      asset: 'minutes_scores',
      game_date: gameDate,
      run_id: 'earlier-run',
      run_as_of_ts: '2020-01-01T00:00:00Z',
      finished_at: '2020-01-01T00:10:00Z',
      status: 'success',
      models: { minutes: 'minutes-2026-11-20' },
    });
    world.prefect.nextOutcome({ state: 'COMPLETED', writeManifests: false });
    const outcome = await follow();
    expect(outcome.verified[0]).toMatchObject({ ok: false, reason: 'only-older', older: 1 });
  });
});

/** Gone or a zombie (nobody may reap it in a container without an init). */

describe('flow.command trigger', () => {
  const cmdCtx = { ...ctx, env: { PATH: process.env.PATH, GITHUB_TOKEN: 'ghp_not_for_the_flow' } };
  const script = (body: string) => ['node', '-e', body, '{game_date}', '{commit}', '{pointers}'];

  it('runs the command without a shell, fills placeholders, and verifies what it wrote', async () => {
    world = await flowWorld();
    const gameDate = slateDate(new Date());
    const out = join(world.root, 'argv.json');
    const manifest = join(world.manifests, `minutes_scores/game_date=${gameDate}/run=cmd-1/manifest.json`);
    const body = `
      const fs = require('fs'), path = require('path');
      fs.writeFileSync(${JSON.stringify(out)}, JSON.stringify([...process.argv.slice(1), process.env.GITHUB_TOKEN ?? null]));
      const run = JSON.parse(fs.readFileSync('config/minutes_current_run.json', 'utf8')).run_id;
      fs.mkdirSync(path.dirname(${JSON.stringify(manifest)}), { recursive: true });
      const now = new Date().toISOString();
      fs.writeFileSync(${JSON.stringify(manifest)}, JSON.stringify({ asset: 'minutes_scores', game_date: process.argv[1],
        run_id: 'cmd-1', run_as_of_ts: now, started_at: now, finished_at: now, status: 'success', models: { minutes: run } }));`;
    const config = { ...world.config, flow: { command: script(body), timeout: '30s', pollInterval: '5s' } };
    const { saves, save } = recorder();
    const outcome = await follow({
      config,
      ctx: cmdCtx,
      save,
    });
    expect(outcome).toMatchObject({ ok: true, state: 'COMPLETED' });
    expect(saves[0]!.flowRunId).toMatch(/^command:\d+:\d+$/);
    expect(JSON.parse(readFileSync(out, 'utf8'))).toEqual([gameDate, COMMIT, 'minutes', null]);
  });

  it('reports a failing command as FAILED with its last stderr line', async () => {
    world = await flowWorld();
    const config = {
      ...world.config,
      flow: {
        command: script('console.error("boom: missing required columns [x]"); process.exit(3)'),
        timeout: '30s',
        pollInterval: '5s',
      },
    };
    const outcome = await follow({
      config,
      ctx: cmdCtx,
    });
    expect(outcome).toMatchObject({ ok: false, state: 'FAILED' });
    expect(outcome.run.message).toBe('exit code 3: boom: missing required columns [x]');
  });

  it('kills the whole process group on timeout and reports CRASHED', async () => {
    world = await flowWorld();
    const pidFile = join(world.root, 'grandchild.pid');
    const body = `
      const { spawn } = require('child_process');
      const c = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
      require('fs').writeFileSync(${JSON.stringify(pidFile)}, String(c.pid));
      setTimeout(() => {}, 60000);`;
    const config = { ...world.config, flow: { command: script(body), timeout: '30s', pollInterval: '5s' } };
    const outcome = await follow({
      config,
      ctx: cmdCtx,
      timeoutMs: 500,
    });
    expect(outcome.state).toBe('CRASHED');
    expect(outcome.run.message).toContain('killed after the flow timeout');
    const grandchild = Number(readFileSync(pidFile, 'utf8'));
    await waitGone(grandchild);
  });

  it('refuses a program that does not exist', async () => {
    world = await flowWorld();
    const config = {
      ...world.config,
      flow: { command: ['/nonexistent/flow-runner'], timeout: '30s', pollInterval: '5s' },
    };
    const err = await follow({
      config,
      ctx: cmdCtx,
    }).catch((e: unknown) => e);
    expect((err as Error).message).toContain('cannot start flow command "/nonexistent/flow-runner": ENOENT');
  });
});
