/**
 * First use and daily use through the built CLI (issue #16): one test per problem a new user or
 * on-call hit. `npm run build` must have run.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { addDays, slateDate } from '../../src/core/game-date.js';
import { startGitHubStandIn, type GitHubStandIn } from '../../src/sandbox/github/index.js';
import { CLI, runCliProcess } from '../helpers/cli.js';
import { createRepo, git, tempDir, testEnv, type TestRepo } from '../helpers/git-repo.js';
import { pointerJson, sampleConfig } from '../helpers/fixtures.js';
import { createPipelineWorld, type PipelineWorld } from '../helpers/smoke-scorer.js';
import { createAgentWorld, type AgentWorld } from '../helpers/agent-world.js';
import { startPrefectStandIn, type PrefectStandIn } from '../../src/sandbox/prefect/index.js';
import { hostname } from 'node:os';
import { alive, waitUntil } from '../helpers/wait.js';

let repo: TestRepo;
beforeAll(() => {
  repo = createRepo({ 'config/minutes_current_run.json': pointerJson('m1') });
});
afterAll(() => repo.cleanup());

describe('strict config', () => {
  it('refuses a typo in a security setting (exit 2) with its dot-path and a "did you mean"', async () => {
    const config = sampleConfig(repo.dir, {
      agent: { target: join(repo.dir, 'target'), requireSignedCommit: true },
    });
    writeFileSync(join(repo.clone, 'promote.config.json'), JSON.stringify(config, null, 2));
    const r = await runCliProcess(['status', '--no-fetch'], { cwd: repo.clone });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('promote.config.json has 1 problem:');
    expect(r.stderr).toContain(
      '  agent.requireSignedCommit: unknown key; did you mean "requireSignedCommits"?',
    );
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('names the line and column of a JSON syntax error (exit 2)', async () => {
    writeFileSync(join(repo.clone, 'promote.config.json'), '{\n  "pointers": {}\n  "policy": {}\n}\n');
    const r = await runCliProcess(['status', '--no-fetch'], { cwd: repo.clone });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/promote\.config\.json is not valid JSON: line 3, column 3: unexpected "\\""/);
  });
});

describe('propose checks before it pushes', () => {
  const REPO = 'acme/projections';
  const TOKEN = 'ghp_firstUseTokenNeverPrinted000000000000';
  let world: PipelineWorld;
  let gh: GitHubStandIn;
  beforeEach(async () => {
    world = createPipelineWorld();
    world.addRun('minutes', 'm-new');
    gh = await startGitHubStandIn({ repos: { [REPO]: world.repo.remote }, token: TOKEN });
  });
  afterEach(async () => {
    await gh.close();
    world.cleanup();
  });
  const branches = () =>
    git(world.repo.remote, ['for-each-ref', '--format=%(refname:short)', 'refs/heads/']).trim().split('\n');
  const propose = (args: string[], env: Record<string, string>) =>
    runCliProcess(['propose', 'minutes=m-new', ...args], { cwd: world.root, env });

  it('a rejected token stops it before smoke, commit or push (exit 2)', async () => {
    const r = await propose([], { GITHUB_TOKEN: 'ghp_wrong', GITHUB_API_URL: gh.url });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      'error: propose refused before committing or pushing anything: 1 check failed',
    );
    expect(r.stderr).toContain(
      '  github: GitHub: could not read repository acme/projections: the token was rejected',
    );
    expect(r.stdout).not.toContain('smoke passed');
    expect(branches()).toEqual(['main']);
  });

  it('GitHub unreachable stops it at once, before any push (exit 3)', async () => {
    const port = await closedPort();
    const started = Date.now();
    const r = await propose([], { GITHUB_TOKEN: TOKEN, GITHUB_API_URL: `http://127.0.0.1:${port}` });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(
      /^ {2}github: GitHub: could not read repository acme\/projections: connect ECONNREFUSED /m,
    );
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(branches()).toEqual(['main']);
  });

  it('evidence CI would reject (30 days old) is refused before the push; --force proposes anyway', async () => {
    const old = addDays(slateDate(new Date()), -30);
    const env = { GITHUB_TOKEN: TOKEN, GITHUB_API_URL: gh.url };
    const refused = await propose(['--game-date', old], env);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(
      / {2}evidence-age \(minutes\): game date \S+ is 30 days old \(at most 3\)/,
    );
    expect(refused.stderr).toContain('`--force` proposes anyway');
    expect(branches()).toEqual(['main']);
    expect(gh.pulls(REPO)).toHaveLength(0);

    const forced = await propose(['--game-date', old, '--force'], env);
    expect(forced.code).toBe(0);
    expect(forced.stderr).toContain('warning: proposing despite 1 failing check (--force):');
    expect(branches()).toContain('promote/minutes/m-new');
    expect(gh.pulls(REPO)).toHaveLength(1);
  });
});

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((done) => server.close(() => done()));
  return port;
}

describe('apply says what happens while it follows the flow run, and what it did', () => {
  const REPO = 'acme/projections';
  const TOKEN = 'ghp_applyTokenNeverPrinted00000000000000';
  let w: AgentWorld;
  let gh: GitHubStandIn;
  let prefect: PrefectStandIn;
  beforeEach(async () => {
    w = createAgentWorld({
      config: {
        // The API URL comes from PREFECT_API_URL (it overrides this), set per test.
        flow: {
          prefect: { api: 'http://127.0.0.1:9/api', deployment: 'daily/live', timeout: '30s' },
          pollInterval: '20ms',
        },
      },
    });
    prefect = await startPrefectStandIn({
      stepMs: 100,
      flow: {
        manifestsRoot: join(w.dir, 'manifests'),
        targetDir: w.target,
        pointers: {
          minutes: { file: 'config/minutes_current_run.json', asset: 'minutes_scores' },
          rates: { file: 'config/rates_current_run.json', asset: 'rates_scores' },
        },
      },
    });
    gh = await startGitHubStandIn({ repos: { [REPO]: w.repo.remote }, token: TOKEN });
    // The first apply brings the target to m1/r1; the test then applies a promotion of minutes.
    const first = await runCliProcess(['apply', '--no-trigger'], { cwd: w.cwd });
    expect(first.code, first.stderr).toBe(0);
    w.promote({ minutes: 'm2' });
  });
  afterEach(async () => {
    await prefect.close();
    await gh.close();
    w.cleanup();
  });
  const env = (extra: Record<string, string> = {}) => ({
    PREFECT_API_URL: prefect.url,
    GITHUB_TOKEN: TOKEN,
    GITHUB_API_URL: gh.url,
    ...extra,
  });

  it('prints each flow run state with elapsed time and UI URL, then one summary', async () => {
    const r = await runCliProcess(['apply'], { cwd: w.cwd, env: env() });
    expect(r.code, r.stderr).toBe(0);
    const id = prefect.flowRuns[0]!.id;
    const ui = `${prefect.url.replace(/\/api$/, '')}/runs/flow-run/${id}`;
    // Progress on stderr: at least the first and the last state, each with elapsed time and URL.
    expect(r.stderr).toMatch(
      new RegExp(`^flow run .*${id}.*: SCHEDULED.* after [0-9.]+m?s  ${escape(ui)}$`, 'm'),
    );
    expect(r.stderr).toMatch(
      new RegExp(`^flow run .*${id}.*: COMPLETED.* after [0-9.]+m?s  ${escape(ui)}$`, 'm'),
    );
    // One summary on stdout: pointers written, the flow run and its state, verification, deployment.
    expect(r.stdout).toMatch(/^ {2}minutes: m1 -> m2 \(promote, config\/minutes_current_run\.json\)$/m);
    expect(r.stdout).toMatch(new RegExp(`^flow run ${id}: COMPLETED after [0-9.]+m?s  ${escape(ui)}$`, 'm'));
    expect(r.stdout).toMatch(/^verification minutes: confirmed: /m);
    expect(r.stdout).toMatch(
      new RegExp(`^deployment: #\\d+ success \\(production/${escape(hostname())}\\)$`, 'm'),
    );
    expect(r.stdout + r.stderr).not.toContain(TOKEN);
  });

  it('the agent logs the same progress and one summary line', async () => {
    const r = await runCliProcess(['agent', '--once'], { cwd: w.cwd, env: env() });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const id = prefect.flowRuns[0]!.id;
    expect(r.stdout).toMatch(
      new RegExp(`^\\S+Z flow-run id=${id} .*state=RUNNING elapsed=\\S+ url=\\S+/runs/flow-run/${id}$`, 'm'),
    );
    expect(r.stdout).toMatch(
      new RegExp(
        `^\\S+Z summary commit=[0-9a-f]{12} written=minutes:m1->m2 flow_run=${id} state=COMPLETED verified=minutes:ok deployment="#\\d+ success`,
        'm',
      ),
    );
  });

  it('a GitHub outage during the deployment report is a printed warning, not a failure', async () => {
    gh.inject({ method: 'POST', path: /\/deployments$/, status: 503, times: 10 });
    const r = await runCliProcess(['apply'], { cwd: w.cwd, env: env() });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^warning: could not report the deployment to GitHub: .*503/m);
    expect(r.stdout).toMatch(/^deployment: warning: could not report the deployment to GitHub/m);
    expect(w.runInTarget('minutes')).toBe('m2');
  });

  it('with Prefect down it writes nothing, since it cannot tell whether a run is in progress (exit 3)', async () => {
    const port = await closedPort();
    const before = w.runInTarget('minutes');
    const r = await runCliProcess(['apply'], {
      cwd: w.cwd,
      env: env({ PREFECT_API_URL: `http://127.0.0.1:${port}/api` }),
    });
    expect(r.code).toBe(3);
    // docs/switching-safely.md: the quiet window asks Prefect before any write.
    expect(r.stderr).toMatch(
      /^error: cannot tell whether daily\/live has a run in progress: cannot reach Prefect at .*; no pointer file was written$/m,
    );
    expect(r.stderr).toMatch(/^hint: Check that the Prefect server is running/m);
    expect(w.runInTarget('minutes')).toBe(before);
  }, 30_000);
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

describe('Ctrl-C through `git promote`', () => {
  it('is handled once: the smoke run is stopped, temp directories removed, exit 130', async () => {
    const world = createPipelineWorld();
    try {
      world.addRun('minutes', 'm-hang', { smoke: { mode: 'hang' } });
      // `git promote` finds git-promote on PATH, as after `npm install --global`.
      const bin = join(world.repo.dir, 'bin');
      const tmp = join(world.repo.dir, 'tmp');
      mkdirSync(bin);
      mkdirSync(tmp);
      writeFileSync(join(bin, 'git-promote'), `#!/bin/sh\nexec "${process.execPath}" "${CLI}" "$@"\n`);
      chmodSync(join(bin, 'git-promote'), 0o755);
      const env = testEnv({ PATH: `${bin}:${process.env.PATH}`, TMPDIR: tmp });
      // Its own process group, like a shell job: the interrupt goes to git and git-promote alike.
      const child = spawn('git', ['promote', 'smoke', 'minutes', 'm-hang'], {
        cwd: world.root,
        env: env as NodeJS.ProcessEnv,
        detached: true,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stderr = '';
      child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
      child.stdout.resume();
      const closed = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) =>
        child.on('close', (code, signal) => done({ code, signal })),
      );
      const pids = join(world.data, 'models', 'minutes', 'run=m-hang', 'pids.json');
      await waitUntil(() => existsSync(pids) && readFileSync(pids, 'utf8').length > 0, `${pids} written`);
      expect(readdirSync(tmp).length).toBeGreaterThan(0); // smoke's temp directories exist
      // The terminal's interrupt to the group, then the copy git forwards to git-promote (whose
      // arrival order and spacing vary; sent explicitly here so the test does not depend on luck).
      const { scorer } = JSON.parse(readFileSync(pids, 'utf8')) as { scorer: number };
      const promote = parentPid(scorer);
      process.kill(-child.pid!, 'SIGINT');
      await new Promise((r) => setTimeout(r, 5));
      if (alive(promote)) process.kill(promote, 'SIGINT');
      const end = await closed;
      // git re-raises the interrupt on itself once its child has exited: a shell shows 130.
      expect(end.signal === 'SIGINT' || end.code === 130, JSON.stringify(end)).toBe(true);
      expect(stderr.match(/received SIGINT/g)).toHaveLength(1);
      expect(stderr).not.toContain('received SIGINT again');
      expect(stderr).not.toContain('waitpid');
      expect(readdirSync(tmp)).toEqual([]);
      const { worker } = JSON.parse(readFileSync(pids, 'utf8')) as { worker: number };
      await waitUntil(() => !alive(worker), `process ${worker} to end`);
    } finally {
      world.cleanup();
    }
  }, 30_000);

  it('exits 130 when run directly', async () => {
    const world = createPipelineWorld();
    try {
      world.addRun('minutes', 'm-hang', { smoke: { mode: 'hang' } });
      const child = spawn(process.execPath, [CLI, 'smoke', 'minutes', 'm-hang'], {
        cwd: world.root,
        env: testEnv() as NodeJS.ProcessEnv,
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      child.stderr.resume();
      const closed = new Promise<number | null>((done) => child.on('close', (code) => done(code)));
      const pids = join(world.data, 'models', 'minutes', 'run=m-hang', 'pids.json');
      await waitUntil(() => existsSync(pids) && readFileSync(pids, 'utf8').length > 0, `${pids} written`);
      child.kill('SIGINT');
      expect(await closed).toBe(130);
    } finally {
      world.cleanup();
    }
  }, 30_000);
});

function parentPid(pid: number): number {
  // /proc/<pid>/stat: "pid (comm) state ppid …"; comm may hold spaces, so read after the last ")".
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
}

describe('git failures', () => {
  let r: TestRepo;
  beforeEach(() => {
    r = createRepo({ 'config/minutes_current_run.json': pointerJson('m1') });
  });
  afterEach(() => r.cleanup());
  const status = (repository: Record<string, string>) => {
    writeFileSync(
      join(r.clone, 'promote.config.json'),
      JSON.stringify(
        sampleConfig(r.dir, { repository: { remote: 'origin', branch: 'main', ...repository } }),
      ),
    );
    return runCliProcess(['status'], { cwd: r.clone });
  };

  it("a missing remote is exit 2 with git's whole message below the error", async () => {
    const res = await status({ remote: 'upstream' });
    expect(res.code).toBe(2);
    const lines = res.stderr.trimEnd().split('\n');
    expect(lines[0]).toBe(
      'error: git fetch upstream main failed: remote "upstream" is not a repository git can read',
    );
    expect(lines).toContain("  fatal: 'upstream' does not appear to be a git repository");
    expect(lines).toContain('  and the repository exists.');
    expect(lines.at(-1)).toMatch(/^hint: Check `git remote -v`/);
  });

  it('a missing branch is exit 2', async () => {
    const res = await status({ branch: 'production' });
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('branch "production" does not exist on remote "origin"');
    expect(res.stderr).toContain("  fatal: couldn't find remote ref refs/heads/production");
  });

  it('an unreachable remote is exit 3 (retry later)', async () => {
    r.git(['remote', 'set-url', 'origin', `http://127.0.0.1:${await closedPort()}/projections.git`]);
    const res = await status({});
    expect(res.code).toBe(3);
    expect(res.stderr).toContain('error: git fetch origin main failed: cannot reach remote "origin"');
    expect(res.stderr).toMatch(/^ {2}fatal: unable to access .*Failed to connect/m);
  });
});

describe('sandbox --keep', () => {
  it('prints an environment with which the suggested propose works in a fresh shell', async () => {
    const dir = tempDir('git-promote-keep-');
    const home = join(dir, 'home');
    mkdirSync(home);
    const child = spawn(process.execPath, [CLI, 'sandbox', join(dir, 'world'), '--keep'], {
      env: testEnv() as NodeJS.ProcessEnv,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    const closed = new Promise<number | null>((done) => child.on('close', done));
    try {
      await waitUntil(() => /Model artifacts: .*\n/.test(out), 'the sandbox instructions', 120_000);
      // The exports printed before the first `cd` (later ones are for the server's steps).
      const shell = out.slice(out.indexOf('In another shell:'), out.indexOf('  cd '));
      const exports = Object.fromEntries(
        [...shell.matchAll(/^ {2}export ([A-Z_]+)=(\S+)/gm)].map((m) => [m[1]!, m[2]!]),
      );
      const propose = /^ {2}(git promote propose \S+)/m.exec(out)![1]!.split(' ').slice(2);
      const work = /^ {2}cd (\S+) && git promote status/m.exec(out)![1]!;
      // A fresh shell: nothing but PATH, an empty HOME and what the sandbox printed.
      const r = await new Promise<{ code: number | null; text: string }>((done) => {
        const p = spawn(process.execPath, [CLI, ...propose], {
          cwd: work,
          env: { PATH: process.env.PATH, HOME: home, ...exports },
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let text = '';
        p.stdout.on('data', (c: Buffer) => (text += c.toString()));
        p.stderr.on('data', (c: Buffer) => (text += c.toString()));
        p.on('close', (code) => done({ code, text }));
      });
      expect(r.code, r.text).toBe(0);
      expect(r.text).toMatch(/opened pull request #\d+/);
    } finally {
      child.kill('SIGTERM');
      await closed;
      rmSync(dir, { recursive: true, force: true });
    }
  }, 180_000);
});

describe('init', () => {
  it('refuses outside a git repository and takes owner/repo from origin inside one', async () => {
    const dir = tempDir('git-promote-init-');
    try {
      const outside = await runCliProcess(['init'], { cwd: dir });
      expect(outside.code).toBe(2);
      expect(outside.stderr).toContain(`error: ${dir} is not inside a git repository; nothing was written`);
      expect(readdirSync(dir)).toEqual([]);

      git(dir, ['init', '--quiet']);
      git(dir, ['remote', 'add', 'origin', 'https://github.com/acme/projections.git']);
      const inside = await runCliProcess(['init'], { cwd: dir });
      expect(inside.code, inside.stderr).toBe(0);
      const config = JSON.parse(readFileSync(join(dir, 'promote.config.json'), 'utf8')) as {
        repository: { github?: string };
      };
      expect(config.repository.github).toBe('acme/projections');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('a GitHub token from `gh auth token`', () => {
  it('is used when GITHUB_TOKEN and GH_TOKEN are unset, and never printed', async () => {
    const GH_TOKEN = 'gho_fromTheGitHubCli0000000000000000000';
    const world = createPipelineWorld();
    const gh = await startGitHubStandIn({
      repos: { 'acme/projections': world.repo.remote },
      token: GH_TOKEN,
    });
    try {
      const bin = join(world.repo.dir, 'bin');
      mkdirSync(bin);
      writeFileSync(join(bin, 'gh'), `#!/bin/sh\n[ "$1 $2" = "auth token" ] || exit 1\necho ${GH_TOKEN}\n`);
      chmodSync(join(bin, 'gh'), 0o755);
      const env = { GITHUB_API_URL: gh.url };
      // Without gh: no token at all (exit 2).
      const without = await runCliProcess(['merge', '--pr', '7'], { cwd: world.root, env });
      expect(without.code).toBe(2);
      expect(without.stderr).toContain('no GitHub token');
      // With gh logged in: the stand-in accepts its token and answers that PR #7 does not exist.
      const withGh = await runCliProcess(['merge', '--pr', '7', '--debug'], {
        cwd: world.root,
        env: { ...env, PATH: `${bin}:${process.env.PATH}` },
      });
      expect(withGh.code, withGh.stderr).toBe(1);
      expect(withGh.stderr).toContain('not found (404');
      expect(gh.requests.some((r) => r.status === 401)).toBe(false);
      for (const text of [withGh.stdout, withGh.stderr]) {
        expect(text).not.toContain(GH_TOKEN);
        expect(text).not.toContain(Buffer.from(GH_TOKEN).toString('base64'));
      }
    } finally {
      await gh.close();
      world.cleanup();
    }
  });
});

describe('status words', () => {
  it('calls a branch ahead of what was applied "pending", and only a changed host file "drift"', async () => {
    const w = createAgentWorld();
    try {
      const first = await runCliProcess(['apply', '--no-trigger'], { cwd: w.cwd });
      expect(first.code, first.stderr).toBe(0);
      w.promote({ minutes: 'm2' }); // merged, not yet applied
      const merged = await runCliProcess(['status'], { cwd: w.cwd });
      expect(merged.code, merged.stderr).toBe(0);
      const line = merged.stdout.split('\n').find((l) => l.startsWith('minutes:'))!;
      expect(line).toContain('[pending: branch has m2, this host applied m1]');
      expect(line).not.toContain('drift');

      // A hand edit on the host: that is drift.
      writeFileSync(join(w.target, 'config/minutes_current_run.json'), pointerJson('m0'));
      const edited = await runCliProcess(['status', '--json'], { cwd: w.cwd });
      const minutes = (
        JSON.parse(edited.stdout) as { pointers: { pointer: string; drift: string[] }[] }
      ).pointers.find((p) => p.pointer === 'minutes')!;
      expect(minutes.drift).toEqual(['target has m0, the agent wrote m1']);
    } finally {
      w.cleanup();
    }
  });
});

describe('colour', () => {
  it('colours error and hint lines with FORCE_COLOR, never with NO_COLOR, not off a terminal', async () => {
    const dir = tempDir('git-promote-colour-');
    try {
      const run = (env: Record<string, string>) => runCliProcess(['status'], { cwd: dir, env });
      const forced = await run({ FORCE_COLOR: '1' });
      expect(forced.code).toBe(2);
      expect(forced.stderr.startsWith('\x1b[31merror:\x1b[39m no promote.config.json found')).toBe(true);
      expect(forced.stderr).toContain('\n\x1b[36mhint:\x1b[39m ');
      for (const env of [{}, { NO_COLOR: '1', FORCE_COLOR: '1' }] as Record<string, string>[]) {
        const plain = await run(env);
        expect(plain.stderr).toMatch(/^error: no promote\.config\.json found/);
        expect(plain.stderr).not.toContain('\x1b[');
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('hints', () => {
  it('point only at files that exist (no docs/propose.md)', async () => {
    const world = createPipelineWorld();
    try {
      world.addRun('minutes', 'm-new');
      const r = await runCliProcess(['propose', 'minutes=m-new'], { cwd: world.root });
      expect(r.code).toBe(2);
      const hint = r.stderr.split('\n').find((l) => l.startsWith('hint: '))!;
      expect(hint).toContain('gh auth login');
      const root = join(CLI, '..', '..', '..', '..');
      for (const m of hint.matchAll(/[\w./-]+\.md\b/g)) expect(existsSync(join(root, m[0])), m[0]).toBe(true);
    } finally {
      world.cleanup();
    }
  });
});
