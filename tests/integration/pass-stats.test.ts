/** passes.json and the node_exporter metrics file on a real file system. */
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readPassStats, writeMetricsFile, writePassStats } from '../../src/adapters/fs/pass-stats.js';
import { statePaths } from '../../src/adapters/fs/state-store.js';
import { TransientError } from '../../src/core/errors.js';
import { emptyPassStats, recordPass } from '../../src/core/pass-metrics.js';
import { tempDir } from '../helpers/git-repo.js';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));
const dir = () => {
  const d = tempDir();
  dirs.push(d);
  return d;
};

describe('pass record file', () => {
  it('is none before the first pass, and reads back what was written', () => {
    const paths = statePaths(dir());
    expect(readPassStats(paths)).toBeNull();
    const stats = recordPass(emptyPassStats(), {
      ok: false,
      at: new Date('2026-11-26T18:00:00Z'),
      error: new TransientError('fetch failed', 'later'),
    });
    writePassStats(paths, stats);
    expect(readPassStats(paths)).toEqual(stats);
  });

  it('starts over from an unreadable or invalid record, but fails on a path it cannot read', () => {
    const paths = statePaths(dir());
    writeFileSync(paths.passes, '{"version": 1');
    expect(readPassStats(paths)).toEqual(emptyPassStats());
    writeFileSync(paths.passes, JSON.stringify({ version: 2 }));
    expect(readPassStats(paths)).toEqual(emptyPassStats());
    rmSync(paths.passes);
    mkdirSync(paths.passes);
    expect(() => readPassStats(paths)).toThrow(expect.objectContaining({ code: 'EISDIR' }));
  });
});

describe('metrics file', () => {
  it('is replaced whole, with no temp file left', () => {
    const d = dir();
    const file = join(d, 'git_promote.prom');
    writeMetricsFile(file, 'a 1\n');
    writeMetricsFile(file, 'a 2\n');
    expect(readFileSync(file, 'utf8')).toBe('a 2\n');
    expect(statSync(file).mode & 0o777).toBe(0o644);
    expect(readdirSync(d)).toEqual(['git_promote.prom']);
  });

  it('is readable by another user whatever the umask', (ctx) => {
    let old: number;
    try {
      old = process.umask(0o077);
    } catch {
      return ctx.skip('process.umask cannot be set in a worker thread (as in the mutation run)');
    }
    const file = join(dir(), 'git_promote.prom');
    try {
      writeMetricsFile(file, 'a 1\n');
    } finally {
      process.umask(old);
    }
    expect(statSync(file).mode & 0o777).toBe(0o644);
  });
});
