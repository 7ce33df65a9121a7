import { loadConfig } from '../adapters/config-file.js';
import { fetchBranch, openGit, repoPrefix, type Env, type Git } from '../adapters/git.js';
import { readPointerHistory } from '../adapters/pointer-history.js';
import { pointerConfig } from '../core/config.js';
import { UsageError } from '../core/errors.js';
import { historyLines, type HistoryEntry } from '../core/history.js';
import { blockInfo } from '../core/rollback-pr.js';
import type { Config } from '../core/schemas.js';
import type { Context, Outcome } from './context.js';
import { configForStage } from '../core/stages.js';

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

/**
 * A pointer's history on the configured branch, newest first: the branch fetched unless `fetch`
 * is false, the pointer file read at its path inside the repository (the config root may be a
 * subdirectory). Also returns what callers need to work on that history.
 */
export async function pointerHistory(input: {
  /** The command, for the hint when the config root is not in a git repository. */
  command: string;
  root: string;
  env: Env;
  config: Config;
  name: string;
  fetch: boolean;
  limit?: number;
}): Promise<{ git: Git; tip: string; prefix: string; file: string; entries: HistoryEntry[] }> {
  const { config, name } = input;
  const pointer = pointerConfig(config, name);
  const git = openGit(input.root, input.env);
  const tip = await branchTip(git, config, input.fetch);
  const prefix = await repoPrefix(git, input.command);
  const file = `${prefix}${pointer.file}`;
  const entries = await readPointerHistory({
    git,
    env: input.env,
    tip,
    pointer: name,
    file,
    runField: pointer.runField,
    prefix,
    limit: input.limit,
    parseBlock: (message) => blockInfo(message, name),
  });
  return { git, tip, prefix, file, entries };
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
  const loaded = await loadConfig(ctx.cwd, ctx.env, opts.config as string | undefined);
  const root = loaded.root;
  // With stages: the stage's pointer file (docs/stages.md).
  const { config } = configForStage(loaded.config, opts.stage);
  const pointer = pointerConfig(config, name);
  const { tip, entries } = await pointerHistory({
    command: 'history',
    root,
    env: ctx.env,
    config,
    name,
    fetch: opts.fetch !== false,
    limit,
  });
  const { remote, branch } = config.repository;
  return {
    exitCode: 0,
    data: { pointer: name, file: pointer.file, remote, branch, sha: tip, entries },
    text: [`${name} on ${remote}/${branch} @ ${tip.slice(0, 12)}`, ...historyLines(name, entries)],
  };
}
