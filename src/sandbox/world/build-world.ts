/**
 * The sandbox world: a bare origin and a working clone of a pipeline repository with two
 * pointers, model artifacts for three runs each, a smoke scorer that writes real manifests, the
 * server's pipeline checkout the agent writes to, and the GitHub and Prefect stand-ins on loopback.
 * Everything lives under one directory; nothing outside it is touched.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runGit } from '../../adapters/git.js';
import type { Context } from '../../commands/context.js';
import { smokeEvidence } from './smoke-evidence.js';
import { stringifyJson } from '../../core/json-file.js';
import { newPointerFile } from '../../core/pointer-file.js';
import { smokeScorerCommand, writeSmokeScorer } from '../fake-pipeline/smoke-scorer.js';
import { startGitHubStandIn, type GitHubStandIn } from '../github/index.js';
import { startPrefectStandIn, type PrefectStandIn, type PrefectStandInOptions } from '../prefect/index.js';

export const SANDBOX_REPO = 'sandbox/projections';

/** The pointers of the sandbox pipeline: name, asset, contract and three runs (current first). */
export const SANDBOX_POINTERS = {
  minutes: {
    asset: 'minutes_scores',
    contract: '^2.0.0',
    columns: ['player_id', 'game_id', 'minutes_p50'],
    runs: ['minutes-20261101', 'minutes-20261115', 'minutes-20261122'],
    metric: 'mae_minutes',
  },
  rates: {
    asset: 'rates_scores',
    contract: '^1.0.0',
    columns: ['player_id', 'game_id', 'minutes_p50'],
    runs: ['rates-20261101', 'rates-20261115', 'rates-20261122'],
    metric: 'logloss',
  },
} as const;

export interface SandboxWorld {
  dir: string;
  /** The bare repository that plays the GitHub-hosted origin. */
  origin: string;
  /** The developer's working clone (where `propose` and `rollback` run). */
  work: string;
  /** The server's pipeline checkout that the agent writes pointer files into. */
  target: string;
  /** The agent's state directory. */
  state: string;
  /**
   * The agent's own config, outside the target checkout (PROMOTE_CONFIG): the agent never takes
   * pointer definitions or the flow trigger from fetched commits (docs/security.md).
   */
  hostConfig: string;
  /** Model artifacts, manifests and the smoke scorer: the pipeline's data directory. */
  data: string;
  manifests: string;
  github: GitHubStandIn;
  prefect: PrefectStandIn;
  /** Environment for every git-promote command run in the world (tokens, API URLs, identity). */
  env: Record<string, string | undefined>;
  close(): Promise<void>;
}

/** A pinned identity and no user or system git configuration, so the world never reads ~/.gitconfig. */
export function sandboxGitEnv(base: Record<string, string | undefined>): Record<string, string | undefined> {
  return {
    PATH: base.PATH,
    HOME: base.HOME,
    LANG: base.LANG,
    TMPDIR: base.TMPDIR,
    NO_COLOR: base.NO_COLOR,
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_AUTHOR_NAME: 'Sandbox Data Scientist',
    GIT_AUTHOR_EMAIL: 'ds@sandbox.invalid',
    GIT_COMMITTER_NAME: 'Sandbox Data Scientist',
    GIT_COMMITTER_EMAIL: 'ds@sandbox.invalid',
    GIT_TERMINAL_PROMPT: '0',
  };
}

export async function git(
  cwd: string,
  env: Record<string, string | undefined>,
  args: string[],
): Promise<string> {
  return (await runGit(cwd, env, args)).stdout;
}

export async function writeArtifacts(data: string): Promise<void> {
  for (const [pointer, p] of Object.entries(SANDBOX_POINTERS)) {
    for (const [i, runId] of p.runs.entries()) {
      const dir = join(data, 'models', pointer, `run=${runId}`);
      await mkdir(dir, { recursive: true });
      const meta = {
        run_id: runId,
        model: `lgbm-${pointer}`,
        created_at: `2026-11-${runId.slice(-2)}T06:00:00Z`,
        contract: `${p.contract.slice(1, 2)}.${i}.0`,
        metrics: { [p.metric]: Number((4.2 - i * 0.15).toFixed(2)) },
        code_version: `v0.${i + 7}.0`,
      };
      await writeFile(join(dir, 'meta.json'), stringifyJson(meta));
    }
  }
}

export function sandboxConfig(
  world: { data: string; target: string; state: string; manifests: string },
  scorer: string,
  prefectUrl: string,
) {
  const pointers: Record<string, unknown> = {};
  for (const [name, p] of Object.entries(SANDBOX_POINTERS)) {
    const models = join(world.data, 'models', name);
    pointers[name] = {
      file: `config/${name}_current_run.json`,
      runField: 'run_id',
      artifacts: join(models, 'run={run_id}'),
      contract: p.contract,
      smoke: {
        command: smokeScorerCommand(scorer, { pointer: name, asset: p.asset, models }),
        timeout: '1m',
        expect: { columns: [...p.columns], rows: { min: 100 } },
      },
      verify: { asset: p.asset },
    };
  }
  return {
    repository: { remote: 'origin', branch: 'main', github: SANDBOX_REPO },
    pointers,
    manifests: { root: world.manifests, layout: '{asset}/game_date={game_date}/run={run_id}/manifest.json' },
    flow: {
      prefect: {
        api: prefectUrl,
        deployment: 'daily/live',
        parameters: { game_date: '{game_date}' },
        timeout: '1m',
      },
      pollInterval: '100ms',
    },
    agent: { target: world.target, interval: '2s', state: world.state },
    policy: {
      evidenceMaxAge: { days: 3 },
      labels: ['promotion'],
      rollbackLabels: ['rollback'],
      mergeMethod: 'squash',
    },
  };
}

/**
 * Build the world in `dir` (which must be empty or absent). The evidence of the initial runs is
 * made by the real `smoke` command, so the branch starts with the invariant held.
 */
export async function buildWorld(
  dir: string,
  ctx: Context,
  options: { flowStepMs?: number; prefect?: Omit<PrefectStandInOptions, 'flow'> } = {},
): Promise<SandboxWorld> {
  const gitEnv = sandboxGitEnv(ctx.env);
  const data = join(dir, 'pipeline-data');
  const world = {
    dir,
    origin: join(dir, 'github', 'projections.git'),
    work: join(dir, 'laptop', 'projections'),
    target: join(dir, 'server', 'projections'),
    state: join(dir, 'server', 'git-promote-state'),
    hostConfig: join(dir, 'server', 'promote.config.json'),
    data,
    manifests: join(data, 'manifests'),
  };
  await mkdir(dir, { recursive: true });
  await writeArtifacts(data);
  const scorer = writeSmokeScorer(join(data, 'bin'));

  const token = 'sandbox-token-not-secret';
  const github = await startGitHubStandIn({ repos: {}, token });
  const prefect = await startPrefectStandIn({
    deployments: [{ flow: 'daily', name: 'live' }],
    // Time between the flow run's states: short for the sandbox, longer for tests that interrupt it.
    stepMs: options.flowStepMs ?? 30,
    ...options.prefect,
    flow: {
      manifestsRoot: world.manifests,
      targetDir: world.target,
      pointers: Object.fromEntries(
        Object.entries(SANDBOX_POINTERS).map(([name, p]) => [
          name,
          { file: `config/${name}_current_run.json`, asset: p.asset },
        ]),
      ),
    },
  });
  const env = { ...gitEnv, GITHUB_TOKEN: token, GITHUB_API_URL: github.url, PREFECT_API_URL: prefect.url };
  const close = async () => {
    await Promise.allSettled([github.close(), prefect.close()]);
  };

  try {
    await mkdir(join(dir, 'github'), { recursive: true });
    await git(dir, gitEnv, ['init', '--quiet', '--bare', '--initial-branch=main', world.origin]);
    github.addRepo(SANDBOX_REPO, world.origin);
    await mkdir(join(dir, 'laptop'), { recursive: true });
    await git(dir, gitEnv, ['clone', '--quiet', world.origin, world.work]);
    await git(world.work, gitEnv, ['checkout', '--quiet', '-B', 'main']);

    const configText = stringifyJson(sandboxConfig(world, scorer, prefect.url));
    const files: Record<string, string> = {
      'promote.config.json': configText,
      'README.md':
        '# projections (git-promote sandbox)\n\nDaily NBA projections pipeline; model pointers live in config/.\n',
    };
    for (const [name, p] of Object.entries(SANDBOX_POINTERS))
      files[`config/${name}_current_run.json`] = newPointerFile('run_id', p.runs[0]);
    for (const [path, content] of Object.entries(files)) {
      await mkdir(join(world.work, path, '..'), { recursive: true });
      await writeFile(join(world.work, path), content);
    }
    for (const [name, p] of Object.entries(SANDBOX_POINTERS)) {
      await smokeEvidence(
        ctx,
        world.work,
        env,
        name,
        p.runs[0],
        join(world.work, 'promotions', name, `${p.runs[0]}.json`),
      );
    }
    await git(world.work, gitEnv, ['add', '--all']);
    await git(world.work, gitEnv, [
      'commit',
      '--quiet',
      '-m',
      'Pipeline repository with git-promote: minutes and rates pointers',
    ]);
    await git(world.work, gitEnv, ['push', '--quiet', 'origin', 'HEAD:refs/heads/main']);

    await mkdir(join(dir, 'server'), { recursive: true });
    await git(dir, gitEnv, ['clone', '--quiet', world.origin, world.target]);
    await writeFile(world.hostConfig, configText);
    return { ...world, github, prefect, env, close };
  } catch (err) {
    await close();
    throw err;
  }
}
