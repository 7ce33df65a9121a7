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
 * The man page (scripts/write-man.ts) and the generated parts of docs/ (scripts/write-docs.ts) come
 * from this same tree, so help, man page and docs agree.
 */
export function buildProgram(ctx: Context, setExitCode: (code: number) => void = () => {}): Command {
  const program = new Command('git-promote')
    .description('Git-ops promotion of ML model pointers')
    .version(
      packageVersion(),
      '-V, --version',
      'print the version (with --json: also the config, evidence and PR block versions it reads)',
    )
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
        // The config's minVersion first (validate checks the target branch's config instead; init
        // and sandbox write their own).
        if (!NO_CONFIG_CHECK.has(spec.name)) {
          const { checkConfigVersion } = await import('../adapters/config-file.js');
          await checkConfigVersion(ctx.cwd, ctx.env, opts.config as string | undefined);
        }
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

/** The command tree alone, for the man page and docs/ (`npm run docs`): it runs and prints nothing. */
export function programForReference(): Command {
  const silent = { write: () => {} };
  return buildProgram({
    cwd: process.cwd(),
    env: {},
    now: () => new Date(0),
    fetch: globalThis.fetch,
    stdout: silent,
    stderr: silent,
    isTTY: false,
  });
}

const NO_CONFIG_CHECK = new Set(['init', 'sandbox', 'validate']);

/** `--version --json` before any command: the release and the schema versions it reads. */
function versionJsonRequested(argv: string[]): boolean {
  const names = new Set(COMMANDS.map((c) => c.name));
  const end = argv.findIndex((a) => names.has(a) || a === '--');
  const head = end === -1 ? argv : argv.slice(0, end);
  return head.some((a) => a === '--version' || a === '-V') && head.includes('--json');
}

/** Run the CLI with argv (without node and script) and return the exit code. */
export async function runCli(argv: string[], ctx: Context): Promise<number> {
  if (versionJsonRequested(argv)) {
    // Loaded only here: semver stays out of every other start.
    const { versionReport } = await import('../core/versions.js');
    ctx.stdout.write(`${JSON.stringify(versionReport(packageVersion()), null, 2)}\n`);
    return ExitCode.ok;
  }
  let exitCode: number = ExitCode.ok;
  const program = buildProgram({ ...ctx, runCli }, (code) => (exitCode = code));

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
