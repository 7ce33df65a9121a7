import { loadConfig } from '../adapters/config-file.js';
import { fetchBranch, openGit, type Git } from '../adapters/git.js';
import { readPointerHistory, repoPrefix } from '../adapters/pointer-history.js';
import { pointerConfig } from '../core/config.js';
import { UsageError } from '../core/errors.js';
import { historyLines } from '../core/history.js';
import { blockInfo } from '../core/rollback-pr.js';
import type { Config } from '../core/schemas.js';
import type { Context, Outcome } from './context.js';

/** The commit the branch's remote-tracking ref points at: fetched first unless told not to. */
export async function branchTip(git: Git, config: Config, fetch: boolean): Promise<string> {
  const { remote, branch } = config.repository;
  if (fetch) return fetchBranch(git, remote, branch);
  const ref = `refs/remotes/${remote}/${branch}`;
  const sha = (
    await git.raw(['rev-parse', '--verify', '--quiet', '--end-of-options', `${ref}^{commit}`]).catch(() => '')
  ).trim();
  if (!sha)
    throw new UsageError(
      `${remote}/${branch} has not been fetched`,
      'Run without --no-fetch, or `git fetch` first.',
    );
  return sha;
}

export function parseLimit(value: unknown): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1)
    throw new UsageError(
      `--limit must be a positive whole number, not ${JSON.stringify(value)}`,
      'Pass --limit 20.',
    );
  return n;
}

export async function history(args: string[], opts: Record<string, unknown>, ctx: Context): Promise<Outcome> {
  const name = args[0];
  if (!name) throw new UsageError('missing <pointer>', 'Run `git promote history <pointer>`.');
  const limit = parseLimit(opts.limit);
  const { config, root } = await loadConfig(ctx.cwd, ctx.env, opts.config as string | undefined);
  const pointer = pointerConfig(config, name);
  const git = openGit(root, ctx.env);
  const tip = await branchTip(git, config, opts.fetch !== false);
  const prefix = await repoPrefix(git);
  const entries = await readPointerHistory({
    git,
    env: ctx.env,
    tip,
    pointer: name,
    file: `${prefix}${pointer.file}`,
    runField: pointer.runField,
    prefix,
    limit,
    parseBlock: (message) => blockInfo(message, name),
  });
  const { remote, branch } = config.repository;
  return {
    exitCode: 0,
    data: { pointer: name, file: pointer.file, remote, branch, sha: tip, entries },
    text: [`${name} on ${remote}/${branch} @ ${tip.slice(0, 12)}`, ...historyLines(name, entries)],
  };
}
