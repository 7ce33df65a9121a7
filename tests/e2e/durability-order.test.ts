/**
 * The order of durable steps, seen by a real tool: one apply of a two-pointer change runs under
 * `strace -f`, and its system calls must show, for each pointer file, the intent and the state:
 * write the temp file → fsync it → rename it over the file → fsync the directory; the intent's
 * directory is synced before the first pointer is renamed (the commit point is durable first), the
 * pointers' directory before the state is renamed; and each journal append is followed by fsync.
 * A crash test cannot see a missing fsync (the page cache survives a SIGKILL); this can.
 * Linux only (strace); skipped elsewhere, and where strace is missing, with the reason.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createAgentWorld, FILES, spawnCli, type AgentWorld } from '../helpers/agent-world.js';
import { CLI } from '../helpers/cli.js';
import { testEnv } from '../helpers/git-repo.js';
import { mainThreadEvents, runTraced, straceAvailable, type FsEvent } from '../helpers/strace.js';

let w: AgentWorld | undefined;
afterEach(() => w?.cleanup());

/** Index of the rename onto `path`, after checking its temp file was written and fsynced first. */
function atomicReplace(events: FsEvent[], path: string): { renamed: number; dirSynced: number } {
  const renamed = events.findLastIndex((e) => e.kind === 'rename' && e.to === path);
  expect(renamed, `no rename onto ${path}: written in place?`).toBeGreaterThan(-1);
  const temp = (events[renamed] as { from: string }).from;
  const at = (kind: FsEvent['kind'], file: string, from: number, to: number) =>
    events.findIndex((e, i) => i > from && i < to && e.kind === kind && 'path' in e && e.path === file);
  const opened = events.findLastIndex((e, i) => i < renamed && e.kind === 'open' && e.path === temp);
  expect(opened, `${temp} is not opened before its rename`).toBeGreaterThan(-1);
  const lastWrite = events.findLastIndex(
    (e, i) => i > opened && i < renamed && e.kind === 'write' && e.path === temp,
  );
  expect(lastWrite, `${temp} is not written before its rename`).toBeGreaterThan(opened);
  expect(at('fsync', temp, lastWrite, renamed), `${temp}: no fsync between write and rename`).toBeGreaterThan(
    lastWrite,
  );
  const dirSynced = at('fsync', dirname(path), renamed, events.length);
  expect(dirSynced, `${dirname(path)}: no directory fsync after renaming ${path}`).toBeGreaterThan(renamed);
  return { renamed, dirSynced };
}

describe('durability order under strace', () => {
  it('temp write → fsync → rename → directory fsync for pointers, intent and state; append → fsync for the journal', async (ctx) => {
    ctx.skip(!straceAvailable(), 'needs Linux and strace allowed to trace (.ci/run installs it)');
    w = createAgentWorld();
    expect((await spawnCli(['apply'], { cwd: w.cwd }).done).code).toBe(0);
    w.promote({ minutes: 'm2', rates: 'r2' });
    const trace = join(w.dir, 'apply.strace');
    const code = await runTraced(trace, process.execPath, [CLI, 'apply'], { cwd: w.cwd, env: testEnv() });
    expect(code, readFileSync(trace, 'utf8').slice(-2000)).toBe(0);
    expect([w.runInTarget('minutes'), w.runInTarget('rates')]).toEqual(['m2', 'r2']);
    const events = mainThreadEvents(trace);

    const intent = atomicReplace(events, join(w.state, 'intent.json'));
    const pointers = (['minutes', 'rates'] as const).map((p) =>
      atomicReplace(events, join(w!.target, FILES[p])),
    );
    const state = atomicReplace(events, join(w.state, 'state.json'));
    // The commit point is durable before any pointer changes; the pointers before the state says so.
    for (const p of pointers) expect(intent.dirSynced).toBeLessThan(p.renamed);
    for (const p of pointers) expect(p.dirSynced).toBeLessThan(state.renamed);

    const journal = join(w.state, 'journal.jsonl');
    const appends = events.flatMap((e, i) => (e.kind === 'write' && e.path === journal ? [i] : []));
    expect(appends.length, 'no journal append traced').toBeGreaterThan(0);
    const writers = events.filter(
      (e) => e.kind === 'open' && e.path === journal && /O_RDWR|O_WRONLY/.test(e.flags),
    );
    expect(writers.length).toBeGreaterThan(0);
    for (const o of writers) expect((o as { flags: string }).flags).toContain('O_APPEND');
    for (const i of appends) {
      const synced = events.findIndex((e, j) => j > i && e.kind === 'fsync' && e.path === journal);
      const nextWrite = appends.find((j) => j > i) ?? events.length;
      expect(synced, 'journal append without fsync before the next append').toBeGreaterThan(i);
      expect(synced).toBeLessThan(nextWrite);
    }
  });
});
