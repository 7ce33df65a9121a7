import { createRedactor } from '../core/redact.js';
import type { Writer } from '../commands/context.js';

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
