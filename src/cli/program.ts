/** commander wiring only: argv -> options -> command -> exit code. */
import { Command, CommanderError, Option } from 'commander';
import { COMMANDS } from './commands.js';
import { ExitCode, toPromoteError, type ExitCodeValue } from '../core/errors.js';
import type { Context, Outcome } from '../commands/context.js';
import { packageVersion } from '../version.js';
import { terminalSafe, terminalSafeJson } from '../core/terminal-text.js';
import { PRIORITY, priorityPrefix } from '../core/log-priority.js';

function addCommonOptions(cmd: Command): Command {
  return cmd
    .option('--json', 'print machine-readable JSON on stdout')
    .option('--config <file>', 'path to promote.config.json (default: PROMOTE_CONFIG, then search upwards)')
    .addOption(new Option('--debug', 'show stack traces of errors'));
}

function printOutcome(outcome: Outcome, json: boolean, ctx: Context): void {
  // Outcomes carry text from git, GitHub and Prefect: no control character reaches the terminal.
  if (json) ctx.stdout.write(`${terminalSafeJson(JSON.stringify(outcome.data, null, 2))}\n`);
  else if (outcome.text.length > 0) ctx.stdout.write(`${terminalSafe(outcome.text.join('\n'))}\n`);
}

function printError(err: unknown, opts: { json?: boolean; debug?: boolean }, ctx: Context): ExitCodeValue {
  const e = toPromoteError(err);
  const lines = [`error: ${e.message}`, ...e.details.map((d) => `  ${d}`), `hint: ${e.remedy}`];
  if (opts.debug) {
    let cause: unknown = err;
    while (cause) {
      if (cause instanceof Error && cause.stack) lines.push(cause.stack);
      cause = cause instanceof Error ? cause.cause : undefined;
    }
  }
  // In the journal every line of the error is an entry of its own, all at priority err.
  const prefix = ctx.journal?.stderr ? priorityPrefix(PRIORITY.err) : '';
  ctx.stderr.write(`${terminalSafe(lines.map((l) => prefix + l).join('\n'))}\n`);
  if (opts.json) {
    const error = { message: e.message, details: e.details, remedy: e.remedy, exitCode: e.exitCode };
    ctx.stdout.write(`${terminalSafeJson(JSON.stringify({ ok: false, error }, null, 2))}\n`);
  }
  return e.exitCode;
}

/** Run the CLI with argv (without node and script) and return the exit code. */
export async function runCli(argv: string[], ctx: Context): Promise<number> {
  let exitCode: number = ExitCode.ok;
  const program = new Command('git-promote')
    .description('Git-ops promotion of ML model pointers')
    .version(packageVersion(), '-V, --version')
    .exitOverride()
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ writeOut: (s) => ctx.stdout.write(s), writeErr: (s) => ctx.stderr.write(s) });
  addCommonOptions(program);

  for (const spec of COMMANDS) {
    const cmd = program.command(spec.name).summary(spec.summary).description(spec.summary).exitOverride();
    if (spec.args) cmd.arguments(spec.args);
    for (const o of spec.options)
      cmd.option(o.flags, o.description, o.default as string | boolean | undefined);
    addCommonOptions(cmd);
    cmd.action(async (...params: unknown[]) => {
      const command = params[params.length - 1] as Command;
      const opts = command.optsWithGlobals();
      const args = params
        .slice(0, -2)
        .flatMap((a) => (Array.isArray(a) ? (a as string[]) : a === undefined ? [] : [String(a)]));
      try {
        const handler = await spec.load();
        const outcome = await handler(args, opts, ctx);
        printOutcome(outcome, Boolean(opts.json), ctx);
        exitCode = outcome.exitCode;
      } catch (err) {
        exitCode = printError(err, opts, ctx);
      }
    });
  }

  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version exit 0; every parse problem is a usage error (2).
      return err.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
    }
    return printError(err, {}, ctx);
  }
  return exitCode;
}
