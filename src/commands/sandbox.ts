import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { UsageError } from '../core/errors.js';
import { buildWorld, type SandboxWorld } from '../sandbox/world/build-world.js';
import { runLifecycle, type StepReport } from '../sandbox/world/lifecycle.js';
import type { CommonOptions, Context, Outcome } from './context.js';
import { buildStagesWorld, type StagesWorld } from '../sandbox/world/stages-world.js';
import { runStagesLifecycle } from '../sandbox/world/stages-lifecycle.js';

async function prepareDir(given: string | undefined, cwd: string): Promise<string> {
  if (!given) return mkdtemp(join(tmpdir(), 'git-promote-sandbox-'));
  const dir = resolve(cwd, given);
  const entries = await readdir(dir).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return [];
    throw err;
  });
  if (entries.length > 0) {
    throw new UsageError(
      `${dir} is not empty`,
      'Name a new or empty directory for the sandbox, or omit it for a temporary one.',
    );
  }
  return dir;
}

/** A value as one shell word. */
function shellWord(value: string): string {
  return /^[A-Za-z0-9_./:@%+=,-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

// Taken from the caller's own shell, so not repeated in the instructions.
const INHERITED = new Set(['PATH', 'HOME', 'LANG', 'TMPDIR', 'NO_COLOR']);

/**
 * Every variable the world's commands run with (API URLs, the stand-in's token, the pinned git
 * identity and configuration), so the commands suggested next work in a fresh shell.
 */
function keepInstructions(
  world: Pick<SandboxWorld, 'dir' | 'env' | 'work' | 'target' | 'data' | 'manifests' | 'hostConfig'>,
): string[] {
  const exports = Object.entries(world.env)
    .filter(([k, v]) => v !== undefined && !INHERITED.has(k))
    .sort(([a], [b]) => a.localeCompare(b))
    .map(
      ([k, v]) =>
        `  export ${k}=${shellWord(v!)}${k === 'GITHUB_TOKEN' ? "   # the stand-in's own token, not a secret" : ''}`,
    );
  return [
    '',
    `The world is kept in ${world.dir}; the stand-ins run until you stop this command (Ctrl-C).`,
    '`git promote` needs git-promote on PATH: an install from the README ("Install"), or `npm link` in its checkout.',
    'In another shell:',
    ...exports,
    `  cd ${world.work} && git promote status          # the laptop clone`,
    `  git promote propose minutes=minutes-20261122   # another promotion`,
    `  export PROMOTE_CONFIG=${world.hostConfig}   # the agent's own config, outside its checkout`,
    `  cd ${world.target} && git promote apply --dry-run   # the server's checkout`,
    `  git promote doctor`,
    `Model artifacts: ${join(world.data, 'models')}  manifests: ${world.manifests}`,
  ];
}

export interface SandboxOptions extends CommonOptions {
  /** Leave the world in place. */
  keep?: boolean;
  /** The world with a staging and a production host (docs/stages.md). */
  stages?: boolean;
}

export async function sandbox(args: string[], opts: SandboxOptions, ctx: Context): Promise<Outcome> {
  const keep = opts.keep === true;
  const json = opts.json === true;
  const dir = await prepareDir(args[0], ctx.cwd);
  const say = (line: string) => {
    if (!json) ctx.stdout.write(`${line}\n`);
  };
  say(`building a sandbox world in ${dir} ...`);
  if (opts.stages) return sandboxStages(dir, keep, say, ctx);
  let world: SandboxWorld | null = null;
  let reports: StepReport[] = [];
  try {
    world = await buildWorld(dir, ctx);
    say(`GitHub stand-in ${world.github.url}  Prefect stand-in ${world.prefect.url}`);
    reports = await runLifecycle(world, ctx, (i, n, r) => {
      say(`${r.ok ? '✓' : '✗'} [${i}/${n}] ${r.title}: ${r.summary}`);
      if (r.look) say(`    look: ${r.look}`);
      for (const e of r.errors) say(`    ${e}`);
    });
    const ok = reports.length > 0 && reports.every((r) => r.ok);
    say(ok ? 'the whole lifecycle passed' : 'the lifecycle stopped at the step marked ✗');
    if (keep) {
      keepInstructions(world).forEach(say);
      if (ctx.signal && !ctx.signal.aborted) {
        await new Promise<void>((done) =>
          ctx.signal!.addEventListener('abort', () => done(), { once: true }),
        );
      }
    }
    return {
      exitCode: ok ? 0 : 1,
      data: { dir, kept: keep, ok, steps: reports },
      text: [],
    };
  } finally {
    await world?.close();
    if (!keep) await rm(dir, { recursive: true, force: true });
  }
}

const SANDBOX_SOAK = '1d';

/** `sandbox --stages`: the stages world and its lifecycle (docs/stages.md). */
async function sandboxStages(
  dir: string,
  keep: boolean,
  say: (line: string) => void,
  ctx: Context,
): Promise<Outcome> {
  let world: StagesWorld | null = null;
  try {
    world = await buildStagesWorld(dir, ctx, { soak: SANDBOX_SOAK });
    say(
      `GitHub stand-in ${world.github.url}  Prefect stand-ins: staging ${world.hosts.staging.prefect.url}, production ${world.hosts.production.prefect.url}`,
    );
    const reports = await runStagesLifecycle(world, ctx, SANDBOX_SOAK, (i, n, r) => {
      say(`${r.ok ? '✓' : '✗'} [${i}/${n}] ${r.title}: ${r.summary}`);
      if (r.look) say(`    look: ${r.look}`);
      for (const e of r.errors) say(`    ${e}`);
    });
    const ok = reports.length > 0 && reports.every((r) => r.ok);
    say(ok ? 'the whole lifecycle with stages passed' : 'the lifecycle stopped at the step marked ✗');
    if (keep) {
      say(`The world is kept in ${world.dir}; the stand-ins run until you stop this command (Ctrl-C).`);
      for (const h of Object.values(world.hosts))
        say(`  ${h.stage}/${h.host}: checkout ${h.target}, host config ${h.hostConfig}`);
      if (ctx.signal && !ctx.signal.aborted)
        await new Promise<void>((done) =>
          ctx.signal!.addEventListener('abort', () => done(), { once: true }),
        );
    }
    return { exitCode: ok ? 0 : 1, data: { dir, kept: keep, ok, stages: true, steps: reports }, text: [] };
  } finally {
    await world?.close();
    if (!keep) await rm(dir, { recursive: true, force: true });
  }
}
