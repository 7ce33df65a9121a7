/** How anything thrown becomes a PromoteError: exit code, one-line message, the fix. */
import { openSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  CheckFailedError,
  fileSystemError,
  InternalError,
  PromoteError,
  TransientError,
  toPromoteError,
  UsageError,
} from '../../../src/core/errors.js';

/** The error a real fs call throws. */
function thrownBy(fn: () => unknown): NodeJS.ErrnoException {
  try {
    fn();
  } catch (err) {
    return err as NodeJS.ErrnoException;
  }
  throw new Error('expected a failure');
}

/** An error shaped as Node shapes a system error (for codes a test as root cannot provoke). */
const sysError = (code: string, path?: string) =>
  Object.assign(new Error(`${code}: x`), { code, ...(path ? { path } : {}) });

describe('errors', () => {
  it('keeps the cause only when there is one, and no details unless given', () => {
    const plain = new CheckFailedError('m', 'r');
    expect('cause' in plain).toBe(false);
    expect(plain.details).toEqual([]);
    const cause = new Error('root');
    const wrapped = new UsageError('m', 'r', { cause, details: ['a'] });
    expect(wrapped.cause).toBe(cause);
    expect(wrapped.details).toEqual(['a']);
    expect(wrapped.name).toBe('UsageError');
  });

  it('passes a PromoteError through unchanged', () => {
    const e = new TransientError('m', 'r');
    expect(toPromoteError(e)).toBe(e);
  });

  it('calls anything else a bug, on one line, keeping the original as cause', () => {
    const cause = new TypeError('x is undefined\n    at somewhere');
    const e = toPromoteError(cause);
    expect(e).toBeInstanceOf(InternalError);
    expect(e.message).toBe('x is undefined');
    expect(e.cause).toBe(cause);
    expect(e.exitCode).toBe(1);
    expect(e.remedy).toBe('This is a bug in git-promote: rerun with --debug and report the output.');
    expect(toPromoteError('boom').message).toBe('boom');
    expect(toPromoteError(new Error('')).message).toBe('unexpected error');
    expect(toPromoteError({ code: 42 })).toBeInstanceOf(InternalError);
  });

  it('turns file system errors the host can fix into the exit code and the fix', () => {
    const isDir = thrownBy(() => openSync('/', 'w'));
    expect(toPromoteError(isDir)).toMatchObject({
      exitCode: 2,
      message: 'a directory is where a file belongs: /',
      remedy: 'Remove or rename that directory, or fix the path in promote.config.json that names it.',
      cause: isDir,
    });
    const notDir = thrownBy(() => readFileSync('/proc/self/stat/x'));
    expect(fileSystemError(notDir)).toMatchObject({
      exitCode: 2,
      message: 'a file is where a directory belongs on the way to /proc/self/stat/x',
      remedy: 'Remove or rename that file, or fix the path in promote.config.json that names it.',
    });
    expect(fileSystemError(sysError('ENOTDIR'))!.message).toBe('a file is where a directory belongs');
    for (const code of ['EACCES', 'EPERM'])
      expect(fileSystemError(sysError(code, '/srv/state'))).toMatchObject({
        exitCode: 1,
        message: 'permission denied: /srv/state',
        remedy: 'Fix the ownership or mode of that path for the user running git-promote, then retry.',
      });
    expect(fileSystemError(sysError('EROFS', '/srv/state'))).toMatchObject({
      exitCode: 2,
      message: 'read-only file system: /srv/state',
      remedy:
        'Make that path writable for git-promote (under systemd: add it to ReadWritePaths=), or point the config at a writable place.',
    });
    for (const code of ['ENOSPC', 'EDQUOT'])
      expect(fileSystemError(sysError(code))).toMatchObject({
        exitCode: 3,
        message: 'no space left on the device',
        remedy: 'Free some space (or raise the quota), then retry; nothing was left half-written.',
      });
    expect(fileSystemError(thrownBy(() => readFileSync('/nonexistent/x')))).toBeNull();
    expect(fileSystemError(undefined)).toBeNull();
    expect(fileSystemError(new PromoteError(1, 'm', 'r'))).toBeNull();
  });
});
