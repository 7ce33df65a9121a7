/**
 * `history` over 10,000 commits (one git log + one cat-file batch) against a plain
 * `git log --first-parent -- <pointer file>` listing the same commits. The repository is built
 * with fast-import before any timing.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { history } from '../src/commands/history.js';
import { LONG_POINTER_FILE, buildLongHistory, longHistoryContext } from './long-history.js';
import { paired, wallTime } from './harness.js';
import type { BenchRow } from './types.js';

const run = promisify(execFile);

export async function bench(): Promise<BenchRow[]> {
  const dir = mkdtempSync(join(tmpdir(), 'git-promote-bench-history-'));
  try {
    const world = buildLongHistory(dir, { commits: 10_000, promoteEvery: 20, manualEvery: 333 });
    const ctx = longHistoryContext(world);
    const plainLog = (limit: string[]) =>
      run(
        'git',
        ['log', '--first-parent', ...limit, '--format=%H %an %cI %s', 'origin/main', '--', LONG_POINTER_FILE],
        {
          cwd: world.clone,
          env: world.env,
          maxBuffer: 1 << 28,
        },
      );
    const all = await history(['minutes'], { fetch: false }, ctx);
    const count = (all.data as { entries: unknown[] }).entries.length;
    if (count !== world.expected.length)
      throw new Error(`history listed ${count}, expected ${world.expected.length}`);
    return [
      {
        kind: 'paired',
        name: `history minutes, 10,000 commits (${count} changes)`,
        measure: 'wall',
        baselineName: 'git log --first-parent -- <pointer file>',
        result: await paired(
          wallTime(() => history(['minutes'], { fetch: false }, ctx)),
          wallTime(() => plainLog([])),
        ),
        goal: 1.5,
      },
      {
        kind: 'paired',
        name: 'history minutes --limit 20, 10,000 commits',
        measure: 'wall',
        baselineName: 'git log --first-parent -n 20 -- <pointer file>',
        result: await paired(
          wallTime(() => history(['minutes'], { fetch: false, limit: 20 }, ctx)),
          wallTime(() => plainLog(['-n', '20'])),
        ),
      },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
