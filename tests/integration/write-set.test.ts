/** The atomic write set, journal and state store on a real file system. */
import { afterEach, describe, expect, it } from 'vitest';
import {
  appendFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { recoverIntent, writeSet, readIntent } from '../../src/adapters/fs/write-set.js';
import {
  fsyncDir,
  isTempName,
  removeTemps,
  withPath,
  writeFileAtomic,
} from '../../src/adapters/fs/atomic-write.js';
import {
  appendJournal,
  emptyState,
  ensureStateDir,
  resolveStateDir,
  readJournal,
  readState,
  statePaths,
  writeState,
} from '../../src/adapters/fs/state-store.js';
import type { CrashHook } from '../../src/adapters/fs/crash-points.js';
import { tempDir } from '../helpers/git-repo.js';
import { linuxOnly } from '../helpers/platform.js';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

function dir(): string {
  const d = tempDir();
  dirs.push(d);
  return d;
}

/** Stop at a step the way a crash would, but in-process: throw and never clean up after. */
function stopAt(step: string, nth = 1): CrashHook {
  let seen = 0;
  return (s) => {
    if (s === step && ++seen === nth) throw new Error(`stopped at ${s}`);
  };
}

describe('write set', () => {
  it('completes a committed set on recovery, rewriting a file whose temp file was lost', () => {
    const d = dir();
    const [a, b, intent] = [join(d, 'a.json'), join(d, 'b.json'), join(d, 'intent.json')];
    writeFileSync(a, 'old a');
    writeFileSync(b, 'old b');
    const finished: string[] = [];
    expect(() =>
      writeSet({
        intentPath: intent,
        id: 'x1',
        createdAt: 'now',
        files: [
          { path: a, content: 'new a' },
          { path: b, content: 'new b' },
        ],
        record: {},
        finish: (i) => finished.push(i.id),
        crash: stopAt('renamed', 2), // the intent (1st rename), then a; b not yet
      }),
    ).toThrow('stopped at renamed');
    expect(readFileSync(a, 'utf8')).toBe('new a');
    expect(readFileSync(b, 'utf8')).toBe('old b');
    // The temp file of b disappears (someone cleaned up by hand): the intent holds the content.
    const staged = readIntent<object>(intent)!.files[1]!.temp;
    unlinkSync(staged);
    const r = recoverIntent({ intentPath: intent, dirs: [d], finish: (i) => finished.push(i.id) });
    expect(r.completed?.id).toBe('x1');
    expect([readFileSync(a, 'utf8'), readFileSync(b, 'utf8')]).toEqual(['new a', 'new b']);
    expect(finished).toEqual(['x1']);
    expect(existsSync(intent)).toBe(false);
    expect(readdirSync(d).sort()).toEqual(['a.json', 'b.json']);
  });

  it('discards a set that stopped before its intent was written', () => {
    const d = dir();
    const [a, b, intent] = [join(d, 'a.json'), join(d, 'b.json'), join(d, 'intent.json')];
    writeFileSync(a, 'old a');
    writeFileSync(b, 'old b');
    expect(() =>
      writeSet({
        intentPath: intent,
        id: 'x2',
        createdAt: 'now',
        files: [
          { path: a, content: 'new a' },
          { path: b, content: 'new b' },
        ],
        record: {},
        finish: () => undefined,
        crash: stopAt('temp-written', 2),
      }),
    ).toThrow();
    // a's temp file was removed on the way out; b's is left as a crash would leave it.
    expect(readdirSync(d).filter((n) => n.includes('git-promote-tmp'))).toHaveLength(1);
    const r = recoverIntent({ intentPath: intent, dirs: [d], finish: () => undefined });
    expect(r.completed).toBeNull();
    expect(r.discarded).toHaveLength(1);
    expect([readFileSync(a, 'utf8'), readFileSync(b, 'utf8')]).toEqual(['old a', 'old b']);
    expect(readdirSync(d).sort()).toEqual(['a.json', 'b.json']);
  });

  it('refuses an intent journal that is not its own format', () => {
    const d = dir();
    writeFileSync(join(d, 'intent.json'), '{"hello": 1}');
    expect(() =>
      recoverIntent({ intentPath: join(d, 'intent.json'), dirs: [], finish: () => undefined }),
    ).toThrow(/the intent journal .* is not valid/);
  });

  it('reaches the documented crash steps in order, and leaves only the files of the set', () => {
    const d = dir();
    const [a, b, intent] = [join(d, 'a.json'), join(d, 'b.json'), join(d, 'intent.json')];
    writeFileSync(a, 'old a');
    const steps: string[] = [];
    writeSet({
      intentPath: intent,
      id: 'x3',
      createdAt: 'now',
      files: [
        { path: a, content: 'new a' },
        { path: b, content: 'new b' },
      ],
      record: {},
      finish: () => steps.push('(finish)'),
      crash: (s) => steps.push(s),
    });
    expect(steps).toEqual([
      'temp-written', // a
      'temp-written', // b
      'temp-written', // the intent
      'renamed',
      'intent-written',
      'renamed', // a
      'renamed', // b
      '(finish)',
      'finished',
      'intent-removed',
    ]);
    const documented = /GIT_PROMOTE_TEST_CRASH_AT=[\s\S]*?\(([^)]*)\)/.exec(
      readFileSync(new URL('../../docs/agent.md', import.meta.url), 'utf8'),
    )![1]!;
    for (const step of new Set(steps.filter((x) => x !== '(finish)')))
      expect(documented, `docs/agent.md names step ${step}`).toContain(`\`${step}\``);
    expect(readdirSync(d).sort()).toEqual(['a.json', 'b.json']);
  });

  it('recovery writes a file again from the intent when both its temp file and the file are gone, even an empty one', () => {
    const d = dir();
    const [a, intent] = [join(d, 'a.json'), join(d, 'intent.json')];
    expect(() =>
      writeSet({
        intentPath: intent,
        id: 'x4',
        createdAt: 'now',
        files: [{ path: a, content: '' }],
        record: {},
        finish: () => undefined,
        crash: stopAt('intent-written'),
      }),
    ).toThrow();
    unlinkSync(readIntent<object>(intent)!.files[0]!.temp);
    expect(existsSync(a)).toBe(false);
    recoverIntent({ intentPath: intent, dirs: [d], finish: () => undefined });
    expect(readFileSync(a, 'utf8')).toBe('');
    expect(readdirSync(d)).toEqual(['a.json']);
  });

  it('a set that cannot stage a file or write its intent leaves no temp file and changes nothing', () => {
    const d = dir();
    const a = join(d, 'a.json');
    writeFileSync(a, 'old a');
    const set = (files: { path: string; content: string }[], intentPath: string) => () =>
      writeSet({ intentPath, id: 'x5', createdAt: 'now', files, record: {}, finish: () => undefined });
    expect(
      set(
        [
          { path: a, content: 'new a' },
          { path: join(d, 'missing', 'b.json'), content: 'new b' },
        ],
        join(d, 'intent.json'),
      ),
    ).toThrow(/ENOENT/);
    expect(readdirSync(d).sort()).toEqual(['a.json']);
    expect(set([{ path: a, content: 'new a' }], join(d, 'missing', 'intent.json'))).toThrow(/ENOENT/);
    expect(readdirSync(d).sort()).toEqual(['a.json']);
    expect(readFileSync(a, 'utf8')).toBe('old a');
  });

  it('refuses an intent journal of another version or without files, saying what to do', () => {
    const d = dir();
    const path = join(d, 'intent.json');
    for (const intent of [
      { version: 2, files: [] },
      { version: 1, files: 'a.json' },
    ]) {
      writeFileSync(path, JSON.stringify(intent));
      expect(() => readIntent(path)).toThrow(
        expect.objectContaining({
          message: `the intent journal ${path} is not valid`,
          remedy:
            'It is written atomically, so something else changed it: inspect it, then remove it and run apply again.',
        }),
      );
    }
  });

  it('writeFileAtomic replaces a file and leaves no temp file', () => {
    const d = dir();
    writeFileAtomic(join(d, 'f'), 'one');
    writeFileAtomic(join(d, 'f'), 'two');
    expect(readFileSync(join(d, 'f'), 'utf8')).toBe('two');
    expect(readdirSync(d)).toEqual(['f']);
  });
});

describe('atomic writes', () => {
  it('give a file exactly the mode asked for, past the umask', () => {
    const d = dir();
    writeFileAtomic(join(d, 'f'), 'x', undefined, 0o666);
    expect(statSync(join(d, 'f')).mode & 0o777).toBe(0o666);
  });

  it('leave no directory open after syncing it', (ctx) => {
    linuxOnly(ctx, 'open descriptors are counted in /proc/self/fd');
    const d = dir();
    const open = () => readdirSync('/proc/self/fd').length;
    const before = open();
    for (let i = 0; i < 50; i++) fsyncDir(d);
    expect(open() - before).toBeLessThan(10);
  });

  it('name the file in an error from its descriptor, and leave anything else alone', () => {
    const noPath = Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    expect(withPath(noPath, '/s/state.json')).toMatchObject({ path: '/s/state.json' });
    const withOwn = Object.assign(new Error('x'), { code: 'ENOENT', path: '/s/a' });
    expect(withPath(withOwn, '/s/b')).toMatchObject({ path: '/s/a' });
    const plain = new Error('not a system error');
    expect(withPath(plain, '/s/b')).not.toHaveProperty('path');
    expect(withPath('thrown text', '/s/b')).toBe('thrown text');
    expect(withPath(undefined, '/s/b')).toBeUndefined();
  });
});

describe('temp files', () => {
  it('removeTemps removes only hidden files carrying the temp mark', () => {
    const d = dir();
    const names = ['.a.json.git-promote-tmp-1-ab', 'b.json.git-promote-tmp-1-ab', '.hidden', 'c.json'];
    for (const n of names) writeFileSync(join(d, n), 'x');
    expect(isTempName(names[0]!)).toBe(true);
    expect(removeTemps(d)).toEqual([names[0]]);
    expect(readdirSync(d).sort()).toEqual(names.slice(1).sort());
    expect(removeTemps(join(d, 'missing'))).toEqual([]);
  });
});

describe('state store', () => {
  it('journal: a torn last line is skipped and the next entry starts on a new line', () => {
    const paths = statePaths(dir());
    appendJournal(paths, { at: 't1', event: 'applied', id: 'a' });
    appendFileSync(paths.journal, '{"at": "t2", "event": "app'); // a crash mid-append
    appendJournal(paths, { at: 't3', event: 'applied', id: 'b' });
    expect(readJournal(paths).map((e) => e.id)).toEqual(['a', 'b']);
    expect(readFileSync(paths.journal, 'utf8').split('\n')).toHaveLength(4);
  });

  it('journal: one line per entry, and a journal that cannot be read is an error naming it', () => {
    const paths = statePaths(dir());
    const steps: string[] = [];
    appendJournal(paths, { at: 't1', event: 'applied', id: 'a' }, (s) => steps.push(s));
    appendJournal(paths, { at: 't2', event: 'applied', id: 'b' });
    expect(readFileSync(paths.journal, 'utf8')).toBe(
      '{"at":"t1","event":"applied","id":"a"}\n{"at":"t2","event":"applied","id":"b"}\n',
    );
    expect(steps).toEqual(['journal-appended']);
    rmSync(paths.journal);
    mkdirSync(paths.journal);
    expect(() => readJournal(paths)).toThrow(
      expect.objectContaining({ code: 'EISDIR', path: paths.journal }),
    );
  });

  it('state: the files of the state directory are the ones docs/agent.md lists', () => {
    const page = readFileSync(new URL('../../docs/agent.md', import.meta.url), 'utf8');
    const table = page.slice(page.indexOf('| file '), page.indexOf('\n\n', page.indexOf('| file ')));
    const documented = [...table.matchAll(/^\| `([^`]+?)\/?` /gm)].map((m) => m[1]);
    const { dir: _, ...files } = statePaths('/s');
    expect(
      Object.values(files)
        .map((p) => p.slice('/s/'.length))
        .sort(),
    ).toEqual(documented.sort());
  });

  it('state: refusals say what to do, and an unreadable state file is an error naming it', () => {
    const paths = statePaths(dir());
    const steps: string[] = [];
    writeState(paths, emptyState('/t'), (s) => steps.push(s));
    expect(steps).toEqual(['temp-written', 'renamed', 'state-written']);
    expect(() => readState(paths, '/other')).toThrow(
      expect.objectContaining({ remedy: 'Give each target its own agent.state directory.' }),
    );
    writeFileSync(paths.state, 'not json');
    expect(() => readState(paths, '/t')).toThrow(
      expect.objectContaining({
        message: `agent state ${paths.state} is not valid`,
        remedy: `Restore it from the last "applied" line of ${paths.journal}, or remove it to start over.`,
      }),
    );
    rmSync(paths.state);
    mkdirSync(paths.state);
    expect(() => readState(paths, '/t')).toThrow(
      expect.objectContaining({ code: 'EISDIR', path: paths.state }),
    );
    expect(() => resolveStateDir(undefined, '/srv/t', {}, '/repo')).toThrow(
      expect.objectContaining({
        remedy: 'Set agent.state in promote.config.json (for example /var/lib/git-promote).',
      }),
    );
  });

  it('state: missing is empty; another target or a broken file is refused', () => {
    const paths = statePaths(dir());
    expect(readState(paths, '/t')).toEqual(emptyState('/t'));
    writeState(paths, {
      ...emptyState('/t'),
      applied: { id: 'i', commit: 'c', at: 'now', runs: { m: 'r' } },
    });
    expect(readState(paths, '/t').applied?.commit).toBe('c');
    expect(() => readState(paths, '/other')).toThrow(/belongs to target \/t, not \/other/);
    writeFileSync(paths.state, '{"version": 1');
    expect(() => readState(paths, '/t')).toThrow(/is not valid/);
  });

  it('state directory: agent.state relative to the config, else one per target under XDG_STATE_HOME or HOME', () => {
    expect(resolveStateDir('state', '/srv/t', {}, '/repo')).toBe('/repo/state');
    expect(resolveStateDir('/var/lib/gp', '/srv/t', {}, '/repo')).toBe('/var/lib/gp');
    const xdg = resolveStateDir(undefined, '/srv/target', { XDG_STATE_HOME: '/x', HOME: '/h' }, '/repo');
    expect(xdg).toMatch(/^\/x\/git-promote\/target-[0-9a-f]{10}$/);
    expect(resolveStateDir(undefined, '/srv/target', { HOME: '/h' }, '/repo')).toBe(
      xdg.replace('/x/', '/h/.local/state/'),
    );
    expect(resolveStateDir(undefined, '/other/target', { HOME: '/h' }, '/repo')).not.toBe(
      resolveStateDir(undefined, '/srv/target', { HOME: '/h' }, '/repo'),
    );
    expect(resolveStateDir(undefined, '/', { HOME: '/h' }, '/repo')).toMatch(/\/target-[0-9a-f]{10}$/);
    expect(() => resolveStateDir(undefined, '/srv/t', {}, '/repo')).toThrow(
      'no state directory: agent.state is not set and neither XDG_STATE_HOME nor HOME is',
    );
    const paths = statePaths(join(dir(), 'deep', 'state'));
    ensureStateDir(paths);
    expect(statSync(paths.dir).mode & 0o777).toBe(0o700);
    expect(readJournal(paths)).toEqual([]);
  });
});
