/**
 * `npm run mutation:part -- src/core/plan.ts [more files]`: StrykerJS over the given files only
 * (niced, concurrency 1, the settings of stryker.config.json), its JSON report written to
 * reports/mutation/parts/<files>.json, then bench/MUTATION.md regenerated from every report there
 * (each file from its newest report). A whole `npm run mutation` takes about two hours on one core;
 * a file takes seconds to minutes, so a file's survivors can be read and killed one at a time.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../src/version.js';

const files = process.argv.slice(2);
if (files.length === 0) {
  process.stderr.write('usage: npm run mutation:part -- <file to mutate> [...]\n');
  process.exit(2);
}
const root = packageRoot();
const name = files.join('+').replace(/[^A-Za-z0-9.+-]+/g, '_');
const config = JSON.parse(readFileSync(join(root, 'stryker.config.json'), 'utf8')) as Record<string, unknown>;
delete config.$schema;
mkdirSync(join(root, 'reports/mutation/parts'), { recursive: true });
const configFile = join(root, 'reports/mutation', `stryker-${name}.json`);
writeFileSync(
  configFile,
  JSON.stringify({
    ...config,
    mutate: files,
    reporters: ['progress', 'json'],
    jsonReporter: { fileName: `reports/mutation/parts/${name}.json` },
    // Its own sandbox, so parts can run side by side.
    tempDirName: `.stryker-tmp/${name}`,
  }),
);
const run = (cmd: string, args: string[]) =>
  spawnSync(cmd, args, { cwd: root, stdio: 'inherit' }).status ?? 1;
const status = run('nice', ['-n', '19', 'npx', 'stryker', 'run', configFile]);
rmSync(configFile, { force: true });
if (status !== 0) process.exit(status);
process.exit(run(process.execPath, [join(root, 'dist/scripts/mutation-report.js')]));
