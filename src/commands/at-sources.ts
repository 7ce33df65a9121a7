/**
 * The two timelines `at` reads: the target branch's first-parent history (one `git log` per
 * pointer, whatever the number of instants asked) and this host's apply journal.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { readJournal, resolveStateDir, statePaths } from '../adapters/fs/state-store.js';
import { readBlobs, repoPrefix, type Env } from '../adapters/git.js';
import { readPointerChanges } from '../adapters/pointer-history.js';
import type { Timeline } from '../core/as-of.js';
import { UsageError } from '../core/errors.js';
import type { Config } from '../core/schemas.js';
import { branchTip } from './history.js';

export interface TimelineSource {
  source: 'branch' | 'host';
  /** Where it came from, for humans: "origin/main @ abc123" or the journal's path. */
  label: string;
  timeline: Timeline;
  /** Per pointer, the path of its file inside `gitDir`'s trees. */
  files: Record<string, string>;
  /** The repository whose objects hold the pointer files of every commit in the timeline. */
  gitDir: string;
  tip?: string;
}

export async function branchTimeline(input: {
  root: string;
  env: Env;
  config: Config;
  fetch: boolean;
}): Promise<TimelineSource> {
  const { config, env, root } = input;
  const [tip, prefix] = await Promise.all([
    branchTip(root, env, config, input.fetch),
    repoPrefix(root, env, 'at'),
  ]);
  const pointers = Object.entries(config.pointers);
  const files = Object.fromEntries(pointers.map(([name, p]) => [name, `${prefix}${p.file}`]));
  const logs = await Promise.all(
    pointers.map(([name, p]) =>
      readPointerChanges({ cwd: root, env, tip, file: files[name]!, runField: p.runField }),
    ),
  );
  const timeline: Timeline = {};
  pointers.forEach(([name], i) => {
    // readPointerChanges is newest first; the timeline is in history order.
    timeline[name] = logs[i]!.map((c) => ({
      at: Date.parse(c.commit.commitDate),
      run: c.to,
      commit: c.commit.sha,
    })).reverse();
  });
  const { remote, branch } = config.repository;
  return {
    source: 'branch',
    label: `${remote}/${branch} @ ${tip.slice(0, 12)}`,
    timeline,
    files,
    gitDir: input.root,
    tip,
  };
}

/** Every "applied" line of the agent's journal: what the agent wrote into the target, and when. */
export function hostTimeline(input: { root: string; env: Env; config: Config }): TimelineSource {
  const { config, root, env } = input;
  if (!config.agent.target)
    throw new UsageError(
      'agent.target is not set in promote.config.json, so there is no apply journal to read',
      'Run `git promote at --source host` with the agent host config (PROMOTE_CONFIG), or use --source branch.',
    );
  const target = resolve(root, config.agent.target);
  const paths = statePaths(resolveStateDir(config.agent.state, target, env, root));
  if (!existsSync(paths.journal))
    throw new UsageError(
      `no apply journal at ${paths.journal}: the agent has not applied anything on this host`,
      'Run it on the agent host with its config (PROMOTE_CONFIG), or use --source branch.',
    );
  const names = Object.keys(config.pointers);
  const timeline: Timeline = Object.fromEntries(names.map((n) => [n, []]));
  for (const entry of readJournal(paths)) {
    if (entry.event !== 'applied' || typeof entry.commit !== 'string') continue;
    const at = Date.parse(entry.at);
    if (Number.isNaN(at)) continue;
    const runs = (entry.runs ?? {}) as Record<string, unknown>;
    for (const name of names) {
      const run = runs[name];
      timeline[name]!.push({ at, run: typeof run === 'string' ? run : null, commit: entry.commit });
    }
  }
  const files = Object.fromEntries(Object.entries(config.pointers).map(([n, p]) => [n, p.file]));
  // The agent reads the pointer files from its private mirror, at the config root's top level.
  return { source: 'host', label: paths.journal, timeline, files, gitDir: paths.mirror };
}

/** The pointer files' bytes at their commits, read in one `git cat-file --batch`. */
export async function pointerFileContents(
  src: TimelineSource,
  env: Env,
  wanted: { pointer: string; commit: string }[],
): Promise<(string | null)[]> {
  return readBlobs(
    src.gitDir,
    env,
    wanted.map((w) => `${w.commit}:${src.files[w.pointer]}`),
  );
}
