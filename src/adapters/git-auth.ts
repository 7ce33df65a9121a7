/**
 * Git over HTTPS with the workflow's token, the way actions/checkout authenticates: an
 * `http.<server>/.extraheader` set through GIT_CONFIG_* environment variables, so the token is
 * never in an argument, a remote URL or .git/config, and git never prints it.
 */
import type { Env } from './git.js';

/** `env` plus the extra header for `serverUrl` (GITHUB_SERVER_URL) when a token is given. */
export function tokenAuthEnv(env: Env, token: string | undefined, serverUrl: string | undefined): Env {
  if (!token || !serverUrl || !/^https:\/\/[^/\s]+\/?$/.test(serverUrl)) return env;
  const count = Number(env.GIT_CONFIG_COUNT ?? 0) || 0;
  const basic = Buffer.from(`x-access-token:${token}`).toString('base64');
  return {
    ...env,
    GIT_CONFIG_COUNT: String(count + 1),
    [`GIT_CONFIG_KEY_${count}`]: `http.${serverUrl.replace(/\/?$/, '/')}.extraheader`,
    [`GIT_CONFIG_VALUE_${count}`]: `AUTHORIZATION: basic ${basic}`,
  };
}
