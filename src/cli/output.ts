import { createRedactor } from '../core/redact.js';
import { toPromoteError, type ExitCodeValue } from '../core/errors.js';
import { terminalSafe, terminalSafeJson } from '../core/terminal-text.js';
import { PRIORITY, priorityPrefix } from '../core/log-priority.js';
import type { Context, Outcome, Writer } from '../commands/context.js';

/** Wrap a stream so that every line written through it has secrets removed. */
export function redactingWriter(
  stream: { write(chunk: string): unknown },
  env: Record<string, string | undefined>,
): Writer {
  const redact = createRedactor(env);
  return { write: (text: string) => void stream.write(redact(text)) };
}

/**
 * Colour on a terminal, never with NO_COLOR (any non-empty value, https://no-color.org), always
 * with FORCE_COLOR (any value but "0" or "false") otherwise, never on a dumb terminal.
 */
export function useColour(env: Record<string, string | undefined>, isTTY: boolean): boolean {
  if (env.NO_COLOR) return false;
  const force = env.FORCE_COLOR;
  if (force !== undefined && force !== '0' && force !== 'false') return true;
  return isTTY && env.TERM !== 'dumb';
}

const SGR = { red: '31', green: '32', yellow: '33', cyan: '36' } as const;

// What the CLI's lines start with, and their colour. Only line starts are touched, so the words,
// the JSON of --json and anything a redactor masked stay exactly as written.
const LINE_STARTS: [RegExp, keyof typeof SGR][] = [
  [/^(error:)/gm, 'red'],
  [/^(warning:)/gm, 'yellow'],
  [/^(hint:)/gm, 'cyan'],
  [/^(FAIL|\[FAIL\]|✗|not confirmed:)/gm, 'red'],
  [/^(pass|ok:|\[ok\]|✓)(?= )/gm, 'green'],
];

/** A stream that colours the start of the lines above (when `on`), else writes text unchanged. */
export function colourWriter(stream: { write(chunk: string): unknown }, on: boolean): Writer {
  if (!on) return { write: (text: string) => void stream.write(text) };
  return {
    write: (text: string) => {
      let out = text;
      for (const [re, colour] of LINE_STARTS) out = out.replace(re, `\x1b[${SGR[colour]}m$1\x1b[39m`);
      stream.write(out);
    },
  };
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
  // In the journal every line of the error is an entry of its own, all at priority err.
  const prefix = ctx.journal?.stderr ? priorityPrefix(PRIORITY.err) : '';
  ctx.stderr.write(`${terminalSafe(lines.map((l) => prefix + l).join('\n'))}\n`);
  if (opts.json) {
    const error = { message: e.message, details: e.details, remedy: e.remedy, exitCode: e.exitCode };
    ctx.stdout.write(`${terminalSafeJson(JSON.stringify({ ok: false, error }, null, 2))}\n`);
  }
  return e.exitCode;
}
