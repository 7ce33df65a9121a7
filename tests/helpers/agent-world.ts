/**
 * A world for the agent: a bare origin with promote.config.json, pointer files and evidence; the
 * operator's clone (where the config is found); model artifacts with meta.json; a target
 * checkout the agent writes into, and its state directory.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { canonicalSha256 } from '../../src/core/meta-hash.js';
import { EVIDENCE_SCHEMA_ID } from '../../src/core/schemas.js';
import { createRepo, git, testEnv, writeFiles, type TestRepo } from './git-repo.js';
import { CLI, type CliResult } from './cli.js';
import { pointerJson, sampleConfig, sampleMeta } from './fixtures.js';

export const CONTRACTS: Record<string, string> = { minutes: '2.1.0', rates: '1.2.0' };
export const FILES = {
  minutes: 'config/minutes_current_run.json',
  rates: 'config/rates_current_run.json',
} as const;

export function evidenceFor(pointer: string, run: string, meta: unknown): Record<string, unknown> {
  return {
    schema: EVIDENCE_SCHEMA_ID,
    pointer,
    run_id: run,
    game_date: '2026-11-25',
    smoke: {
      command: ['python', '-m', 'score', '--run-id', run],
      exit_code: 0,
      started_at: '2026-11-26T17:00:00Z',
      finished_at: '2026-11-26T17:01:00Z',
      duration_ms: 60000,
      published: false,
    },
    manifest: {
      asset: `${pointer}_scores`,
      game_date: '2026-11-25',
      run_id: run,
      run_as_of_ts: '2026-11-26T17:00:00Z',
      status: 'success',
    },
    meta,
    meta_sha256: canonicalSha256(meta),
    checks: [{ name: 'rows', ok: true }],
    tool: { name: 'git-promote', version: '0.1.0' },
  };
}

export interface AgentWorld {
  repo: TestRepo;
  dir: string;
  /** Where the operator runs git-promote (holds promote.config.json, remote origin). */
  cwd: string;
  target: string;
  state: string;
  artifacts: string;
  /** Create a model artifact directory with meta.json (returns the meta written). */
  artifact(pointer: string, run: string, meta?: Record<string, unknown>): Record<string, unknown>;
  /** Commit pointer files and evidence for {pointer: run} and push; artifacts are created too. */
  promote(runs: Record<string, string>, options?: { artifact?: boolean; force?: boolean }): string;
  pointerInTarget(pointer: string): string | null;
  runInTarget(pointer: string): string | null;
  cleanup(): void;
}

export function createAgentWorld(
  options: { config?: Record<string, unknown>; agent?: (dir: string) => Record<string, unknown> } = {},
): AgentWorld {
  const repo = createRepo({});
  const dir = repo.dir;
  const artifacts = join(dir, 'models');
  const config = { ...sampleConfig(dir), ...options.config };
  if (options.agent) config.agent = { ...(config.agent as object), ...options.agent(dir) };
  const world: AgentWorld = {
    repo,
    dir,
    cwd: repo.clone,
    target: join(dir, 'target'),
    state: join(dir, 'state'),
    artifacts,
    artifact(pointer, run, meta) {
      const m = meta ?? { ...sampleMeta(run, CONTRACTS[pointer]), model: `lgbm-${pointer}` };
      const d = join(artifacts, pointer, `run=${run}`);
      mkdirSync(d, { recursive: true });
      writeFileSync(join(d, 'meta.json'), `${JSON.stringify(m, null, 4)}\n`); // other whitespace: hash is canonical
      return m;
    },
    promote(runs, opts = {}) {
      const files: Record<string, string> = {};
      for (const [pointer, run] of Object.entries(runs)) {
        const metaPath = join(artifacts, pointer, `run=${run}`, 'meta.json');
        const meta =
          opts.artifact === false || existsSync(metaPath)
            ? existsSync(metaPath)
              ? (JSON.parse(readFileSync(metaPath, 'utf8')) as Record<string, unknown>)
              : { ...sampleMeta(run, CONTRACTS[pointer]), model: `lgbm-${pointer}` }
            : world.artifact(pointer, run);
        files[FILES[pointer as keyof typeof FILES]] = pointerJson(run, { updated_by: 'git-promote' });
        files[`promotions/${pointer}/${run}.json`] =
          `${JSON.stringify(evidenceFor(pointer, run, meta), null, 2)}\n`;
      }
      const message = `promote ${Object.entries(runs)
        .map(([p, r]) => `${p}=${r}`)
        .join(' ')}`;
      if (!opts.force) return repo.commit(files, message);
      writeFiles(repo.clone, files);
      repo.git(['add', '--all']);
      repo.git(['commit', '--quiet', '-m', message]);
      repo.git(['push', '--quiet', '--force', 'origin', `HEAD:refs/heads/${repo.branch}`]);
      return repo.head();
    },
    pointerInTarget(pointer) {
      const p = join(world.target, FILES[pointer as keyof typeof FILES]);
      return existsSync(p) ? readFileSync(p, 'utf8') : null;
    },
    runInTarget(pointer) {
      const text = world.pointerInTarget(pointer);
      return text === null ? null : ((JSON.parse(text) as { run_id: string }).run_id ?? null);
    },
    cleanup: () => repo.cleanup(),
  };
  repo.commit({ 'promote.config.json': `${JSON.stringify(config, null, 2)}\n` }, 'add config');
  world.promote({ minutes: 'm1', rates: 'r1' });
  git(dir, ['clone', '--quiet', repo.remote, world.target]);
  return world;
}

/** Start the built CLI as a child process (optionally as another user); the caller awaits `done`. */
export function spawnCli(
  args: string[],
  options: { cwd: string; env?: Record<string, string | undefined>; uid?: number; timeoutMs?: number },
): { child: ChildProcess; done: Promise<CliResult> } {
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd: options.cwd,
    env: testEnv(options.env) as NodeJS.ProcessEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(options.uid === undefined ? {} : { uid: options.uid, gid: options.uid }),
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 30_000);
  const done = new Promise<CliResult>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? (signal ? -1 : null), stdout, stderr });
    });
  });
  return { child, done };
}
