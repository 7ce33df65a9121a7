/**
 * SIGKILL the apply process at many points (named crash points, and instants aimed at the write
 * while a reader process reads the files in a tight loop) while it applies a two-pointer change.
 * The reader never sees a torn, missing or mixed file. After every kill: each pointer file parses and is old or new;
 * recovery leaves the set all old or all new, consistent with the recorded state; the next apply
 * completes it with exactly one journal entry and no temp files anywhere.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, watch, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { applyPass } from '../../src/agent/apply-pass.js';
import { recoverInterrupted } from '../../src/agent/record.js';
import { lockSession, openSession } from '../../src/agent/session.js';
import { CRASH_ENV, STEP_LOG_ENV, STEP_PAUSE_ENV } from '../../src/adapters/fs/crash-points.js';
import { createAgentWorld, FILES, spawnCli, type AgentWorld } from '../helpers/agent-world.js';
import { testContext } from '../helpers/context.js';
import { sampleConfig } from '../helpers/fixtures.js';
import { runCli } from '../../src/cli/program.js';
import { startReader } from '../helpers/torn-reader.js';

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

const STEP_ORDER = [
  'start',
  'locked',
  'fetched',
  'temp-written',
  'intent-written',
  'renamed',
  'manifest-written',
  'state-written',
  'journal-appended',
  'finished',
  'intent-removed',
];

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

/**
 * Kills aimed at the write. Each apply logs the crash points it reaches and pauses PAUSE_MS at
 * each, so the write spans a few hundred ms; a watcher on the step log sees the trigger step and
 * SIGKILLs the process after a delay spread over the steps that follow. Most kills land between
 * "intent written" and "state written"; a share before the intent (the set must stay old) and
 * after the state (the set is new, the intent may remain).
 */
const AIMED = 60;
const PAUSE_MS = 10;
const AIMS = [
  { name: 'before intent', trigger: 'temp-written', steps: 4, share: 3 },
  { name: 'write window', trigger: 'intent-written', steps: 8, share: 14 },
  { name: 'after state', trigger: 'state-written', steps: 4, share: 3 },
];

function aimFor(i: number): { trigger: string; delayMs: number } {
  const slots = AIMS.flatMap((a) => Array<typeof a>(a.share).fill(a));
  const aim = slots[i % slots.length]!;
  const spread = (i * 0.618034) % 1; // low-discrepancy: delays cover the span evenly
  return { trigger: aim.trigger, delayMs: spread * aim.steps * PAUSE_MS };
}

/** Where a killed apply stopped: its last crash point, numbered when it repeats (renamed#3). */
function landing(steps: string[]): string {
  const last = steps.at(-1);
  if (last === undefined) return 'start';
  return `${last}#${steps.filter((s) => s === last).length}`;
}

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

  it(`${AIMED} kills aimed at the write, with a reader that never sees a torn, missing or mixed file`, async () => {
    const landed: Record<string, number> = {};
    const inWindow = { before: 0, window: 0, after: 0, finished: 0 };
    let reads = 0;
    await inBatches(
      Array.from({ length: AIMED }, (_, i) => i),
      2,
      async (i) => {
        const dir = newTrial();
        const stepLog = join(dir, 'steps.log');
        writeFileSync(stepLog, '');
        const target = (p: 'minutes' | 'rates') => join(dir, 'target', FILES[p]);
        const reader = startReader(
          (['minutes', 'rates'] as const).map((p) => ({
            path: target(p),
            allowed: [oldFiles[p]!, newFiles[p]!],
          })),
          [join(dir, 'state', 'state.json'), join(dir, 'state', 'intent.json')],
        );
        const { trigger, delayMs } = aimFor(i);
        const { child, done } = spawnCli(['apply'], {
          cwd: dir,
          env: { [STEP_LOG_ENV]: stepLog, [STEP_PAUSE_ENV]: String(PAUSE_MS) },
        });
        let timer: NodeJS.Timeout | undefined;
        const watcher = watch(stepLog, () => {
          if (timer || !readFileSync(stepLog, 'utf8').split('\n').includes(trigger)) return;
          timer = setTimeout(() => child.kill('SIGKILL'), delayMs);
        });
        const r = await done;
        watcher.close();
        clearTimeout(timer);
        const steps = readFileSync(stepLog, 'utf8').split('\n').filter(Boolean);
        const label = `aim ${trigger}+${delayMs.toFixed(0)}ms`;
        if (r.code === -1) {
          const at = landing(steps);
          landed[at] = (landed[at] ?? 0) + 1;
          if (!steps.includes('intent-written')) inWindow.before++;
          else if (!steps.includes('state-written')) inWindow.window++;
          else inWindow.after++;
        } else {
          expect(r.code, `${label}: ${r.stderr}`).toBe(0);
          inWindow.finished++;
        }
        await check(dir, label);
        const seen = await reader.stop();
        reads += seen.reads;
        expect(seen.violations, `${label}: ${seen.violationCount} bad reads`).toEqual([]);
      },
    );
    const order = (k: string) => k.replace(/#\d+$/, '');
    const distribution = Object.entries(landed)
      .sort(([a], [b]) => STEP_ORDER.indexOf(order(a)) - STEP_ORDER.indexOf(order(b)) || a.localeCompare(b))
      .map(([k, n]) => `${k}=${n}`)
      .join(' ');
    // The distribution belongs in the test output: it shows where the kills landed.
    // eslint-disable-next-line no-console
    console.log(
      `kill points (last crash point reached): ${distribution}\n` +
        `before intent ${inWindow.before}, between intent and state ${inWindow.window}, after state ${inWindow.after}, ` +
        `not killed ${inWindow.finished}; the reader made ${reads} reads, none torn or mixed`,
    );
    expect(inWindow.window, distribution).toBeGreaterThanOrEqual(AIMED / 2);
    expect(inWindow.before, distribution).toBeGreaterThan(0);
    expect(inWindow.after, distribution).toBeGreaterThan(0);
    // Killed between the two pointer renames (the intent's own rename is renamed#1).
    expect(landed['renamed#2'] ?? 0, distribution).toBeGreaterThan(0);
  }, 240_000);
});
