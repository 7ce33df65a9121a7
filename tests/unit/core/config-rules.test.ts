/** The config's value rules at their edges: each problem named by its dot-path and what is wrong. */
import { describe, expect, it } from 'vitest';
import { validateConfig } from '../../../src/core/config.js';
import { sampleConfig } from '../../helpers/fixtures.js';

type Raw = Record<string, unknown> & { pointers: Record<string, Record<string, unknown>> };
const sample = (overrides: Record<string, unknown> = {}) => sampleConfig('/srv', overrides) as Raw;
const errorsOf = (raw: unknown) => validateConfig(raw).errors;

function withMinutes(fields: Record<string, unknown>): Raw {
  const raw = sample();
  Object.assign(raw.pointers.minutes!, fields);
  return raw;
}

describe('config rules', () => {
  it('needs at least one pointer', () => {
    expect(errorsOf(sample({ pointers: {} }))).toEqual(['pointers: must define at least one pointer']);
  });

  it('names the root when the config is not an object', () => {
    expect(errorsOf([])).toEqual([expect.stringMatching(/^\(root\): /)]);
  });

  it('takes durations up to the limit, not past it, and not a word', () => {
    expect(errorsOf(sample({ flow: { command: ['run'], timeout: '24h' } }))).toEqual([]);
    expect(errorsOf(sample({ flow: { command: ['run'], timeout: '25h' } }))).toEqual([
      'flow.timeout: must be at most 24h',
    ]);
    expect(errorsOf(sample({ flow: { command: ['run'], timeout: 'soon' } }))).toEqual([
      'flow.timeout: must be a duration such as 30s, 10m, 1h',
    ]);
  });

  it('wants a pointer file as a .json path inside the repository', () => {
    expect(errorsOf(withMinutes({ file: '/etc/minutes.json' }))).toEqual([
      'pointers.minutes.file: must be a path inside the repository',
    ]);
    expect(errorsOf(withMinutes({ file: 'config/minutes/' }))).toEqual([
      'pointers.minutes.file: must be a .json file',
    ]);
    expect(errorsOf(withMinutes({ file: 'config/minutes.json' }))).toEqual([]);
  });

  it('needs {run_id} in the smoke command', () => {
    expect(errorsOf(withMinutes({ smoke: { command: ['score', '--run', 'latest'] } }))).toEqual([
      'pointers.minutes.smoke.command: must pass {run_id} to the smoke command',
    ]);
    expect(errorsOf(withMinutes({ smoke: { command: ['score', '--run={run_id}'] } }))).toEqual([]);
  });

  it('accepts row bounds that meet, or only one of them, but not min above max', () => {
    const rows = (r: Record<string, number>) =>
      errorsOf(withMinutes({ smoke: { command: ['score', '{run_id}'], expect: { rows: r } } }));
    expect(rows({ min: 100, max: 100 })).toEqual([]);
    expect(rows({ min: 100 })).toEqual([]);
    expect(rows({ max: 100 })).toEqual([]);
    expect(rows({ min: 101, max: 100 })).toEqual([
      'pointers.minutes.smoke.expect.rows: min must not exceed max',
    ]);
  });

  it('needs every placeholder in the manifest layout', () => {
    const layout = (l: string) => errorsOf(sample({ manifests: { root: '/m', layout: l } }));
    expect(layout('{asset}/{game_date}/{run_id}.json')).toEqual([]);
    for (const l of ['{game_date}/{run_id}.json', '{asset}/{run_id}.json', '{asset}/{game_date}.json'])
      expect(layout(l), l).toEqual(['manifests.layout: must contain {asset}, {game_date} and {run_id}']);
  });

  it('needs allowed signers when signed commits are required, either kind', () => {
    const agent = (a: Record<string, unknown>) =>
      errorsOf(sample({ agent: { target: '/srv/target', requireSignedCommits: true, ...a } }));
    const problem =
      'agent.allowedSigners: requireSignedCommits needs allowed signers: OpenPGP fingerprints (gpg) or an ssh allowed-signers file (ssh)';
    expect(agent({})).toEqual([problem]);
    expect(agent({ allowedSigners: { gpg: [] } })).toEqual([problem]);
    expect(agent({ allowedSigners: { gpg: ['0123456789ABCDEF0123456789ABCDEF01234567'] } })).toEqual([]);
    expect(agent({ allowedSigners: { ssh: 'allowed_signers' } })).toEqual([]);
    expect(errorsOf(sample({ agent: { target: '/srv/target' } }))).toEqual([]);
  });
});
