/**
 * The installed bin (dist/bundle/bin.cjs, built by `npm run build`): `--version` answered before
 * any ES module loads, everything else handed to the bundled CLI in the same process; and the
 * bundle's lazy loading: what starts every command imports no zod, octokit, semver or simple-git.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runCliProcess } from '../helpers/cli.js';
import { tempDir, removeTempDirs } from '../helpers/git-repo.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const bundle = join(root, 'dist/bundle');
const BIN = join(bundle, 'bin.cjs');
const VERSION = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version;

/** The files a module loads before it runs: itself and its static imports, transitively. */
function staticClosure(file: string, seen = new Set<string>()): Set<string> {
  if (seen.has(file)) return seen;
  seen.add(file);
  const text = readFileSync(file, 'utf8');
  for (const m of text.matchAll(/^import\s(?:[^;]*?from\s*)?"(\.[^"]+)"/gm))
    staticClosure(resolve(dirname(file), m[1]!), seen);
  return seen;
}

/** The packages (and src/ folders) whose code a set of bundle files holds, from esbuild's path comments. */
function packagesIn(files: Set<string>): Set<string> {
  const out = new Set<string>();
  for (const f of files)
    for (const m of readFileSync(f, 'utf8').matchAll(/^\/\/ node_modules\/((?:@[^/]+\/)?[^/]+)\//gm))
      out.add(m[1]!);
  return out;
}

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

  it('declares only CommonJS and a dynamic import of the CLI', () => {
    const text = readFileSync(BIN, 'utf8');
    expect(text.split('\n')[0]).toBe('#!/usr/bin/env node');
    expect(text).not.toMatch(/^import /m);
    expect(text).toContain("import('./main.js')");
  });
});

describe('the bundle loads lazily', () => {
  it('starts every command without zod, octokit, semver or simple-git', () => {
    const start = packagesIn(staticClosure(join(bundle, 'main.js')));
    expect([...start]).toEqual(['commander']);
  });

  it('runs apply without octokit: the GitHub adapter loads only when a hook needs it', () => {
    const apply = readdirSync(join(bundle, 'chunks')).find((f) => /^apply-[A-Z0-9]+\.js$/.test(f))!;
    const packages = packagesIn(staticClosure(join(bundle, 'chunks', apply)));
    expect(packages.has('zod')).toBe(true); // the config is validated
    expect([...packages].filter((p) => p.startsWith('@octokit'))).toEqual([]);
  });
});
