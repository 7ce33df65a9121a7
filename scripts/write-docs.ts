/** `npm run docs`: rewrite the generated blocks of README.md and docs/ from the command definitions. */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../src/version.js';
import { docFiles, regenerated } from './generated-docs.js';

const root = packageRoot();
let changed = 0;
for (const file of docFiles(root)) {
  const path = join(root, file);
  const next = await regenerated(root, file);
  if (next === readFileSync(path, 'utf8')) continue;
  writeFileSync(path, next);
  console.log(`rewrote ${file}`);
  changed++;
}
console.log(
  changed === 0 ? 'docs: every generated block is up to date' : `docs: ${changed} file(s) rewritten`,
);
