/** Open the Forge (GitHub) for a CI command from its environment: token, API URL, repository. */
import { UsageError } from '../core/errors.js';
import type { Forge } from '../core/forge.js';
import { githubToken } from '../adapters/github-actions.js';
import type { Context } from './context.js';

/** owner/name: GITHUB_REPOSITORY in Actions, else the config's repository.github. */
export function repositoryName(ctx: Context, configured?: string): string | null {
  const name = ctx.env.GITHUB_REPOSITORY || configured;
  return name && /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/.test(name) ? name : null;
}

/** The forge when a token and a repository are known, else null. The adapter loads lazily. */
export async function openForge(ctx: Context, configured?: string): Promise<Forge | null> {
  const name = repositoryName(ctx, configured);
  if (!githubToken(ctx.env) || !name) return null;
  const { forgeFromEnv } = await import('../adapters/github/index.js');
  return forgeFromEnv(name, ctx.env, { fetch: ctx.fetch });
}

/** The forge, or a usage error saying what is missing. */
export async function requireForge(ctx: Context, configured?: string): Promise<Forge> {
  if (!githubToken(ctx.env))
    throw new UsageError(
      'no GitHub token: GITHUB_TOKEN and GH_TOKEN are unset',
      'In the workflow pass GITHUB_TOKEN: ${{ github.token }} (or a GitHub App token); locally export GITHUB_TOKEN or log in with `gh auth login`.',
    );
  if (!repositoryName(ctx, configured))
    throw new UsageError(
      'no GitHub repository: GITHUB_REPOSITORY and repository.github are unset',
      'Set repository.github in promote.config.json to "owner/repo".',
    );
  return (await openForge(ctx, configured))!;
}
