import { describe, expect, it } from 'vitest';
import { existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname } from 'node:path';
import { makeTempDir } from '../../src/adapters/temp-dir.js';
import { tempDir } from '../helpers/git-repo.js';

describe('temporary directories', () => {
  it('are made under the injected TMPDIR, else the OS default', async () => {
    const root = tempDir();
    try {
      const mine = await makeTempDir({ TMPDIR: root }, 'git-promote-x-');
      expect(dirname(mine)).toBe(root);
      expect(existsSync(mine)).toBe(true);
      const fallback = await makeTempDir({}, 'git-promote-x-');
      expect(dirname(fallback)).toBe(tmpdir());
      rmSync(fallback, { recursive: true });
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
