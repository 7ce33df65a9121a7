/**
 * The agent's cheap look at the remote between full passes: `git ls-remote` of one branch, one
 * round trip that transfers no objects (docs/agent-interval.md).
 */
import { assertSafeRef, runGit, type Env } from './git.js';

/** An ls-remote that hangs must not stall the agent: the full pass's fetch then reports why. */
const LS_REMOTE_TIMEOUT_MS = 60_000;

/**
 * The commit `refs/heads/<branch>` names at `url`, or null when that cannot be told (no such
 * branch, the remote unreachable, git failing): the caller then does a full pass, whose fetch
 * reports the problem.
 */
export async function remoteBranchTip(
  cwd: string,
  env: Env,
  url: string,
  branch: string,
  signal?: AbortSignal,
): Promise<string | null> {
  const ref = `refs/heads/${assertSafeRef(branch)}`;
  // Any failure (exit code, timeout, abort) means "cannot tell".
  const r = await runGit(cwd, env, ['ls-remote', '--', url, ref], {
    ...(signal ? { signal } : {}),
    timeout: LS_REMOTE_TIMEOUT_MS,
  }).catch(() => null);
  if (r === null) return null;
  // A pattern matches by its trailing path components: only the line naming exactly ref counts.
  for (const line of r.stdout.split('\n')) {
    const [sha, name] = line.split('\t');
    if (name === ref && sha && /^[0-9a-f]{40,64}$/.test(sha)) return sha;
  }
  return null;
}
