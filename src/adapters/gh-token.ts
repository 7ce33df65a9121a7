/**
 * A GitHub token from the GitHub CLI when the environment has none: GITHUB_TOKEN, then GH_TOKEN,
 * then `gh auth token` (when `gh` is installed and logged in). The token found is put in the
 * environment the command runs with as GH_TOKEN, so every command reads it by the one rule
 * (githubToken) and the output filter, built from that environment, removes it like the others.
 */
import { execFileSync } from 'node:child_process';
import type { Env } from './git.js';

type RunGh = (args: string[], env: Env) => string;

const runGh: RunGh = (args, env) =>
  execFileSync('gh', args, {
    env: env as NodeJS.ProcessEnv,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
    timeout: 5_000,
  });

/** The host `gh` keeps the token under: github.com, or the GitHub Enterprise host of GITHUB_API_URL. */
function ghHost(env: Env): string | null {
  if (!env.GITHUB_API_URL) return null;
  try {
    const host = new URL(env.GITHUB_API_URL).host;
    return host === 'api.github.com' ? null : host;
  } catch {
    return null;
  }
}

/** `env` itself when it has a token or `gh` gives none; else a copy with GH_TOKEN from `gh auth token`. */
export function withGhToken(env: Env, run: RunGh = runGh): Env {
  if (env.GITHUB_TOKEN || env.GH_TOKEN) return env;
  // In GitHub Actions the workflow passes the token it means to use; never pick up another one.
  if (env.GITHUB_ACTIONS === 'true') return env;
  const host = ghHost(env);
  let token = '';
  try {
    token = run(['auth', 'token', ...(host ? ['--hostname', host] : [])], env).trim();
  } catch {
    return env; // not installed, not logged in, or too slow: no token, as before
  }
  return /^\S{8,}$/.test(token) ? { ...env, GH_TOKEN: token } : env;
}
