/** `status` beyond git: the open promotion PRs on GitHub and what the agent on this host applied. */
import { afterEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { runCli } from '../../src/cli/program.js';
import { buildWorld, SANDBOX_POINTERS, type SandboxWorld } from '../../src/sandbox/world/build-world.js';
import { removeTempDirs, tempDir, testEnv } from '../helpers/git-repo.js';
import { testContext } from '../helpers/context.js';

const worlds: SandboxWorld[] = [];
afterEach(async () => {
  for (const w of worlds.splice(0)) await w.close();
  removeTempDirs();
});

async function cli(args: string[], cwd: string, env: Record<string, string | undefined>) {
  const ctx = testContext({ cwd, env, now: () => new Date() });
  const code = await runCli([...args, '--json'], ctx);
  return { code, data: JSON.parse(ctx.out()), err: ctx.err() };
}

describe('git promote status with GitHub and the agent', () => {
  it('lists open promotion PRs per pointer and the run the agent applied on this host', async () => {
    const w = await buildWorld(join(tempDir(), 'w'), testContext({ env: testEnv(), now: () => new Date() }));
    worlds.push(w);
    const [current, candidate] = SANDBOX_POINTERS.minutes.runs;
    expect((await cli(['apply', '--no-trigger'], w.target, w.env)).code).toBe(0);
    expect((await cli(['propose', `minutes=${candidate}`], w.work, w.env)).code).toBe(0);

    const s = await cli(['status'], w.work, w.env);
    expect(s.code).toBe(0);
    expect(s.data.pullsKnown).toBe(true);
    expect(s.data.applied.runs.minutes).toBe(current);
    const minutes = s.data.pointers.find((p: { pointer: string }) => p.pointer === 'minutes');
    expect(minutes).toMatchObject({
      branch: current,
      applied: current,
      pulls: [{ number: 1, kind: 'promotion', to: candidate }],
    });
    expect(s.data.pointers.find((p: { pointer: string }) => p.pointer === 'rates').pulls).toEqual([]);

    const human = testContext({ cwd: w.work, env: w.env });
    expect(await runCli(['status'], human)).toBe(0);
    expect(human.out()).toContain(`open promotion PR #1 → ${candidate}`);
    expect(human.out()).toMatch(/agent on this host applied [0-9a-f]{12}/);
  });

  it('without a token says nothing about PRs; with GitHub down it notes it and still answers', async () => {
    const w = await buildWorld(join(tempDir(), 'w'), testContext({ env: testEnv(), now: () => new Date() }));
    worlds.push(w);
    const offline = await cli(['status'], w.work, { ...w.env, GITHUB_TOKEN: undefined });
    expect(offline.code).toBe(0);
    expect(offline.data.pullsKnown).toBe(false);

    w.github.inject({ method: 'GET', path: /\/pulls/, status: 404, times: 5 });
    const down = testContext({ cwd: w.work, env: w.env });
    expect(await runCli(['status'], down)).toBe(0);
    expect(down.out()).toMatch(/note: open pull requests unknown: /);
  });
});
