import type { Annotation } from '../core/workflow-commands.js';

/** What every command receives instead of reading globals: tests pass their own. */
export interface Writer {
  write(text: string): void;
}

export interface Context {
  cwd: string;
  env: Record<string, string | undefined>;
  now: () => Date;
  fetch: typeof globalThis.fetch;
  stdout: Writer;
  stderr: Writer;
  /** True when stdout is a terminal (progress, colour). */
  isTTY: boolean;
  /**
   * Which of stdout and stderr is the systemd journal (JOURNAL_STREAM names it): lines written
   * there start with their syslog priority ("<3>" ... "<6>").
   */
  journal?: { stdout: boolean; stderr: boolean };
  /** Aborted on SIGINT/SIGTERM: long-running commands stop cleanly. */
  signal?: AbortSignal;
  /**
   * In the GitHub Action: annotations and the job summary go through @actions/core. Without it
   * (the CLI in a workflow step) commands write workflow-command lines and append to the summary file.
   */
  workflow?: WorkflowSink;
  /**
   * The CLI itself, run in-process (argv without node and script → exit code). src/cli sets it,
   * so the sandbox runs commands as a user would without importing src/cli (docs/architecture.md).
   */
  runCli?: (argv: string[], ctx: Context) => Promise<number>;
}

export interface WorkflowSink {
  annotate(annotation: Annotation): void;
  /** Append to the job summary; false when the runner gives none. */
  summary(markdown: string): Promise<boolean>;
}

/** Global options every command takes. */
export interface CommonOptions {
  json?: boolean;
  debug?: boolean;
  config?: string;
}

/** What a command hands back to the CLI: an exit code, data for --json and lines for humans. */
export interface Outcome {
  exitCode: 0 | 1 | 2 | 3 | 4;
  data: unknown;
  text: string[];
}
