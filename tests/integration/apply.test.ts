import { afterEach, describe, expect, it } from 'vitest';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../src/cli/program.js';
import { makeApply } from '../../src/commands/apply.js';
import type { AfterApplyHook, AppliedCommit } from '../../src/core/apply-result.js';
import { manifestSchema } from '../../src/core/schemas.js';
import { acquireLock } from '../../src/adapters/fs/lock.js';
import { createAgentWorld, evidenceFor, spawnCli, type AgentWorld, FILES } from '../helpers/agent-world.js';
import { execFileSync } from 'node:child_process';
import { testContext } from '../helpers/context.js';
import { pointerJson } from '../helpers/fixtures.js';

const worlds: AgentWorld[] = [];
afterEach(() => worlds.splice(0).forEach((w) => w.cleanup()));

function world(config?: Record<string, unknown>): AgentWorld {
  const w = createAgentWorld({ config });
  worlds.push(w);
  return w;
}

async function apply(w: AgentWorld, args: string[] = []) {
  const ctx = testContext({ cwd: w.cwd });
  const code = await runCli(['apply', ...args], ctx);
  return { code, out: ctx.out(), err: ctx.err() };
}

function journal(w: AgentWorld): Record<string, unknown>[] {
  const p = join(w.state, 'journal.jsonl');
  if (!existsSync(p)) return [];
  return readFileSync(p, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

function stateFile(w: AgentWorld) {
  return JSON.parse(readFileSync(join(w.state, 'state.json'), 'utf8'));
}

function tempsIn(dir: string): string[] {
  return readdirSync(dir).filter((n) => n.includes('git-promote-tmp'));
}

describe('git promote apply', () => {
  it('applies a promotion atomically, records state, journal and manifest, and is idempotent', async () => {
    const w = world();
    const first = await apply(w);
    expect(first.code, first.err).toBe(0);
    expect(first.out).toContain('no pointer changed');
    const commit = w.promote({ minutes: 'm2' });

    const r = await apply(w, ['--json']);
    expect(r.code, r.err).toBe(0);
    const report = JSON.parse(r.out);
    expect(report.commit).toBe(commit);
    expect(report.changed).toEqual([
      { pointer: 'minutes', file: FILES.minutes, from: 'm1', to: 'm2', reason: 'promote' },
    ]);
    expect(report.trigger).toBe('none');
    expect(w.runInTarget('minutes')).toBe('m2');
    expect(w.pointerInTarget('minutes')).toBe(pointerJson('m2', { updated_by: 'git-promote' }));
    expect(w.runInTarget('rates')).toBe('r1');

    const state = stateFile(w);
    expect(state.applied).toMatchObject({ commit, runs: { minutes: 'm2', rates: 'r1' } });
    expect(state.pending).toBeNull();
    const entries = journal(w).filter((e) => e.event === 'applied');
    expect(entries).toHaveLength(2);
    expect(entries[1]).toMatchObject({ commit, trigger: 'none' });

    const manifest = JSON.parse(readFileSync(report.applied.manifest, 'utf8'));
    expect(
      report.applied.manifest.startsWith(join(w.dir, 'manifests', 'promotion', 'game_date=2026-11-26')),
    ).toBe(true);
    expect(manifestSchema.safeParse(manifest).success).toBe(true);
    expect(manifest).toMatchObject({
      asset: 'promotion',
      status: 'success',
      models: { minutes: 'm2', rates: 'r1' },
      commit,
    });

    // A second apply of the same commit changes nothing and exits 0.
    const before = statSync(join(w.target, FILES.minutes)).mtimeMs;
    const again = await apply(w);
    expect(again.code).toBe(0);
    expect(again.out).toContain('up to date, nothing to apply');
    expect(statSync(join(w.target, FILES.minutes)).mtimeMs).toBe(before);
    expect(journal(w).filter((e) => e.event === 'applied')).toHaveLength(2);
    expect(tempsIn(join(w.target, 'config'))).toEqual([]);
    expect(existsSync(join(w.state, 'intent.json'))).toBe(false);
    expect(existsSync(join(w.state, 'agent.lock'))).toBe(false);
  });

  it('applies a two-pointer change as one set', async () => {
    const w = world();
    await apply(w);
    w.promote({ minutes: 'm2', rates: 'r2' });
    const r = await apply(w);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain('minutes: m1 -> m2');
    expect(r.out).toContain('rates: r1 -> r2');
    expect([w.runInTarget('minutes'), w.runInTarget('rates')]).toEqual(['m2', 'r2']);
  });

  it('--dry-run prints a unified diff and changes nothing', async () => {
    const w = world();
    await apply(w);
    w.promote({ minutes: 'm2' });
    const r = await apply(w, ['--dry-run']);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain(`--- a/${FILES.minutes}`);
    expect(r.out).toContain(`+++ b/${FILES.minutes}`);
    expect(r.out).toContain('-  "run_id": "m1"');
    expect(r.out).toContain('+  "run_id": "m2"');
    expect(w.runInTarget('minutes')).toBe('m1');
    expect(journal(w).filter((e) => e.event === 'applied')).toHaveLength(1);
    // The dry run fetched into a scratch ref and removed it again.
    expect(
      w.repo.git(['-C', join(w.state, 'mirror.git'), 'for-each-ref', '--format=%(refname)']),
    ).not.toContain('dry-run');
    const json = await apply(w, ['--dry-run', '--json']);
    const report = JSON.parse(json.out);
    expect(report).toMatchObject({
      dryRun: true,
      applied: null,
      changed: [{ pointer: 'minutes', to: 'm2' }],
    });
    expect(report.diff).toContain('+  "run_id": "m2"');
  });

  it('refuses a force-pushed branch (exit 1) unless --allow-rewrite', async () => {
    const w = world();
    await apply(w);
    const applied = w.promote({ minutes: 'm2' });
    expect((await apply(w)).code).toBe(0);
    w.repo.git(['reset', '--quiet', '--hard', 'HEAD~1']);
    w.promote({ minutes: 'm3' }, { force: true });
    const r = await apply(w);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^error: .*does not descend from the applied commit .*history was rewritten\n/);
    expect(r.err).toContain('hint: ');
    expect(w.runInTarget('minutes')).toBe('m2');
    expect(stateFile(w).applied.commit).toBe(applied);
    const forced = await apply(w, ['--allow-rewrite']);
    expect(forced.code, forced.err).toBe(0);
    expect(w.runInTarget('minutes')).toBe('m3');
  });

  it('refuses bad pointer JSON on the branch and keeps the previous pointer', async () => {
    const w = world();
    await apply(w);
    w.repo.commit({ [FILES.minutes]: '{"run_id": "m2",' });
    const r = await apply(w);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^error: .*not valid JSON/);
    expect(w.pointerInTarget('minutes')).toBe(pointerJson('m1', { updated_by: 'git-promote' }));
  });

  it('refuses a run id with ".." before it touches a path', async () => {
    const w = world();
    await apply(w);
    w.repo.commit({ [FILES.rates]: pointerJson('r1/../../etc') });
    const r = await apply(w);
    expect(r.code).toBe(1);
    expect(r.err).toContain('is not a valid run id');
    expect(w.runInTarget('rates')).toBe('r1');
  });

  it('refuses an artifact directory whose symlink escapes the artifacts root', async () => {
    const w = world();
    await apply(w);
    const outside = join(w.dir, 'elsewhere', 'run=m2');
    mkdirSync(outside, { recursive: true });
    const meta = w.artifact('minutes', 'm2');
    writeFileSync(join(outside, 'meta.json'), JSON.stringify(meta));
    rmSync(join(w.artifacts, 'minutes', 'run=m2'), { recursive: true });
    symlinkSync(outside, join(w.artifacts, 'minutes', 'run=m2'));
    w.promote({ minutes: 'm2' });
    const r = await apply(w);
    expect(r.code).toBe(1);
    expect(r.err).toContain('outside the artifacts root');
    expect(w.runInTarget('minutes')).toBe('m1');
  });

  it('refuses a meta.json that does not hash to the evidence, or breaks the contract', async () => {
    const w = world();
    await apply(w);
    w.promote({ minutes: 'm2' });
    const metaPath = join(w.artifacts, 'minutes', 'run=m2', 'meta.json');
    const meta = JSON.parse(readFileSync(metaPath, 'utf8'));
    writeFileSync(metaPath, JSON.stringify({ ...meta, metrics: { mae: 1.0 } }));
    const r = await apply(w);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/meta\.json hashes to [0-9a-f]{12}… but the evidence says/);
    expect(w.runInTarget('minutes')).toBe('m1');

    w.artifact('rates', 'r3', {
      run_id: 'r3',
      model: 'x',
      created_at: '2026-11-20T10:00:00Z',
      contract: '3.0.0',
    });
    w.repo.git(['revert', '--no-edit', 'HEAD']);
    w.repo.git(['push', '--quiet', 'origin', 'HEAD:main']);
    w.promote({ rates: 'r3' });
    const c = await apply(w);
    expect(c.code).toBe(1);
    expect(c.err).toContain('contract 3.0.0 does not satisfy ^1.0.0');
  });

  it('refuses a promotion without evidence on the branch', async () => {
    const w = world();
    await apply(w);
    w.artifact('minutes', 'm9');
    w.repo.commit({ [FILES.minutes]: pointerJson('m9') });
    const r = await apply(w);
    expect(r.code).toBe(1);
    expect(r.err).toContain('no evidence promotions/minutes/m9.json');
  });

  it('refuses evidence that names another pointer, even when its meta matches the artifact', async () => {
    const w = world();
    await apply(w);
    const meta = w.artifact('minutes', 'm2');
    w.repo.commit({
      [FILES.minutes]: pointerJson('m2'),
      'promotions/minutes/m2.json': `${JSON.stringify(evidenceFor('rates', 'm2', meta), null, 2)}\n`,
    });
    const r = await apply(w);
    expect(r.code).toBe(1);
    expect(r.err).toContain('minutes: promotions/minutes/m2.json is evidence for rates=m2');
    expect(w.runInTarget('minutes')).toBe('m1');
  });

  it('refuses to write through a pointer directory that is a symlink out of the target', async () => {
    const w = world();
    await apply(w);
    const outside = join(w.dir, 'outside-config');
    mkdirSync(outside);
    rmSync(join(w.target, 'config'), { recursive: true });
    symlinkSync(outside, join(w.target, 'config'));
    const r = await apply(w);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^error: .*config resolves to .*outside-config, outside the target/);
    expect(readdirSync(outside)).toEqual([]);
  });

  it('says so when the target does not exist (exit 2)', async () => {
    const w = world();
    rmSync(w.target, { recursive: true });
    const r = await apply(w);
    expect(r.code).toBe(2);
    expect(r.err).toContain('error: the agent target');
    expect(existsSync(w.target)).toBe(false);
  });

  it('reports and restores a hand-edited pointer file (drift)', async () => {
    const w = world();
    await apply(w);
    writeFileSync(join(w.target, FILES.rates), pointerJson('r0-by-hand'));
    const r = await apply(w);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain(
      'drift: config/rates_current_run.json (rates): the file selects r0-by-hand but r1 was applied; restored',
    );
    expect(r.out).toContain('rates: r0-by-hand -> r1 (restore');
    expect(w.runInTarget('rates')).toBe('r1');
    // Both passes ran at the same instant (the test clock): each still has its own apply id, so
    // the restore is journaled and recorded, not taken for the first apply.
    const applied = journal(w).filter((e) => e.event === 'applied');
    expect(applied).toHaveLength(2);
    expect(new Set(applied.map((e) => e.id)).size).toBe(2);
    expect(stateFile(w).applied.id).toBe(applied[1]!.id);
  });

  it('exits 4 when another process holds the lock, and recovers a stale lock of a dead process', async () => {
    const w = world();
    await apply(w);
    mkdirSync(w.state, { recursive: true });
    const held = await acquireLock(join(w.state, 'agent.lock'));
    const busy = await apply(w);
    expect(busy.code).toBe(4);
    expect(busy.err).toMatch(/^error: the agent lock .* is held by pid \d+ on /);
    held.release();

    // A lock left by a killed process (a pid that is not running) is recovered.
    writeFileSync(
      join(w.state, 'agent.lock'),
      JSON.stringify({
        pid: 2 ** 22 + 17,
        start: '1',
        host: hostname(),
        token: 'dead',
        since: '2026-01-01',
        command: 'x',
      }),
    );
    w.promote({ minutes: 'm2' });
    const r = await apply(w);
    expect(r.code, r.err).toBe(0);
    expect(w.runInTarget('minutes')).toBe('m2');
    expect(existsSync(join(w.state, 'agent.lock'))).toBe(false);
  });

  it('calls afterApply hooks once per applied commit and resumes a failed one on the next pass', async () => {
    const w = world();
    await apply(w);
    const seen: AppliedCommit[] = [];
    const savedSeen: unknown[] = [];
    let fail = true;
    const hooks: AfterApplyHook[] = [
      { name: 'deploy', run: async (a) => void seen.push(a) },
      {
        name: 'flow',
        run: async (a, hctx) => {
          savedSeen.push(hctx.saved);
          if (!hctx.saved) await hctx.save({ flowRunId: `run-for-${a.commit.slice(0, 7)}` });
          if (fail) throw new Error('prefect down while following');
          return { flowRunId: (hctx.saved?.flowRunId as string) ?? 'none', state: 'COMPLETED' };
        },
      },
    ];
    const applyWithHooks = makeApply({ afterApply: hooks });
    const commit = w.promote({ minutes: 'm2' });
    const ctx = testContext({ cwd: w.cwd });
    await expect(applyWithHooks([], {}, ctx)).rejects.toThrow('prefect down while following');
    expect(w.runInTarget('minutes')).toBe('m2');
    expect(stateFile(w).pending).toMatchObject({ commit, followUps: { deploy: {} } });
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({
      commit,
      branch: 'origin/main',
      target: w.target,
      changed: [{ pointer: 'minutes', file: FILES.minutes, from: 'm1', to: 'm2', reason: 'promote' }],
      runs: { minutes: 'm2', rates: 'r1' },
      manifest: expect.stringContaining(join('manifests', 'promotion')),
    });
    expect(seen[0]!.previousCommit).toMatch(/^[0-9a-f]{40}$/);

    fail = false;
    const out = await applyWithHooks([], {}, testContext({ cwd: w.cwd }));
    expect(out.exitCode).toBe(0);
    expect(seen).toHaveLength(1); // the deploy hook is not called twice
    const state = stateFile(w);
    expect(state.pending).toBeNull();
    // The second attempt resumed with what the first one saved (the same flow run, not a new one).
    expect(savedSeen).toEqual([null, { flowRunId: `run-for-${commit.slice(0, 7)}` }]);
    expect(state.lastFollowUps).toEqual({
      commit,
      followUps: { deploy: {}, flow: { flowRunId: `run-for-${commit.slice(0, 7)}`, state: 'COMPLETED' } },
    });

    expect(
      journal(w)
        .filter((e) => e.event === 'follow-up')
        .map((e) => e.hook),
    ).toEqual(['deploy', 'flow']);

    // A third pass: nothing applied, nothing triggered.
    await applyWithHooks([], {}, testContext({ cwd: w.cwd }));
    expect(seen).toHaveLength(1);

    // --no-trigger: applied, hooks not called, recorded as skipped.
    w.promote({ rates: 'r2' });
    const skipped = await applyWithHooks([], { trigger: false }, testContext({ cwd: w.cwd }));
    expect((skipped.data as { trigger: string }).trigger).toBe('skipped');
    expect(seen).toHaveLength(1);
    expect(journal(w).at(-1)).toMatchObject({ event: 'applied', trigger: 'skipped' });
  });

  it('refuses an unsigned tip when agent.requireSignedCommits is set', async () => {
    const w = world({ agent: { target: 'PLACEHOLDER' } });
    // Rewrite the config on the branch with the right target and signed commits required.
    const config = JSON.parse(readFileSync(join(w.cwd, 'promote.config.json'), 'utf8'));
    config.agent = {
      target: w.target,
      state: w.state,
      interval: '30s',
      requireSignedCommits: true,
      allowedSigners: { gpg: ['0123456789ABCDEF0123456789ABCDEF01234567'] },
    };
    w.repo.commit({ 'promote.config.json': JSON.stringify(config, null, 2) });
    const r = await apply(w);
    expect(r.code).toBe(1);
    expect(r.err).toContain('is not signed by an allowed signer (agent.requireSignedCommits)');
  });

  it('says "permission denied" (exit 1) for a read-only target directory and writes nothing', async () => {
    const w = world();
    await apply(w);
    w.promote({ minutes: 'm2', rates: 'r2' });
    const dir = join(w.target, 'config');
    try {
      // root ignores file modes: run the CLI as an unprivileged user that owns the world then.
      const asRoot = process.getuid?.() === 0;
      if (asRoot) execFileSync('chown', ['-R', 'nobody:nogroup', w.dir]);
      chmodSync(dir, 0o555);
      const r = await spawnCli(['apply'], {
        cwd: w.cwd,
        env: { HOME: w.dir },
        ...(asRoot ? { uid: 65534 } : {}),
      }).done;
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr).toMatch(
        /^error: permission denied: .*config\/\.minutes_current_run\.json\.git-promote-tmp-/,
      );
      expect(r.stderr.split('\n').filter(Boolean)).toHaveLength(2);
      expect(r.stderr).not.toContain('    at ');
    } finally {
      chmodSync(dir, 0o755);
    }
    expect([w.runInTarget('minutes'), w.runInTarget('rates')]).toEqual(['m1', 'r1']);
    expect(tempsIn(dir)).toEqual([]);
    expect(existsSync(join(w.state, 'intent.json'))).toBe(false);
  });
});
