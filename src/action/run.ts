/**
 * The GitHub Action: `validate` or `merge` with the step's inputs, through the same command
 * handlers and the same printing as the CLI. What the Actions runtime provides (secret masking,
 * outputs, failing the step) comes in as `ActionIO`, so this runs and is tested without it.
 */
import { merge } from '../commands/merge.js';
import { validate } from '../commands/validate.js';
import type { Context, Outcome } from '../commands/context.js';
import { toPromoteError, UsageError } from '../core/errors.js';
import { fullSha, MISSING_PR, pullRequestNumber } from '../core/option-values.js';
import { createRedactor } from '../core/redact.js';
import type { Annotation } from '../core/workflow-commands.js';
import { printError, printOutcome, redactingWriter } from '../cli/output.js';

/** The inputs action.yml declares; src/action/main.ts reads exactly these. */
export const ACTION_INPUTS = ['command', 'token', 'config', 'pr', 'sha'] as const;
export type ActionInputs = Record<(typeof ACTION_INPUTS)[number], string>;

/** The outputs action.yml declares. */
export const ACTION_OUTPUTS = ['exit-code', 'result'] as const;

export interface ActionIO {
  setSecret(value: string): void;
  setOutput(name: (typeof ACTION_OUTPUTS)[number], value: string): void;
  setFailed(message: string): void;
  annotate(annotation: Annotation): void;
  /** Append Markdown to the job summary; false when there is none. */
  summary(markdown: string): Promise<boolean>;
}

/** The step's command with its inputs parsed as the CLI parses the same options. */
function commandOf(inputs: ActionInputs): (ctx: Context) => Promise<Outcome> {
  const config = inputs.config || undefined;
  if (inputs.command === 'validate') return (ctx) => validate([], { config }, ctx);
  if (inputs.command === 'merge') {
    if (!inputs.pr) throw new UsageError(MISSING_PR.message, MISSING_PR.remedy);
    const opts = {
      config,
      pr: pullRequestNumber(inputs.pr),
      ...(inputs.sha ? { sha: fullSha(inputs.sha) } : {}),
    };
    return (ctx) => merge([], opts, ctx);
  }
  throw new UsageError(
    `the Action's input command is ${JSON.stringify(inputs.command)}, not validate or merge`,
    "Set `command: validate` or `command: merge` under the step's `with:`.",
  );
}

/** Run the step; returns the exit code the CLI would have (0 ok, 1 check failed, 2-4 as in docs/exit-codes.md). */
export async function runAction(inputs: ActionInputs, io: ActionIO, ctx: Context): Promise<number> {
  if (inputs.token) io.setSecret(inputs.token);
  // The token reaches the commands as GITHUB_TOKEN, exactly as the CLI reads it in a workflow step.
  const env: Context['env'] = { ...ctx.env, ...(inputs.token ? { GITHUB_TOKEN: inputs.token } : {}) };
  const redact = createRedactor(env);
  const step: Context = {
    ...ctx,
    env,
    stdout: redactingWriter(ctx.stdout, env),
    stderr: redactingWriter(ctx.stderr, env),
    // @actions/core writes these itself, past our writers: the same filter first.
    workflow: {
      annotate: (a) => io.annotate({ ...a, message: redact(a.message) }),
      summary: (markdown) => io.summary(redact(markdown)),
    },
  };
  let outcome: Outcome;
  try {
    outcome = await commandOf(inputs)(step);
  } catch (err) {
    // RUNNER_DEBUG=1 is what "Enable debug logging" on a re-run sets: stack traces then.
    const code = printError(err, { debug: env.RUNNER_DEBUG === '1' }, step);
    io.setOutput('exit-code', String(code));
    io.setFailed(redact(`git-promote ${inputs.command}: ${toPromoteError(err).message}`));
    return code;
  }
  printOutcome(outcome, false, step);
  io.setOutput('exit-code', String(outcome.exitCode));
  io.setOutput('result', redact(JSON.stringify(outcome.data)));
  if (outcome.exitCode !== 0)
    io.setFailed(`git-promote ${inputs.command} failed (exit ${outcome.exitCode}): see the lines above`);
  return outcome.exitCode;
}
