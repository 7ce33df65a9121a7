import { afterEach, describe, expect, it } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../../src/cli/program.js';
import { createRepo, type TestRepo } from '../helpers/git-repo.js';
import { testContext } from '../helpers/context.js';
import { pointerJson, sampleConfig } from '../helpers/fixtures.js';

const repos: TestRepo[] = [];
afterEach(() => repos.splice(0).forEach((r) => r.cleanup()));

function world(): TestRepo {
  const repo = createRepo({});
  repos.push(repo);
  repo.commit({
    'promote.config.json': JSON.stringify(sampleConfig(repo.dir), null, 2),
    'config/minutes_current_run.json': pointerJson('m1', { updated_by: 'daniel' }),
    'config/rates_current_run.json': pointerJson('r1'),
  });
  return repo;
}

describe('git promote status', () => {
  it('reads the branch run from git objects after a fetch, and the checkout and target runs', async () => {
    const repo = world();
    // Someone else pushes a promotion: the local checkout is behind the remote branch.
    const other = join(repo.dir, 'other');
    repo.git(['clone', '--quiet', repo.remote, other]);
    writeFileSync(join(other, 'config/minutes_current_run.json'), pointerJson('m2'));
    repo.git(['-C', other, 'commit', '--quiet', '-am', 'promote minutes → m2']);
    repo.git(['-C', other, 'push', '--quiet', 'origin', 'HEAD:main']);
    mkdirSync(join(repo.dir, 'target/config'), { recursive: true });
    writeFileSync(join(repo.dir, 'target/config/minutes_current_run.json'), pointerJson('m1'));

    const ctx = testContext({ cwd: repo.clone });
    expect(await runCli(['status', '--json'], ctx)).toBe(0);
    const data = JSON.parse(ctx.out());
    expect(data.sha).toBe(repo.git(['-C', other, 'rev-parse', 'HEAD']).trim());
    const minutes = data.pointers.find((p: { pointer: string }) => p.pointer === 'minutes');
    expect(minutes).toMatchObject({ branch: 'm2', local: 'm1', target: 'm1' });
    // The branch is ahead of the target: pending, not drift (no agent wrote anything here yet).
    expect(minutes.pending).toBe('branch has m2, this host has m1');
    expect(minutes.drift).toEqual([]);
    expect(minutes.notes).toEqual(['checkout has m1: pull to update it']);
    const rates = data.pointers.find((p: { pointer: string }) => p.pointer === 'rates');
    expect(rates).toMatchObject({ branch: 'r1', local: 'r1', target: null });
    // The working tree was not touched.
    expect(repo.git(['status', '--porcelain'])).toBe('');
  });

  it('prints one line per pointer for humans', async () => {
    const repo = world();
    const ctx = testContext({ cwd: join(repo.clone, 'config') }); // found by searching upwards
    expect(await runCli(['status'], ctx)).toBe(0);
    expect(ctx.out()).toMatch(/^origin\/main @ [0-9a-f]{12}\n/);
    expect(ctx.out()).toContain('minutes: branch m1 | checkout m1 | target -');
  });

  it('reports a malformed pointer file on the branch (exit 1) without failing the others', async () => {
    const repo = world();
    repo.commit({ 'config/rates_current_run.json': '{"run_id": ' });
    const ctx = testContext({ cwd: repo.clone });
    expect(await runCli(['status'], ctx)).toBe(1);
    expect(ctx.out()).toContain('minutes: branch m1');
    expect(ctx.out()).toContain('problem: origin/main:config/rates_current_run.json is not valid JSON');
  });

  it('fails with exit 3 and a hint when the remote cannot be reached', async () => {
    const repo = world();
    repo.git(['remote', 'set-url', 'origin', 'http://127.0.0.1:1/projections.git']);
    const ctx = testContext({ cwd: repo.clone });
    expect(await runCli(['status'], ctx)).toBe(3);
    expect(ctx.err()).toMatch(
      /^error: git fetch origin main failed: cannot reach remote "origin"\n(?: {2}.*\n)+hint: Check the network/,
    );
    expect(ctx.err()).not.toContain('    at ');
  });

  it('fails with exit 2 when the remote is not a repository (retrying will not help)', async () => {
    const repo = world();
    repo.git(['remote', 'set-url', 'origin', join(repo.dir, 'gone.git')]);
    const ctx = testContext({ cwd: repo.clone });
    expect(await runCli(['status'], ctx)).toBe(2);
    expect(ctx.err()).toContain('remote "origin" is not a repository git can read');
  });

  it('works offline with --no-fetch from the last fetched branch', async () => {
    const repo = world();
    const ctx = testContext({ cwd: repo.clone });
    expect(await runCli(['status', '--no-fetch', '--json'], ctx)).toBe(0);
    expect(JSON.parse(ctx.out()).pointers[0].branch).toBe('m1');
  });
});
