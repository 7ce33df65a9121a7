/** Write dist/man/git-promote.1 (package.json `man`) from the CLI's command definitions. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { manPage } from '../src/cli/man-page.js';
import { programForReference } from '../src/cli/program.js';
import { packageRoot, packageVersion } from '../src/version.js';

const dir = join(packageRoot(), 'dist', 'man');
mkdirSync(dir, { recursive: true });
writeFileSync(join(dir, 'git-promote.1'), manPage(programForReference(), packageVersion()));
