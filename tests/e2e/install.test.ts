/**
 * Installing without a registry publication: the `npm pack` tarball installs globally into a
 * temporary prefix with the network off (every runtime dependency is in the bundle), and the
 * installed `git promote` answers --version, finds its man page for --help, writes a config
 * whose $schema exists, and runs the whole sandbox lifecycle. `npm run build` must have run.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, lstatSync, readFileSync, realpathSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir, testEnv } from '../helpers/git-repo.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
const hasMan = spawnSync('man', ['--version'], { stdio: 'ignore' }).status === 0;

let dir: string;
let prefix: string;
let env: Record<string, string | undefined>;

function run(cmd: string, args: string[], cwd = dir, timeout = 60_000) {
  return spawnSync(cmd, args, { cwd, env: env as NodeJS.ProcessEnv, encoding: 'utf8', timeout });
}

beforeAll(() => {
  dir = tempDir('git-promote-install-');
  prefix = join(dir, 'prefix');
  // No registry and an empty cache: an install that needed a download would fail.
  const offline = {
    npm_config_registry: 'http://127.0.0.1:9/',
    npm_config_cache: join(dir, 'npm-cache'),
    npm_config_offline: 'true',
    npm_config_audit: 'false',
    npm_config_fund: 'false',
    npm_config_update_notifier: 'false',
  };
  // The tarball of what `npm run build` produced (pack's prepare would only build it again).
  const packed = execFileSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], {
    cwd: ROOT,
    env: { ...process.env, ...offline },
    encoding: 'utf8',
  });
  const tarball = join(dir, (JSON.parse(packed) as { filename: string }[])[0]!.filename);
  execFileSync('npm', ['install', '--global', '--prefix', prefix, tarball], {
    cwd: dir,
    env: { ...process.env, ...offline },
    stdio: 'pipe',
  });
  env = testEnv({
    PATH: `${join(prefix, 'bin')}:${process.env.PATH}`,
    MANPATH: join(prefix, 'share', 'man'),
    MANPAGER: 'cat',
    PAGER: 'cat',
    MANWIDTH: '100',
  });
}, 120_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('git-promote installed from its npm pack tarball with the network off', () => {
  const pkg = () => join(prefix, 'lib', 'node_modules', 'git-promote');

  it('ships the bundle, man page, schema and templates and no node_modules', () => {
    for (const f of ['dist/bundle/main.cjs', 'dist/man/git-promote.1', 'schema/promote.config.schema.json'])
      expect(existsSync(join(pkg(), f)), f).toBe(true);
    expect(existsSync(join(pkg(), 'node_modules'))).toBe(false);
    expect(existsSync(join(pkg(), 'dist', 'src'))).toBe(false);
  });

  it('puts an executable `git-promote` with a shebang on PATH, so `git promote --version` works', () => {
    const bin = join(prefix, 'bin', 'git-promote');
    expect(lstatSync(bin).isSymbolicLink()).toBe(true);
    const target = realpathSync(bin);
    expect(statSync(target).mode & 0o111).not.toBe(0);
    expect(readFileSync(target, 'utf8').split('\n')[0]).toBe('#!/usr/bin/env node');
    expect(run('git-promote', ['--version']).stdout).toBe(`${VERSION}\n`);
    const viaGit = run('git', ['promote', '--version']);
    expect(viaGit.stderr).toBe('');
    expect(viaGit.stdout).toBe(`${VERSION}\n`);
    // The bin, and the bundled CLI it runs, started with node directly.
    for (const script of ['dist/bundle/bin.cjs', 'dist/bundle/main.cjs'])
      expect(run(process.execPath, [join(pkg(), script), '--version']).stdout, script).toBe(`${VERSION}\n`);
  });

  it('keeps a code cache for the installed bundle, used from the second run on', () => {
    const cached = { ...env, GIT_PROMOTE_CODE_CACHE: '1', XDG_CACHE_HOME: join(dir, 'xdg-cache') };
    const cacheLines = () =>
      spawnSync('git-promote', ['--debug', 'status'], {
        cwd: dir,
        env: cached as NodeJS.ProcessEnv,
        encoding: 'utf8',
      })
        .stderr.split('\n')
        .filter((l) => l.startsWith('debug: code cache'));
    expect(cacheLines().at(-1)).toMatch(/: written$/);
    expect(cacheLines()).toEqual([expect.stringMatching(/: used$/)]);
  });

  it('links the man page into the prefix', () => {
    expect(existsSync(join(prefix, 'share', 'man', 'man1', 'git-promote.1'))).toBe(true);
  });

  // git runs `man git-promote` for `git promote --help`: skipped where man(1) is not installed.
  it.skipIf(!hasMan)('shows the man page for `git promote --help`', () => {
    const help = run('git', ['promote', '--help']);
    expect(help.status, help.stderr).toBe(0);
    expect(help.stdout).toMatch(/^GIT-PROMOTE\(1\)/m);
    for (const command of ['validate', 'merge', 'sandbox'])
      expect(help.stdout).toContain(`git promote ${command}`);
    expect(help.stdout).toContain('--action-ref');
  });

  it('writes a config whose $schema is a file that exists', () => {
    const repo = join(dir, 'pipeline');
    execFileSync('git', ['init', '--quiet', repo]);
    const init = run('git-promote', ['init', '--github', 'acme/projections'], repo);
    expect(init.status, init.stderr).toBe(0);
    const config = JSON.parse(readFileSync(join(repo, 'promote.config.json'), 'utf8')) as { $schema: string };
    expect(resolve(repo, config.$schema)).toBe(
      join(realpathSync(pkg()), 'schema/promote.config.schema.json'),
    );
  });

  it('runs `git promote sandbox` through the whole lifecycle', () => {
    const sandbox = run('git', ['promote', 'sandbox', join(dir, 'world')], dir, 90_000);
    expect(sandbox.status, sandbox.stdout + sandbox.stderr).toBe(0);
    expect(sandbox.stdout).toContain('the whole lifecycle passed');
  }, 100_000);
});
