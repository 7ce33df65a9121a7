/**
 * Every command of git-promote with its arguments, options and help. Handlers are loaded lazily,
 * so `--version` and `--help` never import octokit or other heavy modules.
 */
import type { Context, Outcome } from '../commands/context.js';

export type Handler = (args: string[], opts: Record<string, unknown>, ctx: Context) => Promise<Outcome>;

export interface OptionSpec {
  flags: string;
  description: string;
  default?: string | boolean;
}

export interface CommandSpec {
  name: string;
  args: string;
  summary: string;
  options: OptionSpec[];
  load: () => Promise<Handler>;
}

export const COMMANDS: CommandSpec[] = [
  {
    name: 'init',
    args: '',
    summary: 'scaffold promote.config.json, the GitHub workflow, PR template and agent systemd unit',
    options: [
      { flags: '--force', description: 'overwrite files that already exist' },
      { flags: '--github <owner/repo>', description: 'GitHub repository to write into the config' },
      {
        flags: '--action-ref <owner/repo@sha>',
        description: "pin the workflow's git-promote Action to this repository and full commit sha",
      },
    ],
    load: async () => (await import('../commands/init.js')).init,
  },
  {
    name: 'status',
    args: '',
    summary: 'per pointer: run on the branch, in this checkout and applied in the agent target; drift',
    options: [
      { flags: '--no-fetch', description: 'use the last fetched remote branch instead of fetching' },
      { flags: '--stage <stage>', description: 'the stage to work on (with stages; default: agent.stage)' },
      {
        flags: '--fleet',
        description:
          'per stage and host: applied commit and runs, last verification and its age, lag, failures',
      },
    ],
    load: async () => (await import('../commands/status.js')).status,
  },
  {
    name: 'smoke',
    args: '<pointer> <run>',
    summary: 'run smoke scoring of a candidate run (no publish) and print or write its evidence',
    options: [
      {
        flags: '--game-date <date>',
        description: 'slate date to score (default: latest with manifests, or yesterday ET)',
      },
      { flags: '--out <file>', description: 'write the evidence JSON to this file' },
    ],
    load: async () => (await import('../commands/smoke.js')).smoke,
  },
  {
    name: 'propose',
    args: '<assignments...>',
    summary:
      'check and smoke candidates (pointer=run), commit pointer + evidence, push, open or update the PR',
    options: [
      { flags: '--game-date <date>', description: 'slate date for smoke scoring' },
      {
        flags: '--evidence <files>',
        description:
          'use this evidence (comma-separated files, one per pointer) instead of running smoke scoring',
      },
      { flags: '--dry-run', description: 'print what would be pushed and sent; change nothing' },
      { flags: '--no-pr', description: 'push the branch but do not open a pull request' },
      {
        flags: '--force',
        description: 'propose even when a check before the push fails (GitHub, the checks CI runs)',
      },
      { flags: '--stage <stage>', description: 'the stage to work on (with stages; default: agent.stage)' },
      {
        flags: '--from <stage>',
        description: 'with --stage of a stage with after: take the run that stage runs now, on its record',
      },
    ],
    load: async () => (await import('../commands/propose.js')).propose,
  },
  {
    name: 'validate',
    args: '',
    summary: 'CI: check pointer files, evidence, manifests and contracts from base to head',
    options: [
      { flags: '--base <ref>', description: 'base commit (default: from the GitHub Actions event)' },
      { flags: '--head <ref>', description: 'head commit (default: from the GitHub Actions event, or HEAD)' },
    ],
    load: async () => (await import('../commands/validate.js')).validate,
  },
  {
    name: 'merge',
    args: '',
    summary: 'CI: merge a validated promotion PR, guarded by its exact head sha',
    options: [
      { flags: '--pr <number>', description: 'pull request number' },
      {
        flags: '--sha <sha>',
        description: 'the validated head sha: exit 4 if the PR head moved since (default: its current head)',
      },
    ],
    load: async () => (await import('../commands/merge.js')).merge,
  },
  {
    name: 'apply',
    args: '',
    summary: 'agent, one pass: fetch, plan, check artifacts, write pointer files atomically, trigger',
    options: [
      { flags: '--dry-run', description: 'print the plan as a diff of each pointer file; change nothing' },
      { flags: '--no-trigger', description: 'do not trigger the flow after applying' },
      { flags: '--wait', description: 'wait for another agent holding the lock instead of exiting 4' },
      { flags: '--allow-rewrite', description: 'apply even when the branch history was rewritten' },
    ],
    load: async () => (await import('../commands/apply.js')).apply,
  },
  {
    name: 'agent',
    args: '',
    summary: 'run apply every interval; follow the flow run and verify',
    options: [
      { flags: '--interval <duration>', description: 'time between passes (default: agent.interval)' },
      { flags: '--once', description: 'run one pass and exit' },
      { flags: '--no-trigger', description: 'do not trigger the flow after applying' },
      { flags: '--wait', description: 'wait for another agent holding the lock instead of exiting 4' },
    ],
    load: async () => (await import('../agent/loop.js')).agent,
  },
  {
    name: 'verify',
    args: '<pointer>',
    summary: "confirm from the run manifests that the pointer's run was used",
    options: [
      { flags: '--game-date <date>', description: 'slate date (default: today ET)' },
      { flags: '--run <run>', description: 'expected run (default: the pointer in the agent target)' },
      { flags: '--since <time>', description: 'ignore manifests written before this ISO time' },
    ],
    load: async () => (await import('../commands/verify.js')).verify,
  },
  {
    name: 'rollback',
    args: '<pointer>',
    summary: 'git revert of the latest change of a pointer, as a pull request',
    options: [
      { flags: '--to <run>', description: 'revert every later change back to this run' },
      { flags: '--dry-run', description: 'make and check the reverts, print the diff, push nothing' },
      { flags: '--no-pr', description: 'push the branch but do not open a pull request' },
      { flags: '--reason <text>', description: 'why, for the PR body' },
      { flags: '--no-fetch', description: 'use the last fetched remote branch instead of fetching' },
      { flags: '--stage <stage>', description: 'the stage to work on (with stages; default: agent.stage)' },
    ],
    load: async () => (await import('../commands/rollback.js')).rollback,
  },
  {
    name: 'history',
    args: '<pointer>',
    summary: 'promotions, rollbacks and manual edits of a pointer: when, who, PR, from -> to',
    options: [
      { flags: '--limit <n>', description: 'at most this many entries' },
      { flags: '--no-fetch', description: 'use the last fetched remote branch instead of fetching' },
      { flags: '--stage <stage>', description: 'the stage to work on (with stages; default: agent.stage)' },
    ],
    load: async () => (await import('../commands/history.js')).history,
  },
  {
    name: 'at',
    args: '[instant]',
    summary: 'the run of every pointer live at an instant (ISO time, or a date: the end of that ET day)',
    options: [
      {
        flags: '--source <source>',
        description: "branch (the branch's first-parent history) or host (this host's apply journal)",
        default: 'branch',
      },
      {
        flags: '--write <dir>',
        description: 'write the pointer files of that instant into dir, with a promote-as-of.json manifest',
      },
      { flags: '--range <start..end>', description: 'list the change points in a range instead' },
      { flags: '--game-date <date>', description: 'the slate date, with --as-of, instead of <instant>' },
      {
        flags: '--as-of <mode>',
        description: 'with --game-date: end (end of that ET day) or pretip (asOf.pretip ET time)',
      },
      { flags: '--no-fetch', description: 'use the last fetched remote branch instead of fetching' },
      { flags: '--stage <stage>', description: 'the stage to work on (with stages; default: agent.stage)' },
    ],
    load: async () => (await import('../commands/at.js')).at,
  },
  {
    name: 'doctor',
    args: '',
    summary: "the runbook's 2-minute checklist and triage of failed manifests",
    options: [{ flags: '--game-date <date>', description: 'slate date (default: today ET)' }],
    load: async () => (await import('../commands/doctor.js')).doctor,
  },
  {
    name: 'sandbox',
    args: '[dir]',
    summary: 'build a throwaway world with local GitHub and Prefect stand-ins and run the whole lifecycle',
    options: [
      { flags: '--keep', description: 'leave the world in place and print how to use it' },
      {
        flags: '--stages',
        description: 'a world with a staging and a production host, and the lifecycle with stages',
      },
    ],
    load: async () => (await import('../commands/sandbox.js')).sandbox,
  },
];
