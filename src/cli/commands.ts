/**
 * Every command of git-promote with its arguments, options and help. Each option's value is parsed
 * here, once (src/core/option-values.ts through commander's argParser), so a handler receives the
 * typed options its module declares. Handlers are loaded lazily, so `--version` and `--help` never
 * import octokit, zod or other heavy modules: only types come from the command modules here.
 */
import type { CommonOptions, Context, Outcome } from '../commands/context.js';
import type { InitOptions } from '../commands/init.js';
import type { StatusOptions } from '../commands/status.js';
import type { SmokeOptions } from '../commands/smoke.js';
import type { ProposeOptions } from '../commands/propose.js';
import type { AdoptOptions } from '../commands/adopt.js';
import type { ReconcileOptions } from '../commands/reconcile.js';
import type { ValidateOptions } from '../commands/validate.js';
import type { MergeOptions } from '../commands/merge.js';
import type { ApplyCommandOptions } from '../commands/apply.js';
import type { AgentOptions } from '../agent/loop.js';
import type { VerifyOptions } from '../commands/verify.js';
import type { RollbackOptions } from '../commands/rollback.js';
import type { HistoryOptions } from '../commands/history.js';
import type { AtOptions } from '../commands/at.js';
import type { DoctorOptions } from '../commands/doctor.js';
import type { SandboxOptions } from '../commands/sandbox.js';
import { parseRange } from '../core/as-of.js';
import {
  actionRef,
  commaList,
  fullSha,
  gameDate,
  githubRepository,
  gitRef,
  intervalDuration,
  MISSING_PR,
  oneOf,
  positiveWholeNumber,
  pullRequestNumber,
  runId,
  stageName,
  timeValue,
  trimmedText,
} from '../core/option-values.js';

export type Handler<O> = (args: string[], opts: O, ctx: Context) => Promise<Outcome>;

/** A flag without a value (`--dry-run`, `--no-fetch`): its handler option is a boolean. */
export interface FlagSpec {
  flags: string;
  description: string;
}

/** An option with a value: `parse` turns the text into the handler's type or throws a UsageError. */
export interface ValueSpec<T> {
  flags: string;
  description: string;
  parse: (value: string) => T;
  default?: T;
  /** Required: what to say when it is not given. */
  missing?: { message: string; remedy: string };
}

/** A text option may go to the handler as given. */
export type TextSpec = Omit<ValueSpec<string>, 'parse'> & { parse?: (value: string) => string | undefined };

type SpecFor<T> = [T] extends [boolean] ? FlagSpec : [string] extends [T] ? TextSpec : ValueSpec<T>;

/** One spec per option of the handler (the global ones aside), its parser returning that option's type. */
export type OptionSpecs<O> = { [K in Exclude<keyof O, keyof CommonOptions>]-?: SpecFor<NonNullable<O[K]>> };

export interface CommandSpec<O = unknown> {
  name: string;
  args: string;
  summary: string;
  options: OptionSpecs<O>;
  load: () => Promise<Handler<O>>;
}

/** A command as the program and the man page see it: options by their attribute name. */
export interface AnyCommandSpec {
  name: string;
  args: string;
  summary: string;
  options: Record<string, FlagSpec & Partial<Omit<ValueSpec<unknown>, 'flags' | 'description'>>>;
  load: () => Promise<Handler<CommonOptions & Record<string, unknown>>>;
}

/** Ties a command's option specs to its handler's options type, then forgets the type. */
function command<O extends CommonOptions>(spec: CommandSpec<O>): AnyCommandSpec {
  return spec as unknown as AnyCommandSpec;
}

const NO_FETCH = {
  flags: '--no-fetch',
  description: 'use the last fetched remote branch instead of fetching',
};
const STAGE = {
  flags: '--stage <stage>',
  description: 'the stage to work on (with stages; default: agent.stage)',
  parse: stageName('--stage'),
};
const GAME_DATE = { flags: '--game-date <date>', parse: gameDate };

export const COMMANDS: AnyCommandSpec[] = [
  command<InitOptions>({
    name: 'init',
    args: '',
    summary: 'scaffold promote.config.json, the GitHub workflow, PR template and agent systemd unit',
    options: {
      force: { flags: '--force', description: 'overwrite files that already exist' },
      github: {
        flags: '--github <owner/repo>',
        description: 'GitHub repository to write into the config',
        parse: githubRepository,
      },
      actionRef: {
        flags: '--action-ref <owner/repo@sha>',
        description: "pin the workflow's git-promote Action to this repository and full commit sha",
        parse: actionRef,
      },
    },
    load: async () => (await import('../commands/init.js')).init,
  }),
  command<StatusOptions>({
    name: 'status',
    args: '',
    summary: 'per pointer: run on the branch, in this checkout and applied in the agent target; drift',
    options: {
      fetch: NO_FETCH,
      stage: STAGE,
      fleet: {
        flags: '--fleet',
        description:
          'per stage and host: applied commit and runs, last verification and its age, lag, failures',
      },
    },
    load: async () => (await import('../commands/status.js')).status,
  }),
  command<SmokeOptions>({
    name: 'smoke',
    args: '<pointer> <run>',
    summary: 'run smoke scoring of a candidate run (no publish) and print or write its evidence',
    options: {
      gameDate: {
        ...GAME_DATE,
        description: 'slate date to score (default: latest with manifests, or yesterday ET)',
      },
      out: { flags: '--out <file>', description: 'write the evidence JSON to this file' },
    },
    load: async () => (await import('../commands/smoke.js')).smoke,
  }),
  command<ProposeOptions>({
    name: 'propose',
    args: '<assignments...>',
    summary:
      'check and smoke candidates (pointer=run), commit pointer + evidence, push, open or update the PR',
    options: {
      gameDate: { ...GAME_DATE, description: 'slate date for smoke scoring' },
      evidence: {
        flags: '--evidence <files>',
        description:
          'use this evidence (comma-separated files, one per pointer) instead of running smoke scoring',
        parse: commaList,
      },
      dryRun: { flags: '--dry-run', description: 'print what would be pushed and sent; change nothing' },
      pr: { flags: '--no-pr', description: 'push the branch but do not open a pull request' },
      force: {
        flags: '--force',
        description: 'propose even when a check before the push fails (GitHub, the checks CI runs)',
      },
      stage: STAGE,
      from: {
        flags: '--from <stage>',
        description: 'with --stage of a stage with after: take the run that stage runs now, on its record',
        parse: stageName('--from'),
      },
    },
    load: async () => (await import('../commands/propose.js')).propose,
  }),
  command<AdoptOptions>({
    name: 'adopt',
    args: '[pointers...]',
    summary:
      'record the runs the pointers hold today (from before git-promote) as adopted evidence, as a pull request',
    options: {
      dryRun: { flags: '--dry-run', description: 'print what would be pushed and sent; change nothing' },
      pr: { flags: '--no-pr', description: 'push the branch but do not open a pull request' },
      force: { flags: '--force', description: 'adopt even when a check before the push fails' },
    },
    load: async () => (await import('../commands/adopt.js')).adopt,
  }),
  command<ValidateOptions>({
    name: 'validate',
    args: '',
    summary: 'CI: check pointer files, evidence, manifests and contracts from base to head',
    options: {
      base: {
        flags: '--base <ref>',
        description: 'base commit (default: from the GitHub Actions event)',
        parse: gitRef('--base'),
      },
      head: {
        flags: '--head <ref>',
        description: 'head commit (default: from the GitHub Actions event, or HEAD)',
        parse: gitRef('--head'),
      },
    },
    load: async () => (await import('../commands/validate.js')).validate,
  }),
  command<MergeOptions>({
    name: 'merge',
    args: '',
    summary: 'CI: merge a validated promotion PR, guarded by its exact head sha',
    options: {
      pr: {
        flags: '--pr <number>',
        description: 'pull request number',
        parse: pullRequestNumber,
        missing: MISSING_PR,
      },
      sha: {
        flags: '--sha <sha>',
        description: 'the validated head sha: exit 4 if the PR head moved since (default: its current head)',
        parse: fullSha,
      },
    },
    load: async () => (await import('../commands/merge.js')).merge,
  }),
  command<ApplyCommandOptions>({
    name: 'apply',
    args: '',
    summary: 'agent, one pass: fetch, plan, check artifacts, write pointer files atomically, trigger',
    options: {
      dryRun: {
        flags: '--dry-run',
        description: 'print the plan as a diff of each pointer file; change nothing',
      },
      trigger: { flags: '--no-trigger', description: 'do not trigger the flow after applying' },
      wait: { flags: '--wait', description: 'wait for another agent holding the lock instead of exiting 4' },
      allowRewrite: {
        flags: '--allow-rewrite',
        description: 'apply even when the branch history was rewritten',
      },
    },
    load: async () => (await import('../commands/apply.js')).apply,
  }),
  command<AgentOptions>({
    name: 'agent',
    args: '',
    summary: 'run apply every interval; follow the flow run and verify',
    options: {
      interval: {
        flags: '--interval <duration>',
        description: 'time between passes (default: agent.interval)',
        parse: intervalDuration('--interval'),
      },
      once: { flags: '--once', description: 'run one pass and exit' },
      trigger: { flags: '--no-trigger', description: 'do not trigger the flow after applying' },
      wait: { flags: '--wait', description: 'wait for another agent holding the lock instead of exiting 4' },
    },
    load: async () => (await import('../agent/loop.js')).agent,
  }),
  command<VerifyOptions>({
    name: 'verify',
    args: '<pointer>',
    summary: "confirm from the run manifests that the pointer's run was used",
    options: {
      gameDate: { ...GAME_DATE, description: 'slate date (default: today ET)' },
      run: {
        flags: '--run <run>',
        description: 'expected run (default: the pointer in the agent target)',
        parse: runId('--run'),
      },
      since: {
        flags: '--since <time>',
        description: 'ignore manifests written before this ISO time',
        parse: timeValue('--since'),
      },
    },
    load: async () => (await import('../commands/verify.js')).verify,
  }),
  command<RollbackOptions>({
    name: 'rollback',
    args: '<pointer>',
    summary: 'git revert of the latest change of a pointer, as a pull request',
    options: {
      to: {
        flags: '--to <run>',
        description: 'revert every later change back to this run',
        parse: runId('--to run'),
      },
      dryRun: { flags: '--dry-run', description: 'make and check the reverts, print the diff, push nothing' },
      pr: { flags: '--no-pr', description: 'push the branch but do not open a pull request' },
      reason: { flags: '--reason <text>', description: 'why, for the PR body', parse: trimmedText },
      fetch: NO_FETCH,
      stage: STAGE,
      local: {
        flags: '--local',
        description:
          'break-glass on the agent host, GitHub unreachable: write the previous run, trigger and verify the flow, prepare the revert branch',
      },
      trigger: { flags: '--no-trigger', description: 'with --local: do not trigger the flow after writing' },
      wait: { flags: '--wait', description: 'with --local: wait for the agent lock instead of exiting 4' },
    },
    load: async () => (await import('../commands/rollback.js')).rollback,
  }),
  command<ReconcileOptions>({
    name: 'reconcile',
    args: '',
    summary:
      'after a rollback --local: push the prepared revert branch and open its PR, so the branch agrees with the host',
    options: {
      abandon: {
        flags: '--abandon',
        description:
          'forget the local rollback instead: the agent applies the branch over it on its next pass',
      },
    },
    load: async () => (await import('../commands/reconcile.js')).reconcile,
  }),
  command<HistoryOptions>({
    name: 'history',
    args: '<pointer>',
    summary: 'promotions, rollbacks and manual edits of a pointer: when, who, PR, from -> to',
    options: {
      limit: {
        flags: '--limit <n>',
        description: 'at most this many entries',
        parse: positiveWholeNumber('--limit', '--limit 20'),
      },
      fetch: NO_FETCH,
      stage: STAGE,
    },
    load: async () => (await import('../commands/history.js')).history,
  }),
  command<AtOptions>({
    name: 'at',
    args: '[instant]',
    summary: 'the run of every pointer live at an instant (ISO time, or a date: the end of that ET day)',
    options: {
      source: {
        flags: '--source <source>',
        description: "branch (the branch's first-parent history) or host (this host's apply journal)",
        parse: oneOf('--source', ['branch', 'host']),
        default: 'branch',
      },
      write: {
        flags: '--write <dir>',
        description: 'write the pointer files of that instant into dir, with a promote-as-of.json manifest',
      },
      range: {
        flags: '--range <start..end>',
        description: 'list the change points in a range instead',
        parse: parseRange,
      },
      gameDate: { ...GAME_DATE, description: 'the slate date, with --as-of, instead of <instant>' },
      asOf: {
        flags: '--as-of <mode>',
        description: 'with --game-date: end (end of that ET day) or pretip (asOf.pretip ET time)',
        parse: oneOf('--as-of', ['pretip', 'end']),
      },
      fetch: NO_FETCH,
      stage: STAGE,
    },
    load: async () => (await import('../commands/at.js')).at,
  }),
  command<DoctorOptions>({
    name: 'doctor',
    args: '',
    summary: "the runbook's 2-minute checklist and triage of failed manifests",
    options: { gameDate: { ...GAME_DATE, description: 'slate date (default: today ET)' } },
    load: async () => (await import('../commands/doctor.js')).doctor,
  }),
  command<SandboxOptions>({
    name: 'sandbox',
    args: '[dir]',
    summary: 'build a throwaway world with local GitHub and Prefect stand-ins and run the whole lifecycle',
    options: {
      keep: { flags: '--keep', description: 'leave the world in place and print how to use it' },
      stages: {
        flags: '--stages',
        description: 'a world with a staging and a production host, and the lifecycle with stages',
      },
    },
    load: async () => (await import('../commands/sandbox.js')).sandbox,
  }),
];
