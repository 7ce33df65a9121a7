import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCliProcess } from '../helpers/cli.js';
import { createAgentWorld, FILES, type AgentWorld } from '../helpers/agent-world.js';
import { pointerJson } from '../helpers/fixtures.js';

let world: AgentWorld | undefined;
afterEach(() => {
  world?.cleanup();
  world = undefined;
});

/** The next millisecond on the wall clock, so instants on either side of an apply are distinct. */
async function tick(): Promise<string> {
  const start = Date.now();
  const deadline = start + 1000;
  while (Date.now() <= start && Date.now() < deadline) await new Promise((r) => setImmediate(r));
  return new Date().toISOString();
}

async function apply(w: AgentWorld): Promise<void> {
  const res = await runCliProcess(['apply', '--no-trigger'], { cwd: w.cwd });
  expect(res.code, res.stderr).toBe(0);
}

async function hostRuns(w: AgentWorld, instant: string): Promise<Record<string, string | null>> {
  const res = await runCliProcess(['at', instant, '--source', 'host', '--json'], { cwd: w.cwd });
  expect(res.code, `${instant}: ${res.stderr}`).toBe(0);
  const data = JSON.parse(res.stdout) as { source: string; pointers: Record<string, { run: string } | null> };
  expect(data.source).toBe('host');
  return Object.fromEntries(Object.entries(data.pointers).map(([n, p]) => [n, p?.run ?? null]));
}

describe('at --source host through the built CLI', () => {
  it('follows what the agent applied: a promotion, its rollback and a drift restore', async () => {
    const w = (world = createAgentWorld());
    const none = await runCliProcess(['at', new Date().toISOString(), '--source', 'host'], { cwd: w.cwd });
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('no apply journal');

    const beforeAll = await tick();
    await tick();
    await apply(w);
    const afterFirst = await tick();
    const m1 = w.pointerInTarget('minutes');

    w.promote({ minutes: 'm2' });
    await tick();
    await apply(w);
    const afterPromotion = await tick();
    const m2 = w.pointerInTarget('minutes');

    // The rollback lands on the branch now but reaches this host only when the agent applies it.
    w.promote({ minutes: 'm1' });
    const rolledBackOnBranch = await tick();
    await tick();
    await apply(w);
    const afterRollback = await tick();

    // A hand edit on the host, then the agent restores the branch's file (journalled as an apply of
    // its own, even in the same second as the rollback: apply ids are unique per pass).
    writeFileSync(join(w.target, FILES.minutes), pointerJson('m0'));
    await apply(w);
    const afterRestore = await tick();
    const journal = readFileSync(join(w.state, 'journal.jsonl'), 'utf8');
    expect(
      journal
        .trim()
        .split('\n')
        .filter((l) => l.includes('"event":"applied"')),
    ).toHaveLength(4);

    const early = await runCliProcess(['at', beforeAll, '--source', 'host'], { cwd: w.cwd });
    expect(early.code).toBe(1);
    expect(early.stderr).toContain('no pointer yet');

    expect(await hostRuns(w, afterFirst)).toEqual({ minutes: 'm1', rates: 'r1' });
    expect(await hostRuns(w, afterPromotion)).toEqual({ minutes: 'm2', rates: 'r1' });
    // The branch already had the rollback; this host still ran m2.
    expect(await hostRuns(w, rolledBackOnBranch)).toEqual({ minutes: 'm2', rates: 'r1' });
    const branch = await runCliProcess(['at', rolledBackOnBranch, '--json'], { cwd: w.cwd });
    expect(
      (JSON.parse(branch.stdout) as { pointers: { minutes: { run: string } } }).pointers.minutes.run,
    ).toBe('m1');
    expect(await hostRuns(w, afterRollback)).toEqual({ minutes: 'm1', rates: 'r1' });
    expect(await hostRuns(w, afterRestore)).toEqual({ minutes: 'm1', rates: 'r1' });

    // --write gives the bytes the agent wrote into the target at that time.
    const out = join(w.dir, 'asof');
    const written = await runCliProcess(['at', afterPromotion, '--source', 'host', '--write', out], {
      cwd: w.cwd,
    });
    expect(written.code, written.stderr).toBe(0);
    expect(readFileSync(join(out, FILES.minutes), 'utf8')).toBe(m2);
    expect(m2).not.toBe(m1);
    const manifest = JSON.parse(readFileSync(join(out, 'promote-as-of.json'), 'utf8')) as {
      source: string;
      instant: string;
    };
    expect(manifest).toMatchObject({ source: 'host', instant: afterPromotion });

    const range = await runCliProcess(
      ['at', '--source', 'host', '--range', `${beforeAll}..${afterRestore}`, '--json'],
      {
        cwd: w.cwd,
      },
    );
    const points = (JSON.parse(range.stdout) as { points: { runs: Record<string, string | null> }[] }).points;
    // The drift restore re-applied the same runs: no new point.
    expect(points.map((p) => p.runs.minutes)).toEqual([null, 'm1', 'm2', 'm1']);
  });
});
