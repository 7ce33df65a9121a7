/**
 * Atomic replacement of one file: write a temp file in the same directory, fsync it, rename it
 * over the destination, fsync the directory. A crash at any instant leaves the old or the new
 * content, never a mix; the only debris is a temp file, which removeTemps() recognises by name.
 */
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  fchmodSync,
  fsyncSync,
  openSync,
  readdirSync,
  renameSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { noCrash, type CrashHook } from './crash-points.js';

const TEMP_MARK = '.git-promote-tmp-';

/** The name of a temp file for `path`: hidden, in the same directory, recognisable. */
function tempPathFor(path: string): string {
  return join(
    dirname(path),
    `.${basename(path)}${TEMP_MARK}${process.pid}-${randomBytes(4).toString('hex')}`,
  );
}

export function isTempName(name: string): boolean {
  return name.startsWith('.') && name.includes(TEMP_MARK);
}

/** fsync a directory so a rename or unlink in it is durable. */
export function fsyncDir(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * Write content to a new file and fsync it (the file must not exist). The umask applies to mode
 * unless exactMode (a file another user must read, whatever the service's UMask=). On failure (a
 * full disk) the file it created is removed: no empty or partial file is left behind.
 */
export function writeDurable(path: string, content: string, mode = 0o644, exactMode = false): void {
  const fd = openSync(path, 'wx', mode);
  try {
    if (exactMode) fchmodSync(fd, mode);
    writeAll(fd, content);
    fsyncSync(fd);
  } catch (err) {
    closeSync(fd);
    removeQuietly(path);
    throw withPath(err, path);
  }
  closeSync(fd);
}

/** Write all of `content`: write(2) may write less (a disk filling up), then the next call fails. */
export function writeAll(fd: number, content: string): void {
  const buf = Buffer.from(content, 'utf8');
  let off = 0;
  while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off);
}

/** Name the file in an error from a call on its descriptor (write(2) errors carry no path). */
export function withPath(err: unknown, path: string): unknown {
  const e = err as NodeJS.ErrnoException;
  if (e && typeof e === 'object' && typeof e.code === 'string' && !e.path) e.path = path;
  return err;
}

/** Write a temp file next to `path` holding content, durable but not yet visible. */
export function stageFile(path: string, content: string, crash: CrashHook = noCrash, mode?: number): string {
  const temp = tempPathFor(path);
  writeDurable(temp, content, mode, mode !== undefined); // removes the temp file if it fails
  crash('temp-written');
  return temp;
}

/** Make a staged temp file the real one: rename, then fsync the directory. */
export function commitStaged(temp: string, path: string, crash: CrashHook = noCrash): void {
  renameSync(temp, path);
  crash('renamed');
  fsyncDir(dirname(path));
}

/** Replace `path` with content atomically (with exactly `mode` when given, else 0644 less the umask). */
export function writeFileAtomic(
  path: string,
  content: string,
  crash: CrashHook = noCrash,
  mode?: number,
): void {
  const temp = stageFile(path, content, crash, mode);
  try {
    commitStaged(temp, path, crash);
  } catch (err) {
    removeQuietly(temp);
    throw err;
  }
}

export function removeQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // already gone, or never created
  }
}

/** Remove our temp files left in `dir` by a crashed writer; returns the names removed. */
export function removeTemps(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const removed = names.filter(isTempName);
  for (const name of removed) removeQuietly(join(dir, name));
  if (removed.length > 0) fsyncDir(dir);
  return removed;
}
