import { createRedactor } from '../core/redact.js';
import { toPromoteError, type ExitCodeValue } from '../core/errors.js';
import { terminalSafe, terminalSafeJson } from '../core/terminal-text.js';
import type { Context, Outcome, Writer } from '../commands/context.js';

/** Wrap a stream so that every line written through it has secrets removed. */
export function redactingWriter(
  stream: { write(chunk: string): unknown },
  env: Record<string, string | undefined>,
): Writer {
  const redact = createRedactor(env);
  return { write: (text: string) => void stream.write(redact(text)) };
}

export function useColour(env: Record<string, string | undefined>, isTTY: boolean): boolean {
  return isTTY && !env.NO_COLOR && env.TERM !== 'dumb';
}

/** An outcome on stdout: its JSON data with --json, else its lines. */
export function printOutcome(outcome: Outcome, json: boolean, ctx: Context): void {
  // Outcomes carry text from git, GitHub and Prefect: no control character reaches the terminal.
  if (json) ctx.stdout.write(`${terminalSafeJson(JSON.stringify(outcome.data, null, 2))}\n`);
  else if (outcome.text.length > 0) ctx.stdout.write(`${terminalSafe(outcome.text.join('\n'))}\n`);
}

/** `error:`, details and `hint:` on stderr (stack traces with --debug); returns the exit code. */
export function printError(
  err: unknown,
  opts: { json?: boolean; debug?: boolean },
  ctx: Context,
): ExitCodeValue {
  const e = toPromoteError(err);
  const lines = [`error: ${e.message}`, ...e.details.map((d) => `  ${d}`), `hint: ${e.remedy}`];
  if (opts.debug) {
    let cause: unknown = err;
    while (cause) {
      if (cause instanceof Error && cause.stack) lines.push(cause.stack);
      cause = cause instanceof Error ? cause.cause : undefined;
    }
  }
  ctx.stderr.write(`${terminalSafe(lines.join('\n'))}\n`);
  if (opts.json) {
    const error = { message: e.message, details: e.details, remedy: e.remedy, exitCode: e.exitCode };
    ctx.stdout.write(`${terminalSafeJson(JSON.stringify({ ok: false, error }, null, 2))}\n`);
  }
  return e.exitCode;
}
