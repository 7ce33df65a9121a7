/**
 * The trust boundary (docs/security.md), attacked as a PR author with write access would: each
 * attack runs through the built CLI as GitHub Actions runs it (validate, then merge) against the
 * GitHub stand-in, and then the agent applies on its host. No attack may merge, and nothing may be
 * written on the agent host.
 */
import {
  chmodSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join, relative } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { slateDate } from '../../src/core/game-date.js';
import type { GitHubStandIn } from '../../src/sandbox/github/index.js';
import { startGitHubStandIn } from '../helpers/github-traffic.js';
import { api, mergeRequests, openPull, REPO, runStep, type OpenPull } from '../helpers/actions.js';
import { runCliProcess } from '../helpers/cli.js';
import { evidenceFile, evidenceJson } from '../helpers/evidence.js';
import { pointerJson } from '../helpers/fixtures.js';
import { git, type TestRepo } from '../helpers/git-repo.js';
import {
  createPromotionRepo,
  promotionConfig,
  promotionFiles,
  pushBranch,
  remoteSha,
} from '../helpers/promotion-repo.js';

// The CLI runs on the real clock: good evidence is dated today's ET slate.
const TODAY = slateDate(new Date());
const fresh = (pointer: string, run: string, extra: Parameters<typeof evidenceJson>[2] = {}) =>
  evidenceJson(pointer, run, {
    gameDate: TODAY,
    ...(pointer === 'rates' ? { contract: '1.3.0' } : {}),
    ...extra,
  });

interface World {
  repo: TestRepo;
  gh: GitHubStandIn;
  /** The agent host: its own config outside the checkout it writes to. */
  hostConfig: string;
  target: string;
  marker: string;
}

const worlds: World[] = [];
afterEach(async () => {
  for (const w of worlds.splice(0)) {
    await w.gh.close();
    w.repo.cleanup();
  }
});

async function world(): Promise<World> {
  const repo = createPromotionRepo();
  const gh = await startGitHubStandIn({
    repos: { [REPO]: repo.remote },
    users: { ghp_mallory0000: 'mallory' },
  });
  const hostDir = join(repo.dir, 'host');
  mkdirSync(hostDir);
  const hostConfig = join(hostDir, 'promote.config.json');
  writeFileSync(hostConfig, promotionConfig(repo.dir));
  const target = join(repo.dir, 'target');
  git(repo.dir, ['clone', '--quiet', repo.remote, target]);
  const w = { repo, gh, hostConfig, target, marker: join(repo.dir, 'pwned') };
  worlds.push(w);
  expect((await applyOnHost(w)).code).toBe(0);
  return w;
}

const validate = (w: World, pr: OpenPull) => runStep(w.gh, w.repo.clone, w.repo.dir, ['validate'], pr);
const merge = (w: World, pr: OpenPull) =>
  runStep(w.gh, w.repo.clone, w.repo.dir, ['merge', '--pr', String(pr.number), '--sha', pr.head], pr);
const applyOnHost = (w: World) =>
  runCliProcess(['apply', '--no-trigger'], { cwd: w.target, env: { PROMOTE_CONFIG: w.hostConfig } });

/** Every file of the agent's checkout (outside .git) with its content. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (name === '.git') continue;
      if (statSync(p).isDirectory()) walk(p);
      else out[relative(dir, p)] = readFileSync(p, 'utf8');
    }
  };
  walk(dir);
  return out;
}

/** Validate and merge as the Action would; expects the merge refused and main unmoved. */
async function gateRefuses(w: World, pr: OpenPull) {
  const main = remoteSha(w.repo, 'main');
  const v = await validate(w, pr);
  const m = await merge(w, pr);
  expect(m.code, `${m.stderr}\n${v.stdout}`).not.toBe(0);
  expect(mergeRequests(w.gh)).toHaveLength(0);
  expect(remoteSha(w.repo, 'main')).toBe(main);
  return { v, m };
}

/** The agent host applies and nothing on it changes, whatever is on the branch now. */
async function hostUntouched(w: World) {
  const before = snapshot(w.target);
  const r = await applyOnHost(w);
  expect(snapshot(w.target)).toEqual(before);
  expect(() => statSync(w.marker)).toThrow();
  return r;
}

/** The repository's config as JSON, loosely typed for editing (any shape an attacker likes). */
interface LooseConfig {
  pointers: Record<
    string,
    { file?: string; artifacts?: string; contract?: string; smoke?: { expect: { rows: { min?: number } } } }
  >;
  flow?: unknown;
}

const evilConfig = (w: World, edit: (c: LooseConfig) => void) => {
  const config = JSON.parse(promotionConfig(w.repo.dir)) as LooseConfig;
  edit(config);
  return `${JSON.stringify(config, null, 2)}\n`;
};

describe('the trust boundary, attacked through the CLI', () => {
  it('config as a pointer: a PR that declares the config (or package.json) as a pointer and sets flow.command', async () => {
    const w = await world();
    const config = evilConfig(w, (c) => {
      c.pointers.evil = { file: 'promote.config.json', artifacts: '/tmp/{run_id}' };
      c.pointers.pkg = { file: 'package.json', artifacts: '/tmp/{run_id}' };
      c.flow = { command: ['touch', w.marker] };
    });
    pushBranch(w.repo, 'promote/minutes/m2', {
      ...promotionFiles('m2', fresh('minutes', 'm2')),
      'promote.config.json': config,
      'package.json': '{"run_id": "x"}\n',
    });
    const { v, m } = await gateRefuses(w, await openPull(w.gh, 'promote/minutes/m2'));
    expect(v.code).toBe(1);
    expect(v.stdout).toMatch(/^FAIL scope: needs human review: .*package\.json, promote\.config\.json/m);
    expect(v.stdout).not.toMatch(/\(evil\)|\(pkg\)/);
    expect(m.stderr).toMatch(/git-promote\/validate is failure/);
    await hostUntouched(w);
  });

  it('a config change alone passes as "needs human review", merge never merges it, and the agent never applies it', async () => {
    const w = await world();
    const config = evilConfig(w, (c) => {
      c.pointers.evil = { file: 'promote.config.json', artifacts: '/tmp/{run_id}' };
      c.flow = { command: ['touch', w.marker] };
    });
    pushBranch(w.repo, 'config-change', { 'promote.config.json': config });
    const pr = await openPull(w.gh, 'config-change');
    const { v, m } = await gateRefuses(w, pr);
    expect(v.code).toBe(0);
    expect(v.stdout).toMatch(/^pass scope: needs human review: changes no pointer or evidence file/m);
    expect(m.code).toBe(1);
    expect(m.stderr).toMatch(/changes no pointer: it needs human review and is never merged automatically/);

    // A person reviews and merges it; the agent still writes only what its own config names.
    await api(w.gh, 'PUT', `/pulls/${pr.number}/merge`, { sha: pr.head, merge_method: 'squash' });
    const r = await hostUntouched(w);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(
      'warning: config changed on the branch, review and update the host config (pointers.evil (added on the branch), flow); the host config is used',
    );
  });

  it('a contract loosened in the same PR does not judge it', async () => {
    const w = await world();
    pushBranch(w.repo, 'promote/minutes/m3', {
      ...promotionFiles('m3', fresh('minutes', 'm3', { contract: '9.0.0' })),
      'promote.config.json': evilConfig(w, (c) => {
        c.pointers.minutes!.contract = '*';
        c.pointers.minutes!.smoke!.expect.rows.min = 0;
      }),
    });
    const { v } = await gateRefuses(w, await openPull(w.gh, 'promote/minutes/m3'));
    expect(v.code).toBe(1);
    expect(v.stdout).toMatch(/^FAIL contract \(minutes\): contract 9\.0\.0 does not satisfy \^2\.0\.0/m);
    expect(v.stdout).toMatch(/^FAIL scope: /m);
    await hostUntouched(w);
  });

  it('evidence of a failed smoke added first, then the pointer switched to it as a "rollback"', async () => {
    const w = await world();
    const failed = evidenceJson('minutes', 'm9', {
      gameDate: '2024-11-01',
      rows: 5,
      smoke: { exit_code: 3 },
      manifest: { status: 'failed' },
      checks: [{ name: 'rows', ok: false }],
    });
    pushBranch(w.repo, 'add-evidence', { [evidenceFile('minutes', 'm9')]: failed });
    const first = await gateRefuses(w, await openPull(w.gh, 'add-evidence'));
    expect(first.v.code).toBe(1);
    for (const check of ['smoke', 'manifest', 'rows', 'evidence-age'])
      expect(first.v.stdout).toMatch(new RegExp(`^FAIL ${check} \\(minutes\\)`, 'm'));

    // Even if a person merged that evidence, switching to it is a promotion with every check.
    w.repo.commit({ [evidenceFile('minutes', 'm9')]: failed }, 'evidence merged by hand');
    pushBranch(w.repo, 'rollback/minutes/m9', { 'config/minutes_current_run.json': pointerJson('m9') });
    const second = await gateRefuses(w, await openPull(w.gh, 'rollback/minutes/m9', ['rollback']));
    expect(second.v.code).toBe(1);
    expect(second.v.stdout).not.toMatch(/^pass rollback/m);
    expect(second.v.stdout).toMatch(/^FAIL smoke \(minutes\): smoke exited 3/m);
    await hostUntouched(w);
  });

  it('stale rules: a branch made before main tightened a rule is judged, and re-checked at merge, by the new rule', async () => {
    const w = await world();
    const fork = w.repo.head();
    pushBranch(
      w.repo,
      'promote/rates/r2',
      {
        'config/rates_current_run.json': pointerJson('r2'),
        [evidenceFile('rates', 'r2')]: fresh('rates', 'r2'),
      },
      fork,
    );
    const pr = await openPull(w.gh, 'promote/rates/r2');
    expect((await validate(w, pr)).code).toBe(0);
    // main tightens the rates contract after validation passed, before the merge job runs.
    w.repo.commit(
      { 'promote.config.json': evilConfig(w, (c) => (c.pointers.rates!.contract = '^9.0.0')) },
      'require rates contract 9',
    );
    const m = await merge(w, pr);
    expect(m.code).toBe(1);
    expect(m.stderr).toMatch(
      /^error: PR #\d+ no longer passes against main at [0-9a-f]{12}: contract \(rates\): contract 1\.3\.0 does not satisfy \^9\.0\.0$/m,
    );
    expect(mergeRequests(w.gh)).toHaveLength(0);
    const v = await validate(w, pr);
    expect(v.code).toBe(1);
    expect(v.stdout).toMatch(/^FAIL contract \(rates\)/m);
    await hostUntouched(w);
  });

  it('a spoofed status: posted by a person, or by the bot for a head that does not pass', async () => {
    const w = await world();
    pushBranch(w.repo, 'promote/minutes/m4', promotionFiles('m4', fresh('minutes', 'm4', { rows: 3 })));
    const pr = await openPull(w.gh, 'promote/minutes/m4');
    const post = (token: string) =>
      fetch(`${w.gh.url}/repos/${REPO}/statuses/${pr.head}`, {
        method: 'POST',
        headers: { authorization: `token ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ state: 'success', context: 'git-promote/validate' }),
      });
    expect((await post('ghp_mallory0000')).status).toBe(201);
    const byPerson = await merge(w, pr);
    expect(byPerson.code).toBe(1);
    expect(byPerson.stderr).toContain(
      `git-promote/validate on head ${pr.head.slice(0, 12)} was posted by mallory, not by github-actions[bot]`,
    );
    // The PR's own workflow runs as the same bot and posts success: merge validates again itself.
    expect((await post(w.gh.token)).status).toBe(201);
    const byBot = await merge(w, pr);
    expect(byBot.code).toBe(1);
    expect(byBot.stderr).toMatch(/no longer passes against main at [0-9a-f]{12}: rows \(minutes\): 3 rows/);
    expect(mergeRequests(w.gh)).toHaveLength(0);
    await hostUntouched(w);
  });

  it('pointer and evidence files that are symlinks, executable or not UTF-8', async () => {
    const w = await world();
    const cases: [string, (clone: string) => void, RegExp][] = [
      [
        'symlink',
        (clone) => {
          writeFileSync(join(clone, 'config/real.json'), pointerJson('m5'));
          git(clone, ['rm', '--quiet', 'config/minutes_current_run.json']);
          symlinkSync('real.json', join(clone, 'config/minutes_current_run.json'));
        },
        /^FAIL file-type \(minutes\): config\/minutes_current_run\.json is a symbolic link/m,
      ],
      [
        'executable',
        (clone) => {
          writeFileSync(join(clone, 'config/minutes_current_run.json'), pointerJson('m5'));
          writeFileSync(join(clone, evidenceFile('minutes', 'm5')), fresh('minutes', 'm5'));
          chmodSync(join(clone, evidenceFile('minutes', 'm5')), 0o755);
        },
        /^FAIL file-type \(minutes\): promotions\/minutes\/m5\.json is an executable file/m,
      ],
      [
        'not-utf8',
        (clone) => {
          writeFileSync(
            join(clone, 'config/minutes_current_run.json'),
            Buffer.concat([
              Buffer.from('{"run_id": "m1", "note": "'),
              Buffer.from([0xff, 0xfe]),
              Buffer.from('"}\n'),
            ]),
          );
        },
        /^FAIL file-type \(minutes\): config\/minutes_current_run\.json is not valid UTF-8/m,
      ],
    ];
    for (const [name, change, failure] of cases) {
      w.repo.git(['checkout', '--quiet', '-B', `attack/${name}`, 'main']);
      change(w.repo.clone);
      w.repo.git(['add', '--all']);
      w.repo.git(['commit', '--quiet', '-m', name]);
      w.repo.git(['push', '--quiet', '--force', 'origin', `HEAD:refs/heads/attack/${name}`]);
      w.repo.git(['checkout', '--quiet', 'main']);
      const { v } = await gateRefuses(w, await openPull(w.gh, `attack/${name}`));
      expect(v.code, `${name}\n${v.stdout}\n${v.stderr}`).toBe(1);
      expect(v.stdout, name).toMatch(failure);
    }
    await hostUntouched(w);
  });

  it('merge from a shallow checkout still tells a rollback by the whole branch history', async () => {
    const w = await world();
    // main: minutes m1 (old evidence) -> m2; the rollback returns it to m1 without new smoke.
    w.repo.commit(promotionFiles('m2', fresh('minutes', 'm2')), 'Promote minutes to m2 (#1)');
    pushBranch(w.repo, 'rollback/minutes/m2', { 'config/minutes_current_run.json': pointerJson('m1') });
    const pr = await openPull(w.gh, 'rollback/minutes/m2', ['rollback']);
    expect((await validate(w, pr)).code).toBe(0);
    const shallow = join(w.repo.dir, 'shallow');
    git(w.repo.dir, ['clone', '--quiet', '--depth', '1', `file://${w.repo.remote}`, shallow]);
    const m = await runStep(
      w.gh,
      shallow,
      w.repo.dir,
      ['merge', '--pr', String(pr.number), '--sha', pr.head],
      pr,
    );
    expect(m.code, m.stderr).toBe(0);
    expect(git(shallow, ['rev-parse', '--is-shallow-repository']).trim()).toBe('false');
  });

  it('.gitattributes (or any other file) under promotions/ is outside the promotion scope', async () => {
    const w = await world();
    pushBranch(w.repo, 'promote/minutes/m6', {
      ...promotionFiles('m6', fresh('minutes', 'm6')),
      'promotions/.gitattributes': '*.json filter=lfs diff=lfs merge=lfs\n',
      'promotions/minutes/.gitattributes': '* -text\n',
    });
    const { v } = await gateRefuses(w, await openPull(w.gh, 'promote/minutes/m6'));
    expect(v.code).toBe(1);
    expect(v.stdout).toMatch(
      /^FAIL scope: needs human review: .*this also changes promotions\/\.gitattributes, promotions\/minutes\/\.gitattributes/m,
    );
    await hostUntouched(w);
  });
});
