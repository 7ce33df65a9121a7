/** Directories a write lands in must resolve inside the target, whatever symlinks say. */
import { existsSync, mkdirSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ensureDirsInside } from '../../src/adapters/fs/contained-dirs.js';
import { tempDir } from '../helpers/git-repo.js';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));
const dir = () => {
  const d = tempDir();
  dirs.push(d);
  return d;
};

describe('directories inside the target', () => {
  it('are created as needed, also through a symlink that stays inside', () => {
    const target = dir();
    mkdirSync(join(target, 'real'));
    symlinkSync(join(target, 'real'), join(target, 'alias'));
    ensureDirsInside(target, [join(target, 'config', 'deep'), join(target, 'alias', 'x'), target]);
    expect(existsSync(join(target, 'config', 'deep'))).toBe(true);
    expect(existsSync(join(target, 'real', 'x'))).toBe(true);
  });

  it('are refused when a symlink leads out of the target, saying where it leads', () => {
    const target = dir();
    const outside = dir();
    symlinkSync(outside, join(target, 'config'));
    expect(() => ensureDirsInside(target, [join(target, 'config')])).toThrow(
      expect.objectContaining({
        exitCode: 1,
        message: `${join(target, 'config')} resolves to ${outside}, outside the target ${target}`,
        remedy: 'Replace that symlink with a real directory inside the target; nothing was written.',
      }),
    );
  });
});
