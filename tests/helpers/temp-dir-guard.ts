/**
 * Setup file of both test projects: after each test file, every directory it made with tempDir()
 * must be gone. A leftover is removed here and fails the file, naming the directories, so a test
 * that forgets its cleanup is caught instead of filling the temp folder with git-promote-test-*.
 */
import { rmSync } from 'node:fs';
import { afterAll } from 'vitest';
import { leftoverTempDirs } from './git-repo.js';

afterAll(() => {
  const left = leftoverTempDirs();
  for (const dir of left) rmSync(dir, { recursive: true, force: true });
  if (left.length) throw new Error(`the tests of this file left temp directories behind: ${left.join(', ')}`);
});
