/**
 * The one git runner (src/adapters/git.ts) against real git: exit codes, stdin, abort and timeout
 * (the processes are gone afterwards, helpers included), user strings after `--`, and the
 * streaming `cat-file --batch` reader on missing objects, binary blobs and many blobs; fetches
 * that lose a ref update to another git (runGitRetryingRefLocks), in a shared clone and in the
 * agent mirror.
 */
import { createHash, randomBytes } from 'node:crypto';
import {
  existsSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  GitError,
  fetchBranch,
  openBlobReader,
  readBlobBytes,
  readBlobs,
  resolveCommit,
  runGit,
  type Env,
} from '../../src/adapters/git.js';
import { classifyGitFailure } from '../../src/core/git-failure.js';
import { PromoteError, TransientError, UsageError } from '../../src/core/errors.js';
import { ensureMirror, fetchMirror, markApplied } from '../../src/adapters/git-mirror.js';
import { createRepo, git, testEnv, type TestRepo } from '../helpers/git-repo.js';
import { alive, waitUntil } from '../helpers/wait.js';

const env: Env = testEnv();

/** Pids of live processes whose command line contains `marker`. */
function processesWith(marker: string): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (readFileSync(`/proc/${name}/cmdline`, 'utf8').includes(marker) && alive(Number(name)))
        out.push(Number(name));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/** Pids of live processes (other than this one) whose working directory is `dir`. */
function processesIn(dir: string): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    try {
      if (readlinkSync(`/proc/${name}/cwd`) === dir && alive(Number(name))) out.push(Number(name));
    } catch {
      // gone meanwhile, or not ours to read
    }
  }
  return out;
}

/** A loopback server that accepts connections and never answers: a dead network path. */
async function silentServer(): Promise<{
  url: (marker: string) => string;
  connections: () => number;
  close: () => Promise<void>;
}> {
  const sockets = new Set<Socket>();
  let connections = 0;
  const server: Server = createServer((s) => {
    connections += 1;
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  return {
    url: (marker) => `http://127.0.0.1:${port}/${marker}/repo.git`,
    connections: () => connections,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise((r) => server.close(r));
    },
  };
}

describe('runGit', () => {
  let repo: TestRepo;
  beforeEach(() => {
    repo = createRepo({ 'a.txt': 'a\n' });
  });
  afterEach(() => repo.cleanup());

  it('returns code, stdout and stderr of a run that succeeds', async () => {
    const r = await runGit(repo.clone, env, ['rev-parse', 'HEAD']);
    expect(r).toEqual({ code: 0, stdout: `${repo.head()}\n`, stderr: '' });
  });

  it('rejects a non-zero exit with a GitError carrying the code and stderr, unless okCodes allow it', async () => {
    const first = repo.head();
    const second = repo.commit({ 'b.txt': 'b\n' });
    const args = ['merge-base', '--is-ancestor', '--end-of-options', second, first];
    const err = await runGit(repo.clone, env, args).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GitError);
    expect((err as GitError).code).toBe(1);
    expect(await runGit(repo.clone, env, args, { okCodes: [0, 1] })).toMatchObject({ code: 1 });
    // A code outside okCodes still fails, with git's message.
    const missing = await runGit(repo.clone, env, ['cat-file', '-t', 'f'.repeat(40)], {
      okCodes: [0, 1],
    }).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(GitError);
    expect((missing as GitError).code).toBe(128);
    expect((missing as GitError).stderr).toMatch(/fatal/);
    expect((missing as GitError).message).toMatch(/^git cat-file failed: fatal/);
  });

  it('writes input to stdin, as text or as bytes with NUL and newlines', async () => {
    const text = await runGit(repo.clone, env, ['hash-object', '--stdin'], { input: 'hello\n' });
    // `printf 'hello\n' | git hash-object --stdin`
    expect(text.stdout.trim()).toBe('ce013625030ba8dba906f756967f9e9ca394464a');
    const bytes = Buffer.from([0, 1, 10, 0, 255, 10]);
    const expected = createHash('sha1')
      .update(Buffer.concat([Buffer.from(`blob ${bytes.length}\0`), bytes]))
      .digest('hex');
    const r = await runGit(repo.clone, env, ['hash-object', '--stdin'], { input: bytes });
    expect(r.stdout.trim()).toBe(expected);
  });

  it('passes user strings after `--` as data: an option-like path and shell syntax stay names', async () => {
    const sha = repo.commit({ '--output=x': 'o\n', '$(touch pwned)': 'p\n' }, 'odd names');
    for (const name of ['--output=x', '$(touch pwned)']) {
      const r = await runGit(repo.clone, env, ['log', '--format=%H', '--', name]);
      expect(r.stdout.trim()).toBe(sha);
    }
    expect(existsSync(join(repo.clone, 'x'))).toBe(false);
    expect(existsSync(join(repo.clone, 'pwned'))).toBe(false);
    // A ref that git would read as an option is refused before git runs.
    await expect(resolveCommit(repo.clone, env, '--output=x')).rejects.toBeInstanceOf(UsageError);
    expect(existsSync(join(repo.clone, 'x'))).toBe(false);
  });

  it('resolves a ref to its commit, and to null when it names none', async () => {
    expect(await resolveCommit(repo.clone, env, 'HEAD')).toBe(repo.head());
    expect(await resolveCommit(repo.clone, env, 'refs/heads/no-such-branch')).toBeNull();
  });
});

describe('runGit stopping a git that hangs', () => {
  let server: Awaited<ReturnType<typeof silentServer>>;
  let repo: TestRepo;
  beforeEach(async () => {
    server = await silentServer();
    repo = createRepo({ 'a.txt': 'a\n' });
  });
  afterEach(async () => {
    await server.close();
    repo.cleanup();
  });

  it('abort kills git and its transport helper, then rejects with a TransientError', async () => {
    const marker = `abort-${randomBytes(6).toString('hex')}`;
    const controller = new AbortController();
    const run = runGit(repo.clone, env, ['ls-remote', '--', server.url(marker)], {
      signal: controller.signal,
    }).catch((e: unknown) => e);
    // git and git-remote-http, the helper waiting on the silent server.
    await waitUntil(() => server.connections() > 0, 'the helper to connect');
    const pids = processesWith(marker);
    expect(pids.length).toBeGreaterThanOrEqual(2);
    controller.abort(new Error('test stop'));
    const err = await run;
    expect(err).toBeInstanceOf(TransientError);
    expect((err as Error).message).toBe('stopped by a signal during git ls-remote');
    // Settled only once every one of them is gone.
    expect(pids.filter(alive)).toEqual([]);
  });

  it('a timeout kills them and fails with code -1, which reads as a network failure', async () => {
    const marker = `timeout-${randomBytes(6).toString('hex')}`;
    const started = Date.now();
    const err = await runGit(repo.clone, env, ['ls-remote', '--', server.url(marker)], {
      timeout: 1500,
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GitError);
    expect((err as GitError).code).toBe(-1);
    expect((err as GitError).stderr).toContain('timed out after 1500 ms');
    expect(classifyGitFailure((err as GitError).stderr)).toBe('network');
    expect(Date.now() - started).toBeGreaterThanOrEqual(1500);
    expect(processesWith(marker)).toEqual([]);
  });

  it('an already aborted signal starts no git at all', async () => {
    const marker = `pre-abort-${randomBytes(6).toString('hex')}`;
    const controller = new AbortController();
    controller.abort();
    await expect(
      runGit(repo.clone, env, ['ls-remote', '--', server.url(marker)], { signal: controller.signal }),
    ).rejects.toBeInstanceOf(TransientError);
    expect(processesWith(marker)).toEqual([]);
  });
});

describe('readBlobBytes (one streaming cat-file --batch)', () => {
  let repo: TestRepo;
  beforeEach(() => {
    repo = createRepo({ 'a.txt': 'a\n' });
  });
  afterEach(() => repo.cleanup());

  it('answers null for a missing object, a missing path and a tree, in the order asked', async () => {
    const head = repo.head();
    const out = await readBlobs(repo.clone, env, [
      `${head}:nope.txt`,
      `${head}:a.txt`,
      'f'.repeat(40),
      `${head}:`,
      `${head}:a.txt`,
    ]);
    expect(out).toEqual([null, 'a\n', null, null, 'a\n']);
  });

  it('returns the exact bytes of a blob with newlines, NUL bytes, invalid UTF-8 and none at all', async () => {
    const binary = Buffer.concat([
      Buffer.from('line\n\n0 blob 5\n'),
      Buffer.from([0, 0, 10, 0xff, 0xfe]),
      randomBytes(200_000),
    ]);
    writeFileSync(join(repo.clone, 'bin.dat'), binary);
    writeFileSync(join(repo.clone, 'empty'), '');
    git(repo.clone, ['add', '--all']);
    git(repo.clone, ['commit', '--quiet', '-m', 'binary']);
    const head = repo.head();
    const [bin, empty, after] = await readBlobBytes(repo.clone, env, [
      `${head}:bin.dat`,
      `${head}:empty`,
      `${head}:a.txt`,
    ]);
    expect(bin!.equals(binary)).toBe(true);
    expect(empty).toEqual(Buffer.alloc(0));
    expect(after!.toString()).toBe('a\n');
  });

  it('reads many blobs of many sizes (chunk boundaries everywhere) with one process', async () => {
    const files: Record<string, string> = {};
    for (let i = 0; i < 600; i++) files[`many/${i}.txt`] = `${i}\n`.repeat((i * 37) % 3000);
    const head = repo.commit(files, 'many');
    const names = Object.keys(files);
    const specs = names.flatMap((n) => [`${head}:${n}`, `${head}:${n}.missing`]);
    const out = await readBlobs(repo.clone, env, specs);
    expect(out).toHaveLength(specs.length);
    names.forEach((n, i) => {
      expect(out[2 * i]).toBe(files[n]);
      expect(out[2 * i + 1]).toBeNull();
    });
  });

  it('refuses a name holding a newline or NUL, which would read another object', async () => {
    const head = repo.head();
    await expect(readBlobs(repo.clone, env, [`${head}:a.txt\n${head}:a.txt`])).rejects.toBeInstanceOf(
      UsageError,
    );
    await expect(readBlobs(repo.clone, env, [`${head}:a.txt\0x`])).rejects.toBeInstanceOf(UsageError);
  });

  it('fails outside a repository instead of answering null for everything', async () => {
    await expect(readBlobs(repo.dir, env, ['HEAD:a.txt'])).rejects.toBeInstanceOf(GitError);
  });
});

describe('openBlobReader (names asked while cat-file runs)', () => {
  let repo: TestRepo;
  beforeEach(() => {
    repo = createRepo({ 'a.txt': 'a\n', 'b.txt': 'b\n' });
  });
  afterEach(() => repo.cleanup());

  it('answers every name in the order asked, across waits between the asks', async () => {
    const head = repo.head();
    const reader = openBlobReader(repo.clone, env);
    reader.request(`${head}:a.txt`);
    // Let git answer the first name before the next ones are asked.
    await new Promise((r) => setTimeout(r, 20));
    reader.request(`${head}:nope.txt`);
    reader.request(`${head}:b.txt`);
    await new Promise((r) => setImmediate(r));
    reader.request(`${head}:a.txt`);
    const out = await reader.close();
    expect(out.map((b) => b?.toString() ?? null)).toEqual(['a\n', null, 'b\n', 'a\n']);
  });

  it('closes with nothing asked, and leaves no cat-file behind', async () => {
    const reader = openBlobReader(repo.clone, env);
    // The cat-file runs, waiting for names, until close().
    await waitUntil(() => processesIn(repo.clone).length > 0, 'a cat-file running in the clone');
    expect(await reader.close()).toEqual([]);
    expect(processesIn(repo.clone)).toEqual([]);
  });

  it('refuses a name with a newline and still closes; fails outside a repository', async () => {
    const reader = openBlobReader(repo.clone, env);
    expect(() => reader.request('HEAD:a.txt\nHEAD:b.txt')).toThrow(UsageError);
    expect(await reader.close()).toEqual([]);
    const outside = openBlobReader(repo.dir, env);
    outside.request('HEAD:a.txt');
    await expect(outside.close()).rejects.toBeInstanceOf(GitError);
  });
});

describe('fetchBranch run by several processes in one clone at once', () => {
  let repo: TestRepo;
  beforeEach(() => {
    repo = createRepo({ 'a.txt': 'a\n' });
  });
  afterEach(() => repo.cleanup());

  // Two fetches that both saw the old tip race for refs/remotes/origin/main; git refuses the
  // loser with "cannot lock ref … is at X but expected Y" (seen with three merge jobs sharing
  // a checkout). Every fetch must still succeed and answer the remote's tip.
  it('every fetch succeeds and answers the tip, while the remote moves between rounds', async () => {
    const pusher = join(repo.dir, 'pusher');
    git(repo.dir, ['clone', '--quiet', repo.remote, pusher]);
    for (let round = 0; round < 6; round += 1) {
      writeFileSync(join(pusher, 'a.txt'), `round ${round}\n`);
      git(pusher, ['commit', '--quiet', '--all', '-m', `round ${round}`]);
      git(pusher, ['push', '--quiet', 'origin', 'HEAD:refs/heads/main']);
      const tip = git(pusher, ['rev-parse', 'HEAD']).trim();
      const fetched = await Promise.all(
        Array.from({ length: 6 }, () => fetchBranch(repo.clone, env, 'origin', 'main')),
      );
      expect(fetched).toEqual(Array.from({ length: 6 }, () => tip));
    }
  });
});

describe('fetchMirror and a ref lock in the agent mirror', () => {
  let repo: TestRepo;
  let mirror: string;
  beforeEach(async () => {
    repo = createRepo({ 'a.txt': 'a\n' });
    mirror = join(repo.dir, 'mirror.git');
    await ensureMirror(mirror, env);
    await fetchMirror(mirror, env, repo.remote, 'main');
    repo.commit({ 'a.txt': 'b\n' }, 'next');
  });
  afterEach(() => repo.cleanup());
  const lock = () => join(mirror, 'refs', 'heads', 'main.lock');

  it('removes a lock a killed git left long ago, and fetches', async () => {
    writeFileSync(lock(), '');
    const old = new Date(Date.now() - 60_000);
    utimesSync(lock(), old, old);
    expect(await fetchMirror(mirror, env, repo.remote, 'main')).toBe(repo.head());
    expect(existsSync(lock())).toBe(false);
  });

  it('waits for a lock another git holds for a moment, and fetches', async () => {
    writeFileSync(lock(), '');
    const released = setTimeout(() => rmSync(lock()), 150);
    try {
      expect(await fetchMirror(mirror, env, repo.remote, 'main')).toBe(repo.head());
    } finally {
      clearTimeout(released);
    }
  });

  it('fails as a git failure of the mirror fetch when the lock stays', async () => {
    writeFileSync(lock(), '');
    const err = await fetchMirror(mirror, env, repo.remote, 'main').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PromoteError);
    expect((err as Error).message).toMatch(/^git fetch of branch main into the agent mirror failed/);
    expect(existsSync(lock())).toBe(true);
  });
});

describe('markApplied (refs/git-promote/applied in the agent mirror)', () => {
  let repo: TestRepo;
  let mirror: string;
  beforeEach(async () => {
    repo = createRepo({ 'a.txt': 'a\n' });
    mirror = join(repo.dir, 'mirror.git');
    await ensureMirror(mirror, env);
    await fetchMirror(mirror, env, repo.remote, 'main');
  });
  afterEach(() => repo.cleanup());
  const applied = () => git(mirror, ['rev-parse', 'refs/git-promote/applied']).trim();
  // No git can start without PATH: a call that succeeds with it ran none.
  const noGit = { ...env, PATH: '' };

  it('runs no git when the ref already names the commit, and updates it when it does not', async () => {
    const first = repo.head();
    await markApplied(mirror, env, first);
    expect(applied()).toBe(first);
    await markApplied(mirror, noGit, first);
    const second = repo.commit({ 'a.txt': 'b\n' }, 'next');
    await fetchMirror(mirror, env, repo.remote, 'main');
    await expect(markApplied(mirror, noGit, second)).rejects.toThrow();
    await markApplied(mirror, env, second);
    expect(applied()).toBe(second);
  });

  it('leaves a packed ref to git', async () => {
    await markApplied(mirror, env, repo.head());
    git(mirror, ['pack-refs', '--all']);
    expect(existsSync(join(mirror, 'refs', 'git-promote', 'applied'))).toBe(false);
    await expect(markApplied(mirror, noGit, repo.head())).rejects.toThrow();
    await markApplied(mirror, env, repo.head());
    expect(applied()).toBe(repo.head());
  });
});
