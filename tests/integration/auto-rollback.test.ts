/**
 * Automatic rollback (docs/auto-rollback.md) in a sandbox world: the agent's apply as a process
 * against the GitHub and Prefect stand-ins. A conclusive failure opens exactly one rollback PR, even
 * when the process is killed right after GitHub created it; an inconclusive day opens none; every
 * outcome is commented once on the promotion's PR.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  buildWorld,
  SANDBOX_POINTERS,
  SANDBOX_REPO,
  type SandboxWorld,
} from '../../src/sandbox/world/build-world.js';
import { removeTempDirs, tempDir, testEnv, git } from '../helpers/git-repo.js';
import { testContext } from '../helpers/context.js';
import { runCliProcess } from '../helpers/cli.js';
import { promoteOnMain } from '../helpers/sandbox-promotion.js';

const worlds: SandboxWorld[] = [];
afterEach(async () => {
  for (const w of worlds.splice(0)) await w.close();
  removeTempDirs();
});

const candidate = SANDBOX_POINTERS.minutes.runs[1];

/** A world whose agent proposes rollbacks (`policy.autoRollback`), and the promotion's PR number. */
async function world(autoRollback: 'propose' | 'off'): Promise<{ w: SandboxWorld; pr: number }> {
  const w = await buildWorld(
    join(tempDir(), 'world'),
    testContext({ env: testEnv(), now: () => new Date() }),
  );
  worlds.push(w);
  const config = JSON.parse(readFileSync(w.hostConfig, 'utf8')) as { policy?: Record<string, unknown> };
  config.policy = { ...config.policy, autoRollback };
  writeFileSync(w.hostConfig, `${JSON.stringify(config, null, 2)}\n`);
  // The promotion's PR, as GitHub holds it: a branch one commit ahead of main (GitHub refuses a
  // PR without commits with 422).
  const head = git(w.work, ['commit-tree', 'HEAD^{tree}', '-p', 'HEAD', '-m', 'promotion'], w.env).trim();
  git(w.work, ['push', '--quiet', 'origin', `${head}:refs/heads/promote/minutes/candidate`], w.env);
  const res = await fetch(`${w.github.url}/repos/${SANDBOX_REPO}/pulls`, {
    method: 'POST',
    headers: { authorization: `token ${w.env.GITHUB_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      title: `promote minutes → ${candidate}`,
      head: 'promote/minutes/candidate',
      base: 'main',
    }),
  });
  expect(res.status).toBe(201);
  const pr = ((await res.json()) as { number: number }).number;
  return { w, pr };
}

/** The agent's apply as the host runs it: its own config (PROMOTE_CONFIG), outside the checkout. */
const apply = (w: SandboxWorld, env: Record<string, string> = {}) =>
  runCliProcess(['apply'], {
    cwd: w.target,
    env: { ...(w.env as Record<string, string>), PROMOTE_CONFIG: w.hostConfig, ...env },
  });

const rollbackPulls = (w: SandboxWorld) =>
  w.github.pulls(SANDBOX_REPO).filter((p) => p.head.startsWith('rollback/'));
const commentsOn = (w: SandboxWorld, pr: number) =>
  w.github.repoState(SANDBOX_REPO).comments.filter((c) => c.issue === pr);

describe('automatic rollback', () => {
  it('opens exactly one rollback PR for a failed flow run, even when killed right after GitHub created it', async () => {
    const { w, pr } = await world('propose');
    await promoteOnMain(w, candidate, pr);
    w.prefect.nextOutcome({ state: 'FAILED', failureReason: 'missing required columns [minutes_p50]' });

    const killed = await apply(w, { GIT_PROMOTE_TEST_CRASH_AT: 'auto-rollback-opened:1' });
    expect(killed.code).toBeNull(); // SIGKILLed by the crash point, right after createPull
    expect(rollbackPulls(w)).toHaveLength(1);

    const resumed = await apply(w);
    expect(resumed.code).toBe(1); // the flow failed: applied but not confirmed
    const [rollback, ...more] = rollbackPulls(w);
    expect(more).toEqual([]);
    expect(rollback).toMatchObject({ state: 'open', base: 'main', labels: ['rollback'] });
    expect(rollback!.body).toContain('automatic: flow run ended FAILED');
    // The rollback restores the run before: its branch selects it.
    git(w.work, ['fetch', '--quiet', 'origin', rollback!.head], w.env);
    const restored = git(w.work, ['show', 'FETCH_HEAD:config/minutes_current_run.json'], w.env);
    expect(JSON.parse(restored).run_id).toBe(SANDBOX_POINTERS.minutes.runs[0]);

    const [comment, ...moreComments] = commentsOn(w, pr);
    expect(moreComments).toEqual([]);
    expect(comment!.body).toContain('**Failed** on the host');
    expect(comment!.body).toContain(`- rollback of \`minutes\`: #${rollback!.number}`);

    // Nothing pending: a later pass opens and comments nothing more.
    expect((await apply(w)).code).toBe(0);
    expect(rollbackPulls(w)).toHaveLength(1);
    expect(commentsOn(w, pr)).toHaveLength(1);
    expect(JSON.parse(readFileSync(join(w.target, 'config/minutes_current_run.json'), 'utf8')).run_id).toBe(
      candidate,
    );
  });

  it('never opens one on a day without a slate, and with "off" only reports a failure', async () => {
    const noSlate = await world('propose');
    await promoteOnMain(noSlate.w, candidate, noSlate.pr);
    noSlate.w.prefect.nextOutcome({ state: 'COMPLETED', writeManifests: false });
    expect((await apply(noSlate.w)).code).toBe(0);
    expect(rollbackPulls(noSlate.w)).toEqual([]);
    expect(commentsOn(noSlate.w, noSlate.pr).map((c) => c.body)).toEqual([
      expect.stringContaining('**Not verified** yet'),
    ]);

    const off = await world('off');
    await promoteOnMain(off.w, candidate, off.pr);
    off.w.prefect.nextOutcome({ state: 'FAILED', failureReason: 'boom' });
    expect((await apply(off.w)).code).toBe(1);
    expect(rollbackPulls(off.w)).toEqual([]);
    expect(commentsOn(off.w, off.pr).map((c) => c.body)).toEqual([
      expect.stringContaining('`policy.autoRollback` is "off"'),
    ]);
  });
});
