/**
 * Releases side by side (issue #23), through the built CLI: a config for another release stops
 * every command first (exit 2, naming both versions); evidence written by this release is read by
 * the next (the fixtures under tests/fixtures/evidence are kept and read here); evidence of a newer
 * schema is refused by validate and by the agent; --version --json says what this release reads.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCliProcess } from '../helpers/cli.js';
import { createAgentWorld, type AgentWorld } from '../helpers/agent-world.js';
import { pointerJson, sampleConfig } from '../helpers/fixtures.js';
import { createRepo, type TestRepo } from '../helpers/git-repo.js';
import { pushBranch, remoteSha } from '../helpers/promotion-repo.js';
import { createPipelineWorld } from '../helpers/smoke-scorer.js';

const VERSION = (JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }).version;
const fixture = (name: string) => readFileSync(join('tests/fixtures/evidence', name), 'utf8');
const TOO_NEW = `error: this config needs git-promote >=99; you have ${VERSION}\nhint: Install a git-promote that satisfies >=99 (npm install -g "git-promote@>=99"); in CI, pin the Action to such a release.\n`;

describe('minVersion', () => {
  let repo: TestRepo;
  beforeEach(() => {
    const config = {
      ...sampleConfig('/srv/data'),
      minVersion: '>=99',
      // A key of that future release: this one must say what it needs, not that the key is unknown.
      slateCalendar: { source: 'schedule' },
    };
    repo = createRepo({
      'promote.config.json': `${JSON.stringify(config, null, 2)}\n`,
      'config/minutes_current_run.json': pointerJson('m1'),
      'config/rates_current_run.json': pointerJson('r1'),
    });
  });
  afterEach(() => repo.cleanup());

  it('stops every command first with exit 2, naming both versions', async () => {
    const commands = [
      ['status', '--no-fetch'],
      ['smoke', 'minutes', 'm2'],
      ['propose', 'minutes=m2', '--no-pr'],
      ['adopt', '--no-pr'],
      ['verify', 'minutes', '--run', 'm1'],
      ['doctor'],
      ['history', 'minutes', '--no-fetch'],
      ['rollback', 'minutes', '--no-pr', '--no-fetch'],
      ['at', '--no-fetch'],
      ['merge', '--pr', '1'],
    ];
    for (const args of commands) {
      const r = await runCliProcess(args, { cwd: repo.clone });
      expect(r.stderr, args.join(' ')).toBe(TOO_NEW);
      expect(r.code, args.join(' ')).toBe(2);
    }
  });

  it('stops the agent on its host config (apply, agent --once), before it touches the target', async () => {
    const host = join(repo.dir, 'host.config.json');
    writeFileSync(host, readFileSync(join(repo.clone, 'promote.config.json')));
    for (const args of [['apply'], ['agent', '--once']]) {
      const r = await runCliProcess(args, { cwd: repo.dir, env: { PROMOTE_CONFIG: host } });
      expect(r.stderr, args.join(' ')).toBe(TOO_NEW);
      expect(r.code, args.join(' ')).toBe(2);
    }
  });

  it('stops validate on the config of the target branch, whatever the PR holds', async () => {
    const main = remoteSha(repo, 'main');
    const head = pushBranch(repo, 'promote/minutes/m2', { 'README.md': 'x\n' });
    const r = await runCliProcess(['validate', '--base', main, '--head', head], { cwd: repo.clone });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      new RegExp(
        `^error: promote\\.config\\.json on the target branch needs git-promote >=99; you have ${VERSION.replace(/\./g, '\\.')}\\n`,
      ),
    );
  });

  it('runs normally when this release satisfies the range', async () => {
    const config = { ...sampleConfig('/srv/data'), minVersion: `>=${VERSION}` };
    repo.commit({ 'promote.config.json': `${JSON.stringify(config, null, 2)}\n` });
    const r = await runCliProcess(['history', 'minutes', '--no-fetch'], { cwd: repo.clone });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });
});

describe('--version --json', () => {
  it('reports the release and the config, evidence and PR block versions it reads', async () => {
    const r = await runCliProcess(['--version', '--json'], { cwd: process.cwd() });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      name: 'git-promote',
      version: VERSION,
      config: { version: 2, reads: [1, 2], minVersion: true },
      evidence: { version: 2, reads: ['git-promote/evidence@1', 'git-promote/evidence@2'] },
      prBlock: { version: 2, reads: [1, 2] },
    });
    const plain = await runCliProcess(['--version'], { cwd: process.cwd() });
    expect(plain.stdout).toBe(`${VERSION}\n`);
  });
});

describe('evidence written by this release is read by the next', () => {
  it('validate reads the kept fixtures as the evidence of the current runs', async () => {
    const repo = createRepo({
      'promote.config.json': `${JSON.stringify(sampleConfig('/srv/data'), null, 2)}\n`,
      'config/minutes_current_run.json': pointerJson('m-fixture'),
      'config/rates_current_run.json': pointerJson('r-fixture'),
      'promotions/minutes/m-fixture.json': fixture('smoke-evidence@1.json'),
      'promotions/rates/r-fixture.json': fixture('adopted-evidence@2.json'),
    });
    try {
      const main = remoteSha(repo, 'main');
      const head = pushBranch(repo, 'docs', { 'README.md': 'x\n' });
      const r = await runCliProcess(['validate', '--base', main, '--head', head], { cwd: repo.clone });
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(
        'pass evidence-schema (minutes): promotions/minutes/m-fixture.json is valid evidence',
      );
      expect(r.stdout).toContain(
        'pass evidence-schema (rates): promotions/rates/r-fixture.json is valid adopted evidence',
      );
      expect(r.stdout).toContain('pass meta-sha256 (rates)');

      // A PR bringing evidence of a newer schema is refused: this release cannot judge it.
      const newer = pushBranch(repo, 'promote/minutes/m-future', {
        'config/minutes_current_run.json': pointerJson('m-future'),
        'promotions/minutes/m-future.json': fixture('newer-evidence@3.json'),
      });
      const refused = await runCliProcess(['validate', '--base', main, '--head', newer], { cwd: repo.clone });
      expect(refused.code).toBe(2);
      expect(refused.stderr).toBe(
        `error: promotions/minutes/m-future.json: this evidence needs git-promote 9.0.0 (evidence schema 3); you have ${VERSION}\n` +
          'hint: Upgrade git-promote to 9.0.0 or later (npm install -g git-promote@latest; in CI, pin the Action to that release).\n',
      );
    } finally {
      repo.cleanup();
    }
  });

  describe('the agent', () => {
    let w: AgentWorld;
    beforeEach(() => {
      w = createAgentWorld();
    });
    afterEach(() => w.cleanup());

    /** Commit minutes=run with `evidence` verbatim and its artifact (meta.json) on disk. */
    function promoteWith(run: string, evidence: string) {
      const meta = (JSON.parse(evidence) as { meta: unknown }).meta;
      const dir = join(w.artifacts, 'minutes', `run=${run}`);
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'meta.json'), JSON.stringify(meta));
      w.repo.commit({
        'config/minutes_current_run.json': pointerJson(run),
        [`promotions/minutes/${run}.json`]: evidence,
      });
    }

    it('applies a promotion whose evidence is the kept fixture', async () => {
      promoteWith('m-fixture', fixture('smoke-evidence@1.json'));
      const r = await runCliProcess(['apply', '--no-trigger'], { cwd: w.cwd });
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(w.runInTarget('minutes')).toBe('m-fixture');
    });

    it('refuses evidence of a newer schema with exit 2, applying nothing', async () => {
      promoteWith('m-future', fixture('newer-evidence@3.json'));
      const r = await runCliProcess(['apply', '--no-trigger'], { cwd: w.cwd });
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(
        `error: promotions/minutes/m-future.json: this evidence needs git-promote 9.0.0 (evidence schema 3); you have ${VERSION}`,
      );
      expect(w.runInTarget('minutes')).toBe('m1');
    });
  });

  it("smoke still writes the kept fixture's format (when it changes, add a fixture and keep this one)", async () => {
    const world = createPipelineWorld();
    try {
      world.addRun('minutes', 'm-new');
      const out = join(world.repo.dir, 'evidence.json');
      const r = await runCliProcess(['smoke', 'minutes', 'm-new', '--out', out], { cwd: world.root });
      expect(r.code).toBe(0);
      const written = JSON.parse(readFileSync(out, 'utf8')) as Record<string, unknown>;
      const kept = JSON.parse(fixture('smoke-evidence@1.json')) as Record<string, unknown>;
      expect(written.schema).toBe(kept.schema);
      expect(shape(written)).toEqual(shape(kept));
    } finally {
      world.cleanup();
    }
  });
});

/** The key paths of a JSON value (array items merged), e.g. "smoke.exit_code". */
function shape(value: unknown, prefix = ''): string[] {
  if (Array.isArray(value)) return [...new Set(value.flatMap((v) => shape(v, `${prefix}[]`)))].sort();
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value as Record<string, unknown>)
    .flatMap(([k, v]) => [`${prefix}${k}`, ...shape(v, `${prefix}${k}.`)])
    .sort();
}
