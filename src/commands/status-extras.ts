/**
 * The parts of `status` beyond git: what the agent on this host last applied (its state file) and
 * which promotion or rollback pull requests are open on GitHub. Neither is fatal when missing.
 */
import { existsSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { githubToken } from '../adapters/github-actions.js';
import {
  readState,
  resolveStateDir,
  statePaths,
  type Diverged,
  type StatePaths,
} from '../adapters/fs/state-store.js';
import { isPromoteError } from '../core/errors.js';
import { PrBody } from '../core/pr-body.js';
import type { Config } from '../core/schemas.js';
import { packageVersion } from '../version.js';
import type { Context } from './context.js';

interface AppliedOnHost {
  commit: string;
  at: string;
  runs: Record<string, string>;
  pending: string | null;
  /** Set after a break-glass rollback (docs/switching-safely.md). */
  diverged: Diverged | null;
}

/** The agent's state directory for the configured target, or null when there is no target. */
export function hostStatePaths(config: Config, root: string, env: Context['env']): StatePaths | null {
  const target = config.agent.target;
  if (!target) return null;
  const absolute = isAbsolute(target) ? target : join(root, target);
  try {
    return statePaths(resolveStateDir(config.agent.state, absolute, env, root));
  } catch {
    return null;
  }
}

/** The agent's last applied commit for the configured target, or null when no agent ran here. */
export function appliedOnHost(config: Config, root: string, env: Context['env']): AppliedOnHost | null {
  const target = config.agent.target;
  const paths = hostStatePaths(config, root, env);
  if (!target || !paths || !existsSync(paths.state)) return null;
  const state = readState(paths, isAbsolute(target) ? target : join(root, target));
  if (!state.applied) return null;
  return { ...state.applied, pending: state.pending?.commit ?? null, diverged: state.diverged };
}

export interface OpenPull {
  number: number;
  kind: 'promotion' | 'rollback' | 'adoption';
  url: string;
  pointers: { pointer: string; from: string | null; to: string }[];
}

/** Open promotion and rollback PRs into the branch; null when GitHub is not configured or no token. */
export async function openPromotionPulls(
  config: Config,
  ctx: Context,
): Promise<{ pulls: OpenPull[] | null; problem: string | null; newer: string[] }> {
  if (!config.repository.github || !githubToken(ctx.env)) return { pulls: null, problem: null, newer: [] };
  const { forgeFromEnv } = await import('../adapters/github/index.js');
  try {
    const forge = forgeFromEnv(config.repository.github, ctx.env, { fetch: ctx.fetch });
    const pulls = await forge.listOpenPulls(config.repository.branch);
    // A PR written by a newer release is named, not silently skipped.
    const newer = pulls.flatMap(
      (pr) => PrBody.newer(pr.body, `PR #${pr.number}`, packageVersion())?.message ?? [],
    );
    return {
      pulls: pulls.flatMap((pr) => {
        const block = PrBody.parse(pr.body);
        if (!block) return [];
        return [{ number: pr.number, kind: block.kind, url: pr.htmlUrl, pointers: block.pointers }];
      }),
      problem: null,
      newer,
    };
  } catch (err) {
    if (!isPromoteError(err)) throw err;
    return { pulls: null, problem: `open pull requests unknown: ${err.message}`, newer: [] };
  }
}
