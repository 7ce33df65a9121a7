/**
 * `at` over 10,000 commits (one `git log` per pointer) against a plain
 * `git log --first-parent -- <pointer file>` listing the same commits; `at --range` over a year
 * (365 end-of-day instants) against the same baseline, since it reads the history once too.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { at } from '../src/commands/at.js';
import { parseRange } from '../src/core/as-of.js';
import { LONG_POINTER_FILE, buildLongHistory, longHistoryContext } from './long-history.js';
import { paired, wallTime } from './harness.js';
import type { BenchRow } from './types.js';

const run = promisify(execFile);

export async function bench(): Promise<BenchRow[]> {
  const dir = mkdtempSync(join(tmpdir(), 'git-promote-bench-at-'));
  try {
    const world = buildLongHistory(dir, { commits: 10_000, promoteEvery: 20, manualEvery: 333 });
    const ctx = longHistoryContext(world);
    const plainLog = () =>
      run('git', ['log', '--first-parent', '--format=%H %cI', 'origin/main', '--', LONG_POINTER_FILE], {
        cwd: world.clone,
        env: world.env,
        maxBuffer: 1 << 28,
      });
    // The history runs from 2026-01-01 every minute for ~7 days: an instant in the middle of it.
    const instant = '2026-01-04T12:00Z';
    const one = await at([instant], { fetch: false }, ctx);
    const run0 = (one.data as { pointers: { minutes: { run: string } | null } }).pointers.minutes?.run;
    if (!run0) throw new Error(`at ${instant} found no run`);
    const year = '2025-06-01..2026-05-31';
    const range = await at([], { fetch: false, range: parseRange(year) }, ctx);
    const points = (range.data as { points: unknown[] }).points.length;
    if (points !== world.expected.filter((c) => c.to !== c.from).length + 1)
      throw new Error(`at --range listed ${points} points`);
    const baseline = wallTime(plainLog);
    return [
      {
        kind: 'paired',
        name: `at <instant>, 10,000 commits (${world.expected.length} changes)`,
        measure: 'wall',
        baselineName: 'git log --first-parent -- <pointer file>',
        result: await paired(
          wallTime(() => at([instant], { fetch: false }, ctx)),
          baseline,
        ),
      },
      {
        kind: 'paired',
        name: `at --range over 365 days, 10,000 commits (${points} points)`,
        measure: 'wall',
        baselineName: 'git log --first-parent -- <pointer file>',
        result: await paired(
          wallTime(() => at([], { fetch: false, range: parseRange(year) }, ctx)),
          baseline,
        ),
      },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
