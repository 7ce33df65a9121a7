/**
 * The sandbox world with stages (docs/stages.md): the sandbox pipeline repository with a staging
 * and a production stage, each with its own pointer files in git, and one host per stage: its own
 * pipeline checkout, agent state, host config (agent.stage, agent.host), manifests and Prefect
 * stand-in, and its own GitHub token, so the GitHub stand-in records which agent posted what.
 * Everything lives under one directory; nothing outside it is touched.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Context } from '../../commands/context.js';
import { stringifyJson } from '../../core/json-file.js';
import { newPointerFile } from '../../core/pointer-file.js';
import { writeSmokeScorer } from '../fake-pipeline/smoke-scorer.js';
import { startGitHubStandIn, type GitHubStandIn } from '../github/index.js';
import { startPrefectStandIn, type PrefectStandIn } from '../prefect/index.js';
import {
  git,
  sandboxConfig,
  sandboxGitEnv,
  SANDBOX_POINTERS,
  SANDBOX_REPO,
  writeArtifacts,
} from './build-world.js';
import { smokeEvidence } from './smoke-evidence.js';

export const STAGE_AGENTS = { staging: 'staging-agent[bot]', production: 'production-agent[bot]' } as const;
export type SandboxStage = keyof typeof STAGE_AGENTS;
export const STAGE_HOSTS: Record<SandboxStage, string> = { staging: 'stg-1', production: 'prod-1' };

export interface StageHost {
  stage: SandboxStage;
  host: string;
  /** The host's pipeline checkout the agent writes into. */
  target: string;
  state: string;
  /** The agent's own config (PROMOTE_CONFIG), outside the checkout. */
  hostConfig: string;
  manifests: string;
  prefect: PrefectStandIn;
  /** The agent's environment: its own GitHub token, its Prefect, PROMOTE_CONFIG. */
  env: Record<string, string | undefined>;
}

export interface StagesWorld {
  dir: string;
  origin: string;
  /** The data scientist's clone (propose, rollback, status --fleet). */
  work: string;
  data: string;
  github: GitHubStandIn;
  /** Environment of the laptop and of CI jobs (the stand-in's default token, github-actions[bot]). */
  env: Record<string, string | undefined>;
  hosts: Record<SandboxStage, StageHost>;
  /** A token of a person with write access who is no agent (for showing what is refused). */
  personToken: string;
  close(): Promise<void>;
}

/** Build the world in `dir` (empty or absent); `soak` is production's soak after staging. */
export async function buildStagesWorld(
  dir: string,
  ctx: Context,
  options: { soak?: string; flowStepMs?: number } = {},
): Promise<StagesWorld> {
  const gitEnv = sandboxGitEnv(ctx.env);
  const data = join(dir, 'pipeline-data');
  const origin = join(dir, 'github', 'projections.git');
  const work = join(dir, 'laptop', 'projections');
  await mkdir(dir, { recursive: true });
  await writeArtifacts(data);
  const scorer = writeSmokeScorer(join(data, 'bin'));

  const token = 'sandbox-token-not-secret';
  const agentTokens = {
    staging: 'staging-agent-token-not-secret',
    production: 'production-agent-token-not-secret',
  };
  const personToken = 'person-token-not-secret';
  const github = await startGitHubStandIn({
    repos: {},
    token,
    users: {
      [agentTokens.staging]: STAGE_AGENTS.staging,
      [agentTokens.production]: STAGE_AGENTS.production,
      [personToken]: 'sandbox-person',
    },
  });
  const started: PrefectStandIn[] = [];
  const close = async () => {
    await Promise.allSettled([github.close(), ...started.map((p) => p.close())]);
  };
  try {
    const hosts = {} as Record<SandboxStage, StageHost>;
    for (const stage of Object.keys(STAGE_AGENTS) as SandboxStage[]) {
      const host = STAGE_HOSTS[stage];
      const root = join(dir, stage, host);
      const target = join(root, 'projections');
      const manifests = join(root, 'manifests');
      const prefect = await startPrefectStandIn({
        deployments: [{ flow: 'daily', name: 'live' }],
        stepMs: options.flowStepMs ?? 30,
        flow: {
          manifestsRoot: manifests,
          targetDir: target,
          pointers: Object.fromEntries(
            Object.entries(SANDBOX_POINTERS).map(([name, p]) => [
              name,
              { file: `config/${name}_current_run.json`, asset: p.asset },
            ]),
          ),
        },
      });
      started.push(prefect);
      const hostConfig = join(root, 'promote.config.json');
      hosts[stage] = {
        stage,
        host,
        target,
        state: join(root, 'git-promote-state'),
        hostConfig,
        manifests,
        prefect,
        env: {
          ...gitEnv,
          GITHUB_TOKEN: agentTokens[stage],
          GITHUB_API_URL: github.url,
          PREFECT_API_URL: prefect.url,
          PROMOTE_CONFIG: hostConfig,
        },
      };
    }

    const stages = {
      staging: { agents: [STAGE_AGENTS.staging], hosts: [STAGE_HOSTS.staging] },
      production: {
        after: 'staging',
        soak: options.soak ?? '1d',
        agents: [STAGE_AGENTS.production],
        hosts: [STAGE_HOSTS.production],
      },
    };
    const laptopManifests = join(data, 'manifests');
    const base = sandboxConfig(
      {
        data,
        target: join(dir, 'laptop', 'no-agent-here'),
        state: join(dir, 'laptop', 'state'),
        manifests: laptopManifests,
      },
      scorer,
      hosts.staging.prefect.url,
    );
    const { agent: _laptopAgent, ...shared } = base;
    const repoConfig = { ...shared, stages };
    const env = { ...gitEnv, GITHUB_TOKEN: token, GITHUB_API_URL: github.url };

    await mkdir(join(dir, 'github'), { recursive: true });
    await git(dir, gitEnv, ['init', '--quiet', '--bare', '--initial-branch=main', origin]);
    github.addRepo(SANDBOX_REPO, origin);
    await mkdir(join(dir, 'laptop'), { recursive: true });
    await git(dir, gitEnv, ['clone', '--quiet', origin, work]);
    await git(work, gitEnv, ['checkout', '--quiet', '-B', 'main']);
    const files: Record<string, string> = {
      'promote.config.json': stringifyJson(repoConfig),
      'README.md':
        '# projections (git-promote sandbox with stages)\n\nstaging runs first; production follows what staging verified.\n',
    };
    for (const [name, p] of Object.entries(SANDBOX_POINTERS))
      for (const stage of Object.keys(stages))
        files[`config/${stage}/${name}_current_run.json`] = newPointerFile('run_id', p.runs[0]);
    for (const [path, content] of Object.entries(files)) {
      await mkdir(join(work, path, '..'), { recursive: true });
      await writeFile(join(work, path), content);
    }
    for (const [name, p] of Object.entries(SANDBOX_POINTERS))
      await smokeEvidence(
        ctx,
        work,
        env,
        name,
        p.runs[0],
        join(work, 'promotions', name, `${p.runs[0]}.json`),
      );
    await git(work, gitEnv, ['add', '--all']);
    await git(work, gitEnv, [
      'commit',
      '--quiet',
      '-m',
      'Pipeline repository with git-promote stages: staging, then production',
    ]);
    await git(work, gitEnv, ['push', '--quiet', 'origin', 'HEAD:refs/heads/main']);

    for (const h of Object.values(hosts)) {
      await mkdir(join(h.target, '..'), { recursive: true });
      await git(dir, gitEnv, ['clone', '--quiet', origin, h.target]);
      const hostConfig = {
        ...repoConfig,
        manifests: { ...base.manifests, root: h.manifests },
        flow: { ...base.flow, prefect: { ...base.flow.prefect, api: h.prefect.url } },
        agent: { ...base.agent, target: h.target, state: h.state, stage: h.stage, host: h.host },
      };
      await writeFile(h.hostConfig, stringifyJson(hostConfig));
    }
    return { dir, origin, work, data, github, env, hosts, personToken, close };
  } catch (err) {
    await close();
    throw err;
  }
}
