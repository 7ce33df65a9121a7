/**
 * `validate` of a promotion in a repository with 8 pointers and 2,000 evidence files, in process
 * (wall time) and as the bundled CLI (CPU time). Baseline: the git work validate cannot avoid (one
 * `git diff --name-status` plus one `git cat-file --batch` of the same blobs), plus `node -e 0`
 * for the process.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validate } from '../src/commands/validate.js';
import { canonicalSha256 } from '../src/core/meta-hash.js';
import { slateDate } from '../src/core/game-date.js';
import { paired, sumOf, wallTime } from './harness.js';
import { processCpu } from './process-cpu.js';
import { CLI } from './cli-path.js';
import type { BenchRow } from './types.js';
import { BENCH_ENV as env, benchGit as git, writeTree as write } from './git-env.js';

const POINTERS = 8;
const EVIDENCE_FILES = 2000;

function evidence(pointer: string, run: string, gameDate: string): string {
  const meta = { run_id: run, model: 'lgbm', created_at: `${gameDate}T10:00:00Z`, contract: '2.1.0' };
  return `${JSON.stringify(
    {
      schema: 'git-promote/evidence@1',
      pointer,
      run_id: run,
      game_date: gameDate,
      smoke: {
        command: ['python', '-m', 'score', '--run-id', run],
        exit_code: 0,
        started_at: `${gameDate}T15:00:00Z`,
        finished_at: `${gameDate}T15:00:40Z`,
        duration_ms: 40_000,
        published: false,
      },
      manifest: {
        asset: `${pointer}_scores`,
        game_date: gameDate,
        run_id: run,
        run_as_of_ts: `${gameDate}T15:00:00Z`,
        status: 'success',
        outputs: [{ name: 'scores', rows: 450, columns: ['player_id', 'game_id', 'minutes_p50'] }],
      },
      meta,
      meta_sha256: canonicalSha256(meta),
      checks: [{ name: 'rows', ok: true }],
      tool: { name: 'git-promote', version: '0.1.0' },
    },
    null,
    2,
  )}\n`;
}

/** main with 8 pointers and 2,000 evidence files; branch `promote` moves p3 to a new run. */
export function buildValidateRepo(dir: string, today: string): { base: string; head: string } {
  git(dir, ['init', '--quiet', '--initial-branch=main']);
  const pointers: Record<string, unknown> = {};
  const files: Record<string, string> = {};
  for (let p = 0; p < POINTERS; p++) {
    const name = `p${p}`;
    pointers[name] = {
      file: `config/${name}_current_run.json`,
      artifacts: `/data/${name}/run={run_id}`,
      contract: '^2.0.0',
      smoke: {
        command: ['python', '-m', 'score', '--run-id', '{run_id}'],
        expect: { columns: ['player_id', 'game_id'], rows: { min: 100 } },
      },
    };
    for (let i = 0; i < EVIDENCE_FILES / POINTERS; i++)
      files[`promotions/${name}/run-${i}.json`] = evidence(name, `run-${i}`, '2026-01-01');
    files[`config/${name}_current_run.json`] = `{\n  "run_id": "run-${EVIDENCE_FILES / POINTERS - 1}"\n}\n`;
  }
  files['promote.config.json'] = JSON.stringify({ repository: { branch: 'main' }, pointers }, null, 2);
  write(dir, files);
  git(dir, ['add', '--all']);
  git(dir, ['commit', '--quiet', '-m', 'base']);
  const base = git(dir, ['rev-parse', 'HEAD']).trim();
  git(dir, ['checkout', '--quiet', '-b', 'promote']);
  write(dir, {
    'config/p3_current_run.json': '{\n  "run_id": "run-new"\n}\n',
    'promotions/p3/run-new.json': evidence('p3', 'run-new', today),
  });
  git(dir, ['add', '--all']);
  git(dir, ['commit', '--quiet', '-m', 'promote p3']);
  return { base, head: git(dir, ['rev-parse', 'HEAD']).trim() };
}

export async function bench(): Promise<BenchRow[]> {
  const dir = mkdtempSync(join(tmpdir(), 'git-promote-bench-validate-'));
  try {
    const now = new Date();
    const { base, head } = buildValidateRepo(dir, slateDate(now));
    const sink = { write: () => undefined };
    const ctx = {
      cwd: dir,
      env,
      now: () => now,
      fetch: globalThis.fetch,
      stdout: sink,
      stderr: sink,
      isTTY: false,
    };
    const run = async () => {
      const outcome = await validate([], { base, head }, ctx);
      if (outcome.exitCode !== 0) throw new Error(`bench validate failed: ${JSON.stringify(outcome.text)}`);
    };

    // The blobs validate reads: config at head and base, 8 pointer files at head and at the merge
    // base, the evidence of 8 head runs plus the added file, and the rollback probe at base.
    const specs = [
      `${head}:promote.config.json`,
      `${base}:promote.config.json`,
      ...Array.from({ length: POINTERS }, (_, p) => [
        `${head}:config/p${p}_current_run.json`,
        `${base}:config/p${p}_current_run.json`,
      ]).flat(),
      ...Array.from({ length: POINTERS }, (_, p) =>
        p === 3
          ? `${head}:promotions/p3/run-new.json`
          : `${head}:promotions/p${p}/run-${EVIDENCE_FILES / POINTERS - 1}.json`,
      ),
      `${base}:promotions/p3/run-new.json`,
    ].join('\n');
    const diff = ['diff', '--name-status', '-z', '--no-renames', base, head];
    // The blobs come from a file: processCpu gives its command no stdin.
    const specsFile = join(dir, '.git', 'bench-specs');
    writeFileSync(specsFile, `${specs}\n`);
    const gitReads = wallTime(() => {
      git(dir, diff);
      git(dir, ['cat-file', '--batch'], `${specs}\n`);
    });
    const cli = processCpu({
      command: process.execPath,
      args: [CLI, 'validate', '--base', base, '--head', head],
      cwd: dir,
      env,
    });
    const baselineCpu = sumOf(
      processCpu({ command: process.execPath, args: ['-e', '0'], env }),
      processCpu({ command: 'git', args: diff, cwd: dir, env }),
      processCpu({ command: 'git', args: ['cat-file', '--batch'], cwd: dir, env, stdin: specsFile }),
    );

    return [
      {
        kind: 'paired',
        name: `validate in process (${POINTERS} pointers, ${EVIDENCE_FILES} evidence files)`,
        measure: 'wall',
        baselineName: 'git diff --name-status + git cat-file --batch of the same blobs',
        result: await paired(wallTime(run), gitReads, { runs: 9 }),
      },
      {
        kind: 'paired',
        name: `git-promote validate as a process (${POINTERS} pointers, ${EVIDENCE_FILES} evidence files)`,
        measure: 'CPU',
        baselineName: 'node -e 0 + the same git diff and git cat-file --batch',
        result: await paired(cli, baselineCpu, { runs: 11 }),
        goal: 2,
      },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
