/**
 * The one interrupt handler of the CLI. The first SIGINT or SIGTERM aborts the command's signal, so
 * it stops cleanly (kills what it started, removes its temp directories, releases its lock). A
 * Ctrl-C typed under `git promote …` arrives twice within milliseconds: once from the terminal to
 * the whole foreground process group, once forwarded by git to its child. Repeats within
 * `duplicateMs` are that same interrupt and are ignored; a later one exits at once. After a stop
 * by signal the exit code is 128 + the signal number (130 for Ctrl-C), as shells expect, unless the
 * command still ended well (the agent's clean stop is exit 0).
 */
const SIGNAL_NUMBERS = { SIGINT: 2, SIGTERM: 15 } as const;
type HandledSignal = keyof typeof SIGNAL_NUMBERS;

interface InterruptHandler {
  signal: AbortSignal;
  /** The process exit code for a command that returned `code`. */
  exitCode(code: number): number;
}

export function installInterruptHandler(
  proc: Pick<NodeJS.Process, 'on' | 'exit'>,
  stderr: { write(text: string): unknown },
  options: { duplicateMs?: number; now?: () => number } = {},
): InterruptHandler {
  const duplicateMs = options.duplicateMs ?? 1000;
  const now = options.now ?? Date.now;
  const controller = new AbortController();
  let first: { sig: HandledSignal; at: number } | null = null;
  for (const sig of Object.keys(SIGNAL_NUMBERS) as HandledSignal[]) {
    proc.on(sig, () => {
      if (first) {
        if (now() - first.at < duplicateMs) return;
        stderr.write(`received ${sig} again: exiting now without cleaning up\n`);
        proc.exit(128 + SIGNAL_NUMBERS[sig]);
        return;
      }
      first = { sig, at: now() };
      stderr.write(`received ${sig}: stopping cleanly (send it again to force)\n`);
      controller.abort(new Error(`received ${sig}`));
    });
  }
  return {
    signal: controller.signal,
    exitCode: (code) => (first && code !== 0 ? 128 + SIGNAL_NUMBERS[first.sig] : code),
  };
}
