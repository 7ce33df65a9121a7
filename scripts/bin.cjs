// git-promote's bin: scripts/bin.cjs, written to dist/bundle/bin.cjs by scripts/bundle.mjs with
// BUILD (the version and the id of main.cjs) defined above this line.
//
// `--version` is answered here: a CommonJS file that loads nothing starts as fast as `node -e 0`.
// Everything else runs ./main.cjs, the whole CLI as one CommonJS script, in this process. Its
// compiled code comes from V8's code cache when this user has a private one (docs/architecture.md,
// "The installed bin"): compiling is most of what a command costs before it starts working.
'use strict';
/* global BUILD -- defined by scripts/bundle.mjs above */

const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) {
  try {
    require('node:fs').writeSync(1, `${BUILD.version}\n`);
  } catch {
    // stdout closed early (| head -0): nothing to say
  }
} else {
  runMain();
}

function runMain() {
  const fs = require('node:fs');
  const path = require('node:path');
  const vm = require('node:vm');
  const { createRequire, wrap } = require('node:module');
  const file = path.join(__dirname, 'main.cjs');
  // With --debug, what happened to the cache, on stderr.
  const say = args.includes('--debug') ? (m) => process.stderr.write(`debug: code cache ${m}\n`) : () => {};
  const cache = codeCachePath(process.env);
  const cachedData = cache === null ? undefined : readPrivate(fs, path, cache, say);
  const script = new vm.Script(wrap(fs.readFileSync(file, 'utf8')), { filename: file, cachedData });
  if (cache === null) say('off');
  else if (cachedData !== undefined)
    say(script.cachedDataRejected ? `${cache}: refused by V8` : `${cache}: used`);
  // A cache is written once: when there was none, or V8 refused it (another node, other flags).
  // At exit, so it holds everything this run compiled.
  if (cache !== null && (cachedData === undefined || script.cachedDataRejected))
    process.once('exit', () => writePrivate(fs, path, cache, () => script.createCachedData(), say));
  const mod = { exports: {} };
  script.runInThisContext().call(mod.exports, mod.exports, createRequire(file), mod, file, __dirname);
}

/**
 * `$XDG_CACHE_HOME/git-promote/` (default `~/.cache/git-promote/`), one file per build of main.cjs
 * and node version: V8 checks the node version and flags itself, but only the length of the
 * source, so the build id in the name is what keeps one build's code out of another's.
 * GIT_PROMOTE_CODE_CACHE=0 turns it off.
 */
function codeCachePath(env) {
  if (env.GIT_PROMOTE_CODE_CACHE === '0' || typeof process.getuid !== 'function') return null;
  const path = require('node:path');
  const base = env.XDG_CACHE_HOME || (env.HOME ? path.join(env.HOME, '.cache') : '');
  if (!path.isAbsolute(base)) return null;
  const name = `main-${BUILD.id}-${process.version}-${process.arch}.v8cache`;
  return path.join(base, 'git-promote', name);
}

/** Code that runs as this user is read only from a directory and file no one else can write. */
function privateTo(stat, kind) {
  return (
    (kind === 'dir' ? stat.isDirectory() : stat.isFile()) &&
    stat.uid === process.getuid() &&
    (stat.mode & 0o022) === 0
  );
}

function readPrivate(fs, path, file, say) {
  try {
    if (!privateTo(fs.lstatSync(path.dirname(file)), 'dir')) {
      say(`${path.dirname(file)}: not a directory only this user can write, not used`);
      return undefined;
    }
    const fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
    try {
      if (privateTo(fs.fstatSync(fd), 'file')) return fs.readFileSync(fd);
      say(`${file}: not a file only this user can write, not read`);
      return undefined;
    } finally {
      fs.closeSync(fd);
    }
  } catch (err) {
    say(`${file}: ${err.code === 'ENOENT' ? 'none yet' : `not read (${err.code ?? err.message})`}`);
    return undefined; // compile from source
  }
}

/** Kept: this build's cache and the three newest others (another installed version's). */
const KEEP_OTHERS = 3;

function writePrivate(fs, path, file, data, say) {
  const dir = path.dirname(file);
  const temp = `${file}.${process.pid}.tmp`;
  try {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    if (!privateTo(fs.lstatSync(dir), 'dir')) {
      say(`${dir}: not a directory only this user can write, not written`);
      return;
    }
    fs.writeFileSync(temp, data(), { mode: 0o600, flag: 'wx' });
    fs.renameSync(temp, file);
    say(`${file}: written`);
    const others = fs
      .readdirSync(dir)
      .filter((n) => n.endsWith('.v8cache') && n !== path.basename(file))
      .map((n) => ({ n, t: fs.statSync(path.join(dir, n)).mtimeMs }))
      .sort((a, b) => b.t - a.t);
    for (const { n } of others.slice(KEEP_OTHERS)) fs.rmSync(path.join(dir, n), { force: true });
  } catch (err) {
    // The cache only saves time: a full disk or a read-only home must not fail the command.
    say(`${file}: not written (${err.code ?? err.message})`);
    try {
      fs.rmSync(temp, { force: true });
    } catch {
      // nothing left to clean
    }
  }
}
