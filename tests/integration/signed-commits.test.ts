/**
 * agent.requireSignedCommits with agent.allowedSigners: a good signature is not enough, the
 * signer must be on the host's allow-list (real gpg and ssh-keygen, real git verify-commit).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/program.js';
import { createAgentWorld, type AgentWorld } from '../helpers/agent-world.js';
import { testContext } from '../helpers/context.js';
import { testEnv } from '../helpers/git-repo.js';
import { needsProgram } from '../helpers/platform.js';

const worlds: AgentWorld[] = [];
const cleanups: (() => void)[] = [];
afterEach(() => {
  cleanups.splice(0).forEach((c) => c());
  worlds.splice(0).forEach((w) => w.cleanup());
});

function world(): AgentWorld {
  const w = createAgentWorld();
  worlds.push(w);
  return w;
}

/** Require signed commits in the host config (the clone's working tree), signers as given. */
function requireSigners(w: AgentWorld, allowedSigners: Record<string, unknown>): void {
  const path = join(w.cwd, 'promote.config.json');
  const config = JSON.parse(readFileSync(path, 'utf8')) as { agent: Record<string, unknown> };
  config.agent = { ...config.agent, requireSignedCommits: true, allowedSigners };
  writeFileSync(path, JSON.stringify(config, null, 2));
}

/** Add a signed empty commit on top of the branch and push it; `sign` holds the git -c settings. */
function pushSigned(w: AgentWorld, sign: string[], env: Record<string, string> = {}): void {
  const run = (args: string[]) =>
    execFileSync('git', args, { cwd: w.cwd, env: testEnv(env) as NodeJS.ProcessEnv, stdio: 'pipe' });
  run([...sign, 'commit', '--quiet', '--allow-empty', '-S', '-m', 'signed merge']);
  run(['push', '--quiet', 'origin', `HEAD:refs/heads/${w.repo.branch}`]);
}

async function apply(w: AgentWorld, env: Record<string, string> = {}) {
  const ctx = testContext({ cwd: w.cwd, env: testEnv(env) });
  const code = await runCli(['apply', '--no-trigger'], ctx);
  return { code, out: ctx.out(), err: ctx.err() };
}

function sshKey(dir: string, name: string): { key: string; pub: string } {
  const key = join(dir, name);
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', name, '-f', key]);
  return { key, pub: readFileSync(`${key}.pub`, 'utf8').trim() };
}

describe('signed commits against an allow-list', () => {
  it('refuses a config that requires signatures but lists no signer (exit 2)', async () => {
    const w = world();
    requireSigners(w, {});
    const r = await apply(w);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/agent\.allowedSigners: requireSignedCommits needs allowed signers/);
  });

  it('SSH: applies a tip signed by an allowed key, refuses one signed by another key and writes nothing', async (ctx) => {
    needsProgram(ctx, 'ssh-keygen', 'it makes and checks SSH signatures');
    const w = world();
    const keys = join(w.dir, 'keys');
    mkdirSync(keys);
    const trusted = sshKey(keys, 'trusted');
    const other = sshKey(keys, 'other');
    writeFileSync(join(keys, 'allowed_signers'), `release@example.com ${trusted.pub}\n`);
    requireSigners(w, { ssh: join(keys, 'allowed_signers') });
    const ssh = (key: string) => ['-c', 'gpg.format=ssh', '-c', `user.signingkey=${key}`];

    w.promote({ minutes: 'm2' });
    pushSigned(w, ssh(other.key));
    const refused = await apply(w);
    expect(refused.code).toBe(1);
    expect(refused.err).toMatch(/is not signed by an allowed signer \(agent\.requireSignedCommits\)/);
    expect(refused.err).toMatch(/No principal matched/);
    expect(w.runInTarget('minutes')).toBe('m1');

    pushSigned(w, ssh(trusted.key));
    const ok = await apply(w);
    expect(ok.code, ok.err).toBe(0);
    expect(w.runInTarget('minutes')).toBe('m2');
  });

  it('GPG: a good signature from a key in the keyring but not on the list is refused', async (ctx) => {
    needsProgram(ctx, 'gpg', 'it makes and checks OpenPGP signatures');
    const w = world();
    const home = join(w.dir, 'gpg');
    mkdirSync(home, { mode: 0o700 });
    const env = { GNUPGHOME: home };
    cleanups.push(() => {
      try {
        execFileSync('gpgconf', ['--kill', 'all'], { env: { ...process.env, ...env }, stdio: 'ignore' });
      } catch {
        // No agent was started.
      }
    });
    const gpg = (args: string[]) =>
      execFileSync('gpg', ['--batch', '--pinentry-mode', 'loopback', '--passphrase', '', ...args], {
        env: { ...process.env, ...env },
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      });
    gpg(['--quick-gen-key', 'Release <release@example.com>', 'ed25519', 'sign', 'never']);
    const fpr = /^fpr:+([0-9A-F]{40}):/m.exec(gpg(['--list-keys', '--with-colons']))![1]!;
    const sign = ['-c', `user.signingkey=${fpr}`];

    requireSigners(w, { gpg: ['0123456789ABCDEF0123456789ABCDEF01234567'] });
    w.promote({ minutes: 'm2' });
    pushSigned(w, sign, env);
    const refused = await apply(w, env);
    expect(refused.code).toBe(1);
    expect(refused.err).toContain(`signed by OpenPGP key ${fpr}, which is not in agent.allowedSigners.gpg`);
    expect(w.runInTarget('minutes')).toBe('m1');

    // Fingerprints are accepted as gpg prints them, in groups of four.
    requireSigners(w, { gpg: [fpr.replace(/(.{4})(?!$)/g, '$1 ').toLowerCase()] });
    const ok = await apply(w, env);
    expect(ok.code, ok.err).toBe(0);
    expect(w.runInTarget('minutes')).toBe('m2');
  });
});
