/**
 * The checks validate runs on one evidence file, called directly: what each reports when it passes
 * (the reviewer reads these lines in the PR report) and the edges of the smoke expectations.
 */
import { describe, expect, it } from 'vitest';
import {
  checkColumns,
  checkConfig,
  checkConfigChange,
  checkContract,
  checkEvidenceAge,
  checkEvidenceMatch,
  checkManifest,
  checkMetaSha,
  checkRows,
  checkSmoke,
  parseEvidence,
  type CiEvidence,
} from '../../../src/core/validate-checks.js';
import { canonicalSha256 } from '../../../src/core/meta-hash.js';
import type { Config } from '../../../src/core/schemas.js';
import { buildEvidence, type EvidenceOptions } from '../../helpers/evidence.js';
import { sampleConfig } from '../../helpers/fixtures.js';

const FILE = 'promotions/minutes/m2.json';

function parsed(options: EvidenceOptions = {}, text?: string): { evidence: CiEvidence; raw: unknown } {
  const p = parseEvidence(text ?? JSON.stringify(buildEvidence('minutes', 'm2', options)), '0.1.0');
  if ('problems' in p || !p.evidence) throw new Error('not smoke evidence');
  return { evidence: p.evidence, raw: p.raw };
}
const evidence = (options: EvidenceOptions = {}) => parsed(options).evidence;

/** The minutes pointer of a valid config, with `smoke.expect` as given. */
function pointer(expect: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) {
  const raw = sampleConfig('/data');
  const pointers = raw.pointers as Record<string, Record<string, unknown>>;
  Object.assign(pointers.minutes!, { smoke: { command: ['score', '{run_id}'], expect } }, extra);
  const { config } = checkConfig(JSON.stringify(raw), 'promote.config.json');
  return (config as Config).pointers.minutes!;
}

describe('config check', () => {
  it('says where the config is valid and how many pointers it declares', () => {
    const raw = sampleConfig('/data', { policy: { evidenceMaxAge: { days: 3 } } });
    expect(checkConfig(JSON.stringify(raw), 'promote.config.json').result).toEqual({
      name: 'config',
      ok: true,
      reason: 'promote.config.json at head is valid (2 pointers)',
      file: 'promote.config.json',
    });
    delete (raw.pointers as Record<string, unknown>).rates;
    expect(checkConfig(JSON.stringify(raw), 'promote.config.json', 'at base').result.reason).toBe(
      'promote.config.json at base is valid (1 pointer)',
    );
  });

  it('lists every problem of an invalid config on one line, naming the file', () => {
    const raw = sampleConfig('/data', { policy: { evidenceMaxAgeDays: -1, mergeMethod: 'yolo' } });
    const { result, config } = checkConfig(JSON.stringify(raw), 'promote.config.json');
    expect(config).toBeNull();
    expect(result).toMatchObject({ name: 'config', ok: false, file: 'promote.config.json' });
    expect(result.reason).toMatch(
      /^promote\.config\.json at head: policy\.evidenceMaxAgeDays: [^;]+; policy\.mergeMethod: [^;]+$/,
    );
  });

  it('names the config check for a config that is not JSON', () => {
    expect(checkConfig('{', 'promote.config.json').result).toMatchObject({ name: 'config', ok: false });
  });

  it('says when the config is missing', () => {
    expect(checkConfig(null, 'promote.config.json').result).toEqual({
      name: 'config',
      ok: false,
      reason: 'promote.config.json is missing at head',
      file: 'promote.config.json',
    });
  });

  it("reports the PR's own config change for review, by its own name, whether valid or not", () => {
    expect(
      checkConfigChange(
        JSON.stringify(sampleConfig('/data', { policy: { evidenceMaxAge: { days: 3 } } })),
        'promote.config.json',
      ),
    ).toEqual({
      name: 'config-change',
      ok: true,
      reason:
        'promote.config.json in this PR is valid (2 pointers); it does not judge this PR and needs human review',
      file: 'promote.config.json',
    });
    expect(checkConfigChange('{', 'promote.config.json')).toMatchObject({
      name: 'config-change',
      ok: false,
      reason: expect.stringMatching(/^promote\.config\.json in this PR is not valid JSON/),
      file: 'promote.config.json',
    });
  });
});

describe('evidence checks', () => {
  it('name the evidence they passed: pointer and run, hash, smoke time, manifest', () => {
    const ev = parsed();
    const sha = canonicalSha256((ev.raw as { meta: unknown }).meta);
    expect(checkEvidenceMatch(ev.evidence, 'minutes', 'm2', FILE)).toEqual({
      name: 'evidence-match',
      ok: true,
      reason: 'evidence is for minutes=m2',
      file: FILE,
      pointer: 'minutes',
    });
    expect(checkMetaSha(ev.evidence, ev.raw, 'minutes', FILE).reason).toBe(
      `meta_sha256 ${sha.slice(0, 12)} matches the embedded meta`,
    );
    expect(checkSmoke(ev.evidence, 'minutes', FILE).reason).toBe(
      'smoke exited 0 without publishing in 42000 ms',
    );
    expect(checkManifest(ev.evidence, 'minutes', 'm2', FILE).reason).toBe(
      'manifest minutes_scores succeeded for m2 on 2026-11-25',
    );
  });

  it('report every mismatch at once', () => {
    const ev = evidence({
      extra: { pointer: 'rates', run_id: 'm3' },
      meta: { run_id: 'm4', model: 'x', created_at: '2026-11-20T10:00:00Z' },
    });
    expect(checkEvidenceMatch(ev, 'minutes', 'm2', FILE).reason).toBe(
      'pointer is "rates", expected "minutes"; run_id is "m3", expected "m2"; meta.run_id is "m4", expected "m2"',
    );
    const smoke = evidence({ smoke: { exit_code: 1, published: true } });
    expect(checkSmoke(smoke, 'minutes', FILE).reason).toBe(
      'smoke exited 1; smoke published its outputs (must run with no publish)',
    );
    const manifest = evidence({ manifest: { status: 'failed', run_id: 'm9' } });
    expect(checkManifest(manifest, 'minutes', 'm2', FILE).reason).toBe(
      'manifest status is failed, expected success; manifest scored with "m9", expected "m2"',
    );
  });

  it('shows the two hashes shortened when they differ', () => {
    const ev = parsed({ metaSha256: 'b'.repeat(64) });
    const sha = canonicalSha256((ev.raw as { meta: unknown }).meta);
    expect(checkMetaSha(ev.evidence, ev.raw, 'minutes', FILE).reason).toBe(
      `meta_sha256 is bbbbbbbbbbbb… but the embedded meta hashes to ${sha.slice(0, 12)}…`,
    );
  });

  it('fails a meta that has no canonical form instead of hashing something else', () => {
    // A lone surrogate is a JSON string, but RFC 8785 has no form for it.
    const text = JSON.stringify(buildEvidence('minutes', 'm2')).replace('"lgbm-minutes"', '"\\ud800"');
    const ev = parsed({}, text);
    expect(checkMetaSha(ev.evidence, ev.raw, 'minutes', FILE)).toMatchObject({
      name: 'meta-sha256',
      ok: false,
      reason: expect.stringMatching(/^the embedded meta cannot be hashed: it has no canonical JSON form/),
      file: FILE,
      pointer: 'minutes',
    });
  });

  it('list at most five failed smoke checks, then how many more', () => {
    const checks = (n: number) => Array.from({ length: n }, (_, i) => ({ name: `c${i + 1}`, ok: false }));
    expect(checkSmoke(evidence({ checks: checks(5) }), 'minutes', FILE).reason).toBe(
      'smoke checks failed: c1, c2, c3, c4, c5',
    );
    expect(checkSmoke(evidence({ checks: checks(7) }), 'minutes', FILE).reason).toBe(
      'smoke checks failed: c1, c2, c3, c4, c5 (+2 more)',
    );
  });
});

describe('smoke expectations', () => {
  it('pass with nothing to check when the config expects no columns or rows', () => {
    const p = pointer({});
    expect(checkColumns(evidence({ columns: [] }), p, 'minutes', FILE)).toMatchObject({
      ok: true,
      reason: 'no columns expected by the config',
    });
    expect(checkRows(evidence({ rows: 0 }), p, 'minutes', FILE)).toMatchObject({
      ok: true,
      reason: 'no row bounds in the config',
    });
  });

  it('count the expected columns present', () => {
    const p = pointer({ columns: ['player_id', 'game_id'] });
    expect(checkColumns(evidence(), p, 'minutes', FILE)).toMatchObject({
      ok: true,
      reason: 'all 2 expected columns present',
    });
  });

  it('judge the output named by expect.output, and fail when the manifest lacks it', () => {
    const outputs = [
      { name: 'first', rows: 5, columns: ['a'] },
      { name: 'scores', rows: 450, columns: ['player_id'] },
    ];
    const ev = evidence({ manifest: { outputs } });
    const named = pointer({ output: 'scores', columns: ['player_id'], rows: { min: 100 } });
    expect(checkColumns(ev, named, 'minutes', FILE).ok).toBe(true);
    expect(checkRows(ev, named, 'minutes', FILE).reason).toBe('450 rows within [100, ∞]');
    const first = pointer({ columns: ['player_id'], rows: { min: 100 } });
    expect(checkColumns(ev, first, 'minutes', FILE).reason).toBe('missing required columns: player_id');
    expect(checkRows(ev, first, 'minutes', FILE).reason).toBe('5 rows, outside [100, ∞]');
    const absent = pointer({ output: 'lineups', columns: ['player_id'], rows: { max: 10 } });
    expect(checkColumns(ev, absent, 'minutes', FILE)).toMatchObject({
      name: 'columns',
      ok: false,
      reason: 'the manifest has no output "lineups"',
      file: FILE,
      pointer: 'minutes',
    });
    expect(checkRows(ev, absent, 'minutes', FILE).reason).toBe(
      'the manifest reports no row count for output "lineups"',
    );
    const none = evidence({ manifest: { outputs: [] } });
    expect(checkColumns(none, first, 'minutes', FILE).reason).toBe('the manifest has no the first output');
    const absentList = evidence({ manifest: { outputs: undefined } });
    expect(checkColumns(absentList, first, 'minutes', FILE).reason).toBe(
      'the manifest has no the first output',
    );
  });

  it('accept a row count on either bound, and judge a one-sided bound alone', () => {
    const both = pointer({ rows: { min: 100, max: 1000 } });
    expect(checkRows(evidence({ rows: 100 }), both, 'minutes', FILE).reason).toBe(
      '100 rows within [100, 1000]',
    );
    expect(checkRows(evidence({ rows: 1000 }), both, 'minutes', FILE).ok).toBe(true);
    const minOnly = pointer({ rows: { min: 100 } });
    expect(checkRows(evidence({ rows: 10 ** 6 }), minOnly, 'minutes', FILE).ok).toBe(true);
    expect(checkRows(evidence({ rows: 99 }), minOnly, 'minutes', FILE).ok).toBe(false);
    const maxOnly = pointer({ rows: { max: 1000 } });
    expect(checkRows(evidence({ rows: 0 }), maxOnly, 'minutes', FILE).reason).toBe('0 rows within [0, 1000]');
    expect(checkRows(evidence({ rows: 1001 }), maxOnly, 'minutes', FILE).reason).toBe(
      '1001 rows, outside [0, 1000]',
    );
  });
});

describe('age and contract', () => {
  const policy = { evidenceMaxAgeDays: 3 } as Config['policy'];
  const now = new Date('2026-11-26T18:00:00Z'); // ET slate date 2026-11-26

  it('say how old the evidence is, and count a slate scored the evening before as 0 days', () => {
    expect(checkEvidenceAge(evidence({ gameDate: '2026-11-24' }), policy, now, 'minutes', FILE).reason).toBe(
      'game date 2026-11-24 is 2 days old (at most 3)',
    );
    expect(checkEvidenceAge(evidence({ gameDate: '2026-11-27' }), policy, now, 'minutes', FILE).reason).toBe(
      'game date 2026-11-27 is 0 days old (at most 3)',
    );
  });

  it('pass any contract when the pointer sets no range, and name the range it satisfies', () => {
    expect(checkContract(evidence(), pointer({}, { contract: undefined }), 'minutes', FILE)).toEqual({
      name: 'contract',
      ok: true,
      reason: 'no contract range configured',
      file: FILE,
      pointer: 'minutes',
    });
    expect(checkContract(evidence(), pointer(), 'minutes', FILE).reason).toBe(
      'contract 2.1.0 satisfies ^2.0.0',
    );
  });
});
