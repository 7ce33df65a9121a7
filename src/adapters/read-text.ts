/**
 * Reading a file the user or the config named, where its absence is the user's to fix. Such a
 * file lives in a place git-promote does not own, so it is opened non-blocking and checked with
 * fstat before a byte is read: a FIFO, a device or a directory in its place is refused with its
 * path, instead of blocking open() or read() forever.
 */
import { closeSync, constants, fstatSync, openSync, readFileSync, type Stats } from 'node:fs';
import { open } from 'node:fs/promises';
import { UsageError } from '../core/errors.js';

const OPEN_FLAGS = constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY;

function kindOf(st: Stats): string {
  if (st.isDirectory()) return 'a directory';
  if (st.isFIFO()) return 'a FIFO';
  if (st.isSocket()) return 'a socket';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  return 'not a regular file';
}

/** The error for a path that is there but is not a regular file (exit 2). */
export function notRegularFile(path: string, st: Stats): UsageError {
  return new UsageError(
    `${path} is ${kindOf(st)}, not a regular file: refusing to read it`,
    `Replace ${path} with a regular file (or fix the path that names it).`,
  );
}

/** The UTF-8 text of the regular file at `path` (symlinks followed); special files are refused. */
export function readRegularFileSync(path: string): string {
  const fd = openSync(path, OPEN_FLAGS);
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw notRegularFile(path, st);
    return readFileSync(fd, 'utf8');
  } finally {
    closeSync(fd);
  }
}

/** As readRegularFileSync, without blocking the event loop. */
export async function readRegularFile(path: string): Promise<string> {
  const handle = await open(path, OPEN_FLAGS);
  try {
    const st = await handle.stat();
    if (!st.isFile()) throw notRegularFile(path, st);
    return await handle.readFile('utf8');
  } finally {
    await handle.close();
  }
}

/** The UTF-8 text of `path`; `missing()` (a PromoteError with its hint) is thrown when it does not exist. */
export async function readTextOr(path: string, missing: () => Error): Promise<string> {
  try {
    return await readRegularFile(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw missing();
    throw err;
  }
}

/** The UTF-8 text of `path`, or null when it (or a directory on its way) does not exist. */
export function readOrNull(path: string): string | null {
  try {
    return readRegularFileSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return null;
    throw err;
  }
}
