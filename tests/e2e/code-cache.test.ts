/**
 * The bin's V8 code cache (scripts/bin.cjs): written once per build and node version into a
 * directory only this user can write, used on the next run, replaced when V8 refuses it, never
 * read from a directory or file someone else could have written, and never a reason to fail.
 * `--debug` makes the bin say what it did with the cache; the files are checked as well.
 */
import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCliProcess } from '../helpers/cli.js';
import { removeTempDirs, tempDir } from '../helpers/git-repo.js';

const BIN = fileURLToPath(new URL('../../dist/bundle/bin.cjs', import.meta.url));
const BUILD_ID = /const BUILD = \{"version":"[^"]+","id":"([0-9a-f]{16})"\}/.exec(
  readFileSync(BIN, 'utf8'),
)![1]!;
const NAME = `main-${BUILD_ID}-${process.version}-${process.arch}.v8cache`;

describe('the code cache of the installed bin', () => {
  let home: string;
  let cacheDir: string;
  let cacheFile: string;
  beforeEach(() => {
    home = tempDir();
    cacheDir = join(home, 'cache', 'git-promote');
    cacheFile = join(cacheDir, NAME);
  });
  afterEach(() => removeTempDirs());

  /**
   * `git promote --debug status` where there is no config: a quick exit 2 that loads the CLI.
   * Returns the bin's cache lines.
   */
  async function run(env: Record<string, string | undefined> = {}): Promise<string[]> {
    const r = await runCliProcess(['--debug', 'status'], {
      cwd: home,
      script: BIN,
      env: { XDG_CACHE_HOME: join(home, 'cache'), GIT_PROMOTE_CODE_CACHE: '1', ...env },
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: no promote\.config\.json found in /m);
    return r.stderr
      .split('\n')
      .filter((l) => l.startsWith('debug: code cache'))
      .map((l) => l.slice('debug: code cache '.length).replace(home, '~'));
  }
  const file = `~/cache/git-promote/${NAME}`;

  it('is written on the first run, private to the user, and used as it is on the next', async () => {
    expect(await run()).toEqual([`${file}: none yet`, `${file}: written`]);
    expect(readdirSync(cacheDir)).toEqual([NAME]);
    expect(statSync(cacheDir).mode & 0o777).toBe(0o700);
    expect(statSync(cacheFile).mode & 0o777).toBe(0o600);
    const first = statSync(cacheFile);
    expect(first.size).toBeGreaterThan(10_000);
    expect(await run()).toEqual([`${file}: used`]);
    // Not written again (a write is a rename: a new inode).
    expect(statSync(cacheFile).ino).toBe(first.ino);
  });

  it('keeps the three newest caches of other builds when it writes, and removes older ones', async () => {
    mkdirSync(cacheDir, { recursive: true, mode: 0o700 });
    const others = [1, 2, 3, 4, 5].map((i) => `main-${String(i).repeat(16)}-${process.version}-x.v8cache`);
    others.forEach((name, i) => {
      writeFileSync(join(cacheDir, name), 'old', { mode: 0o600 });
      const t = new Date(Date.UTC(2026, 0, 1 + i));
      utimesSync(join(cacheDir, name), t, t);
    });
    await run();
    expect(readdirSync(cacheDir).sort()).toEqual([NAME, ...others.slice(2)].sort());
  });

  it('is replaced when V8 refuses it', async () => {
    mkdirSync(cacheDir, { recursive: true, mode: 0o700 });
    const garbage = randomBytes(50_000);
    writeFileSync(cacheFile, garbage, { mode: 0o600 });
    expect(await run()).toEqual([`${file}: refused by V8`, `${file}: written`]);
    expect(readFileSync(cacheFile).equals(garbage)).toBe(false);
    expect(await run()).toEqual([`${file}: used`]);
  });

  it('is neither read nor written in a directory others can write', async () => {
    expect(await run()).toEqual([`${file}: none yet`, `${file}: written`]);
    const good = readFileSync(cacheFile);
    chmodSync(cacheDir, 0o770);
    expect(await run()).toEqual([
      '~/cache/git-promote: not a directory only this user can write, not used',
      '~/cache/git-promote: not a directory only this user can write, not written',
    ]);
    expect(readFileSync(cacheFile).equals(good)).toBe(true);
  });

  it('does not read a file others can write, and replaces it with a private one', async () => {
    await run();
    chmodSync(cacheFile, 0o660);
    expect(await run()).toEqual([
      `${file}: not a file only this user can write, not read`,
      `${file}: written`,
    ]);
    expect(statSync(cacheFile).mode & 0o777).toBe(0o600);
    expect(await run()).toEqual([`${file}: used`]);
  });

  it('does not follow a symlinked cache directory', async () => {
    const elsewhere = join(home, 'elsewhere');
    mkdirSync(elsewhere, { mode: 0o700 });
    mkdirSync(join(home, 'cache'), { mode: 0o700 });
    symlinkSync(elsewhere, cacheDir);
    expect(await run()).toEqual([
      '~/cache/git-promote: not a directory only this user can write, not used',
      '~/cache/git-promote: not a directory only this user can write, not written',
    ]);
    expect(readdirSync(elsewhere)).toEqual([]);
  });

  it('does not follow a symlinked cache file, and replaces the link with a file', async () => {
    await run();
    const elsewhere = join(home, 'elsewhere.v8cache');
    writeFileSync(elsewhere, readFileSync(cacheFile), { mode: 0o600 });
    rmSync(cacheFile);
    symlinkSync(elsewhere, cacheFile);
    expect(await run()).toEqual([`${file}: not read (ELOOP)`, `${file}: written`]);
    expect(lstatSync(cacheFile).isFile()).toBe(true);
  });

  it('is off with GIT_PROMOTE_CODE_CACHE=0, without a home, and no reason to fail where it cannot be written', async () => {
    expect(await run({ GIT_PROMOTE_CODE_CACHE: '0' })).toEqual(['off']);
    expect(() => statSync(cacheDir)).toThrow(/ENOENT/);
    expect(await run({ XDG_CACHE_HOME: undefined, HOME: undefined })).toEqual(['off']);
    expect(await run({ XDG_CACHE_HOME: 'relative/cache' })).toEqual(['off']);
    // The cache home is a file: nothing can be created under it.
    writeFileSync(join(home, 'cache'), 'not a directory');
    expect(await run()).toEqual([`${file}: not read (ENOTDIR)`, `${file}: not written (ENOTDIR)`]);
  });
});
