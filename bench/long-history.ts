/**
 * A repository with a long history, built with one `git fast-import` (not one process per commit):
 * a bare `origin.git` and a clone of it. Every `promoteEvery`-th commit promotes the minutes
 * pointer (pointer + evidence, squash-style "… (#N)" message), every `manualEvery`-th commit edits
 * it by hand, and the rest change unrelated files. Shared by bench/history.ts and the tests.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Context } from '../src/commands/context.js';
import { BENCH_ENV } from './git-env.js';

export const LONG_POINTER_FILE = 'config/minutes_current_run.json';

export interface ExpectedChange {
  sha: string;
  kind: 'promotion' | 'manual edit';
  from: string | null;
  to: string;
  pr: number | null;
}

export interface LongHistory {
  remote: string;
  clone: string;
  /** Every change of the pointer, newest first. */
  expected: ExpectedChange[];
  env: Record<string, string | undefined>;
}

const pointer = (run: string) => `${JSON.stringify({ run_id: run }, null, 2)}\n`;
const evidence = (run: string, rows: number) =>
  `${JSON.stringify(
    {
      schema: 'git-promote/evidence@1',
      pointer: 'minutes',
      run_id: run,
      game_date: '2026-11-25',
      manifest: {
        asset: 'minutes_scores',
        run_id: run,
        status: 'success',
        outputs: [{ name: 'scores', rows }],
      },
    },
    null,
    2,
  )}\n`;

export function buildLongHistory(
  dir: string,
  options: { commits: number; promoteEvery: number; manualEvery: number },
): LongHistory {
  const env: Record<string, string | undefined> = { ...BENCH_ENV };
  const remote = join(dir, 'origin.git');
  const clone = join(dir, 'clone');
  const run = (cwd: string, args: string[], input?: string) =>
    execFileSync('git', args, { cwd, env, input, stdio: ['pipe', 'pipe', 'pipe'], maxBuffer: 1 << 30 });
  run(dir, ['init', '--quiet', '--bare', '--initial-branch=main', remote]);

  const parts: string[] = [];
  const data = (text: string) => `data ${Buffer.byteLength(text)}\n${text}\n`;
  const file = (path: string, text: string) => `M 100644 inline ${path}\n${data(text)}`;
  const changes: (Omit<ExpectedChange, 'sha'> & { mark: number })[] = [];
  const config = {
    repository: { remote: 'origin', branch: 'main' },
    pointers: { minutes: { file: LONG_POINTER_FILE, artifacts: join(dir, 'models/run={run_id}') } },
  };
  let current = 'r0';
  let pr = 0;
  for (let i = 1; i <= options.commits; i++) {
    const ts = 1_767_225_600 + i * 60;
    let message: string;
    let files: string;
    if (i === 1) {
      message = 'Set up the pipeline';
      files =
        file('promote.config.json', `${JSON.stringify(config, null, 2)}\n`) +
        file(LONG_POINTER_FILE, pointer(current)) +
        file(`promotions/minutes/${current}.json`, evidence(current, 100));
      changes.push({ mark: i, kind: 'promotion', from: null, to: current, pr: null });
    } else if (i % options.promoteEvery === 0) {
      const next = `r${i}`;
      pr++;
      message = `Promote minutes to ${next} (#${pr})`;
      files =
        file(LONG_POINTER_FILE, pointer(next)) + file(`promotions/minutes/${next}.json`, evidence(next, i));
      changes.push({ mark: i, kind: 'promotion', from: current, to: next, pr });
      current = next;
    } else if (i % options.manualEvery === 0) {
      // A hand edit that keeps the run (a note): a manual edit. A new run by hand would be a promotion.
      message = `Note on minutes by hand ${i}`;
      files = file(LONG_POINTER_FILE, pointer(current).replace(/\n}\n$/, `,\n  "note": "${i}"\n}\n`));
      changes.push({ mark: i, kind: 'manual edit', from: current, to: current, pr: null });
    } else {
      message = `Update data ${i}`;
      files = file(`data/part-${i % 97}.txt`, `commit ${i}\n`);
    }
    parts.push(
      `commit refs/heads/main\nmark :${i}\n` +
        `author Bench Author <bench@example.com> ${ts} +0000\n` +
        `committer Bench Author <bench@example.com> ${ts} +0000\n` +
        data(message) +
        (i > 1 ? `from :${i - 1}\n` : '') +
        files,
    );
  }
  const marks = join(dir, 'marks');
  const result = spawnSync('git', ['fast-import', '--quiet', `--export-marks=${marks}`], {
    cwd: remote,
    env,
    input: parts.join('\n'),
    maxBuffer: 1 << 30,
  });
  if (result.status !== 0) throw new Error(`git fast-import failed: ${result.stderr.toString()}`);
  const shaOf = new Map(
    readFileSync(marks, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => {
        const [mark, sha] = l.split(' ');
        return [Number(mark!.slice(1)), sha!] as const;
      }),
  );
  run(dir, ['clone', '--quiet', remote, clone]);
  const expected = changes.reverse().map(({ mark, ...c }) => ({ sha: shaOf.get(mark)!, ...c }));
  return { remote, clone, expected, env };
}

/** A silent Context in the long history's clone, for the commands a benchmark runs in process. */
export function longHistoryContext(world: LongHistory): Context {
  return {
    cwd: world.clone,
    env: world.env,
    now: () => new Date(),
    fetch: globalThis.fetch,
    stdout: { write: () => undefined },
    stderr: { write: () => undefined },
    isTTY: false,
  };
}
