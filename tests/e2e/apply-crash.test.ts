/**
 * SIGKILL the apply process at many points (named crash points and random instants) while it
 * applies a two-pointer change. After every kill: each pointer file parses and is old or new;
 * recovery leaves the set all old or all new, consistent with the recorded state; the next apply
 * completes it with exactly one journal entry and no temp files anywhere.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { recoverInterrupted, lockSession, openSession, applyPass } from '../../src/commands/apply.js';
import { CRASH_ENV } from '../../src/adapters/fs/crash-points.js';
import { createAgentWorld, FILES, spawnCli, type AgentWorld } from '../helpers/agent-world.js';
import { testContext } from '../helpers/context.js';
import { sampleConfig } from '../helpers/fixtures.js';
import { runCli } from '../../src/cli/program.js';

let w: AgentWorld;
let oldFiles: Record<string, string>;
let newFiles: Record<string, string>;
let commitA: string;
let commitB: string;
const template = () => join(w.cwd, 'trials', 'template');

function trialConfig(dir: string): string {
  const config = sampleConfig(w.dir);
  config.agent = { target: join(dir, 'target'), state: join(dir, 'state'), interval: '30s' };
  (config.manifests as Record<string, unknown>).root = join(dir, 'manifests');
  const path = join(dir, 'promote.config.json');
  writeFileSync(path, JSON.stringify(config, null, 2));
  return path;
}

beforeAll(async () => {
  w = createAgentWorld();
  commitA = w.repo.head();
  // The template trial has applied commit A: its target and state are copied for every trial.
  mkdirSync(join(template(), 'target', 'config'), { recursive: true });
  for (const p of ['minutes', 'rates'] as const)
    cpSync(join(w.target, FILES[p]), join(template(), 'target', FILES[p]));
  trialConfig(template());
  const ctx = testContext({ cwd: template() });
  expect(await runCli(['apply'], ctx), ctx.err()).toBe(0);
  oldFiles = { minutes: w.pointerInTarget('minutes')!, rates: w.pointerInTarget('rates')! };
  commitB = w.promote({ minutes: 'm2', rates: 'r2' });
  newFiles = Object.fromEntries(
    (['minutes', 'rates'] as const).map((p) => [p, w.repo.git(['show', `${commitB}:${FILES[p]}`])]),
  );
}, 60_000);

afterAll(() => w?.cleanup());

let trialNo = 0;
function newTrial(): string {
  const dir = join(w.cwd, 'trials', `t${++trialNo}`);
  cpSync(join(template(), 'target'), join(dir, 'target'), { recursive: true });
  cpSync(join(template(), 'state'), join(dir, 'state'), { recursive: true });
  trialConfig(dir);
  const statePath = join(dir, 'state', 'state.json');
  const state = JSON.parse(readFileSync(statePath, 'utf8'));
  writeFileSync(statePath, JSON.stringify({ ...state, target: join(dir, 'target') }));
  return dir;
}

function temps(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter(
    (n) => n.includes('git-promote-tmp') || n.includes('.cand-'),
  );
}

function files(dir: string): Record<string, string> {
  return Object.fromEntries(
    (['minutes', 'rates'] as const).map((p) => [p, readFileSync(join(dir, 'target', FILES[p]), 'utf8')]),
  );
}

function appliedEntries(dir: string): { commit: string }[] {
  const path = join(dir, 'state', 'journal.jsonl');
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter(Boolean)
    .flatMap((l) => {
      try {
        return [JSON.parse(l)];
      } catch {
        return [];
      }
    })
    .filter((e) => e.event === 'applied');
}

async function check(dir: string, label: string): Promise<'old' | 'new'> {
  // Right after the kill: every file is whole, old or new.
  const after = files(dir);
  for (const p of ['minutes', 'rates'] as const) {
    expect([oldFiles[p], newFiles[p]], `${label}: ${p} torn`).toContain(after[p]);
    JSON.parse(after[p]!);
  }
  // Recovery (what the next apply does first, with the dead process's lock recovered).
  const ctx = testContext({ cwd: dir });
  const session = await openSession({}, ctx);
  const lock = await lockSession(session, { command: 'test' }, ctx);
  let side: 'old' | 'new';
  try {
    await recoverInterrupted(session, ctx);
    const now = files(dir);
    const state = JSON.parse(readFileSync(join(dir, 'state', 'state.json'), 'utf8'));
    side = now.minutes === newFiles.minutes ? 'new' : 'old';
    expect(now, `${label}: set not all ${side}`).toEqual(side === 'new' ? newFiles : oldFiles);
    expect(state.applied.commit, `${label}: state disagrees with files`).toBe(
      side === 'new' ? commitB : commitA,
    );
    expect(temps(join(dir, 'target')), label).toEqual([]);
    expect(temps(join(dir, 'state')), label).toEqual([]);
    expect(temps(join(dir, 'manifests')), label).toEqual([]);
    // The next pass brings the set to the tip, once.
    const report = await applyPass(session, {}, { afterApply: [] }, ctx);
    expect(report.commit).toBe(commitB);
  } finally {
    lock.release();
  }
  expect(files(dir)).toEqual(newFiles);
  expect(
    appliedEntries(dir).filter((e) => e.commit === commitB),
    label,
  ).toHaveLength(1);
  expect(existsSync(join(dir, 'state', 'intent.json'))).toBe(false);
  expect(existsSync(join(dir, 'state', 'agent.lock'))).toBe(false);
  return side;
}

async function inBatches<T>(items: T[], size: number, fn: (item: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(fn));
}

const STEPS: [string, number][] = [
  ['locked', 1],
  ['fetched', 1],
  ...[1, 2, 3, 4, 5].map((n): [string, number] => ['temp-written', n]),
  ['intent-written', 1],
  ...[1, 2, 3, 4, 5].map((n): [string, number] => ['renamed', n]),
  ['manifest-written', 1],
  ['state-written', 1],
  ['journal-appended', 1],
  ['finished', 1],
  ['intent-removed', 1],
];

const RANDOM = 185;

describe('apply under SIGKILL', () => {
  it('every named crash point: files whole, set all-or-nothing, completed once', async () => {
    const sides: string[] = [];
    await inBatches(STEPS, 4, async ([step, n]) => {
      const dir = newTrial();
      const r = await spawnCli(['apply'], { cwd: dir, env: { [CRASH_ENV]: `${step}:${n}` } }).done;
      expect(r.code, `${step}:${n} should be killed: ${r.stderr}`).toBe(-1);
      sides.push(`${step}:${n}=${await check(dir, `${step}:${n}`)}`);
    });
    // Before the intent is committed a crash keeps the old set; from then on the new set wins.
    expect(sides).toContain('temp-written:2=old');
    expect(sides).toContain('renamed:2=new'); // killed between the two pointer renames
    expect(sides).toContain('intent-written:1=new');
  });

  it(`${RANDOM} kills at random instants (with the named points: more than 200 trials)`, async () => {
    // Calibrate: how long does a whole apply take here, four at a time as in the trials?
    const t0 = performance.now();
    const calibration = await Promise.all(
      [1, 2, 3, 4].map(() => spawnCli(['apply'], { cwd: newTrial() }).done),
    );
    const full = performance.now() - t0;
    for (const r of calibration) expect(r.code, r.stderr).toBe(0);
    // Spread the kills from early start-up to past the usual end, so some land in the write.
    const delays = Array.from({ length: RANDOM }, (_, i) => full * (0.25 + (0.75 * (i + 0.5)) / RANDOM));
    const outcome = { killed: 0, finished: 0, old: 0, new: 0 };
    await inBatches(delays, 4, async (delay) => {
      const dir = newTrial();
      const { child, done } = spawnCli(['apply'], { cwd: dir });
      const timer = setTimeout(() => child.kill('SIGKILL'), delay);
      const r = await done;
      clearTimeout(timer);
      if (r.code === -1) outcome.killed++;
      else {
        outcome.finished++;
        expect(r.code, r.stderr).toBe(0);
      }
      outcome[await check(dir, `kill after ${delay.toFixed(0)}ms`)]++;
    });
    expect(outcome.killed + outcome.finished).toBe(RANDOM);
    expect(outcome.killed).toBeGreaterThan(50);
    expect(outcome.new, JSON.stringify(outcome)).toBeGreaterThan(0);
  }, 120_000);
});
