/** Hints and comments may point at project files: each one must exist (issue #16: docs/propose.md did not). */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : [path];
  });
}

describe('references to project files', () => {
  it('every docs/… file that src/ or templates/ mention exists', () => {
    const missing: string[] = [];
    for (const file of [...files(join(ROOT, 'src')), ...files(join(ROOT, 'templates'))]) {
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(/\bdocs\/[\w./-]+\.md\b/g))
        if (!existsSync(join(ROOT, m[0]))) missing.push(`${relative(ROOT, file)}: ${m[0]}`);
    }
    expect(missing).toEqual([]);
  });
});
