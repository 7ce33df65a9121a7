/**
 * The shipped units, judged by systemd's own tools (Debian's `systemd` package; .ci/run installs
 * it): `systemd-analyze verify` must accept them and `systemd-analyze security --offline=true`
 * must rate the agent 3.0 or lower ("OK").
 */
import { afterEach, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { copyFileSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempDir } from '../helpers/git-repo.js';

const TEMPLATES = fileURLToPath(new URL('../../templates/systemd/', import.meta.url));
const AGENT = 'git-promote-agent.service';
const NOTIFY = 'git-promote-notify@.service';
const MAX_EXPOSURE = 3.0;

const analyze = spawnSync('systemd-analyze', ['--version'], { encoding: 'utf8' });
const missing = analyze.error
  ? 'systemd-analyze is not installed (apt-get install systemd; .ci/run does it)'
  : '';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

function unitDir(files: Record<string, string>): string {
  const dir = tempDir();
  dirs.push(dir);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

function run(args: string[], cwd: string): { code: number; out: string } {
  const r = spawnSync('systemd-analyze', args, {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, SYSTEMD_PAGER: 'cat' },
  });
  return { code: r.status ?? -1, out: `${r.stdout}${r.stderr}` };
}

/** "→ Overall exposure level for x.service: 1.3 OK 🙂" */
function exposure(out: string): number {
  const m = /Overall exposure level for \S+: (\d+(?:\.\d+)?) /.exec(out);
  if (!m) throw new Error(`no exposure level in:\n${out}`);
  return Number(m[1]);
}

const agentText = readFileSync(join(TEMPLATES, AGENT), 'utf8');

describe.skipIf(missing)(`systemd units ${missing ? `(skipped: ${missing})` : ''}`, () => {
  it(`the agent unit passes verify and rates ${MAX_EXPOSURE} or lower with security --offline=true`, () => {
    const dir = unitDir({ [AGENT]: agentText });
    const verify = run(['verify', join(dir, AGENT)], dir);
    expect(verify.out).toBe('');
    expect(verify.code).toBe(0);
    const security = run(['security', '--offline=true', '--no-pager', join(dir, AGENT)], dir);
    const level = exposure(security.out);
    expect(level, security.out).toBeLessThanOrEqual(MAX_EXPOSURE);
  });

  it('the OnFailure= notifier it names verifies alongside it', () => {
    const enabled = agentText.replace(/^#(OnFailure=git-promote-notify@%n\.service)$/m, '$1');
    expect(enabled).not.toBe(agentText);
    const dir = unitDir({ [AGENT]: enabled });
    copyFileSync(join(TEMPLATES, NOTIFY), join(dir, NOTIFY));
    const verify = run(['verify', AGENT, `git-promote-notify@${AGENT}.service`], dir);
    expect(verify.out).toBe('');
    expect(verify.code).toBe(0);
  });

  it('a unit without the sandbox is caught (the test can fail)', () => {
    const bare = agentText
      .split('\n')
      .filter(
        (l) => !/^(SystemCallFilter|CapabilityBoundingSet|PrivateUsers|RestrictAddressFamilies)=/.test(l),
      )
      .join('\n');
    const dir = unitDir({ [AGENT]: bare });
    expect(
      exposure(run(['security', '--offline=true', '--no-pager', join(dir, AGENT)], dir).out),
    ).toBeGreaterThan(MAX_EXPOSURE);
  });
});

describe('the agent unit keeps what the agent needs', () => {
  const settings = (key: string) =>
    agentText
      .split('\n')
      .filter((l) => l.startsWith(`${key}=`))
      .map((l) => l.slice(key.length + 1));

  it('host config, restart policy, umask and the sockets its lock and HTTP need', () => {
    expect(settings('Environment')).toContain('PROMOTE_CONFIG=/etc/git-promote/promote.config.json');
    expect(settings('RestartPreventExitStatus')).toEqual(['2']);
    expect(settings('UMask')).toEqual(['0027']);
    // The lock's guard is an abstract unix socket: the host's network namespace and AF_UNIX.
    expect(settings('PrivateNetwork')).toEqual([]);
    expect(settings('RestrictAddressFamilies')).toEqual(['AF_UNIX AF_INET AF_INET6']);
    // V8's JIT needs writable-executable memory.
    expect(settings('MemoryDenyWriteExecute')).toEqual([]);
    expect(agentText).toMatch(/^# MemoryDenyWriteExecute= stays off: V8/m);
    // Refused system calls fail with EPERM rather than killing the agent.
    expect(settings('SystemCallErrorNumber')).toEqual(['EPERM']);
  });
});
