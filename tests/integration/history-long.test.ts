import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildLongHistory, type LongHistory } from '../../bench/long-history.js';
import { history } from '../../src/commands/history.js';
import type { HistoryEntry } from '../../src/core/history.js';
import { testContext } from '../helpers/context.js';
import { tempDir } from '../helpers/git-repo.js';

let dir: string;
let world: LongHistory;
beforeAll(() => {
  dir = tempDir();
  world = buildLongHistory(dir, { commits: 5000, promoteEvery: 25, manualEvery: 333 });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const entriesOf = (data: unknown) => (data as { entries: HistoryEntry[] }).entries;

describe('history on a repository with 5,000 commits', () => {
  it('lists exactly the changes of the pointer, newest first, with kind, runs and PR', async () => {
    const ctx = testContext({ cwd: world.clone, env: world.env });
    const out = await history(['minutes'], {}, ctx);
    const entries = entriesOf(out.data);
    // 199 promotions, 15 manual edits (those not on a promotion commit) and the initial commit.
    expect(entries.length).toBe(world.expected.length);
    expect(entries.length).toBeGreaterThan(200);
    expect(entries.map((e) => ({ sha: e.sha, kind: e.kind, from: e.from, to: e.to, pr: e.pr }))).toEqual(
      world.expected,
    );
    expect(entries[0]!.evidence).toMatchObject({ gameDate: '2026-11-25', rows: 5000, addedHere: true });
  });

  it('--limit keeps the newest entries', async () => {
    const ctx = testContext({ cwd: world.clone, env: world.env });
    const out = await history(['minutes'], { limit: 7, fetch: false }, ctx);
    // Kinds too: a change shown is classified by every earlier run, not only the runs shown.
    expect(
      entriesOf(out.data).map((e) => ({ sha: e.sha, kind: e.kind, from: e.from, to: e.to, pr: e.pr })),
    ).toEqual(world.expected.slice(0, 7));
  });
});
