/**
 * The agent's cost: a no-op `apply` (nothing new on the branch) and an apply of one promotion,
 * each against a plain `git fetch` of the same repository, interleaved run by run. Rows for the
 * CLI as a process (a cron or manual run: CPU time, against `git fetch` + `node -e 0`) and for
 * one pass inside a running agent (wall time).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { applyPass } from '../src/agent/apply-pass.js';
import { lockSession, openSession } from '../src/agent/session.js';
import type { Context } from '../src/commands/context.js';
import { canonicalSha256 } from '../src/core/meta-hash.js';
import { paired, sumOf, wallTime, type Sample } from './harness.js';
import { processCpu } from './process-cpu.js';
import { CLI } from './cli-path.js';
import type { BenchRow } from './types.js';
import { BENCH_ENV as ENV, benchGit as git } from './git-env.js';

function write(root: string, files: Record<string, string>): void {
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
}

/** A pipeline repository with two pointers, artifacts and a target checkout (also used by agent-latency). */
export function applyWorld() {
  const dir = mkdtempSync(join(tmpdir(), 'git-promote-bench-'));
  const remote = join(dir, 'origin.git');
  const clone = join(dir, 'clone');
  git(dir, ['init', '--quiet', '--bare', '--initial-branch=main', remote]);
  git(dir, ['clone', '--quiet', remote, clone]);
  git(clone, ['checkout', '--quiet', '-B', 'main']);
  const config = {
    repository: { remote: 'origin', branch: 'main' },
    pointers: Object.fromEntries(
      ['minutes', 'rates'].map((p) => [
        p,
        {
          file: `config/${p}_current_run.json`,
          artifacts: join(dir, `models/${p}/run={run_id}`),
          contract: '^2.0.0',
        },
      ]),
    ),
    agent: { target: join(dir, 'target'), state: join(dir, 'state') },
  };
  let n = 0;
  const promote = (pointer: string, run: string) => {
    const meta = {
      run_id: run,
      model: `lgbm-${pointer}`,
      created_at: '2026-11-20T10:00:00Z',
      contract: '2.1.0',
    };
    write(dir, { [`models/${pointer}/run=${run}/meta.json`]: JSON.stringify(meta) });
    const evidence = {
      schema: 'git-promote/evidence@1',
      pointer,
      run_id: run,
      game_date: '2026-11-25',
      smoke: {
        command: ['score'],
        exit_code: 0,
        started_at: 'x',
        finished_at: 'y',
        duration_ms: 1,
        published: false,
      },
      manifest: {
        asset: 'scores',
        game_date: '2026-11-25',
        run_id: run,
        run_as_of_ts: 'x',
        status: 'success',
      },
      meta,
      meta_sha256: canonicalSha256(meta),
      checks: [],
      tool: { name: 'git-promote', version: '0.1.0' },
    };
    write(clone, {
      [`config/${pointer}_current_run.json`]: `${JSON.stringify({ run_id: run }, null, 2)}\n`,
      [`promotions/${pointer}/${run}.json`]: JSON.stringify(evidence, null, 2),
    });
    git(clone, ['add', '--all']);
    git(clone, ['commit', '--quiet', '-m', `promote ${pointer}=${run} (${++n})`]);
    git(clone, ['push', '--quiet', 'origin', 'HEAD:main']);
    return git(clone, ['rev-parse', 'HEAD']).trim();
  };
  write(clone, { 'promote.config.json': JSON.stringify(config, null, 2) });
  promote('minutes', 'm1');
  promote('rates', 'r1');
  git(dir, ['clone', '--quiet', remote, join(dir, 'target')]);
  return { dir, clone, promote, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export async function bench(): Promise<BenchRow[]> {
  const w = applyWorld();
  try {
    const fetchClone = join(w.dir, 'fetcher');
    git(w.dir, ['clone', '--quiet', '--bare', join(w.dir, 'origin.git'), fetchClone]);
    const fetchArgs = ['-C', fetchClone, 'fetch', '--quiet', 'origin'];
    const cli = processCpu({ command: process.execPath, args: [CLI, 'apply'], cwd: w.clone, env: ENV });
    const fetchCpu = processCpu({ command: 'git', args: fetchArgs, env: ENV });
    const nodeCpu = processCpu({ command: process.execPath, args: ['-e', '0'], env: ENV });
    const fetchWall = wallTime(() => git(w.dir, fetchArgs));
    const rows: BenchRow[] = [];
    rows.push({
      kind: 'paired',
      name: 'apply, no-op (CLI process)',
      measure: 'CPU',
      baselineName: 'git fetch (no-op, same repo) + node -e 0',
      result: await paired(cli, sumOf(fetchCpu, nodeCpu), { runs: 15, warmup: 2 }),
      goal: 1.5,
    });

    const ctx: Context = {
      cwd: w.clone,
      env: ENV,
      now: () => new Date(),
      fetch: globalThis.fetch,
      stdout: { write: () => undefined },
      stderr: { write: () => undefined },
      isTTY: false,
    };
    const session = await openSession({}, ctx);
    const lock = await lockSession(session, { command: 'bench' }, ctx);
    try {
      const pass = wallTime(() => applyPass(session, {}, { afterApply: [] }, ctx));
      rows.push({
        kind: 'paired',
        name: 'apply, no-op (one pass in a running agent)',
        measure: 'wall',
        baselineName: 'git fetch (no-op, same repo)',
        result: await paired(pass, fetchWall, { runs: 15 }),
      });
      let n = 1;
      // Each subject run applies a new promotion; the baseline then fetches that same commit.
      const promoted = (sample: Sample, pointer: string) => () => {
        w.promote(pointer, `${pointer[0]}${++n}`);
        return sample();
      };
      rows.push({
        kind: 'paired',
        name: 'apply, one change (one pass in a running agent)',
        measure: 'wall',
        baselineName: 'git fetch of the same new commit',
        result: await paired(promoted(pass, 'minutes'), fetchWall, { runs: 9 }),
      });
    } finally {
      lock.release();
    }
    let n = 1;
    rows.push({
      kind: 'paired',
      name: 'apply, one change (CLI process)',
      measure: 'CPU',
      baselineName: 'git fetch of the same new commit + node -e 0',
      result: await paired(
        () => {
          w.promote('rates', `r${++n}`);
          return cli();
        },
        sumOf(fetchCpu, nodeCpu),
        { runs: 9 },
      ),
    });
    return rows;
  } finally {
    w.cleanup();
  }
}
