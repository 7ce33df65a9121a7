/** Write dist/man/git-promote.1 (package.json `man`) from the CLI's command definitions. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { manPage } from '../src/cli/man-page.js';
import { buildProgram } from '../src/cli/program.js';
import { packageRoot, packageVersion } from '../src/version.js';

const silent = { write: () => {} };
const program = buildProgram({
  cwd: process.cwd(),
  env: {},
  now: () => new Date(0),
  fetch: globalThis.fetch,
  stdout: silent,
  stderr: silent,
  isTTY: false,
});
const dir = join(packageRoot(), 'dist', 'man');
mkdirSync(dir, { recursive: true });
writeFileSync(join(dir, 'git-promote.1'), manPage(program, packageVersion()));
