/**
 * The exit statuses and environment variables of git-promote, written once: the man page
 * (man-page.ts) and docs/ (doc-blocks.ts, `npm run docs`) are both rendered from these lists, so
 * they never disagree. Text may hold `code` spans (markdown); the man page drops the backticks.
 */
import { ExitCode } from '../core/errors.js';

export interface ExitStatus {
  code: number;
  meaning: string;
  /** What to do about it (empty when nothing is to be done). */
  remedy: string;
}

export const EXIT_STATUS: readonly ExitStatus[] = [
  { code: ExitCode.ok, meaning: 'ok, or nothing to do', remedy: '' },
  {
    code: ExitCode.check,
    meaning: 'a check failed: validation, smoke, verification, policy refusal (merge refused)',
    remedy: 'read the error; do not retry blindly',
  },
  {
    code: ExitCode.usage,
    meaning: 'usage or configuration error',
    remedy: 'fix the command line or `promote.config.json`',
  },
  {
    code: ExitCode.transient,
    meaning: 'transient or upstream failure after retries (network, GitHub, Prefect)',
    remedy: 'retry later',
  },
  {
    code: ExitCode.busy,
    meaning: 'busy or conflict: another agent holds the lock, the pull request head moved',
    remedy: 'wait, or re-validate and retry',
  },
  {
    // 128 + the signal number, as shells expect (src/cli/interrupts.ts).
    code: 130,
    meaning: 'interrupted (Ctrl-C; 143 after SIGTERM), after cleaning up',
    remedy: 'run the command again when ready',
  },
];

export interface EnvironmentVariable {
  names: string;
  meaning: string;
}

export const ENVIRONMENT: readonly EnvironmentVariable[] = [
  { names: 'PROMOTE_CONFIG', meaning: 'path to `promote.config.json` when `--config` is not given' },
  {
    names: 'GIT_PROMOTE_CODE_CACHE',
    meaning:
      '`0` turns off the compiled-code cache the installed bin keeps in `$XDG_CACHE_HOME/git-promote` (docs/architecture.md)',
  },
  {
    names: 'GITHUB_TOKEN, GH_TOKEN',
    meaning: 'token for the GitHub API, in this order, else `gh auth token`; never printed',
  },
  {
    names: 'GITHUB_API_URL',
    meaning: 'the GitHub REST API (default `https://api.github.com`): GitHub Enterprise, or a stand-in',
  },
  {
    names: 'GITHUB_GRAPHQL_URL',
    meaning:
      'the GitHub GraphQL API, for `policy.merge` `auto-merge` and `merge-queue` (default: `<GITHUB_API_URL>/graphql`)',
  },
  {
    names: 'GITHUB_ACTIONS, GITHUB_EVENT_PATH, GITHUB_REPOSITORY, GITHUB_SERVER_URL, GITHUB_STEP_SUMMARY',
    meaning:
      'set by the Actions runner: `validate` and `merge` read the event, the repository, and write the job summary',
  },
  {
    names: 'PREFECT_API_URL',
    meaning: 'the Prefect API the agent triggers (overrides `flow.prefect.api`)',
  },
  {
    names: 'PREFECT_API_AUTH_STRING, PREFECT_API_KEY',
    meaning:
      'credentials of a self-hosted Prefect server (`user:password`) or a Prefect Cloud key; never printed',
  },
  {
    names: 'PREFECT_UI_URL',
    meaning: 'the Prefect UI, for the flow run links (default: the API URL without `/api`)',
  },
  {
    names: 'XDG_STATE_HOME',
    meaning:
      "where the agent's state directory goes when `agent.state` is not set (default `~/.local/state`)",
  },
  {
    names: 'JOURNAL_STREAM',
    meaning: "set by systemd: the agent's lines carry their syslog priority for journald",
  },
  {
    names: 'NO_COLOR, FORCE_COLOR',
    meaning: 'no colour in output; colour even off a terminal (`NO_COLOR` wins)',
  },
];
