import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCliProcess } from '../helpers/cli.js';
import { createRepo, type TestRepo } from '../helpers/git-repo.js';
import { pointerJson, sampleConfig } from '../helpers/fixtures.js';
import { COMMANDS } from '../../src/cli/commands.js';

let repo: TestRepo;
beforeAll(() => {
  repo = createRepo({ 'config/minutes_current_run.json': pointerJson('m1') });
});
afterAll(() => repo.cleanup());

function writeConfig(value: unknown): void {
  writeFileSync(
    join(repo.clone, 'promote.config.json'),
    typeof value === 'string' ? value : JSON.stringify(value),
  );
}

describe('the built CLI as a process', () => {
  it('prints its version and help with exit 0', async () => {
    const version = await runCliProcess(['--version'], { cwd: repo.dir });
    expect(version.code).toBe(0);
    expect(version.stdout.trim()).toBe(JSON.parse(readFileSync('package.json', 'utf8')).version);
    const help = await runCliProcess(['--help'], { cwd: repo.dir });
    expect(help.code).toBe(0);
    for (const c of COMMANDS) expect(help.stdout).toContain(c.name);
  });

  it('gives every command --json and --config', async () => {
    for (const c of COMMANDS) {
      const help = await runCliProcess([c.name, '--help'], { cwd: repo.dir });
      expect(help.code, c.name).toBe(0);
      expect(help.stdout, c.name).toContain('--json');
      expect(help.stdout, c.name).toContain('--config <file>');
    }
  });

  it('answers an unknown command or option with exit 2 and no stack', async () => {
    for (const args of [['bogus'], ['status', '--bogus']]) {
      const r = await runCliProcess(args, { cwd: repo.dir });
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/error: unknown/);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
  });

  it('refuses a bad option value in two lines (exit 2), with no stack and nothing run', async () => {
    for (const [args, first] of [
      [['merge', '--pr', '12abc'], 'error: --pr "12abc" is not a pull request number'],
      [['history', 'minutes', '--limit', '0'], 'error: --limit must be a positive whole number, not "0"'],
      [['agent', '--interval', '0s'], 'error: invalid --interval "0s"'],
      [['at', '--as-of', 'noon'], 'error: --as-of must be pretip or end, not "noon"'],
    ] as const) {
      const r = await runCliProcess([...args], { cwd: repo.dir });
      expect(r.code, args.join(' ')).toBe(2);
      const lines = r.stderr.trimEnd().split('\n');
      expect(lines).toEqual([first, expect.stringMatching(/^hint: \S/)]);
      expect(r.stdout).toBe('');
    }
  });

  it('reports a missing config file in two lines (exit 2)', async () => {
    const r = await runCliProcess(['status'], { cwd: repo.dir });
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual([
      `error: no promote.config.json found in ${repo.dir} or any parent directory`,
      'hint: Run `git promote init` in the pipeline repository, or pass --config FILE.',
    ]);
  });

  it('reports malformed config JSON (exit 2) and a JSON error object with --json', async () => {
    writeConfig('{"pointers": {');
    const r = await runCliProcess(['status', '--json'], { cwd: repo.clone });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: .*promote\.config\.json is not valid JSON/);
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: false, error: { exitCode: 2 } });
  });

  it('lists all five config problems at once and writes nothing', async () => {
    const config = sampleConfig(repo.dir, {
      repository: { remote: 'origin', branch: '-main', github: 'nope' },
      policy: { evidenceMaxAgeDays: 0, mergeMethod: 'yolo' },
    }) as { pointers: Record<string, Record<string, unknown>> };
    config.pointers.minutes!.contract = 'two-ish';
    writeConfig(config);
    const before = readdirSync(repo.clone).sort();
    const r = await runCliProcess(['status'], { cwd: repo.clone });
    expect(r.code).toBe(2);
    const lines = r.stderr.trim().split('\n');
    expect(lines[0]).toMatch(/promote\.config\.json has 5 problems:$/);
    expect(lines.filter((l) => l.startsWith('  '))).toHaveLength(5);
    expect(lines.at(-1)).toMatch(/^hint: Fix them in /);
    expect(readdirSync(repo.clone).sort()).toEqual(before);
  });

  it('--debug shows the stack', async () => {
    writeConfig('{');
    const r = await runCliProcess(['status', '--debug'], { cwd: repo.clone });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/\n\s+at /);
  });

  it('never prints a token, even when git or an error would', async () => {
    const token = 'ghp_SECRETsecretSECRETsecret0123456789';
    writeConfig(sampleConfig(repo.dir));
    // A remote URL carrying the token, which fails to fetch: git and our error both mention it.
    repo.git(['remote', 'set-url', 'origin', `https://x-access-token:${token}@127.0.0.1:1/acme/p.git`]);
    try {
      const r = await runCliProcess(['status', '--debug'], { cwd: repo.clone, env: { GITHUB_TOKEN: token } });
      expect(r.code).toBe(3);
      expect(r.stderr).toContain('git fetch origin main failed');
      expect(r.stdout + r.stderr).not.toContain(token);
      expect(r.stdout + r.stderr).not.toContain(encodeURIComponent(token));
    } finally {
      repo.git(['remote', 'set-url', 'origin', repo.remote]);
    }
  });
});
