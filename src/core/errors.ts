/**
 * One error module. Every expected failure is a PromoteError carrying the exit code of the
 * contract (docs/exit-codes.md), a one-line message and a one-line remedy. Only the CLI entry point turns
 * an error into an exit code.
 */
export const ExitCode = {
  ok: 0,
  check: 1,
  usage: 2,
  transient: 3,
  busy: 4,
} as const;
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

export class PromoteError extends Error {
  constructor(
    readonly exitCode: ExitCodeValue,
    message: string,
    readonly remedy: string,
    options?: { cause?: unknown; details?: string[] },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.details = options?.details ?? [];
  }
  /** Extra lines (for example every config problem) printed between message and remedy. */
  readonly details: string[];
  override get name(): string {
    return this.constructor.name;
  }
}

/** Bad arguments or configuration (exit 2). */
export class UsageError extends PromoteError {
  constructor(message: string, remedy: string, options?: { cause?: unknown; details?: string[] }) {
    super(ExitCode.usage, message, remedy, options);
  }
}

/** A check, verification or policy refused (exit 1): do not retry blindly. */
export class CheckFailedError extends PromoteError {
  constructor(message: string, remedy: string, options?: { cause?: unknown; details?: string[] }) {
    super(ExitCode.check, message, remedy, options);
  }
}

/** An upstream or transient failure that survived retries (exit 3): retry later. */
export class TransientError extends PromoteError {
  constructor(message: string, remedy: string, options?: { cause?: unknown; details?: string[] }) {
    super(ExitCode.transient, message, remedy, options);
  }
}

/** Busy or conflict: a lock is held, a head moved (exit 4). */
export class BusyError extends PromoteError {
  constructor(message: string, remedy: string, options?: { cause?: unknown; details?: string[] }) {
    super(ExitCode.busy, message, remedy, options);
  }
}

/** A bug in git-promote itself. */
export class InternalError extends PromoteError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(
      ExitCode.check,
      message,
      'This is a bug in git-promote: rerun with --debug and report the output.',
      options,
    );
  }
}

export function isPromoteError(err: unknown): err is PromoteError {
  return err instanceof PromoteError;
}

/** Turn anything thrown into a PromoteError, keeping the original as `cause`. */
export function toPromoteError(err: unknown): PromoteError {
  if (err instanceof PromoteError) return err;
  const fsError = fileSystemError(err);
  if (fsError) return fsError;
  const message = err instanceof Error ? err.message.split('\n')[0]! : String(err);
  return new InternalError(message || 'unexpected error', { cause: err });
}

/**
 * The file system errors that are the host's to fix, with the path and the fix: permissions (1),
 * a read-only file system or a directory where a file belongs (2), a full disk (3, retry later).
 */
export function fileSystemError(err: unknown): PromoteError | null {
  const e = err as NodeJS.ErrnoException | undefined;
  const code = e?.code;
  if (typeof code !== 'string') return null;
  const at = e?.path ? `: ${e.path}` : '';
  const opts = { cause: err };
  switch (code) {
    case 'EACCES':
    case 'EPERM':
      return new CheckFailedError(
        `permission denied${at}`,
        'Fix the ownership or mode of that path for the user running git-promote, then retry.',
        opts,
      );
    case 'EROFS':
      return new UsageError(
        `read-only file system${at}`,
        'Make that path writable for git-promote (under systemd: add it to ReadWritePaths=), or point the config at a writable place.',
        opts,
      );
    case 'EISDIR':
      return new UsageError(
        `a directory is where a file belongs${at}`,
        'Remove or rename that directory, or fix the path in promote.config.json that names it.',
        opts,
      );
    case 'ENOTDIR':
      return new UsageError(
        `a file is where a directory belongs${at ? ` on the way to ${e!.path}` : ''}`,
        'Remove or rename that file, or fix the path in promote.config.json that names it.',
        opts,
      );
    case 'ENOSPC':
    case 'EDQUOT':
      return new TransientError(
        `no space left on the device${at}`,
        'Free some space (or raise the quota), then retry; nothing was left half-written.',
        opts,
      );
    default:
      return null;
  }
}
