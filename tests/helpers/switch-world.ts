/**
 * A sandbox world (GitHub and Prefect stand-ins, bare origin, server checkout) for the switching
 * tests (docs/switching-safely.md), driven through the built CLI as child processes: the config
 * can be changed for the host, GitHub taken down and brought back, the pointer file watched.
 */
import { createServer } from 'node:net';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildWorld, type SandboxWorld } from '../../src/sandbox/world/build-world.js';
import { runCliProcess, type CliResult } from './cli.js';
import { testContext } from './context.js';
import { git, tempDir, testEnv } from './git-repo.js';

/** The sandbox config's sections a test may change. */
export interface HostConfig {
  agent: Record<string, unknown>;
  flow: Record<string, unknown>;
  [key: string]: unknown;
}

export const MINUTES_FILE = 'config/minutes_current_run.json';

export interface SwitchWorld {
  w: SandboxWorld;
  env: Record<string, string | undefined>;
  /** Run the built CLI in the server checkout (where the host's config is found). */
  cli(
    args: string[],
    extra?: { env?: Record<string, string | undefined>; timeoutMs?: number; cwd?: string },
  ): Promise<CliResult>;
  minutes(): { run: string; ino: number; text: string };
  /** The remote of the server checkout points at a closed port, and so does GITHUB_API_URL. */
  githubDown(): Promise<Record<string, string | undefined>>;
  githubUp(): void;
  journal(): { event: string; [k: string]: unknown }[];
  /** Change the host's config (and the server checkout's copy) between commands. */
  reconfigure(configure: (config: HostConfig) => void): void;
  state(): Record<string, unknown> & { diverged: Record<string, unknown> | null };
}

/** A loopback URL nothing listens on. */
async function closedPortUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise<void>((r) => server.close(() => r()));
  return `http://127.0.0.1:${port}`;
}

/**
 * Build the world; `configure` edits the config the host uses (written both as the host's config
 * and as the server checkout's promote.config.json, where status, doctor and the agent find it).
 */
export async function switchWorld(
  options: { configure?: (config: HostConfig) => void; flowStepMs?: number } = {},
): Promise<SwitchWorld> {
  const w = await buildWorld(
    join(tempDir(), 'world'),
    testContext({ env: testEnv(), now: () => new Date() }),
    {
      ...(options.flowStepMs ? { flowStepMs: options.flowStepMs } : {}),
    },
  );
  const reconfigure = (configure: (config: HostConfig) => void) => {
    const config = JSON.parse(readFileSync(w.hostConfig, 'utf8')) as HostConfig;
    configure(config);
    const text = `${JSON.stringify(config, null, 2)}\n`;
    writeFileSync(w.hostConfig, text);
    writeFileSync(join(w.target, 'promote.config.json'), text);
  };
  if (options.configure) reconfigure(options.configure);
  const origin = w.origin;
  let env: Record<string, string | undefined> = { ...w.env };
  const world: SwitchWorld = {
    w,
    get env() {
      return env;
    },
    cli: (args, extra = {}) =>
      runCliProcess(args, {
        cwd: extra.cwd ?? w.target,
        env: { ...env, ...extra.env },
        timeoutMs: extra.timeoutMs ?? 60_000,
      }),
    minutes() {
      const path = join(w.target, MINUTES_FILE);
      const text = readFileSync(path, 'utf8');
      return { run: (JSON.parse(text) as { run_id: string }).run_id, ino: statSync(path).ino, text };
    },
    async githubDown() {
      const down = await closedPortUrl();
      git(w.target, ['remote', 'set-url', 'origin', `${down}/sandbox/projections.git`], w.env);
      env = { ...w.env, GITHUB_API_URL: down };
      return env;
    },
    githubUp() {
      git(w.target, ['remote', 'set-url', 'origin', origin], w.env);
      env = { ...w.env };
    },
    journal: () =>
      readFileSync(join(w.state, 'journal.jsonl'), 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as { event: string }),
    reconfigure,
    state: () => JSON.parse(readFileSync(join(w.state, 'state.json'), 'utf8')),
  };
  return world;
}

/** "HH:MM" in US Eastern time, `offsetMin` minutes from now. */
export function etClock(offsetMin: number): string {
  return new Intl.DateTimeFormat('en-GB', {
    timeZone: 'America/New_York',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).format(new Date(Date.now() + offsetMin * 60_000));
}
