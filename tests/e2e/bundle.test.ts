/**
 * The installed bin (dist/bundle/bin.cjs, built by `npm run build`): `--version` answered before
 * the CLI loads, everything else handed to the bundled CLI (dist/bundle/main.cjs) in the same
 * process; and the bundle's lazy evaluation: what starts every command evaluates no zod, octokit
 * or semver. The code cache the bin keeps is tested in code-cache.test.ts.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runCliProcess } from '../helpers/cli.js';
import { tempDir, removeTempDirs } from '../helpers/git-repo.js';
import { bundledModules, evaluatedAtStart, evaluatedWith } from '../helpers/bundle-graph.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const bundle = join(root, 'dist/bundle');
const BIN = join(bundle, 'bin.cjs');
const VERSION = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version;

describe('the installed bin', () => {
  it('prints the version for --version and -V', async () => {
    for (const flag of ['--version', '-V']) {
      const r = await runCliProcess([flag], { cwd: root, script: BIN });
      expect(r).toEqual({ code: 0, stdout: `${VERSION}\n`, stderr: '' });
    }
  });

  it('hands everything else to the CLI, exit code and output included', async () => {
    const dir = tempDir();
    try {
      const r = await runCliProcess(['status'], { cwd: dir, script: BIN });
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/^error: no promote\.config\.json found in /);
      // With --json it is the CLI's report (src/core/versions.ts), not the bin's short answer.
      const both = await runCliProcess(['--version', '--json'], { cwd: dir, script: BIN });
      expect(both.code).toBe(0);
      expect(JSON.parse(both.stdout)).toMatchObject({ version: VERSION });
      const help = await runCliProcess(['--help'], { cwd: dir, script: BIN });
      expect(help.stdout).toMatch(/^Usage: git-promote /);
    } finally {
      removeTempDirs();
    }
  });

  it('is CommonJS that runs main.cjs, which has no #! line (it runs inside a function wrapper)', () => {
    const text = readFileSync(BIN, 'utf8');
    expect(text.split('\n')[0]).toBe('#!/usr/bin/env node');
    expect(text).not.toMatch(/^import /m);
    expect(text).toContain("path.join(__dirname, 'main.cjs')");
    expect(readFileSync(join(bundle, 'main.cjs'), 'utf8').startsWith('#!')).toBe(false);
  });
});

describe('the bundle evaluates lazily', () => {
  const text = readFileSync(join(bundle, 'main.cjs'), 'utf8');
  const of = (paths: Set<string>, pkg: string) =>
    [...paths].filter((p) => p.startsWith(`node_modules/${pkg}`));

  it('holds zod, octokit and semver, and starts every command without evaluating any of them', () => {
    const all = bundledModules(text);
    for (const pkg of ['zod/', '@octokit/', 'semver/']) expect(of(all, pkg).length).toBeGreaterThan(0);
    const start = evaluatedAtStart(text);
    expect([...start].filter((p) => /^node_modules\/(zod|@octokit|semver)\//.test(p))).toEqual([]);
  });

  it('evaluates zod but no octokit for apply: the GitHub adapter loads only when a hook needs it', () => {
    const apply = evaluatedWith(text, 'src/commands/apply.ts');
    expect(of(apply, 'zod/').length).toBeGreaterThan(0); // the config is validated
    expect(of(apply, '@octokit/')).toEqual([]);
    // What a pass with nothing to write or hand over never needs (loaded where it is used).
    for (const path of [
      'src/commands/validate.ts',
      'src/adapters/prefect/client.ts',
      'src/commands/propose-push.ts',
    ])
      expect(apply.has(path), path).toBe(false);
    // The reading is not blind: what the GitHub adapter evaluates holds octokit.
    expect(of(evaluatedWith(text, 'src/adapters/github/index.ts'), '@octokit/').length).toBeGreaterThan(0);
  });
});
