/**
 * Report an agent apply to GitHub as a Deployment on the applied commit, with statuses
 * in_progress -> success/failure, so the PR and the commit show what is live on which host.
 * Reporting never fails the apply: problems come back as a warning for the agent to log.
 */
import type { DeploymentState, Forge } from '../core/forge.js';
import type { Config } from '../core/schemas.js';
import { fillTemplate } from '../core/template.js';
import { stageEnvironment } from '../core/stages.js';

const DEFAULT_DEPLOYMENT_ENVIRONMENT = 'production/{host}';

interface ReportDeploymentInput {
  /**
   * Where to report. Omitted, a forge is opened from `env` (GITHUB_TOKEN/GH_TOKEN, GITHUB_API_URL)
   * for repository.github; null, or no token or repository, means reporting is off.
   */
  forge?: Forge | null;
  env?: Record<string, string | undefined>;
  fetch?: typeof globalThis.fetch;
  config: Config;
  /** The applied commit. */
  sha: string;
  /** This host's name, for the environment `production/<host>`. */
  host: string;
  /** in_progress starts a deployment; success/failure/error finish one (starting it first when needed). */
  state: Extract<DeploymentState, 'in_progress' | 'success' | 'failure' | 'error'>;
  description: string;
  /** The deployment an earlier in_progress report created; omitted, a new one is created. */
  deploymentId?: number | null;
  logUrl?: string;
  /** Extra data stored on the deployment (e.g. the pointers and runs applied). */
  payload?: Record<string, unknown>;
}

export interface DeploymentReport {
  /** The deployment reported to, or null when reporting was off or failed before creating it. */
  deploymentId: number | null;
  environment: string | null;
  /** The statuses posted by this call, in order. */
  posted: DeploymentState[];
  /** Why nothing was reported (off), or null. */
  skipped: string | null;
  /** What went wrong talking to GitHub, or null. */
  warning: string | null;
}

/**
 * The environment name for a host: `<stage>/<host>` for an agent that names its stage
 * (docs/stages.md), else agent.deployment.environment (with {host}), else production/<host>.
 */
export function deploymentEnvironment(config: Config, host: string): string {
  if (config.agent.stage) return stageEnvironment(config.agent.stage, host);
  return fillTemplate(config.agent.deployment?.environment ?? DEFAULT_DEPLOYMENT_ENVIRONMENT, { host });
}

// GitHub caps descriptions at 140 characters.
const clip = (s: string) => (s.length > 140 ? `${s.slice(0, 137)}...` : s);

async function forgeFor(input: ReportDeploymentInput): Promise<Forge | null> {
  const github = input.config.repository.github;
  if (!input.env || !github) return null;
  const { forgeFromEnv, tokenFromEnv } = await import('../adapters/github/index.js');
  if (!tokenFromEnv(input.env)) return null;
  return forgeFromEnv(github, input.env, input.fetch ? { fetch: input.fetch } : {});
}

export async function reportDeployment(input: ReportDeploymentInput): Promise<DeploymentReport> {
  const environment = deploymentEnvironment(input.config, input.host);
  const off = (skipped: string): DeploymentReport => ({
    deploymentId: null,
    environment: null,
    posted: [],
    skipped,
    warning: null,
  });
  if (input.config.agent.deployment?.enabled === false) return off('agent.deployment.enabled is false');
  if (!/^[0-9a-f]{40,64}$/.test(input.sha)) throw new Error(`not a commit id: ${input.sha}`);
  const forge = input.forge === undefined ? await forgeFor(input) : input.forge;
  if (!forge) return off('no GitHub token or repository.github, so deployments are not reported');
  const posted: DeploymentState[] = [];
  let id = input.deploymentId ?? null;
  const description = clip(input.description);
  try {
    if (id === null) {
      id = (
        await forge.createDeployment({
          ref: input.sha,
          environment,
          description,
          payload: {
            tool: 'git-promote',
            host: input.host,
            ...(input.config.agent.stage ? { stage: input.config.agent.stage } : {}),
            ...input.payload,
          },
        })
      ).id;
      await forge.createDeploymentStatus(id, {
        state: 'in_progress',
        description: input.state === 'in_progress' ? description : 'applying',
        ...(input.logUrl ? { logUrl: input.logUrl } : {}),
      });
      posted.push('in_progress');
    }
    if (input.state !== 'in_progress') {
      await forge.createDeploymentStatus(id, {
        state: input.state,
        description,
        ...(input.logUrl ? { logUrl: input.logUrl } : {}),
      });
      posted.push(input.state);
    }
    return { deploymentId: id, environment, posted, skipped: null, warning: null };
  } catch (err) {
    const message = err instanceof Error ? err.message.split('\n')[0]! : String(err);
    return {
      deploymentId: id,
      environment,
      posted,
      skipped: null,
      warning: `could not report the deployment to GitHub: ${message}`,
    };
  }
}
