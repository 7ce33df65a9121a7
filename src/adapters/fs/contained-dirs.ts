/**
 * Directories a write is about to land in, created and checked to resolve inside a root: a
 * pointer directory that is a symlink out of the target would let the write land elsewhere.
 */
import { mkdirSync, realpathSync } from 'node:fs';
import { isInside } from '../../core/artifact-checks.js';
import { CheckFailedError } from '../../core/errors.js';

export function ensureDirsInside(root: string, dirs: Iterable<string>): void {
  const realRoot = realpathSync(root);
  for (const dir of new Set(dirs)) {
    mkdirSync(dir, { recursive: true });
    const real = realpathSync(dir);
    if (!isInside(realRoot, real)) {
      throw new CheckFailedError(
        `${dir} resolves to ${real}, outside the target ${realRoot}`,
        'Replace that symlink with a real directory inside the target; nothing was written.',
      );
    }
  }
}
