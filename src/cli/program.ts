/** commander wiring only: argv -> options -> command -> exit code. */
import { Command, CommanderError, Option } from 'commander';
import { COMMANDS } from './commands.js';
import { ExitCode, UsageError } from '../core/errors.js';
import type { Context } from '../commands/context.js';
import { packageVersion } from '../version.js';
import { printError, printOutcome } from './output.js';

function addCommonOptions(cmd: Command): Command {
  return cmd
    .option('--json', 'print machine-readable JSON on stdout')
    .option('--config <file>', 'path to promote.config.json (default: PROMOTE_CONFIG, then search upwards)')
    .addOption(new Option('--debug', 'show stack traces of errors'));
}

/**
 * The whole command tree as commander sees it. `setExitCode` receives each action's exit code.
 * The man page (scripts/write-man.ts) is generated from this same tree, so help and man agree.
 */
export function buildProgram(ctx: Context, setExitCode: (code: number) => void = () => {}): Command {
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
    for (const o of Object.values(spec.options)) {
      const option = new Option(o.flags, o.description);
      // Parsed as commander reads it: a bad value stops the parse with our UsageError (see runCli).
      const parse = o.parse;
      if (parse) option.argParser((value: string) => parse(value));
      if (o.default !== undefined) option.default(o.default);
      cmd.addOption(option);
    }
    addCommonOptions(cmd);
    cmd.action(async (...params: unknown[]) => {
      const command = params[params.length - 1] as Command;
      const opts = command.optsWithGlobals();
      const args = params
        .slice(0, -2)
        .flatMap((a) => (Array.isArray(a) ? (a as string[]) : a === undefined ? [] : [String(a)]));
      try {
        for (const [key, o] of Object.entries(spec.options))
          if (o.missing && opts[key] === undefined) throw new UsageError(o.missing.message, o.missing.remedy);
        const handler = await spec.load();
        const outcome = await handler(args, opts, ctx);
        printOutcome(outcome, Boolean(opts.json), ctx);
        setExitCode(outcome.exitCode);
      } catch (err) {
        setExitCode(printError(err, opts, ctx));
      }
    });
  }
  return program;
}

/** Run the CLI with argv (without node and script) and return the exit code. */
export async function runCli(argv: string[], ctx: Context): Promise<number> {
  let exitCode: number = ExitCode.ok;
  const program = buildProgram(ctx, (code) => (exitCode = code));

  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version exit 0; every parse problem is a usage error (2).
      return err.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
    }
    // An option value that does not parse (src/core/option-values.ts): the parse stopped before
    // the options were collected, so --json and --debug are read from argv.
    return printError(err, { json: argv.includes('--json'), debug: argv.includes('--debug') }, ctx);
  }
  return exitCode;
}
