import { afterAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLI, runCliProcess } from '../helpers/cli.js';
import { tempDir, testEnv } from '../helpers/git-repo.js';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
function fresh(): string {
  const d = tempDir('git-promote-sandbox-test-');
  dirs.push(d);
  return d;
}

describe('git promote sandbox (the built CLI)', () => {
  it('runs the whole lifecycle, every step passing, and removes the world', async () => {
    const dir = join(fresh(), 'world');
    const r = await runCliProcess(['sandbox', dir], { cwd: fresh(), timeoutMs: 120_000 });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const steps = r.stdout.split('\n').filter((l) => /^[✓✗] \[\d+\/\d+\]/.test(l));
    expect(steps.length).toBeGreaterThanOrEqual(12);
    expect(steps.every((l) => l.startsWith('✓'))).toBe(true);
    for (const word of ['propose', 'validate', 'merge', 'apply', 'verify', 'rollback', 'history']) {
      expect(
        steps.some((l) => l.includes(word)),
        word,
      ).toBe(true);
    }
    expect(r.stdout).toContain('the whole lifecycle passed');
    expect(existsSync(dir)).toBe(false);
  });

  it('reports the steps as JSON', async () => {
    const r = await runCliProcess(['sandbox', '--json'], { cwd: fresh(), timeoutMs: 120_000 });
    expect(r.code).toBe(0);
    const data = JSON.parse(r.stdout);
    expect(data.ok).toBe(true);
    expect(data.steps.map((s: { ok: boolean }) => s.ok)).not.toContain(false);
  });

  it('--stages runs the lifecycle with a staging and a production host, the soak refusal included', async () => {
    const dir = join(fresh(), 'stages');
    const r = await runCliProcess(['sandbox', dir, '--stages', '--json'], {
      cwd: fresh(),
      timeoutMs: 180_000,
    });
    expect(r.code).toBe(0);
    const data = JSON.parse(r.stdout);
    expect(data).toMatchObject({ ok: true, stages: true });
    const steps = data.steps as { title: string; ok: boolean; exitCode: number; summary: string }[];
    expect(steps.every((s) => s.ok)).toBe(true);
    const refused = steps.find((s) => s.title.includes('before the 1d soak'))!;
    expect(refused.exitCode).toBe(1);
    expect(refused.summary).toMatch(
      /^refused, as expected: propose refused before committing or pushing anything/,
    );
    expect(steps.find((s) => s.title.includes('prod-1 lags'))!.summary).toContain(
      'production NOT verified (prod-1 lagging)',
    );
    expect(steps.at(-1)!.summary).toBe('staging verified (stg-1 ok); production verified (prod-1 ok)');
    expect(existsSync(dir)).toBe(false);
  });

  it('refuses a directory that is not empty, touching nothing', async () => {
    const dir = fresh();
    writeFileSync(join(dir, 'keep.txt'), 'mine');
    const r = await runCliProcess(['sandbox', dir], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`error: ${dir} is not empty`);
    expect(readdirSync(dir)).toEqual(['keep.txt']);
  });

  it('--keep leaves the world and its stand-ins up until SIGTERM', async () => {
    const dir = join(fresh(), 'kept');
    mkdirSync(dir);
    const child = spawn(process.execPath, [CLI, 'sandbox', dir, '--keep'], {
      env: testEnv() as NodeJS.ProcessEnv,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no keep instructions in time:\n${out}`)), 120_000);
      child.stdout.on('data', () => {
        if (/Model artifacts: .*\n/.test(out)) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    const api = /export GITHUB_API_URL=(\S+)/.exec(out)![1]!;
    // The stand-in still answers while the command waits.
    expect(
      (await fetch(`${api}/repos/sandbox/projections`, { headers: { authorization: 'token x' } })).status,
    ).toBe(401);
    const code = await new Promise<number | null>((resolve) => {
      child.on('close', resolve);
      child.kill('SIGTERM');
    });
    expect(code).toBe(0);
    expect(existsSync(join(dir, 'laptop', 'projections', 'promote.config.json'))).toBe(true);
  });
});
