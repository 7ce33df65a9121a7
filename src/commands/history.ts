import { loadConfig } from '../adapters/config-file.js';
import { fetchBranch, repoPrefix, resolveCommit, type Env } from '../adapters/git.js';
import { readPointerHistory } from '../adapters/pointer-history.js';
import { pointerConfig } from '../core/config.js';
import { UsageError } from '../core/errors.js';
import { historyLines, type HistoryEntry } from '../core/history.js';
import { blockInfo } from '../core/rollback-pr.js';
import type { Config } from '../core/schemas.js';
import type { CommonOptions, Context, Outcome } from './context.js';
import { configForStage } from '../core/stages.js';

/** The commit the branch's remote-tracking ref points at: fetched first unless told not to. */
export async function branchTip(cwd: string, env: Env, config: Config, fetch: boolean): Promise<string> {
  const { remote, branch } = config.repository;
  if (fetch) return fetchBranch(cwd, env, remote, branch);
  const sha = await resolveCommit(cwd, env, `refs/remotes/${remote}/${branch}`);
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
}): Promise<{ tip: string; prefix: string; file: string; entries: HistoryEntry[] }> {
  const { config, name, root, env } = input;
  const pointer = pointerConfig(config, name);
  const [tip, prefix] = await Promise.all([
    branchTip(root, env, config, input.fetch),
    repoPrefix(root, env, input.command),
  ]);
  const file = `${prefix}${pointer.file}`;
  const entries = await readPointerHistory({
    cwd: root,
    env,
    tip,
    pointer: name,
    file,
    runField: pointer.runField,
    prefix,
    limit: input.limit,
    parseBlock: (message) => blockInfo(message, name),
  });
  return { tip, prefix, file, entries };
}

export interface HistoryOptions extends CommonOptions {
  /** At most this many entries, the newest. */
  limit?: number;
  /** false with --no-fetch. */
  fetch?: boolean;
  /** The stage whose pointer files are read (docs/stages.md); default agent.stage. */
  stage?: string;
}

export async function history(args: string[], opts: HistoryOptions, ctx: Context): Promise<Outcome> {
  const name = args[0];
  if (!name) throw new UsageError('missing <pointer>', 'Run `git promote history <pointer>`.');
  const { limit } = opts;
  const loaded = await loadConfig(ctx.cwd, ctx.env, opts.config);
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
