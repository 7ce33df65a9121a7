/** Open the Forge (GitHub) for a command from its environment: token, API URL, repository. */
import { UsageError } from '../core/errors.js';
import type { Forge } from '../core/forge.js';
import { githubToken } from '../adapters/github-actions.js';
import type { Context } from './context.js';

/** owner/name: GITHUB_REPOSITORY in Actions, else the config's repository.github. */
export function repositoryName(ctx: Context, configured?: string): string | null {
  const name = ctx.env.GITHUB_REPOSITORY || configured;
  return name && /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/.test(name) ? name : null;
}

/** The forge when a token and a repository are known, else null. */
export async function forgeFromEnv(ctx: Context, configured?: string): Promise<Forge | null> {
  const token = githubToken(ctx.env);
  const name = repositoryName(ctx, configured);
  if (!token || !name) return null;
  void token;
  return null; // wired to the octokit adapter once it lands
}

/** The forge, or a usage error saying what is missing. */
export async function requireForge(ctx: Context, configured?: string): Promise<Forge> {
  if (!githubToken(ctx.env))
    throw new UsageError(
      'no GitHub token: set GITHUB_TOKEN or GH_TOKEN',
      'In the workflow pass GITHUB_TOKEN: ${{ github.token }} (or a GitHub App token).',
    );
  if (!repositoryName(ctx, configured))
    throw new UsageError(
      'no GitHub repository known',
      'Set repository.github in promote.config.json (or GITHUB_REPOSITORY).',
    );
  const forge = await forgeFromEnv(ctx, configured);
  if (!forge) throw new UsageError('GitHub access is not available in this build', 'Update git-promote.');
  return forge;
}
