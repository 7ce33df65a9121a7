/**
 * The agent's cost: a no-op `apply` (nothing new on the branch) and an apply of one promotion,
 * each against a plain `git fetch` of the same repository (also a no-op) measured in the same run.
 * Rows for the CLI as a process (a cron or manual run) and for one pass inside a running agent.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { applyPass } from '../src/agent/apply-pass.js';
import { lockSession, openSession } from '../src/agent/session.js';
import type { Context } from '../src/commands/context.js';
import { canonicalSha256 } from '../src/core/meta-hash.js';
import { medianMs, type BenchRow } from './types.js';
import { BENCH_ENV as ENV, benchGit as git } from './git-env.js';

const CLI = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));

function write(root: string, files: Record<string, string>): void {
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
}

/** A pipeline repository with two pointers, artifacts and a target checkout. */
function world() {
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
  };
  write(clone, { 'promote.config.json': JSON.stringify(config, null, 2) });
  promote('minutes', 'm1');
  promote('rates', 'r1');
  git(dir, ['clone', '--quiet', remote, join(dir, 'target')]);
  return { dir, clone, promote, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

function cli(cwd: string, args: string[]): void {
  execFileSync(process.execPath, [CLI, ...args], { cwd, env: ENV, stdio: 'ignore' });
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

export async function bench(): Promise<BenchRow[]> {
  const w = world();
  try {
    const fetchClone = join(w.dir, 'fetcher');
    git(w.dir, ['clone', '--quiet', '--bare', join(w.dir, 'origin.git'), fetchClone]);
    const baselineName = 'git fetch (no-op, same repo)';
    const baselineMs = await medianMs(() => git(fetchClone, ['fetch', '--quiet', 'origin']), 11);
    cli(w.clone, ['apply']);

    const rows: BenchRow[] = [];
    rows.push({
      name: 'apply, no-op (CLI process)',
      ms: await medianMs(() => cli(w.clone, ['apply']), 11),
      baselineName,
      baselineMs,
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
      rows.push({
        name: 'apply, no-op (one pass in a running agent)',
        ms: await medianMs(() => applyPass(session, {}, { afterApply: [] }, ctx), 11),
        baselineName,
        baselineMs,
      });
      const times: number[] = [];
      for (let i = 0; i < 9; i++) {
        w.promote('minutes', `m${i + 2}`);
        const t0 = performance.now();
        await applyPass(session, {}, { afterApply: [] }, ctx);
        times.push(performance.now() - t0);
      }
      rows.push({
        name: 'apply, one change (one pass in a running agent)',
        ms: median(times),
        baselineName,
        baselineMs,
      });
    } finally {
      lock.release();
    }
    const times: number[] = [];
    for (let i = 0; i < 9; i++) {
      w.promote('rates', `r${i + 2}`);
      const t0 = performance.now();
      cli(w.clone, ['apply']);
      times.push(performance.now() - t0);
    }
    rows.push({ name: 'apply, one change (CLI process)', ms: median(times), baselineName, baselineMs });
    return rows;
  } finally {
    w.cleanup();
  }
}
