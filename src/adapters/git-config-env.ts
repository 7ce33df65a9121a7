/**
 * Git settings passed through GIT_CONFIG_COUNT/KEY/VALUE environment variables: never an argument
 * (so never an option git could misread) and never written to .git/config.
 */
import type { Env } from './git.js';

/** `env` plus one git setting, after any the operator's environment already holds. */
export function withGitConfig(env: Env, key: string, value: string): Env {
  const count = Number(env.GIT_CONFIG_COUNT ?? 0) || 0;
  return {
    ...env,
    GIT_CONFIG_COUNT: String(count + 1),
    [`GIT_CONFIG_KEY_${count}`]: key,
    [`GIT_CONFIG_VALUE_${count}`]: value,
  };
}

/**
 * Git over HTTPS with the workflow's token, as actions/checkout authenticates: an
 * `http.<server>/.extraheader`, so the token is never in a remote URL and git never prints it.
 */
export function tokenAuthEnv(env: Env, token: string | undefined, serverUrl: string | undefined): Env {
  if (!token || !serverUrl || !/^https:\/\/[^/\s]+\/?$/.test(serverUrl)) return env;
  const basic = Buffer.from(`x-access-token:${token}`).toString('base64');
  return withGitConfig(
    env,
    `http.${serverUrl.replace(/\/?$/, '/')}.extraheader`,
    `AUTHORIZATION: basic ${basic}`,
  );
}
