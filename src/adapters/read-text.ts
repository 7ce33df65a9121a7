/** Reading a file the user or the config named, where its absence is the user's to fix. */
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';

/** The UTF-8 text of `path`; `missing()` (a PromoteError with its hint) is thrown when it does not exist. */
export async function readTextOr(path: string, missing: () => Error): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw missing();
    throw err;
  }
}

/** The UTF-8 text of `path`, or null when it (or a directory on its way) does not exist. */
export function readOrNull(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return null;
    throw err;
  }
}
