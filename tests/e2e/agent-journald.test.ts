/**
 * Under systemd, JOURNAL_STREAM names the stream connected to the journal ("<dev>:<inode>"). The
 * built CLI runs with stdout and stderr on a file whose device and inode the test passes the same
 * way, so it sees exactly what journald would read: each line prefixed with its priority.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { closeSync, fstatSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { journalStreams } from '../../src/cli/journal-stream.js';
import { createAgentWorld, FILES, type AgentWorld } from '../helpers/agent-world.js';
import { CLI } from '../helpers/cli.js';
import { testEnv } from '../helpers/git-repo.js';

const worlds: AgentWorld[] = [];
afterEach(() => worlds.splice(0).forEach((w) => w.cleanup()));

/** Run the CLI with stdout and stderr both on `file` (as systemd does with one journal socket). */
function runToFile(
  args: string[],
  cwd: string,
  file: string,
  journalStream: (dev: bigint, ino: bigint) => string,
): Promise<{ code: number | null; lines: string[] }> {
  const fd = openSync(file, 'w');
  const st = fstatSync(fd, { bigint: true });
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd,
    env: testEnv({ JOURNAL_STREAM: journalStream(st.dev, st.ino) }) as NodeJS.ProcessEnv,
    stdio: ['ignore', fd, fd],
  });
  closeSync(fd);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, lines: readFileSync(file, 'utf8').split('\n').filter(Boolean) });
    });
  });
}

/** What `journalctl -p err` would show: lines at priority 0-3. */
const errLines = (lines: string[]) => lines.filter((l) => /^<[0-3]>/.test(l));

describe('journald priorities', () => {
  it('prefixes every agent line with its syslog priority; -p err shows exactly the failures', async () => {
    const w = createAgentWorld();
    worlds.push(w);
    const out = join(w.dir, 'journal.out');
    const journal = (dev: bigint, ino: bigint) => `${dev}:${ino}`;

    const commit = w.promote({ minutes: 'm2' });
    const ok = await runToFile(['agent', '--once'], w.cwd, out, journal);
    expect(ok.code).toBe(0);
    expect(
      ok.lines.every((l) => /^<[3-6]>\S+Z \S+/.test(l)),
      ok.lines.join('\n'),
    ).toBe(true);
    expect(ok.lines[0]).toMatch(/^<6>\S+Z started target=/);
    expect(ok.lines).toContainEqual(
      expect.stringMatching(`^<6>\\S+Z applied commit=${commit.slice(0, 12)} `),
    );
    expect(errLines(ok.lines)).toEqual([]);

    w.repo.commit({ [FILES.minutes]: '{"run_id": ' });
    const refused = await runToFile(['agent', '--once'], w.cwd, out, journal);
    expect(refused.code).toBe(1);
    expect(errLines(refused.lines)).toEqual([
      expect.stringMatching(/^<3>\S+Z refused message=".*not valid JSON/),
    ]);
    expect(refused.lines.at(-1)).toMatch(/^<6>\S+Z stopped reason=once$/);

    // --json lines keep the prefix too: journald strips it and stores the JSON as the message.
    const json = await runToFile(['agent', '--once', '--json'], w.cwd, out, journal);
    expect(errLines(json.lines).map((l) => JSON.parse(l.slice(3)).event)).toEqual(['refused']);

    // A configuration error before the loop starts goes to stderr, every line at err.
    const usage = await runToFile(['agent', '--once', '--interval', 'soon'], w.cwd, out, journal);
    expect(usage.code).toBe(2);
    expect(usage.lines).toEqual([
      '<3>error: invalid --interval "soon"',
      expect.stringMatching(/^<3>hint: Pass a duration/),
    ]);
  });

  it('adds no prefix when JOURNAL_STREAM names another stream (inherited, output redirected)', async () => {
    const w = createAgentWorld();
    worlds.push(w);
    const r = await runToFile(
      ['agent', '--once'],
      w.cwd,
      join(w.dir, 'redirected.out'),
      (dev, ino) => `${dev}:${ino + 1n}`,
    );
    expect(r.code).toBe(0);
    expect(r.lines[0]).toMatch(/^\S+Z started target=/);
    expect(r.lines.some((l) => l.startsWith('<'))).toBe(false);
  });

  it('reads JOURNAL_STREAM as systemd writes it and ignores anything else', () => {
    const fstat = (fd: number) => ({ dev: 2049n, ino: fd === 1 ? 77n : 78n });
    expect(journalStreams({ JOURNAL_STREAM: '2049:77' }, fstat)).toEqual({ stdout: true, stderr: false });
    expect(journalStreams({ JOURNAL_STREAM: '2049:78' }, fstat)).toEqual({ stdout: false, stderr: true });
    expect(journalStreams({}, fstat)).toEqual({ stdout: false, stderr: false });
    expect(journalStreams({ JOURNAL_STREAM: 'yes' }, fstat)).toEqual({ stdout: false, stderr: false });
  });
});
